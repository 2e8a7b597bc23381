//! The outbox worker: started at liftoff when mail is on, it claims the due e-mail rows of the
//! outbox, sends each through SMTP and marks it sent, or records the error and schedules the
//! next attempt (exponential backoff, given up on after `give_up_after`). Every replica may run
//! one: a claim is a lease taken with SKIP LOCKED, so no two send the same row together.
//!
//! Delivery is at least once: a crash (or a lost database) between the SMTP server's "250 OK"
//! and the mark leaves the row to be sent again after its lease. Each message's `Message-ID`
//! is derived from its row, so that such a repeat is recognisable downstream.

use std::time::{Duration, Instant};

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rocket::fairing::AdHoc;
use rocket::futures::FutureExt as _;
use rocket::Shutdown;
use rocket_db_pools::Database;
use sqlx::PgPool;

use crate::config::{AppConfig, MailSettings};
use crate::db::Db;
use crate::domain::mail::{redact_addresses, retry_delay, Mail};
use crate::repo;
use crate::repo::outbox::{Claimed, EMAIL};
use crate::repo::RepoError;

/// Rows claimed per round; a full round is followed by another at once.
const BATCH: i64 = 20;
/// How long an SMTP conversation may take before it counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a claim holds its rows: far more than a batch of sends can take
/// (`BATCH * SMTP_TIMEOUT`), so that no other worker sends a row this one is still sending.
const LEASE: Duration = Duration::from_secs(600);
/// How long sent and given-up rows are kept (for an operator's look) before they are deleted.
const KEEP_DONE: Duration = Duration::from_secs(7 * 24 * 3600);
pub(crate) const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// Starts the worker at liftoff when an SMTP URL is configured; it stops with the server.
pub fn stage() -> AdHoc {
    AdHoc::on_liftoff("Outbox worker", |rocket| {
        Box::pin(async move {
            let Some(settings) = rocket.state::<AppConfig>().and_then(|c| c.mail.clone()) else {
                return;
            };
            let Some(db) = Db::fetch(rocket) else {
                return;
            };
            // Checked by the configuration already; it cannot fail here.
            let Ok(builder) = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            else {
                return;
            };
            let mailer = Mailer {
                transport: builder.timeout(Some(SMTP_TIMEOUT)).build(),
                settings,
            };
            rocket::tokio::spawn(run(db.pool().clone(), mailer, rocket.shutdown()));
        })
    })
}

struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    settings: MailSettings,
}

/// Why a message was not delivered, with its addresses cut (`redact_addresses`).
struct Failure {
    message: String,
    /// Trying again would fail the same way (a 5xx answer, a payload that cannot be read).
    permanent: bool,
}

impl Failure {
    fn permanent(message: impl std::fmt::Display) -> Self {
        Self {
            message: redact_addresses(&message.to_string()),
            permanent: true,
        }
    }
}

async fn run(db: PgPool, mailer: Mailer, shutdown: Shutdown) {
    let mut last_purge: Option<Instant> = None;
    loop {
        match deliver_due(&db, &mailer).await {
            // A full batch: more may be due, unless the server is stopping.
            Ok(claimed) if claimed == BATCH as usize => {
                if shutdown.clone().now_or_never().is_some() {
                    return;
                }
                continue;
            }
            Ok(_) => {}
            Err(error) => log::warn!("outbox: could not claim or mark e-mail: {error}"),
        }
        if last_purge.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
            last_purge = Some(Instant::now());
            purge(&db).await;
        }
        rocket::tokio::select! {
            _ = shutdown.clone() => return,
            _ = rocket::tokio::time::sleep(mailer.settings.poll_interval) => {}
        }
    }
}

/// Sends what is due, one claim's worth; how many rows were claimed.
async fn deliver_due(db: &PgPool, mailer: &Mailer) -> Result<usize, RepoError> {
    let claimed = repo::outbox::claim(db, EMAIL, BATCH, LEASE).await?;
    for row in &claimed {
        match mailer.send(row).await {
            Ok(()) => {
                repo::outbox::mark_sent(db, row.id).await?;
                log::info!("outbox {}: e-mail sent (attempt {})", row.id, row.attempts);
            }
            Err(failure) => {
                let settings = &mailer.settings;
                let age = chrono::Utc::now() - row.created_at;
                let expired = age.to_std().unwrap_or_default() >= settings.give_up_after;
                let retry_in = (!failure.permanent && !expired).then(|| {
                    let attempts = u32::try_from(row.attempts).unwrap_or(u32::MAX);
                    retry_delay(attempts, settings.retry_base, settings.retry_ceiling)
                });
                repo::outbox::mark_failed(db, row.id, &failure.message, retry_in).await?;
                match retry_in {
                    Some(delay) => log::warn!(
                        "outbox {}: e-mail attempt {} failed, next in {}s: {}",
                        row.id,
                        row.attempts,
                        delay.as_secs(),
                        failure.message
                    ),
                    None => log::error!(
                        "outbox {}: e-mail given up after {} attempts: {}",
                        row.id,
                        row.attempts,
                        failure.message
                    ),
                }
            }
        }
    }
    Ok(claimed.len())
}

/// Deletes the rows of every channel done more than `KEEP_DONE` ago; both workers call it, so
/// the outbox stays small whether mail, webhooks or both are on.
pub(crate) async fn purge(db: &PgPool) {
    let Ok(mut connection) = db.acquire().await else {
        return;
    };
    match repo::outbox::purge_done(&mut connection, KEEP_DONE, 10_000).await {
        Ok(0) => {}
        Ok(deleted) => log::info!("outbox: deleted {deleted} rows done more than a week ago"),
        Err(error) => log::warn!("outbox: clean-up failed: {error}"),
    }
}

/// The `Message-ID` of outbox row `id`: the same on every attempt, unique per row and sender.
fn message_id(id: i64, from: &Mailbox) -> String {
    format!("<outbox-{id}.job-offers@{}>", from.email.domain())
}

impl Mailer {
    async fn send(&self, row: &Claimed) -> Result<(), Failure> {
        let mail = Mail::from_json(&row.payload).map_err(Failure::permanent)?;
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| Failure::permanent("the recipient is not a valid address"))?;
        let message = Message::builder()
            .message_id(Some(message_id(row.id, &self.settings.from)))
            .from(self.settings.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)
            .map_err(Failure::permanent)?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|error| Failure {
                message: redact_addresses(&error.to_string()),
                permanent: error.is_permanent(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_id_names_its_outbox_row_and_the_senders_domain() {
        let from: Mailbox = "job-offers <no-reply@jobs.example.com>".parse().unwrap();
        assert_eq!(
            message_id(42, &from),
            "<outbox-42.job-offers@jobs.example.com>"
        );
    }
}
