//! `AppError`: every way a request can fail, whichever door it came through, and the one
//! mapping of each to a status, a message, field problems and a wait. The API answers it as
//! JSON (`api::error`), the pages as an HTML page (`web::errors`); both log it once, through
//! `AppError::report`, when they answer.

use std::error::Error as _;
use std::marker::PhantomData;

use rocket::http::{Method, Status};
use rocket::Request;

use crate::auth::password::HashError;
use crate::auth::AuthError;
use crate::domain::access::NotOwner;
use crate::domain::application::ApplicationConflict;
use crate::domain::fields::{FieldErrors, InputError};
use crate::domain::lifecycle::{ChangeError, TransitionRefused};
use crate::ops::observe::RequestContext;
use crate::repo::RepoError;

pub const NO_INPUT: &str = "No input data provided";
pub const VALIDATION_FAILED: &str = "Input payload validation failed";
/// Seconds a client is asked to wait after a 503.
pub const RETRY_AFTER_SECONDS: u64 = 1;
/// The field of `errors` that says what was wrong with a request body as a whole.
pub const BODY_FIELD: &str = "body";

/// What a 404 did not find; its message names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// A user, by the id as written in the address.
    User(String),
    /// An offer, by the id as written in the address.
    Offer(String),
    /// An application, by the id as written in the address (or a candidate's unknown link).
    Application(String),
    /// The CV of an application that has none (or whose CV retention erased).
    Cv(i64),
    /// A webhook endpoint, by the id as written in the address.
    Webhook(String),
    /// Nothing at this address.
    Route,
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::User(id) => write!(f, "user not found {id}"),
            Self::Offer(id) => write!(f, "offer not found {id}"),
            Self::Application(id) => write!(f, "application not found {id}"),
            Self::Cv(id) => write!(f, "CV not found for application {id}"),
            Self::Webhook(id) => write!(f, "webhook not found {id}"),
            Self::Route => f.write_str("Not found"),
        }
    }
}

