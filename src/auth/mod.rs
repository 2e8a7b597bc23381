//! Authentication: password hashing, JWT issue/verify, browser sessions, sign-up and sign-in
//! with their abuse limits, and the request guards built on them. The services are built from
//! the configuration once, by `stage`.

pub mod accounts;
pub mod candidate;
pub mod credentials;
pub mod guard;
pub mod password;
pub mod services;
pub mod session;
pub mod throttle;
pub mod token;

use rocket::fairing::AdHoc;
use rocket::request::Outcome;
use rocket_db_pools::Database;

pub use guard::{ApiCaller, ApiUser, AuthFailure};
pub use session::PageUser;

use crate::config::AppConfig;
use crate::repo::RepoError;

/// Why an account could not be created, signed in or recognised.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AuthError {
    /// The API's `Authorization` header is missing, malformed, or its token is not valid.
    #[error("{}", .0.message())]
    Token(AuthFailure),
    /// A page needs a signed-in browser and has none (or its user is gone).
    #[error("not signed in")]
    NotSignedIn,
    #[error("Invalid username/password")]
    BadCredentials,
    /// The token or session was valid when checked, but its credentials changed (a password
    /// change or "sign out everywhere" elsewhere) before this request could act on them.
    #[error("Invalid Token")]
    Revoked,
    #[error("Username already taken")]
    UsernameTaken,
    /// The new password (of the body's `field`) is too easy to guess; `problem` says why.
    #[error("{problem}")]
    WeakPassword {
        field: &'static str,
        problem: String,
    },
    /// Too many attempts from this client; it may try again after `retry_after` seconds.
    #[error("too many attempts, retry after {retry_after} s")]
    Throttled { retry_after: u64 },
    #[error("password hashing failed")]
    Hash(#[from] password::HashError),
    #[error("account lookup failed")]
    Repo(#[from] RepoError),
    /// The account has as many offers as an account may have.
    #[error("An account may have at most {0} offers: delete one to publish another")]
    OfferQuota(u32),
    /// Every slot for expensive searches stayed taken for the wait: retry shortly.
    #[error("every search slot is busy")]
    SearchesBusy,
    /// A service this guard needs was not built (a wiring bug, never a client's fault).
    #[error("{0} is not managed")]
    NotConfigured(&'static str),
}

/// The failure of an authentication guard, kept on the request for the catcher that answers
/// it: a guard can only hand Rocket a status, and the answer needs the whole error.
struct GuardFailure(Option<(rocket::http::Status, AuthError)>);

impl AuthError {
    /// The problem per field of the body, for the one failure that has them.
    pub fn field_errors(&self) -> Option<crate::domain::FieldErrors> {
        match self {
            Self::WeakPassword { field, problem } => {
                let mut errors = crate::domain::FieldErrors::default();
                errors.add(field, problem.clone());
                Some(errors)
            }
            _ => None,
        }
    }

    /// Fails a request guard with this error: records it for the catcher and picks the
    /// catcher. Token and session failures go to the 401 catchers (JSON 401, or the pages'
    /// redirect to sign-in); everything else to the default catchers, which answer with the
    /// status of the recorded error.
    pub fn fail<T>(self, request: &rocket::Request<'_>) -> Outcome<T, AuthError> {
        let status = match self {
            Self::Token(_) | Self::NotSignedIn | Self::Revoked => {
                rocket::http::Status::Unauthorized
            }
            _ => rocket::http::Status::InternalServerError,
        };
        request.local_cache(|| GuardFailure(Some((status, self.clone()))));
        Outcome::Error((status, self))
    }

    /// The error a guard recorded on `request` when it failed it with `status`.
    pub fn recorded(request: &rocket::Request<'_>, status: rocket::http::Status) -> Option<Self> {
        match &request.local_cache(|| GuardFailure(None)).0 {
            Some((recorded, error)) if *recorded == status => Some(error.clone()),
            _ => None,
        }
    }
}

/// Builds the token keys, the password hasher, the abuse limits and the session settings
/// from the configuration, once, before the first request.
pub fn stage() -> AdHoc {
    AdHoc::try_on_ignite("Authentication", |rocket| async {
        let Some(config) = rocket.state::<AppConfig>().cloned() else {
            rocket::error!("Authentication needs the application configuration stage first.");
            return Err(rocket);
        };
        let sessions = match session::SessionSettings::from_figment(rocket.figment()) {
            Ok(settings) => settings,
            Err(message) => {
                rocket::error!("Configuration error: {message}");
                return Err(rocket);
            }
        };
        let hasher = password::PasswordHasher::new(
            config.password_hash_concurrency,
            config.password_hash_wait,
        );
        Ok(rocket
            .manage(token::TokenKeys::new(&config))
            .manage(candidate::CandidateLinks::new(&config.jwt_secret))
            .manage(hasher)
            .manage(throttle::AbuseLimits::new(&config))
            .manage(sessions)
            .attach(AdHoc::on_liftoff("Attempt limits sweeper", |rocket| {
                Box::pin(async move {
                    if let Some(db) = crate::db::Db::fetch(rocket) {
                        rocket::tokio::spawn(throttle::sweep_forever(db.pool().clone()));
                    }
                })
            })))
    })
}
