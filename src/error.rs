//! `ApiError`: every way an API request can fail, mapped once to a status and a JSON body.

use std::io::Cursor;

use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Responder};
use rocket::Request;
use rocket_okapi::gen::OpenApiGenerator;
use rocket_okapi::okapi::openapi3::{MediaType, RefOr, Response as OpenApiResponse, Responses};
use rocket_okapi::response::OpenApiResponderInner;
use schemars::JsonSchema;
use serde::Serialize;

use crate::auth::password::HashError;
use crate::domain::fields::{FieldErrors, InputError};

pub const NO_INPUT: &str = "No input data provided";
pub const VALIDATION_FAILED: &str = "Input payload validation failed";
/// Seconds a client is asked to wait after a 503 or 429.
pub const RETRY_AFTER_SECONDS: u32 = 1;

/// The JSON body of every error under `/api`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ErrorBody {
    /// A sentence for people.
    #[schemars(example = "example_message")]
    pub message: String,
    /// Problems per field of the request body, for validation failures only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<std::collections::BTreeMap<String, Vec<String>>>")]
    pub errors: Option<FieldErrors>,
}

fn example_message() -> &'static str {
    "offer not found 1"
}

/// Why an API request failed.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// 400 with a sentence only.
    BadRequest(String),
    /// 400 naming each bad field.
    Validation(FieldErrors),
    /// 400 naming each bad query parameter.
    InvalidQuery(FieldErrors),
    /// 401 with one of the guard's messages.
    Unauthorized(&'static str),
    /// 403: the token's user may not do this.
    Forbidden,
    /// 404 with a sentence naming what is missing.
    NotFound(String),
    /// 409: the resource already exists.
    Conflict(String),
    /// 405: the path exists, but not for this method.
    MethodNotAllowed(Vec<rocket::http::Method>),
    /// 413: the body is over the limit.
    PayloadTooLarge,
    /// 429: too many attempts; retry after this many seconds.
    TooManyRequests(u64),
    /// 503: no database connection or hashing slot in time; retry shortly.
    Unavailable,
    /// 500: a bug or an unexpected database failure; details go to the log only.
    Internal(String),
    /// Any other status Rocket produced (e.g. 405), with its reason phrase as the message.
    Other(Status),
}

impl ApiError {
    pub fn status(&self) -> Status {
        match self {
            Self::BadRequest(_) | Self::Validation(_) | Self::InvalidQuery(_) => Status::BadRequest,
            Self::Unauthorized(_) => Status::Unauthorized,
            Self::Forbidden => Status::Forbidden,
            Self::NotFound(_) => Status::NotFound,
            Self::Conflict(_) => Status::Conflict,
            Self::MethodNotAllowed(_) => Status::MethodNotAllowed,
            Self::PayloadTooLarge => Status::PayloadTooLarge,
            Self::TooManyRequests(_) => Status::TooManyRequests,
            Self::Unavailable => Status::ServiceUnavailable,
            Self::Internal(_) => Status::InternalServerError,
            Self::Other(status) => *status,
        }
    }

    /// The error a bare status maps to when Rocket itself fails a request (catchers).
    pub fn from_status(status: Status) -> Self {
        match status.code {
            400 => Self::BadRequest("Bad request".to_owned()),
            401 => Self::Unauthorized(crate::auth::AuthFailure::Missing.message()),
            403 => Self::Forbidden,
            404 => Self::NotFound("Not found".to_owned()),
            413 => Self::PayloadTooLarge,
            429 => Self::TooManyRequests(u64::from(RETRY_AFTER_SECONDS)),
            503 => Self::Unavailable,
            500 => Self::Internal("unhandled server error".to_owned()),
            _ => Self::Other(status),
        }
    }

