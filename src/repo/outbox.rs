//! The outbox (migrations/20261207000014_outbox.sql): messages written in the transaction of
//! the change they tell of, then claimed, delivered and marked by the worker (`crate::outbox`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, Row};

use super::RepoError;
use crate::domain::mail::Mail;

/// The channel of e-mail rows (`outbox.channel`).
pub const EMAIL: &str = "email";

/// The longest `last_error` kept (the column's limit).
const MAX_ERROR_CHARS: usize = 1000;

/// Queues `mail`, due at once, on `transaction`: it is sent only if that transaction commits.
pub async fn enqueue_mail(transaction: &mut PgConnection, mail: &Mail) -> Result<(), RepoError> {
    sqlx::query("INSERT INTO outbox (channel, payload) VALUES ($1, $2::jsonb)")
        .bind(EMAIL)
        .bind(mail.to_json())
        .execute(transaction)
        .await?;
    Ok(())
}

/// A row claimed for delivery.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    /// The payload as JSON text, for the channel to read.
    pub payload: String,
    /// Including the attempt this claim is for.
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

/// Claims up to `limit` due rows of `channel`, oldest first, and counts the attempt. Each claim
/// is a lease: the row is not due again for `lease`, so that no other worker (or replica) takes
/// it while this one delivers; a worker that dies mid-delivery leaves it due after the lease.
/// SKIP LOCKED lets concurrent claims pass each other instead of waiting.
pub async fn claim(
    db: impl PgExecutor<'_>,
    channel: &str,
    limit: i64,
    lease: Duration,
) -> Result<Vec<Claimed>, RepoError> {
    let rows = sqlx::query(
        "UPDATE outbox o SET attempts = o.attempts + 1, \
             next_attempt_at = clock_timestamp() + make_interval(secs => $3) \
         FROM (SELECT id FROM outbox WHERE channel = $1 AND sent_at IS NULL \
                 AND failed_at IS NULL AND next_attempt_at <= clock_timestamp() \
               ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) due \
         WHERE o.id = due.id \
         RETURNING o.id, o.payload::text AS payload, o.attempts, o.created_at",
    )
    .bind(channel)
    .bind(limit)
    .bind(lease.as_secs_f64())
    .fetch_all(db)
    .await?;
    let mut claimed = rows
        .iter()
        .map(|row| {
            Ok(Claimed {
                id: row.try_get("id")?,
                payload: row.try_get("payload")?,
                attempts: row.try_get("attempts")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    // UPDATE … RETURNING keeps no order of its own.
    claimed.sort_by_key(|row| row.id);
    Ok(claimed)
}

/// Row `id` was delivered.
pub async fn mark_sent(db: impl PgExecutor<'_>, id: i64) -> Result<(), RepoError> {
    sqlx::query("UPDATE outbox SET sent_at = clock_timestamp(), last_error = NULL WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Row `id` failed with `error` (already free of addresses): due again after `retry_in`, or
/// given up on (`failed_at`) when `retry_in` is `None`.
pub async fn mark_failed(
    db: impl PgExecutor<'_>,
    id: i64,
    error: &str,
    retry_in: Option<Duration>,
) -> Result<(), RepoError> {
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    sqlx::query(
        "UPDATE outbox SET last_error = $2, \
             next_attempt_at = CASE WHEN $3::float8 IS NULL THEN next_attempt_at \
                 ELSE clock_timestamp() + make_interval(secs => $3) END, \
             failed_at = CASE WHEN $3::float8 IS NULL THEN clock_timestamp() END \
         WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(retry_in.map(|delay| delay.as_secs_f64()))
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes up to `limit` rows delivered or given up on more than `kept` ago: they hold
/// addresses and names, and nothing reads them once done. Returns how many went.
pub async fn purge_done(
    db: &mut PgConnection,
    kept: Duration,
    limit: i64,
) -> Result<u64, RepoError> {
    let done = sqlx::query(
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox \
             WHERE (sent_at IS NOT NULL OR failed_at IS NOT NULL) \
             AND coalesce(sent_at, failed_at) < clock_timestamp() - make_interval(secs => $1) \
             LIMIT $2 FOR UPDATE SKIP LOCKED)",
    )
    .bind(kept.as_secs_f64())
    .bind(limit)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
