//! `POST /users/register` and `POST /users/login`.

use rocket::{post, State};
use rocket_okapi::openapi;
use schemars::JsonSchema;
use serde::Serialize;

use super::error::ApiError;
use super::input::JsonBody;
use super::responses::{CreatedWithoutUrl, NoStore};
use super::schema;
use crate::auth::accounts::Accounts;
use crate::auth::token::TokenKeys;
use crate::domain::fields::InputError;
use crate::domain::user::{Credentials, NewUser};
use crate::error::{AppError, NO_INPUT};

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
    let user = accounts.register(&NewUser::from_json(&object)?).await?;
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
) -> Result<NoStore<LoginToken>, ApiError> {
    let object = body.into_object(NO_CREDENTIALS)?;
    let credentials = Credentials::from_json(&object).map_err(|error| match error {
        InputError::Empty => AppError::BadBody {
            message: NO_CREDENTIALS.to_owned(),
            problem: None,
        },
        invalid => invalid.into(),
    })?;
    let user = accounts.sign_in(&credentials).await?;
    Ok(NoStore(LoginToken {
        id: user.id,
        token: tokens.issue(user.id, &user.username),
    }))
}
