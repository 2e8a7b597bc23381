//! All SQL lives here. Functions take a connection (or any executor) and return domain types,
//! or a `RepoError` that says whether the database is away (retry later) or the query failed.

pub mod applications;
pub mod board;
pub mod limits;
pub mod offers;
pub mod outbox;
pub mod retention;
pub mod sessions;
pub mod sitemap;
pub mod users;
pub mod webhooks;

use std::sync::Arc;

/// The answer of a statement that also checked the caller's credentials (a token's user and
/// version): the rows, or that the caller no longer holds them (deleted, new password,
/// signed out everywhere).
#[derive(Debug, Clone, PartialEq)]
pub enum CallerChecked<T> {
    Current(T),
    Revoked,
}

/// Why a query did not complete. The cause is kept (shared, so that an error recorded by a
/// request guard can be handed on to the catcher that answers).
#[derive(Debug, Clone, thiserror::Error)]
pub enum RepoError {
    /// The database is away or saturated: pool timeouts, broken connections, PostgreSQL
    /// shutting down or starting up. The client may retry shortly.
    #[error("the database is unavailable")]
    Unavailable(#[source] Arc<sqlx::Error>),
    /// Anything else: a bug or an unexpected database failure.
    #[error("a database query failed")]
    Failed(#[source] Arc<sqlx::Error>),
}

impl From<sqlx::Error> for RepoError {
    fn from(error: sqlx::Error) -> Self {
        if is_unavailable(&error) {
            Self::Unavailable(Arc::new(error))
        } else {
            Self::Failed(Arc::new(error))
        }
    }
}

/// Whether a database error means "the database is away or saturated" (retry later) rather
/// than a bug.
fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot
            // connect now; 53300: too many connections; 57014: the statement timed out
            // (`statement_timeout`: the database is too busy for this query now).
            code.starts_with("08") || code.starts_with("57P") || code == "53300" || code == "57014"
        }),
        _ => false,
    }
}
