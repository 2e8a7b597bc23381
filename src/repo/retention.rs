//! Retention of applications' personal data: once an offer has ended for longer than the
//! retention period, its applications lose the candidate's name, e-mail, phone, cover letter,
//! CV, the employer's notes and the Idempotency-Keys. The row stays, with its stage and history,
//! so that the counts per stage stay true.

use sqlx::{Connection, PgConnection};

use super::RepoError;

/// The advisory lock that lets one replica at a time erase. A fixed, arbitrary key: it only
/// has to differ from the other advisory locks taken on this database (sqlx's migrations
/// derive theirs from the database name).
pub const RETENTION_LOCK_KEY: i64 = 0x6a6f_625f_7265_7431;

/// Applications erased per transaction: enough to keep up, few enough that no run holds its
/// locks for long.
pub const RETENTION_BATCH: i64 = 500;

/// What one batch came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    /// This many applications were erased (fewer than the batch: none are left due).
    Erased(u64),
    /// Another instance holds the retention lock and is erasing: nothing was done here.
    Skipped,
}

/// Erases at most `batch` applications whose offer ended more than `retention_days` ago, in
/// one transaction, unless another instance is at it (`Sweep::Skipped`). An offer ends when it
/// is closed (`closed_at`) or, published, at its `valid_through`; drafts and open offers never
/// do. Rows an employer is changing right now are left for the next run rather than waited for.
pub async fn erase_due(
    db: &mut PgConnection,
    retention_days: u32,
    batch: i64,
) -> Result<Sweep, RepoError> {
    let mut transaction = db.begin().await?;
    // Held until the transaction ends: an instance that crashes mid-batch releases it.
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(RETENTION_LOCK_KEY)
        .fetch_one(&mut *transaction)
        .await?;
    if !locked {
        return Ok(Sweep::Skipped);
    }
    // A published offer's valid_through older than the retention (at least a day) has passed,
    // so it needs no separate "expired" test. The CTEs all see the one set of claimed rows.
    let erased: i64 = sqlx::query_scalar(
        "WITH due AS ( \
             SELECT a.id FROM applications a JOIN offers o ON o.id = a.offer_id \
             WHERE a.erased_at IS NULL \
               AND CASE o.status WHEN 'closed' THEN o.closed_at \
                   WHEN 'published' THEN o.valid_through END \
                   < now() - make_interval(days => $1) \
             LIMIT $2 FOR UPDATE OF a SKIP LOCKED), \
         cvs AS (DELETE FROM application_cvs c USING due WHERE c.application_id = due.id), \
         notes AS (DELETE FROM application_notes n USING due WHERE n.application_id = due.id), \
         keys AS (DELETE FROM application_submissions s USING due \
             WHERE s.application_id = due.id), \
         erased AS (UPDATE applications a SET name = NULL, email = NULL, phone = NULL, \
             cover_letter = NULL, erased_at = now() FROM due WHERE a.id = due.id RETURNING a.id) \
         SELECT count(*) FROM erased",
    )
    .bind(i32::try_from(retention_days).unwrap_or(i32::MAX))
    .bind(batch)
    .fetch_one(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(Sweep::Erased(u64::try_from(erased).unwrap_or_default()))
}
