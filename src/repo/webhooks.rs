//! Webhook endpoints (migrations/20261207000015_webhooks.sql), their events queued in the
//! outbox (channel `webhook`) in the transaction of the change they tell of, and the log of
//! delivery attempts.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{Connection, PgConnection, PgExecutor, Row};

use super::RepoError;
use crate::domain::webhook::{self, DELIVERIES_SHOWN, PING};

/// The channel of webhook rows (`outbox.channel`).
pub const WEBHOOK: &str = "webhook";

/// The longest error kept in the delivery log (the column's limit).
const MAX_ERROR_CHARS: usize = 1000;

/// A registered endpoint, without its secret.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
}

/// One attempt of one delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub event_id: String,
    pub kind: String,
    pub attempt: i32,
    pub at: DateTime<Utc>,
    pub status: Option<i32>,
    pub error: Option<String>,
    pub delivered: bool,
}

fn webhook_of(row: &sqlx::postgres::PgRow) -> Result<Webhook, sqlx::Error> {
    Ok(Webhook {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        events: row.try_get("events")?,
        created_at: row.try_get("created_at")?,
        disabled_at: row.try_get("disabled_at")?,
        disabled_reason: row.try_get("disabled_reason")?,
    })
}

/// Registers an endpoint of `user_id` with `secret`, and queues its ping, in one transaction.
pub async fn create(
    db: &mut PgConnection,
    user_id: i64,
    url: &str,
    events: &[String],
    secret: &str,
) -> Result<Webhook, RepoError> {
    let mut transaction = db.begin().await?;
    let row = sqlx::query(
        "INSERT INTO webhooks (user_id, url, events, secret) VALUES ($1, $2, $3, $4) \
         RETURNING id, url, events, created_at, disabled_at, disabled_reason",
    )
    .bind(user_id)
    .bind(url)
    .bind(events)
    .bind(secret)
    .fetch_one(&mut *transaction)
    .await?;
    let created = webhook_of(&row)?;
    let body = webhook::event_body(
        uuid::Uuid::new_v4(),
        PING,
        Utc::now(),
        serde_json::json!({"webhook_id": created.id, "events": created.events}),
    );
    sqlx::query(
        "INSERT INTO outbox (channel, payload) \
         VALUES ($1, jsonb_build_object('webhook_id', $2::bigint, 'body', $3::text))",
    )
    .bind(WEBHOOK)
    .bind(created.id)
    .bind(body)
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(created)
}

