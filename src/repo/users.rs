//! Accounts.

use sqlx::postgres::PgRow;
use sqlx::{PgExecutor, Row};

use super::RepoError;
use crate::domain::user::{User, Username};

/// The Postgres error code for a unique-constraint violation.
const UNIQUE_VIOLATION: &str = "23505";

impl<'r> sqlx::FromRow<'r, PgRow> for User {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
        })
    }
}

/// What sign-in needs: the account and its PHC hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredCredentials {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
}

/// Creates an account; `None` when the username is taken in any letter case.
pub async fn insert(
    db: impl PgExecutor<'_>,
    username: &Username,
    password_hash: &str,
) -> Result<Option<User>, RepoError> {
    let inserted = sqlx::query_as::<_, User>(
        "INSERT INTO users (username, password_hash) VALUES ($1, $2) RETURNING id, username",
    )
    .bind(username.as_str())
    .bind(password_hash)
    .fetch_one(db)
    .await;
    match inserted {
        Ok(user) => Ok(Some(user)),
        Err(sqlx::Error::Database(error)) if error.code().as_deref() == Some(UNIQUE_VIOLATION) => {
            Ok(None)
        }
        Err(error) => Err(error.into()),
    }
}

/// The account a sign-in names, matched case-insensitively.
pub async fn find_credentials(
    db: impl PgExecutor<'_>,
    username: &str,
) -> Result<Option<StoredCredentials>, RepoError> {
    Ok(sqlx::query_as::<_, StoredCredentials>(
        "SELECT id, username, password_hash FROM users WHERE lower(username) = lower($1)",
    )
    .bind(username)
    .fetch_optional(db)
    .await?)
}

/// Whether the account still exists.
pub async fn exists(db: impl PgExecutor<'_>, id: i64) -> Result<bool, RepoError> {
    Ok(
        sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)")
            .bind(id)
            .fetch_one(db)
            .await?,
    )
}
