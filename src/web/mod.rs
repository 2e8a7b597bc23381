//! The HTML pages: employers sign in and manage their offers in the browser.

use rocket::fairing::AdHoc;

/// Mounts the pages, their catchers and the static files.
pub fn stage() -> AdHoc {
    AdHoc::on_ignite("HTML pages", |rocket| async { rocket })
}
