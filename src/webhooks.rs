//! The webhook worker, started at liftoff: it claims the due `webhook` rows of the outbox,
//! signs and POSTs each to its endpoint, logs the attempt and marks the row delivered, or
//! schedules the next attempt with the outbox's backoff (given up on after its period); an
//! endpoint failing again and again is disabled. Once a minute it also queues `offer.expired`
//! for the offers that expired by the clock. Claims are leases taken with SKIP LOCKED, so every
//! replica may run one.
//!
//! SSRF: endpoints are vetted at registration (`vet`), and again at every delivery, where the
//! client resolves names only through `VettedResolver`: a name that later resolves to an
//! internal address (DNS rebinding) is refused rather than reached. No proxy and no redirects.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use rocket::fairing::AdHoc;
use rocket::futures::FutureExt as _;
use rocket::Shutdown;
use rocket_db_pools::Database;
use serde::Deserialize;
use sqlx::PgPool;
use url::{Host, Url};

use crate::config::{AppConfig, WebhookSettings};
use crate::db::Db;
use crate::domain::mail::retry_delay;
use crate::domain::webhook::{is_forbidden, parse_target, signature, TargetPolicy, PRIVATE_TARGET};
use crate::repo;
use crate::repo::webhooks::{Attempt, WEBHOOK};
use crate::repo::RepoError;

/// Rows claimed per round; a full round is followed by another at once.
const BATCH: i64 = 20;
/// How long a receiver may take to answer.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Far more than a batch of sends can take (`BATCH * SEND_TIMEOUT`).
const LEASE: Duration = Duration::from_secs(600);
/// How often expiries are looked for, and how many are told per round.
const EXPIRY_EVERY: Duration = Duration::from_secs(60);
const EXPIRY_BATCH: i64 = 500;

/// Starts the worker at liftoff; it stops with the server.
pub fn stage() -> AdHoc {
    AdHoc::on_liftoff("Webhook worker", |rocket| {
        Box::pin(async move {
            let Some(settings) = rocket.state::<AppConfig>().map(|config| config.webhooks) else {
                return;
            };
            let Some(db) = Db::fetch(rocket) else {
                return;
            };
            let client = match client(settings.policy) {
                Ok(client) => client,
                Err(error) => {
                    log::error!("webhooks: no HTTP client, nothing will be delivered: {error}");
                    return;
                }
            };
            let sender = Sender { client, settings };
            rocket::tokio::spawn(run(db.pool().clone(), sender, rocket.shutdown()));
        })
    })
}

/// Resolves names as the system does, then keeps only the addresses `policy` allows: the
/// client connects to nothing else, whatever the name resolves to at the time.
struct VettedResolver {
    policy: TargetPolicy,
}

impl Resolve for VettedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.policy.allow_private;
        Box::pin(async move {
            let found = rocket::tokio::net::lookup_host((name.as_str(), 0)).await?;
            let vetted: Vec<SocketAddr> = found
                .filter(|address| allow_private || !is_forbidden(address.ip()))
                .collect();
            if vetted.is_empty() {
                return Err(
                    format!("{} resolves only to forbidden addresses", name.as_str()).into(),
                );
            }
            Ok(Box::new(vetted.into_iter()) as Addrs)
        })
    }
}

