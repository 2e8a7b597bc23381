//! The HTML pages: anyone browses and searches the job board; employers sign in and manage
//! their offers in the browser. The pages call the same domain parsers, account functions and
//! queries as the JSON API; they work without JavaScript.

mod applications;
mod auth;
mod board;
mod crawl;
mod csrf;
mod errors;
mod headers;
mod offer_form;
mod offers;
mod page;
mod paths;
mod profile;
mod time;

use rocket::fairing::AdHoc;
use rocket::figment::value::magic::RelativePathBuf;
use rocket::fs::FileServer;
use rocket::{catchers, routes};
use rocket_dyn_templates::Template;

pub use headers::CONTENT_SECURITY_POLICY;

/// Where the stylesheet and icon are served from, under `/static`.
const DEFAULT_STATIC_DIR: &str = "static";

/// Mounts the pages, their catchers, the security headers and the static files.
pub fn stage() -> AdHoc {
    AdHoc::try_on_ignite("HTML pages", |rocket| async {
        let static_dir = rocket
            .figment()
            .extract_inner::<RelativePathBuf>("static_dir")
            .map(|dir| dir.relative())
            .unwrap_or_else(|_| DEFAULT_STATIC_DIR.into());
        if !static_dir.is_dir() {
            rocket::error!(
                "The static files directory {} is missing: run from the repository root or \
                 set static_dir (ROCKET_STATIC_DIR).",
                static_dir.display()
            );
            return Err(rocket);
        }
        Ok(rocket
            .attach(Template::fairing())
            .attach(headers::SecurityHeaders)
            .mount(
                "/",
                routes![
                    board::board,
                    board::feed::feed,
                    crawl::robots,
                    crawl::sitemap,
                    crawl::sitemap_file,
                    auth::sign_in_page,
                    auth::sign_in,
                    auth::sign_up_page,
                    auth::sign_up,
                    auth::sign_out_page,
                    auth::sign_out,
                    auth::account_page,
                    auth::account_form_address,
                    auth::change_password,
                    auth::sign_out_everywhere,
                    profile::profile_page,
                    profile::save_profile,
                    offers::list,
                    offers::new,
                    offers::create,
                    offers::view,
                    offers::edit,
                    offers::update,
                    offers::change_status,
                    offers::confirm_delete,
                    offers::delete,
                    applications::apply_page,
                    applications::apply,
                    applications::candidate,
                    applications::withdraw,
                    applications::list,
                    applications::detail,
                    applications::change,
                    applications::cv,
                ],
            )
            .mount("/static", FileServer::from(static_dir))
            .register("/", catchers![errors::sign_in_required, error]))
    })
}

/// Every other error outside `/api`: `errors::error`'s page, once the browser's session has
/// been looked up, so that the layout shows who is signed in even where no guard asked (an
/// unknown address).
#[rocket::catch(default)]
async fn error(status: rocket::http::Status, request: &rocket::Request<'_>) -> errors::PageError {
    crate::auth::session::check(request).await;
    errors::error(status, request)
}
