//! Sign up, sign in and sign out, and the account page (change the password, sign out
//! everywhere), over the same account and credential functions as the API.

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
use crate::auth::accounts::{Accounts, SignedIn};
use crate::auth::credentials::{CredentialStore, Holder, PasswordChange, FIRST_VERSION};
use crate::auth::session::{self, SessionSettings};
use crate::auth::{AuthError, PageUser};
use crate::db::Db;
use crate::domain::user::{Credentials, NewUser, User};
use crate::domain::FieldErrors;

const PASSWORD_CHANGED: &str = "Your password is changed and you are signed out everywhere, \
                                in this browser too. Sign in with your new password.";
const SIGNED_OUT_EVERYWHERE: &str =
    "You are signed out everywhere, in this browser too. Sign in again to continue.";
/// Beside the current password of the password form, when it is not the account's.
const WRONG_CURRENT_PASSWORD: &str = "This is not your current password.";

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

/// A browser being signed in: where its session is kept and how its cookie is issued.
pub struct SignIn<'r> {
    db: &'r State<Db>,
    cookies: &'r CookieJar<'r>,
    settings: &'r State<SessionSettings>,
}

impl SignIn<'_> {
    /// Signs `user` in at credentials `version` and goes on to `next`, or to "My offers".
    async fn done(
        &self,
        user: &User,
        version: i64,
        next: Option<&str>,
        greeting: String,
    ) -> Result<FormReply, PageError> {
        session::start(self.db, self.cookies, self.settings, user, version).await?;
        let target = next.unwrap_or(paths::MY_OFFERS).to_owned();
        Ok(FormReply::Done(Flash::success(
            Redirect::to(target),
            greeting,
        )))
    }
}

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for SignIn<'r> {
    type Error = AuthError;

    async fn from_request(
        request: &'r rocket::Request<'_>,
    ) -> rocket::request::Outcome<Self, Self::Error> {
        let db = request.guard::<&State<Db>>().await.succeeded();
        let settings = request.guard::<&State<SessionSettings>>().await.succeeded();
        match (db, settings) {
            (Some(db), Some(settings)) => rocket::request::Outcome::Success(Self {
                db,
                cookies: request.cookies(),
                settings,
            }),
            _ => AuthError::NotConfigured("the session services").fail(request),
        }
    }
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
    browser: SignIn<'_>,
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
        Ok(SignedIn {
            user,
            credentials_version,
        }) => {
            let greeting = format!("Signed in as {}.", user.username);
            browser
                .done(&user, credentials_version, next, greeting)
                .await
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
    browser: SignIn<'_>,
    accounts: Accounts<'_>,
    form: CsrfForm<AccountForm>,
) -> Result<FormReply, PageError> {
    let form = form.0;
    let errors = match NewUser::from_form(&form.username, &form.password, &accounts.password_policy)
    {
        Ok(new_user) => match accounts.register(&new_user).await {
            Ok(user) => {
                let greeting = format!("Welcome, {}! Your account is ready.", user.username);
                return browser.done(&user, FIRST_VERSION, None, greeting).await;
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

/// Ends this browser's session on the server too: a copy of its cookie is refused afterwards.
#[post("/logout", data = "<_form>")]
pub async fn sign_out(
    db: &State<Db>,
    cookies: &CookieJar<'_>,
    settings: &State<SessionSettings>,
    _form: CsrfForm<TokenOnly>,
) -> Result<Flash<Redirect>, PageError> {
    session::end(db, cookies, settings).await?;
    Ok(Flash::success(
        Redirect::to(paths::BOARD),
        "You are signed out.",
    ))
}

/// What the password form posts; a missing field is reported like an empty one.
#[derive(FromForm)]
pub struct PasswordForm {
    #[field(default = String::new())]
    current_password: String,
    #[field(default = String::new())]
    new_password: String,
}

/// The view of the account page. Passwords are never shown again, so only the problems are.
#[derive(Debug, Default, Serialize)]
struct AccountPageView {
    errors: BTreeMap<String, String>,
}

/// The browser's session ended while it was on its way (its credentials changed elsewhere):
/// on to sign in.
fn sign_in_again(cookies: &CookieJar<'_>, settings: &SessionSettings) -> Flash<Redirect> {
    session::forget(cookies, settings);
    Flash::warning(Redirect::to(paths::SIGN_IN), "Please sign in to continue.")
}

#[get("/account")]
pub fn account_page(_user: PageUser, page: Page<'_>) -> Template {
    page.render("auth/account", AccountPageView::default())
}

/// The address of an account form, followed with GET: after signing in, the sign-in page sends
/// a person back to the address that asked them to, which for a form is its action.
#[get("/account/<action>")]
pub fn account_form_address(action: &str) -> Option<Redirect> {
    matches!(action, "password" | "sign-out-everywhere").then(|| Redirect::to("/account"))
}

/// Changes the password; every session and token of the user ends, this browser's too, and
/// the person signs in again with the new password.
#[post("/account/password", data = "<form>")]
pub async fn change_password(
    user: PageUser,
    page: Page<'_>,
    cookies: &CookieJar<'_>,
    settings: &State<SessionSettings>,
    store: CredentialStore<'_>,
    form: CsrfForm<PasswordForm>,
) -> Result<FormReply, PageError> {
    let form = form.0;
    let errors = match PasswordChange::from_form(&form.current_password, &form.new_password) {
        Ok(change) => match store.change_password(&Holder::from(&user), &change).await {
            Ok(()) => {
                // The server ended this session with the others; the cookie goes too.
                session::forget(cookies, settings);
                let done = Flash::success(Redirect::to(paths::SIGN_IN), PASSWORD_CHANGED);
                return Ok(FormReply::Done(done));
            }
            Err(AuthError::BadCredentials) => {
                let mut errors = FieldErrors::default();
                errors.add("current_password", WRONG_CURRENT_PASSWORD);
                errors
            }
            Err(error @ AuthError::WeakPassword { .. }) => error.field_errors().unwrap_or_default(),
            Err(AuthError::Revoked) => {
                return Ok(FormReply::Done(sign_in_again(cookies, settings)));
            }
            Err(error) => return Err(error.into()),
        },
        Err(errors) => errors,
    };
    let view = AccountPageView {
        errors: errors.first_per_field(),
    };
    Ok(FormReply::Invalid(page.render("auth/account", view)))
}

/// Ends every session and token of the user, this browser's too.
#[post("/account/sign-out-everywhere", data = "<_form>")]
pub async fn sign_out_everywhere(
    user: PageUser,
    cookies: &CookieJar<'_>,
    settings: &State<SessionSettings>,
    store: CredentialStore<'_>,
    _form: CsrfForm<TokenOnly>,
) -> Result<Flash<Redirect>, PageError> {
    match store.sign_out_everywhere(&Holder::from(&user)).await {
        Ok(()) => {
            session::forget(cookies, settings);
            Ok(Flash::success(
                Redirect::to(paths::SIGN_IN),
                SIGNED_OUT_EVERYWHERE,
            ))
        }
        Err(AuthError::Revoked) => Ok(sign_in_again(cookies, settings)),
        Err(error) => Err(error.into()),
    }
}
