//! Accounts.

use sqlx::PgExecutor;

use crate::domain::user::Username;

/// The Postgres error code for a unique-constraint violation.
const UNIQUE_VIOLATION: &str = "23505";

/// A stored account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
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
) -> Result<Option<User>, sqlx::Error> {
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
        Err(error) => Err(error),
    }
}

/// The account a sign-in names, matched case-insensitively.
pub async fn find_credentials(
    db: impl PgExecutor<'_>,
    username: &str,
) -> Result<Option<StoredCredentials>, sqlx::Error> {
    sqlx::query_as::<_, StoredCredentials>(
        "SELECT id, username, password_hash FROM users WHERE lower(username) = lower($1)",
    )
    .bind(username)
    .fetch_optional(db)
    .await
}

/// Whether the account still exists.
pub async fn exists(db: impl PgExecutor<'_>, id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)")
        .bind(id)
        .fetch_one(db)
        .await
}
