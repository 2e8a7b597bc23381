//! `POST /users/register`, `POST /users/login`, the credentials that end
//! (`PUT /users/{id}/password`, `DELETE /users/{id}/tokens`), and the employer's public
//! profile (`GET`/`PUT /users/{id}`).

use rocket::{delete, get, post, put, State};
use rocket_okapi::openapi;
use schemars::JsonSchema;
use serde::Serialize;

use super::error::ApiError;
use super::input::JsonBody;
use super::responses::{CreatedWithoutUrl, Message, NoStore, Success};
use super::schema;
use crate::auth::accounts::{Accounts, SignedIn};
use crate::auth::credentials::{CredentialStore, Holder, PasswordChange};
use crate::auth::token::TokenKeys;
use crate::auth::ApiUser;
use crate::db::{Db, DbConn};
use crate::domain::access::require_owner;
use crate::domain::fields::InputError;
use crate::domain::user::{Credentials, NewUser, ProfilePatch};
use crate::error::{AppError, Missing, NO_INPUT};
use crate::http::{PathId, UserPathId};
use crate::repo;
use crate::repo::users::Employer;

const NO_CREDENTIALS: &str = "No username/password provided";

/// The body of a registration or login.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Documentation only: `NewUser::from_json` parses the body.
pub struct RegisterRequest {
    #[schemars(schema_with = "schema::username")]
    username: String,
    #[schemars(schema_with = "schema::password")]
    password: String,
}

/// The body of a login.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Documentation only: `Credentials::from_json` parses the body.
pub struct LoginRequest {
    #[schemars(schema_with = "schema::any_text", example = "example_username")]
    username: String,
    #[schemars(schema_with = "schema::any_text", example = "example_password")]
    password: String,
}

fn example_username() -> &'static str {
    "user"
}
fn example_password() -> &'static str {
    "password"
}

/// A newly registered account.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UserCreated {
    #[schemars(example = "example_username")]
    pub username: String,
    #[schemars(example = "example_id")]
    pub id: i64,
}

fn example_id() -> i64 {
    1
}

/// A signed-in user's token.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LoginToken {
    #[schemars(example = "example_id")]
    pub id: i64,
    /// An HS256 JWT to send as `Authorization: JWT <token>` or `Bearer <token>`.
    #[schemars(example = "example_token")]
    pub token: String,
}

fn example_token() -> &'static str {
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpZCI6MSwidXNlcm5hbWUiOiJ1c2VyIiwiZXhwaXJlc19hdCI6IjIwMTgtMTAtMjMgMjE6NTM6NDMuODA0MjEyIn0.DIMHTfqqU-SDVW_kLXukh0pc9MOtO7uyvw4oIbXxtL4"
}

/// # Register a user
///
/// Creates an account. The username is unique regardless of letter case; the password is
/// stored only as an Argon2id hash and never returned.
#[openapi(tag = "Users")]
#[post("/users/register", data = "<body>")]
pub async fn register(
    accounts: Accounts<'_>,
    body: JsonBody<RegisterRequest>,
) -> Result<CreatedWithoutUrl<UserCreated>, ApiError> {
    let object = body.into_object(NO_INPUT)?;
    let new_user = NewUser::from_json(&object, &accounts.password_policy)?;
    let user = accounts.register(&new_user).await?;
    Ok(CreatedWithoutUrl(UserCreated {
        username: user.username,
        id: user.id,
    }))
}

/// # Log in
///
/// Exchanges a username and password for a JWT. A wrong password and an unknown username get
/// the same answer in the same time, so accounts cannot be discovered.
#[openapi(tag = "Users")]
#[post("/users/login", data = "<body>")]
pub async fn login(
    accounts: Accounts<'_>,
    tokens: &State<TokenKeys>,
    body: JsonBody<LoginRequest>,
) -> Result<NoStore<Success<LoginToken>>, ApiError> {
    let object = body.into_object(NO_CREDENTIALS)?;
    let credentials = Credentials::from_json(&object).map_err(|error| match error {
        InputError::Empty => AppError::BadBody {
            message: NO_CREDENTIALS.to_owned(),
            problem: None,
        },
        invalid => invalid.into(),
    })?;
    let SignedIn {
        user,
        credentials_version,
    } = accounts.sign_in(&credentials).await?;
    Ok(NoStore(Success(LoginToken {
        id: user.id,
        token: tokens.issue(user.id, &user.username, credentials_version),
    })))
}

/// The body of a password change.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Documentation only: `PasswordChange::from_json` parses the body.
pub struct PasswordChangeRequest {
    #[schemars(schema_with = "schema::any_text", example = "example_password")]
    current_password: String,
    #[schemars(schema_with = "schema::password")]
    new_password: String,
}