    fn body(&self) -> ErrorBody {
        let message = match self {
            Self::BadRequest(message) | Self::NotFound(message) | Self::Conflict(message) => {
                message.clone()
            }
            Self::Validation(_) => VALIDATION_FAILED.to_owned(),
            Self::InvalidQuery(errors) => {
                let names: Vec<&str> = errors.field_names().collect();
                format!("Invalid query parameter: {}", names.join(", "))
            }
            Self::Unauthorized(message) => (*message).to_owned(),
            Self::Forbidden => "Forbidden".to_owned(),
            Self::MethodNotAllowed(_) => "Method not allowed".to_owned(),
            Self::PayloadTooLarge => "Payload too large".to_owned(),
            Self::TooManyRequests(_) => "Too many attempts, try again later".to_owned(),
            Self::Unavailable => "Service temporarily unavailable, try again shortly".to_owned(),
            Self::Internal(_) => "Internal server error".to_owned(),
            Self::Other(status) => status.reason_lossy().to_owned(),
        };
        let errors = match self {
            Self::Validation(errors) | Self::InvalidQuery(errors) => Some(errors.clone()),
            _ => None,
        };
        ErrorBody { message, errors }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status(), self.body().message)
    }
}

impl std::error::Error for ApiError {}

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        if let Self::Internal(detail) = &self {
            rocket::error!("{} {}: {detail}", request.method(), request.uri().path());
        }
        let body = serde_json::to_vec(&self.body()).map_err(|_| Status::InternalServerError)?;
        let mut response = rocket::Response::build();
        response
            .status(self.status())
            .header(ContentType::JSON)
            .sized_body(body.len(), Cursor::new(body));
        match &self {
            Self::Unauthorized(_) => {
                response.header(Header::new(
                    "WWW-Authenticate",
                    r#"Bearer realm="job-offers", error="invalid_token""#,
                ));
            }
            Self::MethodNotAllowed(allowed) => {
                let allowed: Vec<&str> = allowed.iter().map(|method| method.as_str()).collect();
                response.header(Header::new("Allow", allowed.join(", ")));
            }
            Self::Unavailable => {
                response.header(Header::new("Retry-After", RETRY_AFTER_SECONDS.to_string()));
            }
            Self::TooManyRequests(seconds) => {
                response.header(Header::new("Retry-After", seconds.to_string()));
            }
            _ => {}
        }
        response.ok()
    }
}

impl From<InputError> for ApiError {
    fn from(error: InputError) -> Self {
        match error {
            InputError::Empty => Self::BadRequest(NO_INPUT.to_owned()),
            InputError::Invalid(errors) => Self::Validation(errors),
        }
    }
}

impl From<HashError> for ApiError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy => Self::Unavailable,
            HashError::Failed => Self::Internal("password hashing failed".to_owned()),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        if is_unavailable(&error) {
            rocket::warn!("database unavailable: {error}");
            Self::Unavailable
        } else {
            Self::Internal(format!("database error: {error}"))
        }
    }
}

/// Whether a database error means "the database is away or saturated" (retry later) rather
/// than a bug: pool timeouts, broken connections, and Postgres shutting down or starting up.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot
            // connect now; 53300: too many connections.
            code.starts_with("08") || code.starts_with("57P") || code == "53300"
        }),
        _ => false,
    }
}

/// Documents the error statuses an API operation can answer with, all with `ErrorBody`.
impl OpenApiResponderInner for ApiError {
    fn responses(gen: &mut OpenApiGenerator) -> rocket_okapi::Result<Responses> {
        let schema = gen.json_schema::<ErrorBody>();
        let mut responses = Responses::default();
        for (code, description) in DOCUMENTED_ERRORS {
            let response = OpenApiResponse {
                description: (*description).to_owned(),
                content: [(
                    "application/json".to_owned(),
                    MediaType {
                        schema: Some(schema.clone()),
                        ..Default::default()
                    },
                )]
                .into_iter()
                .collect(),
                ..Default::default()
            };
            responses
                .responses
                .insert((*code).to_owned(), RefOr::Object(response));
        }
        Ok(responses)
    }
}

/// Statuses any API operation may answer with; `api::openapi` narrows them per operation.
pub const DOCUMENTED_ERRORS: &[(&str, &str)] = &[
    ("400", "The body is missing, not JSON, or invalid (`errors` names each field)."),
    ("401", "No valid token: missing or malformed header, bad or expired token, or its user is gone."),
    ("403", "The token's user does not own this resource."),
    ("404", "No such user or offer (also for ids that are not positive integers)."),
    ("409", "The username is already taken."),
    ("413", "The body is larger than 64 KiB."),
    ("429", "Too many attempts from this client; retry after `Retry-After` seconds."),
    ("500", "An unexpected server error; nothing internal is disclosed."),
    ("503", "The database or password hasher is saturated or unreachable; retry after `Retry-After` seconds."),
];
