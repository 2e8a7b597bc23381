//! Attempt counters (`attempt_limits`): per key, how many attempts in the current window, the
//! last one's time, and when the window ends. The decisions are `auth::throttle`'s; this is the
//! storage, where the window is applied by the database's clock so every replica agrees.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

use super::RepoError;

/// A limit's key: a SHA-256 digest, so keys have one size whatever a client sends.
pub type Key = [u8; 32];

/// A key's count in its current window, as the database sees it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    pub count: u32,
    pub last_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The database's clock when it was read.
    pub now: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct CounterRow {
    key: Vec<u8>,
    count: i32,
    last_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
}

impl CounterRow {
    fn counter(&self) -> Counter {
        Counter {
            count: self.count.max(0) as u32,
            last_at: self.last_at,
            expires_at: self.expires_at,
            now: self.now,
        }
    }
}

/// The live counters of `keys`, in the order of `keys` (`None` for a key with no live window).
pub async fn read(
    db: impl PgExecutor<'_>,
    keys: &[Key],
) -> Result<Vec<Option<Counter>>, RepoError> {
    let wanted: Vec<Vec<u8>> = keys.iter().map(|key| key.to_vec()).collect();
    let rows = sqlx::query_as::<_, CounterRow>(
        "SELECT key, count, last_at, expires_at, now() AS now FROM attempt_limits \
         WHERE key = ANY($1) AND expires_at > now()",
    )
    .bind(&wanted)
    .fetch_all(db)
    .await?;
    Ok(keys
        .iter()
        .map(|key| {
            rows.iter()
                .find(|row| row.key.as_slice() == key.as_slice())
                .map(CounterRow::counter)
        })
        .collect())
}

/// Counts one attempt for each `(key, window in seconds)`, starting a new window where the old
/// one has ended, and returns the counters after it, in the order given. One statement; keys
/// are written in a fixed order, so concurrent writers cannot deadlock.
pub async fn record(
    db: impl PgExecutor<'_>,
    attempts: &[(Key, u64)],
) -> Result<Vec<Counter>, RepoError> {
    let mut sorted: Vec<&(Key, u64)> = attempts.iter().collect();
    sorted.sort_by_key(|(key, _)| *key);
    let keys: Vec<Vec<u8>> = sorted.iter().map(|(key, _)| key.to_vec()).collect();
    let windows: Vec<f64> = sorted.iter().map(|(_, secs)| *secs as f64).collect();
    let rows = sqlx::query_as::<_, CounterRow>(
        "INSERT INTO attempt_limits AS a (key, count, last_at, expires_at) \
         SELECT k.key, 1, now(), now() + make_interval(secs => k.seconds) \
         FROM unnest($1::bytea[], $2::float8[]) AS k(key, seconds) ORDER BY k.key \
         ON CONFLICT (key) DO UPDATE SET \
             count = CASE WHEN a.expires_at <= now() THEN 1 ELSE a.count + 1 END, \
             last_at = now(), \
             expires_at = CASE WHEN a.expires_at <= now() THEN excluded.expires_at \
                               ELSE a.expires_at END \
         RETURNING a.key, a.count, a.last_at, a.expires_at, now() AS now",
    )
    .bind(&keys)
    .bind(&windows)
    .fetch_all(db)
    .await?;
    Ok(attempts
        .iter()
        .filter_map(|(key, _)| {
            rows.iter()
                .find(|row| row.key.as_slice() == key.as_slice())
                .map(CounterRow::counter)
        })
        .collect())
}

/// Forgets `keys` (a successful sign-in clears its failures).
pub async fn clear(db: impl PgExecutor<'_>, keys: &[Key]) -> Result<(), RepoError> {
    let keys: Vec<Vec<u8>> = keys.iter().map(|key| key.to_vec()).collect();
    sqlx::query("DELETE FROM attempt_limits WHERE key = ANY($1)")
        .bind(&keys)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes up to `batch` rows whose window has ended; how many it deleted.
pub async fn sweep(db: impl PgExecutor<'_>, batch: i64) -> Result<u64, RepoError> {
    let result = sqlx::query(
        "DELETE FROM attempt_limits WHERE key IN ( \
             SELECT key FROM attempt_limits WHERE expires_at <= now() \
             ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)",
    )
    .bind(batch)
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}