/// # Change the password
///
/// Replaces the password of the token's user, who must be `user_id`, when `current_password`
/// is the current one. Every token and browser session of the user issued before stops
/// working at once, this request's token included: sign in again with the new password. A
/// wrong current password counts as a failed sign-in of the account from this client.
#[openapi(tag = "Users")]
#[put("/users/<user_id>/password", data = "<body>")]
pub async fn change_password(
    user_id: PathId<'_>,
    user: ApiUser,
    store: CredentialStore<'_>,
    body: JsonBody<PasswordChangeRequest>,
) -> Result<NoStore<Success<Message>>, ApiError> {
    let user_id = user_id.user()?;
    require_owner(user.id, user_id)?;
    let change = PasswordChange::from_json(&body.into_object(NO_INPUT)?)?;
    store.change_password(&Holder::from(&user), &change).await?;
    Ok(NoStore(Success(Message {
        message: "Password changed".to_owned(),
    })))
}

/// # Sign out everywhere
///
/// Ends every token and browser session of the token's user, who must be `user_id`, issued
/// before now, this request's token included. Tokens from later sign-ins work.
#[openapi(tag = "Users")]
#[delete("/users/<user_id>/tokens")]
pub async fn sign_out_everywhere(
    user_id: PathId<'_>,
    user: ApiUser,
    store: CredentialStore<'_>,
) -> Result<Success<Message>, ApiError> {
    let user_id = user_id.user()?;
    require_owner(user.id, user_id)?;
    store.sign_out_everywhere(&Holder::from(&user)).await?;
    Ok(Success(Message {
        message: "Signed out everywhere".to_owned(),
    }))
}

/// An employer as anyone sees them. The name shown for them is `display_name`, else
/// `username`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EmployerBody {
    #[schemars(example = "example_id")]
    pub id: i64,
    #[schemars(example = "example_username")]
    pub username: String,
    #[schemars(schema_with = "schema::display_name")]
    pub display_name: Option<String>,
    #[schemars(schema_with = "schema::website")]
    pub website: Option<String>,
    #[schemars(schema_with = "schema::about")]
    pub about: Option<String>,
}

impl From<Employer> for EmployerBody {
    fn from(employer: Employer) -> Self {
        Self {
            id: employer.user.id,
            username: employer.user.username,
            display_name: employer.profile.display_name,
            website: employer
                .profile
                .website
                .map(|site| site.as_str().to_owned()),
            about: employer.profile.about,
        }
    }
}

/// The fields of the profile to change; at least one (`minProperties: 1`).
pub struct ProfilePatchRequest;

impl JsonSchema for ProfilePatchRequest {
    fn schema_name() -> String {
        "ProfilePatchRequest".to_owned()
    }

    fn json_schema(gen: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut schema = ProfilePatchFields::json_schema(gen).into_object();
        // Every field is optional: a change names only what changes, but names something.
        schema.object().required.clear();
        schema.object().min_properties = Some(1);
        schema.metadata().description =
            Some("The profile fields to change, at least one; null or \"\" clears one.".to_owned());
        schema.into()
    }
}

#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Documentation only: `ProfilePatch::from_json` parses the body.
struct ProfilePatchFields {
    #[schemars(schema_with = "schema::display_name")]
    display_name: Option<String>,
    #[schemars(schema_with = "schema::website")]
    website: Option<String>,
    #[schemars(schema_with = "schema::about")]
    about: Option<String>,
}

/// # Get an employer
///
/// An employer's public profile. No token needed.
#[openapi(tag = "Users")]
#[get("/users/<user_id>")]
pub async fn profile(
    user_id: UserPathId<'_>,
    db: &State<Db>,
) -> Result<Success<EmployerBody>, ApiError> {
    let user_id = user_id.user()?;
    let employer = repo::users::employer(&mut *db.acquire().await?, user_id)
        .await?
        .ok_or_else(|| AppError::NotFound(Missing::User(user_id.to_string())))?;
    Ok(Success(employer.into()))
}

/// # Update the employer profile
///
/// Changes any subset of `display_name` (shown on the board, the offer pages and in
/// structured data instead of the username), `website` and `about`. Only the token's user may
/// change their profile.
#[openapi(tag = "Users")]
#[put("/users/<user_id>", data = "<body>")]
pub async fn update_profile(
    user_id: UserPathId<'_>,
    user: ApiUser,
    mut db: DbConn,
    body: JsonBody<ProfilePatchRequest>,
) -> Result<Success<EmployerBody>, ApiError> {
    let user_id = user_id.user()?;
    require_owner(user.id, user_id)?;
    let patch = ProfilePatch::from_json(&body.into_object(NO_INPUT)?)?;
    let employer = repo::users::update_profile(&mut *db, user_id, &patch)
        .await?
        .ok_or_else(|| AppError::NotFound(Missing::User(user_id.to_string())))?;
    Ok(Success(employer.into()))
}