fn client(policy: TargetPolicy) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(VettedResolver { policy }))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(SEND_TIMEOUT)
        .user_agent(concat!("job-offers-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Checks `raw` as an endpoint address: the domain's rules, then, unless private targets are
/// allowed, every address its host name resolves to. The message is the caller's `url` error.
pub async fn vet(raw: &str, policy: TargetPolicy) -> Result<Url, String> {
    let url = parse_target(raw, policy)?;
    if policy.allow_private {
        return Ok(url);
    }
    if let Some(Host::Domain(name)) = url.host() {
        let port = url.port_or_known_default().unwrap_or(443);
        let found: Vec<SocketAddr> = rocket::tokio::net::lookup_host((name, port))
            .await
            .map_err(|_| "Must name a host that resolves.".to_owned())?
            .collect();
        if found.is_empty() {
            return Err("Must name a host that resolves.".to_owned());
        }
        if found.iter().any(|address| is_forbidden(address.ip())) {
            return Err(PRIVATE_TARGET.to_owned());
        }
    }
    Ok(url)
}

struct Sender {
    client: reqwest::Client,
    settings: WebhookSettings,
}

/// What the outbox row holds.
#[derive(Deserialize)]
struct Payload {
    webhook_id: i64,
    /// The exact body, as built when the event happened.
    body: String,
}

/// What the log needs of a body.
#[derive(Deserialize)]
struct Head {
    id: String,
    #[serde(rename = "type")]
    kind: String,
}

async fn run(db: PgPool, sender: Sender, shutdown: Shutdown) {
    let mut last_expiry: Option<Instant> = None;
    let mut last_purge: Option<Instant> = None;
    loop {
        if last_expiry.is_none_or(|at| at.elapsed() >= EXPIRY_EVERY) {
            last_expiry = Some(Instant::now());
            queue_expiries(&db).await;
        }
        if last_purge.is_none_or(|at| at.elapsed() >= crate::outbox::PURGE_EVERY) {
            last_purge = Some(Instant::now());
            crate::outbox::purge(&db).await;
        }
        match deliver_due(&db, &sender).await {
            Ok(claimed) if claimed == BATCH as usize => {
                if shutdown.clone().now_or_never().is_some() {
                    return;
                }
                continue;
            }
            Ok(_) => {}
            Err(error) => log::warn!("webhooks: could not claim or mark a delivery: {error}"),
        }
        rocket::tokio::select! {
            _ = shutdown.clone() => return,
            _ = rocket::tokio::time::sleep(sender.settings.timing.poll_interval) => {}
        }
    }
}

async fn queue_expiries(db: &PgPool) {
    let Ok(mut connection) = db.acquire().await else {
        return;
    };
    match repo::webhooks::queue_expiries(&mut connection, EXPIRY_BATCH).await {
        Ok(0) => {}
        Ok(told) => log::info!("webhooks: {told} offer expiries queued"),
        Err(error) => log::warn!("webhooks: expiries not queued: {error}"),
    }
}

/// Delivers what is due, one claim's worth; how many rows were claimed.
async fn deliver_due(db: &PgPool, sender: &Sender) -> Result<usize, RepoError> {
    let claimed = repo::outbox::claim(db, WEBHOOK, BATCH, LEASE).await?;
    for row in &claimed {
        let parsed = serde_json::from_str::<Payload>(&row.payload).and_then(|payload| {
            serde_json::from_str::<Head>(&payload.body).map(|head| (payload, head))
        });
        let Ok((payload, head)) = parsed else {
            repo::outbox::mark_failed(db, row.id, "unreadable payload", None).await?;
            continue;
        };
        let Some(target) = repo::webhooks::target(db, payload.webhook_id).await? else {
            repo::outbox::mark_failed(db, row.id, "endpoint removed", None).await?;
            continue;
        };
        if target.disabled {
            repo::outbox::mark_failed(db, row.id, "endpoint disabled", None).await?;
            continue;
        }
        let outcome = sender
            .send(&target.url, &target.secret, &payload.body)
            .await;
        let timing = sender.settings.timing;
        let age = chrono::Utc::now() - row.created_at;
        let given_up = outcome.is_err() && age.to_std().unwrap_or_default() >= timing.give_up_after;
        let (status, error) = match &outcome {
            Ok(status) => (Some(*status), None),
            Err(failure) => (failure.status, Some(failure.message.as_str())),
        };
        let attempt = Attempt {
            webhook_id: payload.webhook_id,
            event_id: &head.id,
            kind: &head.kind,
            attempt: row.attempts,
            status,
            error,
            delivered: outcome.is_ok(),
        };
        let mut connection = db.acquire().await?;
        let rule = repo::webhooks::DisableRule {
            failures: sender.settings.disable_after_failures,
            failing_for: sender.settings.disable_after_failing_for,
        };
        let disabled = repo::webhooks::record(&mut connection, &attempt, rule, given_up).await?;
        match &outcome {
            Ok(_) => repo::outbox::mark_sent(db, row.id).await?,
            Err(failure) => {
                let retry_in = (!given_up && !disabled).then(|| {
                    let attempts = u32::try_from(row.attempts).unwrap_or(u32::MAX);
                    retry_delay(attempts, timing.retry_base, timing.retry_ceiling)
                });
                repo::outbox::mark_failed(db, row.id, &failure.message, retry_in).await?;
                log::warn!(
                    "outbox {}: webhook {} attempt {} failed{}: {}",
                    row.id,
                    payload.webhook_id,
                    row.attempts,
                    if disabled { ", endpoint disabled" } else { "" },
                    failure.message
                );
            }
        }
    }
    Ok(claimed.len())
}

/// Why a delivery failed: the receiver's status when it answered.
struct Failure {
    status: Option<u16>,
    message: String,
}

impl Sender {
    /// POSTs `body` to `url`, signed at this moment; the status of a 2xx answer.
    async fn send(&self, url: &str, secret: &str, body: &str) -> Result<u16, Failure> {
        let refused = |message: String| Failure {
            status: None,
            message,
        };
        // Checked again: the rules (or the configuration) may have changed since registration.
        let url = parse_target(url, self.settings.policy).map_err(refused)?;
        let timestamp = chrono::Utc::now().timestamp();
        let answer = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Timestamp", timestamp.to_string())
            .header("X-Signature", signature(secret, timestamp, body))
            .body(body.to_owned())
            .send()
            .await
            // The address may carry a token of the receiver's: never logged.
            .map_err(|error| refused(describe(&error.without_url())))?;
        let status = answer.status();
        if status.is_success() {
            Ok(status.as_u16())
        } else {
            Err(Failure {
                status: Some(status.as_u16()),
                message: format!("HTTP {status}"),
            })
        }
    }
}

/// `error` with its causes (reqwest's own message is often just "error sending request").
fn describe(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