/// Why a request failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// 400: the body is missing or unreadable (`message`), with what was wrong when known.
    #[error("{message}")]
    BadBody {
        message: String,
        problem: Option<String>,
    },
    /// 400 naming each bad field of the body.
    #[error("{VALIDATION_FAILED}")]
    Validation(FieldErrors),
    /// 409: a status change the lifecycle does not allow.
    #[error(transparent)]
    Transition(#[from] TransitionRefused),
    /// 409: an application the offer or its stage does not allow.
    #[error(transparent)]
    Application(#[from] ApplicationConflict),
    /// 400 naming each bad query parameter.
    #[error("invalid query parameters")]
    InvalidQuery(FieldErrors),
    /// Authentication and account failures (401, 400, 409, 429, 503, 500).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// 403: the acting user does not own this.
    #[error(transparent)]
    NotOwner(#[from] NotOwner),
    /// 404 naming what is missing.
    #[error("{0}")]
    NotFound(Missing),
    /// 410: the offer was deleted, and its tombstone is still kept.
    #[error("offer removed {0}")]
    OfferRemoved(i64),
    /// 405: the path exists, but not for this method.
    #[error("method not allowed")]
    MethodNotAllowed(Vec<Method>),
    /// 413: the body is over the limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 503 or 500, from the database.
    #[error(transparent)]
    Repo(#[from] RepoError),
    /// Any other status Rocket produced, with its reason phrase as the message.
    #[error("{0}")]
    Status(Status),
}

impl From<InputError> for AppError {
    fn from(error: InputError) -> Self {
        match error {
            InputError::Empty => Self::BadBody {
                message: NO_INPUT.to_owned(),
                problem: None,
            },
            InputError::Invalid(errors) => Self::Validation(errors),
        }
    }
}

impl From<ChangeError> for AppError {
    fn from(error: ChangeError) -> Self {
        match error {
            ChangeError::Invalid(errors) => Self::Validation(errors),
            ChangeError::Transition(refused) => Self::Transition(refused),
        }
    }
}

impl From<HashError> for AppError {
    fn from(error: HashError) -> Self {
        Self::Auth(error.into())
    }
}

impl AppError {
    /// `404 offer not found <id>`.
    pub fn offer_not_found(id: i64) -> Self {
        Self::NotFound(Missing::Offer(id.to_string()))
    }

    /// The error a bare status maps to when Rocket itself fails a request (catchers).
    pub fn from_status(status: Status) -> Self {
        match status.code {
            404 => Self::NotFound(Missing::Route),
            413 => Self::PayloadTooLarge,
            _ => Self::Status(status),
        }
    }

    pub fn status(&self) -> Status {
        match self {
            Self::BadBody { .. } | Self::Validation(_) | Self::InvalidQuery(_) => {
                Status::BadRequest
            }
            Self::Auth(error) => match error {
                AuthError::Token(_) | AuthError::NotSignedIn | AuthError::Revoked => {
                    Status::Unauthorized
                }
                AuthError::BadCredentials | AuthError::WeakPassword { .. } => Status::BadRequest,
                AuthError::UsernameTaken | AuthError::OfferQuota(_) => Status::Conflict,
                AuthError::Throttled { .. } => Status::TooManyRequests,
                AuthError::Hash(HashError::Busy) | AuthError::SearchesBusy => {
                    Status::ServiceUnavailable
                }
                AuthError::Repo(error) => repo_status(error),
                AuthError::Hash(HashError::Failed(_)) | AuthError::NotConfigured(_) => {
                    Status::InternalServerError
                }
            },
            Self::NotOwner(_) => Status::Forbidden,
            Self::Transition(_) | Self::Application(_) => Status::Conflict,
            Self::NotFound(_) => Status::NotFound,
            Self::OfferRemoved(_) => Status::Gone,
            Self::MethodNotAllowed(_) => Status::MethodNotAllowed,
            Self::PayloadTooLarge => Status::PayloadTooLarge,
            Self::Repo(error) => repo_status(error),
            Self::Status(status) => *status,
        }
    }

    /// The sentence a client is shown. Never anything internal: a 5xx says only what the
    /// client can do about it.
    pub fn message(&self) -> String {
        match self.status().code {
            500 => return "Internal server error".to_owned(),
            503 => return "Service temporarily unavailable, try again shortly".to_owned(),
            _ => {}
        }
        match self {
            Self::InvalidQuery(errors) => {
                let names: Vec<&str> = errors.field_names().collect();
                format!("Invalid query parameter: {}", names.join(", "))
            }
            Self::Auth(AuthError::Throttled { .. }) => {
                "Too many attempts, try again later".to_owned()
            }
            Self::Auth(AuthError::WeakPassword { .. }) => VALIDATION_FAILED.to_owned(),
            Self::NotOwner(_) => "Forbidden".to_owned(),
            Self::MethodNotAllowed(_) => "Method not allowed".to_owned(),
            Self::PayloadTooLarge => "Payload too large".to_owned(),
            Self::Status(status) => status.reason_lossy().to_owned(),
            other => other.to_string(),
        }
    }

    /// The problems per field, for failures that have them.
    pub fn field_errors(&self) -> Option<FieldErrors> {
        match self {
            Self::Validation(errors) | Self::InvalidQuery(errors) => Some(errors.clone()),
            Self::Auth(error) => error.field_errors(),
            Self::BadBody {
                problem: Some(problem),
                ..
            } => {
                let mut errors = FieldErrors::default();
                errors.add(BODY_FIELD, problem.clone());
                Some(errors)
            }
            _ => None,
        }
    }

    /// How many seconds the client should wait before trying again, when waiting helps.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Auth(AuthError::Throttled { retry_after }) => Some(*retry_after),
            _ if self.status() == Status::ServiceUnavailable => Some(RETRY_AFTER_SECONDS),
            _ => None,
        }
    }

    /// Logs a server-side failure once, as it is answered: the request, its id and the whole
    /// chain of causes. Client errors are the client's and are not logged here.
    pub fn report(&self, request: &Request<'_>) {
        let status = self.status();
        if status.code < 500 {
            return;
        }
        let request_id = &RequestContext::of(request).id;
        let line = format!(
            "{} {} answered {}: {} (request_id={request_id})",
            request.method(),
            request.uri().path(),
            status.code,
            error_chain(self),
        );
        if status == Status::ServiceUnavailable {
            rocket::warn!("{line}");
        } else {
            rocket::error!("{line}");
        }
    }
}

/// An `AppError` on its way out through one door; `D` names the door, whose module says how
/// it answers (`api::error::Json`, `web::errors::Html`). Any layer's error converts into it
/// with `?`.
pub struct Failure<D> {
    pub error: AppError,
    door: PhantomData<fn() -> D>,
}

impl<D> Failure<D> {
    pub fn new(error: AppError) -> Self {
        Self {
            error,
            door: PhantomData,
        }
    }
}

impl<D, E: Into<AppError>> From<E> for Failure<D> {
    fn from(error: E) -> Self {
        Self::new(error.into())
    }
}

impl<D> std::fmt::Debug for Failure<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

fn repo_status(error: &RepoError) -> Status {
    match error {
        RepoError::Unavailable(_) => Status::ServiceUnavailable,
        RepoError::Failed(_) => Status::InternalServerError,
    }
}

/// `error: cause: cause of the cause …`, for the log.
pub fn error_chain(error: &AppError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        // `#[error(transparent)]` repeats its source's text; say each thing once.
        if !text.ends_with(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn each_failure_has_its_status_message_and_wait() {
        let throttled = AppError::from(AuthError::Throttled { retry_after: 300 });
        assert_eq!(throttled.status(), Status::TooManyRequests);
        assert_eq!(throttled.retry_after(), Some(300));
        assert_eq!(throttled.message(), "Too many attempts, try again later");

        let taken = AppError::from(AuthError::UsernameTaken);
        assert_eq!(
            (taken.status(), taken.message()),
            (Status::Conflict, "Username already taken".to_owned())
        );
        let missing = AppError::NotFound(Missing::Offer("7".to_owned()));
        assert_eq!(missing.message(), "offer not found 7");
        assert_eq!(AppError::from(NotOwner).status(), Status::Forbidden);
    }

    #[test]
    fn database_failures_keep_their_cause_but_never_show_it() {
        let away = AppError::from(RepoError::from(sqlx::Error::PoolTimedOut));
        assert_eq!(away.status(), Status::ServiceUnavailable);
        assert_eq!(away.retry_after(), Some(RETRY_AFTER_SECONDS));

        let broken = AppError::from(RepoError::Failed(Arc::new(sqlx::Error::Protocol(
            "secret detail".to_owned(),
        ))));
        assert_eq!(broken.status(), Status::InternalServerError);
        assert_eq!(broken.message(), "Internal server error");
        let chain = error_chain(&broken);
        assert!(chain.contains("a database query failed"), "{chain}");
        assert!(chain.contains("secret detail"), "{chain}");
    }

    #[test]
    fn a_body_problem_is_named_under_body() {
        let error = AppError::BadBody {
            message: NO_INPUT.to_owned(),
            problem: Some("Expected a JSON object".to_owned()),
        };
        assert_eq!(error.message(), NO_INPUT);
        let errors = error.field_errors().unwrap();
        assert_eq!(errors.get(BODY_FIELD).unwrap(), ["Expected a JSON object"]);
    }
}
