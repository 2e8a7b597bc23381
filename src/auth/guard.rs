//! The API's authentication guard: `Authorization: JWT <token>` (or `Bearer <token>`) only.
//! Cookies are never consulted here, so a cross-site request cannot act through the API.

use rocket::request::{FromRequest, Outcome, Request};
use rocket_okapi::gen::OpenApiGenerator;
use rocket_okapi::okapi::openapi3::{
    Object, SecurityRequirement, SecurityScheme, SecuritySchemeData,
};
use rocket_okapi::request::{OpenApiFromRequest, RequestHeaderInput};

use rocket_db_pools::Database;

use super::token::TokenKeys;
use super::AuthError;
use crate::db::{Db, Parked};
use crate::repo::{self, CallerChecked};

/// The four ways a request can fail authentication, each with the contract's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    Missing,
    Malformed,
    NoToken,
    Invalid,
}

impl AuthFailure {
    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "Authorization header is expected",
            Self::Malformed => "Authorization header must 'JWT token'",
            Self::NoToken => "Token not found",
            Self::Invalid => "Invalid Token",
        }
    }
}

/// The request's one `Authorization` header value. Two or more are malformed: which one a
/// proxy or framework would read is anybody's guess, so none is.
pub fn authorization_header<'h>(
    mut values: impl Iterator<Item = &'h str>,
) -> Result<Option<&'h str>, AuthFailure> {
    let first = values.next();
    match values.next() {
        Some(_) => Err(AuthFailure::Malformed),
        None => Ok(first),
    }
}

/// Extracts the token from an `Authorization` header value.
pub fn bearer_token(header: Option<&str>) -> Result<&str, AuthFailure> {
    let header = header.map(str::trim).unwrap_or_default();
    if header.is_empty() {
        return Err(AuthFailure::Missing);
    }
    let parts: Vec<&str> = header.split_ascii_whitespace().collect();
    // Auth schemes are case-insensitive (RFC 9110 §11.1).
    let known_scheme =
        |scheme: &str| scheme.eq_ignore_ascii_case("JWT") || scheme.eq_ignore_ascii_case("Bearer");
    match parts.as_slice() {
        [scheme] if known_scheme(scheme) => Err(AuthFailure::NoToken),
        [scheme, token] if known_scheme(scheme) => Ok(token),
        _ => Err(AuthFailure::Malformed),
    }
}

/// The user a valid token names, who still exists, and whose credentials have not changed
/// since the token was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiUser {
    pub id: i64,
    pub username: String,
    /// The credentials version the token was issued at, which is still the user's.
    pub credentials_version: i64,
}

/// The caller a genuine, unexpired token names, before the database has said whether that
/// user still holds those credentials: what `ApiCaller` gives a handler that folds the check
/// into its own statement.
fn verified_caller(request: &Request<'_>) -> Result<ApiUser, AuthError> {
    let header =
        authorization_header(request.headers().get("Authorization")).map_err(AuthError::Token)?;
    let token = bearer_token(header).map_err(AuthError::Token)?;
    let keys = request
        .rocket()
        .state::<TokenKeys>()
        .ok_or(AuthError::NotConfigured("the token keys"))?;
    let verified = keys
        .verify_versioned(token)
        .ok_or(AuthError::Token(AuthFailure::Invalid))?;
    Ok(ApiUser {
        id: verified.claims.id,
        username: verified.claims.username,
        credentials_version: verified.credentials_version,
    })
}

async fn authenticate(request: &Request<'_>) -> Result<ApiUser, AuthError> {
    let caller = verified_caller(request)?;
    let db = Db::fetch(request.rocket()).ok_or(AuthError::NotConfigured("the database"))?;
    // A token outlives nothing: once its user is deleted, changes their password or signs out
    // everywhere, it stops working at once. One query either way, on the connection the
    // handler then uses (`DbConn`): one acquire per request.
    let parked = Parked::of(request);
    let mut connection = parked.take_or_acquire(db).await?;
    let checked = ApiCaller(caller).check(&mut connection).await;
    parked.park(connection);
    checked
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ApiUser {
    type Error = AuthError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match authenticate(request).await {
            Ok(user) => Outcome::Success(user),
            Err(error) => error.fail(request),
        }
    }
}

