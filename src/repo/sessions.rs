//! Browser sessions: one row per sign-in, named by the SHA-256 of the secret its cookie holds.

use std::time::Duration;

use sqlx::PgExecutor;

use super::RepoError;

/// How many expired sessions one sign-in deletes at most: more than a sign-in creates, so
/// expired rows never pile up, and few enough that a sign-in never waits on a big delete.
pub const SWEEP_BATCH: i64 = 100;

/// The signed-in user of a live session.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionUser {
    pub user_id: i64,
    pub username: String,
    pub credentials_version: i64,
}

/// Opens a session for `user_id` at credentials `version`, ending after `ttl`.
pub async fn insert(
    db: impl PgExecutor<'_>,
    id: &[u8],
    user_id: i64,
    version: i64,
    ttl: Duration,
) -> Result<(), RepoError> {
    sqlx::query(
        "INSERT INTO sessions (id, user_id, credentials_version, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4))",
    )
    .bind(id)
    .bind(user_id)
    .bind(version)
    .bind(ttl.as_secs_f64())
    .execute(db)
    .await?;
    Ok(())
}

/// The user of session `id` when it is live: not expired, not signed out, and opened at the
/// user's current credentials version (no password change or "sign out everywhere" since).
/// One query, by primary keys.
pub async fn find_live(
    db: impl PgExecutor<'_>,
    id: &[u8],
) -> Result<Option<SessionUser>, RepoError> {
    Ok(sqlx::query_as::<_, SessionUser>(
        "SELECT s.user_id, u.username, s.credentials_version
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id = $1 AND s.expires_at > now()
           AND u.credentials_version = s.credentials_version",
    )
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// Ends session `id` (signing out); nothing happens when it is already gone.
pub async fn delete(db: impl PgExecutor<'_>, id: &[u8]) -> Result<(), RepoError> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes up to `SWEEP_BATCH` expired sessions, oldest first, skipping rows another sweep
/// holds; returns how many went.
pub async fn sweep_expired(db: impl PgExecutor<'_>) -> Result<u64, RepoError> {
    let done = sqlx::query(
        "DELETE FROM sessions WHERE id IN (
             SELECT id FROM sessions WHERE expires_at <= now()
             ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
         )",
    )
    .bind(SWEEP_BATCH)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
