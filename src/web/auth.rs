//! Sign up, sign in and sign out, over the same account functions as the API.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::http::CookieJar;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::csrf::{CsrfForm, TokenOnly};
use super::errors::PageError;
use super::page::{FormReply, Page};
use super::paths::{self, local_path};
use crate::auth::accounts::Accounts;
use crate::auth::session::{self, SessionSettings};
use crate::auth::AuthError;
use crate::domain::user::{Credentials, NewUser, User};
use crate::domain::FieldErrors;

#[derive(FromForm)]
pub struct AccountForm {
    #[field(default = String::new())]
    username: String,
    #[field(default = String::new())]
    password: String,
    next: Option<String>,
}

/// The view of the sign-in and sign-up forms.
#[derive(Debug, Default, Serialize)]
struct AccountView {
    values: AccountValues,
    errors: BTreeMap<String, String>,
    /// A problem with the form as a whole (wrong credentials), shown above it.
    problem: Option<String>,
    next: Option<String>,
}

#[derive(Debug, Default, Serialize)]
struct AccountValues {
    username: String,
}

impl AccountView {
    fn new(username: &str, errors: &FieldErrors, next: Option<&str>) -> Self {
        Self {
            values: AccountValues {
                username: username.to_owned(),
            },
            errors: errors.first_per_field(),
            problem: None,
            next: next.map(str::to_owned),
        }
    }
}

/// Signs `user` in and goes on to `next`, or to "My offers".
fn signed_in(
    cookies: &CookieJar<'_>,
    settings: &SessionSettings,
    user: &User,
    next: Option<&str>,
    greeting: String,
) -> FormReply {
    session::start(cookies, settings, user);
    let target = next.unwrap_or(paths::MY_OFFERS).to_owned();
    FormReply::Done(Flash::success(Redirect::to(target), greeting))
}

#[get("/login?<next>")]
pub fn sign_in_page(page: Page<'_>, next: Option<String>) -> Either<Redirect, Template> {
    let next = local_path(next.as_deref());
    if page.signed_in() {
        let target = next.unwrap_or_else(|| paths::MY_OFFERS.to_owned());
        return Either::Left(Redirect::to(target));
    }
    let view = AccountView::new("", &FieldErrors::default(), next.as_deref());
    Either::Right(page.render("auth/login", view))
}

#[post("/login", data = "<form>")]
pub async fn sign_in(
    page: Page<'_>,
    cookies: &CookieJar<'_>,
    settings: &State<SessionSettings>,
    accounts: Accounts<'_>,
    form: CsrfForm<AccountForm>,
) -> Result<FormReply, PageError> {
    let form = form.0;
    let next = local_path(form.next.as_deref());
    let next = next.as_deref();
    let credentials = match Credentials::from_form(&form.username, &form.password) {
        Ok(credentials) => credentials,
        Err(errors) => {
            let view = AccountView::new(&form.username, &errors, next);
            return Ok(FormReply::Invalid(page.render("auth/login", view)));
        }
    };
    match accounts.sign_in(&credentials).await {
        Ok(user) => {
            let greeting = format!("Signed in as {}.", user.username);
            Ok(signed_in(cookies, settings, &user, next, greeting))
        }
        Err(error @ AuthError::BadCredentials) => {
            let mut view = AccountView::new(&form.username, &FieldErrors::default(), next);
            view.problem = Some(error.to_string());
            Ok(FormReply::Invalid(page.render("auth/login", view)))
        }
        Err(error) => Err(error.into()),
    }
}

#[get("/register")]
pub fn sign_up_page(page: Page<'_>) -> Either<Redirect, Template> {
    if page.signed_in() {
        return Either::Left(Redirect::to(paths::MY_OFFERS));
    }
    let view = AccountView::new("", &FieldErrors::default(), None);
    Either::Right(page.render("auth/register", view))
}

#[post("/register", data = "<form>")]
pub async fn sign_up(
    page: Page<'_>,
    cookies: &CookieJar<'_>,
    settings: &State<SessionSettings>,
    accounts: Accounts<'_>,
    form: CsrfForm<AccountForm>,
) -> Result<FormReply, PageError> {
    let form = form.0;
    let errors = match NewUser::from_form(&form.username, &form.password) {
        Ok(new_user) => match accounts.register(&new_user).await {
            Ok(user) => {
                let greeting = format!("Welcome, {}! Your account is ready.", user.username);
                return Ok(signed_in(cookies, settings, &user, None, greeting));
            }
            Err(error @ AuthError::UsernameTaken) => {
                let mut errors = FieldErrors::default();
                errors.add("username", error.to_string());
                errors
            }
            Err(error) => return Err(error.into()),
        },
        Err(errors) => errors,
    };
    let view = AccountView::new(&form.username, &errors, None);
    Ok(FormReply::Invalid(page.render("auth/register", view)))
}

/// Asks before signing out, for someone who typed the address: a GET changes nothing.
#[get("/logout")]
pub fn sign_out_page(page: Page<'_>) -> Either<Redirect, Template> {
    if !page.signed_in() {
        return Either::Left(Redirect::to(paths::BOARD));
    }
    Either::Right(page.render("auth/logout", ()))
}

#[post("/logout", data = "<_form>")]
pub fn sign_out(
    cookies: &CookieJar<'_>,
    settings: &State<SessionSettings>,
    _form: CsrfForm<TokenOnly>,
) -> Flash<Redirect> {
    session::end(cookies, settings);
    Flash::success(Redirect::to(paths::BOARD), "You are signed out.")
}