/// A caller with a genuine, unexpired token whose credentials are not checked yet: for the
/// hottest reads, whose statement checks them itself (one statement per request instead of
/// two; see `repo::offers::find_visible_checked`). The handler must get the check's answer
/// before it answers anything else: `check` when it has no such statement to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCaller(ApiUser);

impl ApiCaller {
    /// Who the token names, and the credentials version it was issued at.
    pub fn claimed(&self) -> &ApiUser {
        &self.0
    }

    /// The caller once the database says they still hold the token's credentials.
    pub async fn check(self, db: &mut sqlx::PgConnection) -> Result<ApiUser, AuthError> {
        let checked =
            repo::users::check_credentials(db, self.0.id, self.0.credentials_version).await?;
        Self::held(checked)?;
        Ok(self.0)
    }

    /// The answer of a statement that checked the caller, or the 401 of a token whose user no
    /// longer holds its credentials (the guard's own answer).
    pub fn held<T>(checked: CallerChecked<T>) -> Result<T, AuthError> {
        match checked {
            CallerChecked::Current(answer) => Ok(answer),
            CallerChecked::Revoked => Err(AuthError::Token(AuthFailure::Invalid)),
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ApiCaller {
    type Error = AuthError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match verified_caller(request) {
            Ok(caller) => Outcome::Success(Self(caller)),
            Err(error) => error.fail(request),
        }
    }
}

/// The name of the security scheme in the OpenAPI document.
pub const SECURITY_SCHEME: &str = "bearerAuth";

/// The bearer security scheme and its requirement, for both guards.
fn security_input() -> RequestHeaderInput {
    let scheme = SecurityScheme {
        description: Some(
            "The token from `POST /api/v1/users/login`. Sent as `Authorization: Bearer <token>` \
             (Swagger UI) or `Authorization: JWT <token>` (the original clients)."
                .to_owned(),
        ),
        data: SecuritySchemeData::Http {
            scheme: "bearer".to_owned(),
            bearer_format: Some("JWT".to_owned()),
        },
        extensions: Object::default(),
    };
    let mut requirement = SecurityRequirement::new();
    requirement.insert(SECURITY_SCHEME.to_owned(), Vec::new());
    RequestHeaderInput::Security(SECURITY_SCHEME.to_owned(), scheme, requirement)
}

impl<'r> OpenApiFromRequest<'r> for ApiUser {
    fn from_request_input(
        _gen: &mut OpenApiGenerator,
        _name: String,
        _required: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        Ok(security_input())
    }
}

impl<'r> OpenApiFromRequest<'r> for ApiCaller {
    fn from_request_input(
        _gen: &mut OpenApiGenerator,
        _name: String,
        _required: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        Ok(security_input())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_schemes_are_accepted_case_insensitively() {
        assert_eq!(bearer_token(Some("JWT abc")), Ok("abc"));
        assert_eq!(bearer_token(Some("Bearer abc")), Ok("abc"));
        assert_eq!(bearer_token(Some("bearer  abc ")), Ok("abc"));
    }

    #[test]
    fn two_authorization_headers_are_malformed() {
        assert_eq!(authorization_header(std::iter::empty()), Ok(None));
        assert_eq!(
            authorization_header(["JWT a"].into_iter()),
            Ok(Some("JWT a"))
        );
        assert_eq!(
            authorization_header(["JWT a", "JWT a"].into_iter()),
            Err(AuthFailure::Malformed)
        );
        assert_eq!(
            authorization_header(["JWT a", ""].into_iter()),
            Err(AuthFailure::Malformed)
        );
    }

    #[test]
    fn each_malformed_header_has_its_own_failure() {
        assert_eq!(bearer_token(None), Err(AuthFailure::Missing));
        assert_eq!(bearer_token(Some("  ")), Err(AuthFailure::Missing));
        assert_eq!(bearer_token(Some("JWT")), Err(AuthFailure::NoToken));
        assert_eq!(bearer_token(Some("Basic abc")), Err(AuthFailure::Malformed));
        assert_eq!(bearer_token(Some("JWT a b")), Err(AuthFailure::Malformed));
        assert_eq!(bearer_token(Some("abc")), Err(AuthFailure::Malformed));
    }
}