/// The endpoints of `user_id`, oldest first, each with its last deliveries, newest first.
pub async fn list(
    db: &mut PgConnection,
    user_id: i64,
) -> Result<Vec<(Webhook, Vec<Delivery>)>, RepoError> {
    let rows = sqlx::query(
        "SELECT id, url, events, created_at, disabled_at, disabled_reason FROM webhooks \
         WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(&mut *db)
    .await?;
    let mut listed = Vec::with_capacity(rows.len());
    for row in &rows {
        let hook = webhook_of(row)?;
        let deliveries = sqlx::query(
            "SELECT event_id::text AS event_id, type, attempt, at, status, error, delivered \
             FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(hook.id)
        .bind(DELIVERIES_SHOWN)
        .fetch_all(&mut *db)
        .await?
        .iter()
        .map(|row| {
            Ok(Delivery {
                event_id: row.try_get("event_id")?,
                kind: row.try_get("type")?,
                attempt: row.try_get("attempt")?,
                at: row.try_get("at")?,
                status: row.try_get("status")?,
                error: row.try_get("error")?,
                delivered: row.try_get("delivered")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        listed.push((hook, deliveries));
    }
    Ok(listed)
}

/// Removes endpoint `id` of `user_id` with its log; its queued deliveries are dropped when the
/// worker claims them. `false` when there is no such endpoint.
pub async fn delete(db: impl PgExecutor<'_>, user_id: i64, id: i64) -> Result<bool, RepoError> {
    let deleted = sqlx::query("DELETE FROM webhooks WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(deleted.rows_affected() > 0)
}

/// Queues event `kind` with `data` for every enabled endpoint of `user_id` subscribed to it, on
/// `transaction`: delivered only if it commits. One body for all, so one event id.
pub async fn enqueue_event(
    transaction: &mut PgConnection,
    user_id: i64,
    kind: &str,
    data: Value,
) -> Result<(), RepoError> {
    let body = webhook::event_body(uuid::Uuid::new_v4(), kind, Utc::now(), data);
    sqlx::query(
        "INSERT INTO outbox (channel, payload) \
         SELECT $1, jsonb_build_object('webhook_id', id, 'body', $4::text) FROM webhooks \
         WHERE user_id = $2 AND disabled_at IS NULL AND $3 = ANY (events) ORDER BY id",
    )
    .bind(WEBHOOK)
    .bind(user_id)
    .bind(kind)
    .bind(body)
    .execute(transaction)
    .await?;
    Ok(())
}

/// Where and how a delivery goes.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    pub secret: String,
    pub disabled: bool,
}

/// Endpoint `id`'s address and secret, if it still exists.
pub async fn target(db: impl PgExecutor<'_>, id: i64) -> Result<Option<Target>, RepoError> {
    let row = sqlx::query(
        "SELECT url, secret, disabled_at IS NOT NULL AS disabled FROM webhooks WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok::<_, sqlx::Error>(Target {
            url: row.try_get("url")?,
            secret: row.try_get("secret")?,
            disabled: row.try_get("disabled")?,
        })
    })
    .transpose()
    .map_err(RepoError::from)
}

/// An attempt to log.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    pub webhook_id: i64,
    pub event_id: &'a str,
    pub kind: &'a str,
    pub attempt: i32,
    pub status: Option<u16>,
    pub error: Option<&'a str>,
    pub delivered: bool,
}

/// When a failing endpoint is disabled: after `failures` failed attempts in a row that have
/// gone on for at least `failing_for` (so a burst during a short outage never disables it), or
/// once one delivery has failed for the whole retry period.
#[derive(Debug, Clone, Copy)]
pub struct DisableRule {
    pub failures: u32,
    pub failing_for: std::time::Duration,
}

/// Logs `attempt` and counts it on its endpoint: a success resets the failures in a row; a
/// failure adds one and, when `rule` says so (or `given_up` is set: a delivery has failed for
/// the whole retry period), disables the endpoint with its notice. Whether it was disabled by
/// this attempt.
pub async fn record(
    db: &mut PgConnection,
    attempt: &Attempt<'_>,
    rule: DisableRule,
    given_up: bool,
) -> Result<bool, RepoError> {
    let error = attempt
        .error
        .map(|error| error.chars().take(MAX_ERROR_CHARS).collect::<String>());
    let mut transaction = db.begin().await?;
    sqlx::query(
        "INSERT INTO webhook_deliveries (webhook_id, event_id, type, attempt, status, error, \
             delivered) \
         SELECT id, $2::uuid, $3, $4, $5, $6, $7 FROM webhooks WHERE id = $1",
    )
    .bind(attempt.webhook_id)
    .bind(attempt.event_id)
    .bind(attempt.kind)
    .bind(attempt.attempt)
    .bind(attempt.status.map(i32::from))
    .bind(&error)
    .bind(attempt.delivered)
    .execute(&mut *transaction)
    .await?;
    if attempt.delivered {
        sqlx::query(
            "UPDATE webhooks SET consecutive_failures = 0, failing_since = NULL WHERE id = $1",
        )
        .bind(attempt.webhook_id)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        return Ok(false);
    }
    let counted: Option<(i32, bool)> = sqlx::query_as(
        "UPDATE webhooks SET consecutive_failures = consecutive_failures + 1, \
             failing_since = coalesce(failing_since, clock_timestamp()) \
         WHERE id = $1 AND disabled_at IS NULL \
         RETURNING consecutive_failures, \
             failing_since <= clock_timestamp() - make_interval(secs => $2)",
    )
    .bind(attempt.webhook_id)
    .bind(rule.failing_for.as_secs_f64())
    .fetch_optional(&mut *transaction)
    .await?;
    let failures = counted.map(|(failures, _)| failures);
    let disable = counted.is_some_and(|(failures, long_enough)| {
        given_up || (u32::try_from(failures).unwrap_or(0) >= rule.failures && long_enough)
    });
    if let (true, Some(failures)) = (disable, failures) {
        let notice = webhook::disabled_notice(failures, error.as_deref().unwrap_or("no answer"));
        sqlx::query(
            "UPDATE webhooks SET disabled_at = clock_timestamp(), disabled_reason = $2 \
             WHERE id = $1",
        )
        .bind(attempt.webhook_id)
        .bind(notice)
        .execute(&mut *transaction)
        .await?;
    }
    transaction.commit().await?;
    Ok(disable)
}

/// Queues `offer.expired` for up to `limit` published offers whose `valid_through` has passed
/// and whose expiry was not told yet, and marks them told, in one transaction. SKIP LOCKED: two
/// replicas running this together take different offers, so each expiry is told once. How
/// many were marked.
pub async fn queue_expiries(db: &mut PgConnection, limit: i64) -> Result<usize, RepoError> {
    let mut transaction = db.begin().await?;
    let rows = sqlx::query(
        "UPDATE offers o SET expiry_notified_at = clock_timestamp() \
         FROM (SELECT id FROM offers WHERE status = 'published' AND valid_through <= now() \
                 AND expiry_notified_at IS NULL ORDER BY valid_through LIMIT $1 \
               FOR UPDATE SKIP LOCKED) due \
         WHERE o.id = due.id RETURNING o.id, o.user_id, o.title, o.valid_through",
    )
    .bind(limit)
    .fetch_all(&mut *transaction)
    .await?;
    for row in &rows {
        let data = webhook::offer_data(
            row.try_get("id")?,
            row.try_get::<&str, _>("title")?,
            "expired",
            row.try_get("valid_through")?,
        );
        enqueue_event(
            &mut transaction,
            row.try_get("user_id")?,
            "offer.expired",
            data,
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(rows.len())
}
