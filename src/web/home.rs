//! `/`: a welcome page, or straight to "My offers" for a signed-in user. A public job board
//! will replace it; nothing else depends on this handler.

use rocket::get;
use rocket::response::Redirect;
use rocket::Either;
use rocket_dyn_templates::Template;
use serde_json::json;

use super::page::Page;

#[get("/")]
pub fn home(page: Page<'_>) -> Either<Redirect, Template> {
    if page.signed_in() {
        Either::Left(Redirect::to("/offers"))
    } else {
        Either::Right(page.render("home", json!({})))
    }
}
