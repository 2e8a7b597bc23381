//! Sign up, sign in and sign out, over the same account functions as the API.

use rocket::form::FromForm;
use rocket::http::CookieJar;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, State};
use rocket_dyn_templates::Template;
use serde_json::json;

use super::csrf::{CsrfForm, TokenOnly};
use super::page::{local_path, FormReply, Page, PageError};
use super::session::{self, SessionSettings};
use crate::auth::accounts::Accounts;
use crate::domain::user::{Credentials, NewUser};
use crate::domain::FieldErrors;
use crate::error::ApiError;

/// Where a signed-in person lands by default.
const AFTER_SIGN_IN: &str = "/offers";
/// The API's answer to a failed login, shown above the form.
const BAD_CREDENTIALS: &str = "Invalid username/password";

#[derive(FromForm)]
pub struct AccountForm {
    #[field(default = String::new())]
    username: String,
    #[field(default = String::new())]
    password: String,
    next: Option<String>,
}

fn account_page(
    page: Page<'_>,
    template: &'static str,
    username: &str,
    errors: &FieldErrors,
    problem: Option<&str>,
    next: Option<&str>,
) -> Template {
    page.render(
        template,
        json!({
            "values": {"username": username},
            "errors": errors.first_per_field(),
            "problem": problem,
            "next": next,
        }),
    )
}

#[get("/login?<next>")]
pub fn sign_in_page(page: Page<'_>, next: Option<String>) -> Either<Redirect, Template> {
    let next = local_path(next.as_deref());
    if page.signed_in() {
        return Either::Left(Redirect::to(next.unwrap_or(AFTER_SIGN_IN).to_owned()));
    }
    let no_errors = FieldErrors::default();
    Either::Right(account_page(page, "auth/login", "", &no_errors, None, next))
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
    let credentials = match Credentials::from_form(&form.username, &form.password) {
        Ok(credentials) => credentials,
        Err(errors) => {
            let page = account_page(page, "auth/login", &form.username, &errors, None, next);
            return Ok(FormReply::Invalid(page));
        }
    };
    let Some(user) = accounts.sign_in(&credentials).await? else {
        let no_errors = FieldErrors::default();
        let problem = Some(BAD_CREDENTIALS);
        let page = account_page(
            page,
            "auth/login",
            &form.username,
            &no_errors,
            problem,
            next,
        );
        return Ok(FormReply::Invalid(page));
    };
    session::start(cookies, settings, &user);
    Ok(FormReply::Done(Flash::success(
        Redirect::to(next.unwrap_or(AFTER_SIGN_IN).to_owned()),
        format!("Signed in as {}.", user.username),
    )))
}

#[get("/register")]
pub fn sign_up_page(page: Page<'_>) -> Either<Redirect, Template> {
    if page.signed_in() {
        return Either::Left(Redirect::to(AFTER_SIGN_IN));
    }
    let no_errors = FieldErrors::default();
    Either::Right(account_page(
        page,
        "auth/register",
        "",
        &no_errors,
        None,
        None,
    ))
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
                session::start(cookies, settings, &user);
                return Ok(FormReply::Done(Flash::success(
                    Redirect::to(AFTER_SIGN_IN),
                    format!("Welcome, {}! Your account is ready.", user.username),
                )));
            }
            Err(ApiError::Conflict(message)) => {
                let mut errors = FieldErrors::default();
                errors.add("username", message);
                errors
            }
            Err(error) => return Err(error.into()),
        },
        Err(errors) => errors,
    };
    let page = account_page(page, "auth/register", &form.username, &errors, None, None);
    Ok(FormReply::Invalid(page))
}

/// Asks before signing out, for someone who typed the address: a GET changes nothing.
#[get("/logout")]
pub fn sign_out_page(page: Page<'_>) -> Either<Redirect, Template> {
    if !page.signed_in() {
        return Either::Left(Redirect::to("/"));
    }
    Either::Right(page.render("auth/logout", json!({})))
}

#[post("/logout", data = "<_form>")]
pub fn sign_out(
    cookies: &CookieJar<'_>,
    settings: &State<SessionSettings>,
    _form: CsrfForm<TokenOnly>,
) -> Flash<Redirect> {
    session::end(cookies, settings);
    Flash::success(Redirect::to("/"), "You are signed out.")
}
