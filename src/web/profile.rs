//! `/profile`: the employer's public profile (the name candidates see, a website, a few words),
//! parsed by the same functions as `PUT /api/v1/users/{id}`.

use rocket::form::FromForm;
use rocket::response::{Flash, Redirect};
use rocket::{get, post};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::csrf::CsrfForm;
use super::errors::PageError;
use super::page::{FormReply, Page};
use crate::auth::PageUser;
use crate::db::DbConn;
use crate::domain::user::ProfilePatch;
use crate::domain::FieldErrors;
use crate::error::{AppError, Missing};
use crate::repo;
use crate::repo::users::Employer;

pub const PROFILE: &str = "/profile";

#[derive(Debug, Default, FromForm)]
pub struct ProfileForm {
    #[field(default = String::new())]
    display_name: String,
    #[field(default = String::new())]
    website: String,
    #[field(default = String::new())]
    about: String,
}

#[derive(Debug, Serialize)]
struct ProfileView {
    username: String,
    display_name: String,
    website: String,
    about: String,
    errors: std::collections::BTreeMap<String, String>,
}

impl ProfileView {
    fn of(employer: Employer) -> Self {
        Self {
            username: employer.user.username,
            display_name: employer.profile.display_name.unwrap_or_default(),
            website: employer
                .profile
                .website
                .map(|site| site.as_str().to_owned())
                .unwrap_or_default(),
            about: employer.profile.about.unwrap_or_default(),
            errors: Default::default(),
        }
    }
}

#[get("/profile")]
pub async fn profile_page(
    user: PageUser,
    page: Page<'_>,
    mut db: DbConn,
) -> Result<Template, PageError> {
    let employer = repo::users::employer(&mut *db, user.id)
        .await?
        .ok_or_else(|| AppError::NotFound(Missing::User(user.id.to_string())))?;
    Ok(page.render("auth/profile", ProfileView::of(employer)))
}

#[post("/profile", data = "<form>")]
pub async fn save_profile(
    user: PageUser,
    page: Page<'_>,
    mut db: DbConn,
    form: CsrfForm<ProfileForm>,
) -> Result<FormReply, PageError> {
    let form = form.0;
    let about = form.about.replace("\r\n", "\n");
    let errors: FieldErrors =
        match ProfilePatch::from_form(&form.display_name, &form.website, &about) {
            Ok(patch) => {
                repo::users::update_profile(&mut *db, user.id, &patch)
                    .await?
                    .ok_or_else(|| AppError::NotFound(Missing::User(user.id.to_string())))?;
                let done = Flash::success(Redirect::to(PROFILE), "Profile saved");
                return Ok(FormReply::Done(done));
            }
            Err(errors) => errors,
        };
    let view = ProfileView {
        username: user.username.clone(),
        display_name: form.display_name,
        website: form.website,
        about,
        errors: errors.first_per_field(),
    };
    Ok(FormReply::Invalid(page.render("auth/profile", view)))
}
