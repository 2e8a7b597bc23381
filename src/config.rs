//! Application settings, read once from the Rocket figment (Rocket.toml profile, then `ROCKET_*`
//! environment variables) and validated before the server accepts a connection.

use std::time::Duration;

use rocket::fairing::AdHoc;
use serde::Deserialize;

use crate::domain::lifecycle::PublishingRules;
use crate::domain::user::{PasswordPolicy, MAX_PASSWORD_STRENGTH};
use crate::network::TrustedProxies;

/// Used only by the `debug` and `test` profiles, so that a fresh checkout runs with no set-up.
/// Every other profile refuses to start without a real secret.
const DEVELOPMENT_JWT_SECRET: &str = "INSECURE-development-only-jwt-secret-do-not-deploy";
/// HS256 keys shorter than the hash output weaken the signature (RFC 7518 §3.2).
pub const MIN_JWT_SECRET_BYTES: usize = 32;
const PROFILES_WITH_DEVELOPMENT_DEFAULTS: &[&str] = &["debug", "test"];

/// Whether `figment` selects a development profile (`debug`, `test`): development defaults
/// (secrets, plain-HTTP cookies, no HSTS) are allowed there and nowhere else.
pub fn is_development_profile(figment: &figment::Figment) -> bool {
    PROFILES_WITH_DEVELOPMENT_DEFAULTS.contains(&figment.profile().as_str().as_str())
}

#[derive(Debug, Clone, Deserialize)]
struct RawConfig {
    jwt_secret: Option<String>,
    #[serde(default = "default_token_ttl_hours")]
    token_ttl_hours: u64,
    password_hash_concurrency: Option<usize>,
    #[serde(default = "default_password_hash_wait_ms")]
    password_hash_wait_ms: u64,
    #[serde(default = "default_login_max_failures")]
    login_max_failures: u32,
    #[serde(default = "default_login_window_secs")]
    login_window_secs: u64,
    #[serde(default = "default_registrations_per_window")]
    registrations_per_window: u32,
    #[serde(default = "default_registration_window_secs")]
    registration_window_secs: u64,
    #[serde(default = "default_login_client_max_failures")]
    login_client_max_failures: u32,
    #[serde(default = "default_login_user_free_failures")]
    login_user_free_failures: u32,
    #[serde(default = "default_login_user_max_delay_secs")]
    login_user_max_delay_secs: u64,
    #[serde(default = "default_searches_per_window")]
    searches_per_window: u32,
    #[serde(default = "default_search_window_secs")]
    search_window_secs: u64,
    #[serde(default = "default_search_concurrency")]
    search_concurrency: usize,
    #[serde(default = "default_search_wait_secs")]
    search_wait_secs: u64,
    #[serde(default = "default_offers_per_window")]
    offers_per_window: u32,
    #[serde(default = "default_offer_window_secs")]
    offer_window_secs: u64,
    #[serde(default = "default_max_offers_per_user")]
    max_offers_per_user: u32,
    #[serde(default = "default_applications_per_window")]
    applications_per_window: u32,
    #[serde(default = "default_applications_per_offer_window")]
    applications_per_offer_window: u32,
    #[serde(default = "default_application_window_secs")]
    application_window_secs: u64,
    #[serde(default)]
    trusted_proxies: ListOrText,
    #[serde(default)]
    password_min_strength: u8,
    #[serde(default = "default_offer_default_days")]
    offer_default_days: u32,
    #[serde(default = "default_offer_max_days")]
    offer_max_days: u32,
    #[serde(default)]
    require_salary: bool,
    public_url: Option<String>,
    #[serde(default = "default_tombstone_days")]
    tombstone_days: u32,
    #[serde(default = "default_application_retention_days")]
    application_retention_days: u32,
    #[serde(default = "default_application_retention_sweep_secs")]
    application_retention_sweep_secs: u64,
    #[serde(default = "default_sitemap_max_urls")]
    sitemap_max_urls: usize,
    /// Also the plain `SMTP_URL` variable, which wins (`crate::figment`).
    smtp_url: Option<String>,
    #[serde(default = "default_smtp_from")]
    smtp_from: String,
    #[serde(default = "default_outbox_retry_base_secs")]
    outbox_retry_base_secs: u64,
    #[serde(default = "default_outbox_retry_ceiling_secs")]
    outbox_retry_ceiling_secs: u64,
    #[serde(default = "default_outbox_give_up_hours")]
    outbox_give_up_hours: u64,
    #[serde(default = "default_outbox_poll_interval_ms")]
    outbox_poll_interval_ms: u64,
    #[serde(default)]
    webhook_allow_http: bool,
    #[serde(default)]
    webhook_allow_private: bool,
    #[serde(default = "default_webhook_disable_after_failures")]
    webhook_disable_after_failures: u32,
    #[serde(default = "default_webhook_disable_after_failing_secs")]
    webhook_disable_after_failing_secs: u64,
}

fn default_webhook_disable_after_failing_secs() -> u64 {
    3600
}

fn default_webhook_disable_after_failures() -> u32 {
    50
}

/// How the outbox retries: shared by e-mail and webhooks.
#[derive(Debug, Clone, Copy)]
pub struct OutboxTiming {
    /// The wait after a first failed delivery, doubled at each further failure up to
    /// `retry_ceiling`.
    pub retry_base: Duration,
    pub retry_ceiling: Duration,
    /// A message still failing this long after it was written is given up on.
    pub give_up_after: Duration,
    /// How often the worker looks for due messages.
    pub poll_interval: Duration,
}

fn outbox_timing(raw: &RawConfig) -> Result<OutboxTiming, String> {
    let positive = |value: u64, variable: &str| {
        if value == 0 {
            Err(format!("{variable} must be at least 1"))
        } else {
            Ok(value)
        }
    };
    let retry_base = Duration::from_secs(positive(
        raw.outbox_retry_base_secs,
        "ROCKET_OUTBOX_RETRY_BASE_SECS",
    )?);
    let retry_ceiling = Duration::from_secs(raw.outbox_retry_ceiling_secs);
    if retry_ceiling < retry_base {
        return Err(
            "ROCKET_OUTBOX_RETRY_CEILING_SECS must be at least ROCKET_OUTBOX_RETRY_BASE_SECS"
                .to_owned(),
        );
    }
    let give_up_after = Duration::from_secs(
        positive(raw.outbox_give_up_hours, "ROCKET_OUTBOX_GIVE_UP_HOURS")? * 3600,
    );
    let poll_interval = Duration::from_millis(positive(
        raw.outbox_poll_interval_ms,
        "ROCKET_OUTBOX_POLL_INTERVAL_MS",
    )?);
    Ok(OutboxTiming {
        retry_base,
        retry_ceiling,
        give_up_after,
        poll_interval,
    })
}

/// Where webhooks may point and when a failing endpoint is disabled.
#[derive(Debug, Clone, Copy)]
pub struct WebhookSettings {
    /// `webhook_allow_http`, `webhook_allow_private`: both off outside tests, so that
    /// endpoints are `https` and never reach the service's own network (SSRF).
    pub policy: crate::domain::webhook::TargetPolicy,
    /// Failed attempts in a row (across its deliveries) after which an endpoint is disabled,
    /// once they have gone on for `disable_after_failing_for`.
    pub disable_after_failures: u32,
    pub disable_after_failing_for: Duration,
    pub timing: OutboxTiming,
}

fn default_smtp_from() -> String {
    "job-offers <no-reply@localhost>".to_owned()
}

fn default_outbox_retry_base_secs() -> u64 {
    30
}

fn default_outbox_retry_ceiling_secs() -> u64 {
    3600
}

fn default_outbox_give_up_hours() -> u64 {
    24
}

fn default_outbox_poll_interval_ms() -> u64 {
    5_000
}

/// Where and how the service sends e-mail; present only when an SMTP URL is configured.
#[derive(Clone)]
pub struct MailSettings {
    /// `smtp://` (STARTTLS with `?tls=required`, else plain) or `smtps://` (TLS), with any
    /// credentials in it: never logged.
    pub smtp_url: String,
    /// The `From` of every message.
    pub from: lettre::message::Mailbox,
    /// The wait after a first failed delivery, doubled at each further failure up to
    /// `retry_ceiling`.
    pub retry_base: Duration,
    pub retry_ceiling: Duration,
    /// A message still failing this long after it was written is given up on.
    pub give_up_after: Duration,
    /// How often the worker looks for due messages.
    pub poll_interval: Duration,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("smtp_url", &"<secret>")
            .field("from", &self.from.to_string())
            .field("retry_base", &self.retry_base)
            .field("retry_ceiling", &self.retry_ceiling)
            .field("give_up_after", &self.give_up_after)
            .field("poll_interval", &self.poll_interval)
            .finish()
    }
}

/// The mail settings, `None` when no SMTP URL is set (or it is empty): then no mail is written.
fn mail_settings(raw: &RawConfig) -> Result<Option<MailSettings>, String> {
    let from = raw
        .smtp_from
        .parse::<lettre::message::Mailbox>()
        .map_err(|_| {
            format!(
                "ROCKET_SMTP_FROM must be a mailbox such as `job-offers <no-reply@example.com>` \
                 (got {:?})",
                raw.smtp_from
            )
        })?;
    let OutboxTiming {
        retry_base,
        retry_ceiling,
        give_up_after,
        poll_interval,
    } = outbox_timing(raw)?;
    let Some(smtp_url) = raw.smtp_url.as_deref().filter(|url| !url.is_empty()) else {
        return Ok(None);
    };
    // The URL may hold a password: the message names the variable, never the value.
    let invalid = || {
        "SMTP_URL (or ROCKET_SMTP_URL) must be an smtp:// or smtps:// address such as \
         smtps://user:password@mail.example.com or smtp://127.0.0.1:1025"
            .to_owned()
    };
    let parsed = url::Url::parse(smtp_url).map_err(|_| invalid())?;
    if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host_str().is_none() {
        return Err(invalid());
    }
    lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(smtp_url)
        .map_err(|_| invalid())?;
    Ok(Some(MailSettings {
        smtp_url: smtp_url.to_owned(),
        from,
        retry_base,
        retry_ceiling,
        give_up_after,
        poll_interval,
    }))
}

fn default_tombstone_days() -> u32 {
    90
}

fn default_application_retention_days() -> u32 {
    180
}

/// Hourly: the retention is counted in days, so an hour late is nothing, and a run that finds
/// nothing due costs one query.
fn default_application_retention_sweep_secs() -> u64 {
    3600
}

/// The sitemaps protocol's limit of addresses per file.
pub const SITEMAP_PROTOCOL_MAX_URLS: usize = 50_000;

fn default_sitemap_max_urls() -> usize {
    SITEMAP_PROTOCOL_MAX_URLS
}

/// Where a development server answers (`scripts/runserver.sh`).
const DEVELOPMENT_PUBLIC_URL: &str = "http://localhost:5000";

/// How the site presents itself to search engines, aggregators and feed readers.
#[derive(Debug, Clone)]
pub struct SiteSettings {
    /// The address the site is reached at, without a trailing slash: canonical links,
    /// sitemaps, feeds and structured data are absolute. Never taken from a request's `Host`,
    /// which any client may set.
    pub public_url: String,
    /// How long a deleted offer's address answers `410 Gone` (its tombstone is kept).
    pub tombstone_days: u32,
    /// Addresses per sitemap file; more make `/sitemap.xml` an index.
    pub sitemap_max_urls: usize,
}

impl SiteSettings {
    /// `path` (starting with `/`) as an absolute address of this site.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }
}

/// An absolute http(s) address with a host and nothing after its path, kept without the
/// trailing slash.
fn parse_public_url(raw: &str) -> Result<String, String> {
    let problem = || {
        format!(
            "ROCKET_PUBLIC_URL must be the site's absolute http(s) address, such as \
             https://jobs.example.com (got {raw:?})"
        )
    };
    let url = url::Url::parse(raw).map_err(|_| problem())?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
    {
        return Err(problem());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn default_offer_default_days() -> u32 {
    PublishingRules::default().default_days
}

fn default_offer_max_days() -> u32 {
    PublishingRules::default().max_days
}

/// A list given as TOML array or as one comma-separated string (an environment variable).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
enum ListOrText {
    #[default]
    Empty,
    List(Vec<String>),
    Text(String),
}

impl ListOrText {
    fn joined(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::List(items) => items.join(","),
            Self::Text(text) => text.clone(),
        }
    }
}

fn default_login_client_max_failures() -> u32 {
    30
}

fn default_login_user_free_failures() -> u32 {
    10
}

fn default_login_user_max_delay_secs() -> u64 {
    60
}

fn default_searches_per_window() -> u32 {
    120
}

fn default_search_window_secs() -> u64 {
    60
}

fn default_search_concurrency() -> usize {
    4
}

/// Long enough for 64 searches queued behind 4 slots on a 2-core machine (~30 ms each) to be
/// served rather than refused; short enough that a flood is told to come back.
fn default_search_wait_secs() -> u64 {
    3
}

fn default_offers_per_window() -> u32 {
    60
}

fn default_offer_window_secs() -> u64 {
    3600
}

fn default_applications_per_window() -> u32 {
    10
}

fn default_applications_per_offer_window() -> u32 {
    300
}

fn default_application_window_secs() -> u64 {
    3600
}

fn default_max_offers_per_user() -> u32 {
    1000
}

fn default_login_max_failures() -> u32 {
    5
}

fn default_login_window_secs() -> u64 {
    300
}

fn default_registrations_per_window() -> u32 {
    20
}

fn default_registration_window_secs() -> u64 {
    3600
}

fn default_token_ttl_hours() -> u64 {
    24
}

fn default_password_hash_wait_ms() -> u64 {
    0
}

/// Validated settings, managed as Rocket state.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub jwt_secret: String,
    pub token_ttl: Duration,
    /// How many Argon2id hashes may run at once (each holds 9 MiB and a CPU for ~25 ms).
    /// By default one per two cores, at least one: a sign-in flood then keeps at most half the
    /// machine and, at 256 connections, the process under 64 MiB (BENCHMARKS.md, Tuning log).
    pub password_hash_concurrency: usize,
    /// How long a login may wait for a hashing slot before it is told to retry (503); none
    /// by default: a full hasher answers at once rather than holding the connection.
    pub password_hash_wait: Duration,
    /// Failed sign-ins allowed per (client, username) in `login_window` before 429.
    pub login_max_failures: u32,
    pub login_window: Duration,
    /// Failed sign-ins allowed per client, whatever the usernames, in `login_window`.
    pub login_client_max_failures: u32,
    /// Failed sign-ins of one username, from any client, before each further attempt waits.
    pub login_user_free_failures: u32,
    /// The longest wait between two attempts on one username.
    pub login_user_max_delay: Duration,
    /// Registrations allowed per client in `registration_window` before 429.
    pub registrations_per_window: u32,
    pub registration_window: Duration,
    /// Board searches (words or skills) allowed per client in `search_window`.
    pub searches_per_window: u32,
    pub search_window: Duration,
    /// Searches run at once; the pool's other connections stay free for everything else.
    pub search_concurrency: usize,
    /// How long a search waits for a slot before `503`.
    pub search_wait: Duration,
    /// Offers one account may create in `offer_window`, and have at all.
    pub offers_per_window: u32,
    pub offer_window: Duration,
    pub max_offers_per_user: u32,
    /// Applications one client may submit in `application_window` (to any offers), and one
    /// offer may receive in it (from all clients): a form that bots found stays usable.
    pub applications_per_window: u32,
    pub applications_per_offer_window: u32,
    pub application_window: Duration,
    /// Days after an offer closes (or expires) that its applications' personal data is kept;
    /// shown to candidates on the form, and applied by the retention job.
    pub application_retention_days: u32,
    /// How often the retention job looks for applications to erase.
    pub application_retention_sweep: Duration,
    /// The proxies whose forwarded-for headers are believed.
    pub trusted_proxies: TrustedProxies,
    /// What a new password must withstand (`password_min_strength`, zxcvbn score 0–4).
    pub password_policy: PasswordPolicy,
    /// How long offers stay open and what publishing needs.
    pub publishing: PublishingRules,
    /// Canonical addresses, tombstones and sitemaps.
    pub site: SiteSettings,
    /// E-mail through SMTP; `None` when off (no SMTP URL), and then none is written.
    pub mail: Option<MailSettings>,
    pub webhooks: WebhookSettings,
}

impl AppConfig {
    /// Extracts and checks the settings for `profile`; the error says which variable to set.
    pub fn from_figment(figment: &figment::Figment) -> Result<Self, String> {
        let raw: RawConfig = figment
            .extract()
            .map_err(|error| format!("invalid configuration: {error}"))?;
        let profile = figment.profile().as_str().to_string();
        let development = is_development_profile(figment);
        let mail = mail_settings(&raw)?;
        let webhooks = WebhookSettings {
            policy: crate::domain::webhook::TargetPolicy {
                allow_http: raw.webhook_allow_http,
                allow_private: raw.webhook_allow_private,
            },
            disable_after_failures: raw.webhook_disable_after_failures.max(1),
            disable_after_failing_for: Duration::from_secs(raw.webhook_disable_after_failing_secs),
            timing: outbox_timing(&raw)?,
        };
        if let Some(mail) = mail.as_ref().filter(|_| !development) {
            if mail.from.email.domain() == "localhost" {
                log::warn!(
                    "ROCKET_SMTP_FROM is not set: mail is sent as {}, which receiving servers \
                     are likely to refuse",
                    mail.from
                );
            }
        }
        let jwt_secret = match raw.jwt_secret {
            Some(secret) if secret.len() >= MIN_JWT_SECRET_BYTES => secret,
            None if development => DEVELOPMENT_JWT_SECRET.to_owned(),
            Some(_) if development => {
                return Err(format!(
                    "ROCKET_JWT_SECRET is shorter than {MIN_JWT_SECRET_BYTES} bytes; \
                     use a random value such as `openssl rand -base64 48`"
                ))
            }
            _ => {
                return Err(format!(
                    "the '{profile}' profile needs a JWT signing secret of at least \
                     {MIN_JWT_SECRET_BYTES} bytes: set ROCKET_JWT_SECRET \
                     (e.g. ROCKET_JWT_SECRET=\"$(openssl rand -base64 48)\")"
                ))
            }
        };
        if raw.token_ttl_hours == 0 {
            return Err("ROCKET_TOKEN_TTL_HOURS must be at least 1".to_owned());
        }
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let trusted_proxies = TrustedProxies::parse(&raw.trusted_proxies.joined())?;
        let window = |seconds: u64, variable: &str| {
            if seconds == 0 {
                Err(format!("{variable} must be at least 1"))
            } else {
                Ok(Duration::from_secs(seconds))
            }
        };
        if raw.password_min_strength > MAX_PASSWORD_STRENGTH {
            return Err(format!(
                "ROCKET_PASSWORD_MIN_STRENGTH is a zxcvbn score from 0 to {MAX_PASSWORD_STRENGTH}"
            ));
        }
        if raw.offer_max_days == 0 || raw.offer_default_days == 0 {
            return Err(
                "ROCKET_OFFER_DEFAULT_DAYS and ROCKET_OFFER_MAX_DAYS must be at least 1".to_owned(),
            );
        }
        if raw.offer_default_days > raw.offer_max_days {
            return Err(
                "ROCKET_OFFER_DEFAULT_DAYS must not exceed ROCKET_OFFER_MAX_DAYS".to_owned(),
            );
        }
        if raw.tombstone_days == 0 {
            return Err("ROCKET_TOMBSTONE_DAYS must be at least 1".to_owned());
        }
        if raw.application_retention_days == 0 {
            return Err("ROCKET_APPLICATION_RETENTION_DAYS must be at least 1".to_owned());
        }
        if !(2..=SITEMAP_PROTOCOL_MAX_URLS).contains(&raw.sitemap_max_urls) {
            return Err(format!(
                "ROCKET_SITEMAP_MAX_URLS must be from 2 to {SITEMAP_PROTOCOL_MAX_URLS}"
            ));
        }
        let public_url = match &raw.public_url {
            Some(raw) => parse_public_url(raw)?,
            None => {
                if !development {
                    log::warn!(
                        "ROCKET_PUBLIC_URL is not set: canonical links, sitemaps and feeds \
                         name {DEVELOPMENT_PUBLIC_URL}"
                    );
                }
                DEVELOPMENT_PUBLIC_URL.to_owned()
            }
        };
        Ok(Self {
            jwt_secret,
            token_ttl: Duration::from_secs(raw.token_ttl_hours * 3600),
            password_hash_concurrency: raw.password_hash_concurrency.unwrap_or(cores / 2).max(1),
            password_hash_wait: Duration::from_millis(raw.password_hash_wait_ms),
            login_max_failures: raw.login_max_failures.max(1),
            login_window: window(raw.login_window_secs, "ROCKET_LOGIN_WINDOW_SECS")?,
            login_client_max_failures: raw.login_client_max_failures.max(1),
            login_user_free_failures: raw.login_user_free_failures.max(1),
            login_user_max_delay: Duration::from_secs(raw.login_user_max_delay_secs),
            registrations_per_window: raw.registrations_per_window.max(1),
            registration_window: window(
                raw.registration_window_secs,
                "ROCKET_REGISTRATION_WINDOW_SECS",
            )?,
            searches_per_window: raw.searches_per_window.max(1),
            search_window: window(raw.search_window_secs, "ROCKET_SEARCH_WINDOW_SECS")?,
            search_concurrency: raw.search_concurrency.max(1),
            search_wait: Duration::from_secs(raw.search_wait_secs),
            offers_per_window: raw.offers_per_window.max(1),
            offer_window: window(raw.offer_window_secs, "ROCKET_OFFER_WINDOW_SECS")?,
            max_offers_per_user: raw.max_offers_per_user.max(1),
            applications_per_window: raw.applications_per_window.max(1),
            applications_per_offer_window: raw.applications_per_offer_window.max(1),
            application_window: window(
                raw.application_window_secs,
                "ROCKET_APPLICATION_WINDOW_SECS",
            )?,
            application_retention_days: raw.application_retention_days,
            application_retention_sweep: window(
                raw.application_retention_sweep_secs,
                "ROCKET_APPLICATION_RETENTION_SWEEP_SECS",
            )?,
            trusted_proxies,
            password_policy: PasswordPolicy {
                min_strength: raw.password_min_strength,
            },
            publishing: PublishingRules {
                default_days: raw.offer_default_days,
                max_days: raw.offer_max_days,
                require_salary: raw.require_salary,
            },
            site: SiteSettings {
                public_url,
                tombstone_days: raw.tombstone_days,
                sitemap_max_urls: raw.sitemap_max_urls,
            },
            mail,
            webhooks,
        })
    }
}

/// Reads and validates the configuration at ignite and manages `AppConfig`; a bad
/// configuration stops the launch with its message.
pub fn stage() -> AdHoc {
    AdHoc::try_on_ignite("Application configuration", |rocket| async {
        match AppConfig::from_figment(rocket.figment()) {
            Ok(config) => Ok(rocket.manage(config)),
            Err(message) => {
                rocket::error!("Configuration error: {message}");
                Err(rocket)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::{providers::Serialized, Figment, Profile};

    fn figment(profile: &str, secret: Option<&str>) -> Figment {
        let mut figment = Figment::new().select(Profile::new(profile));
        if let Some(secret) = secret {
            figment = figment.merge(Serialized::global("jwt_secret", secret));
        }
        figment
    }

    #[test]
    fn release_refuses_a_missing_secret_and_names_the_variable() {
        let error = AppConfig::from_figment(&figment("release", None)).unwrap_err();
        assert!(error.contains("ROCKET_JWT_SECRET"), "{error}");
    }

    #[test]
    fn release_refuses_a_short_secret() {
        let error = AppConfig::from_figment(&figment("release", Some("short"))).unwrap_err();
        assert!(error.contains("ROCKET_JWT_SECRET"), "{error}");
    }

    #[test]
    fn release_accepts_a_long_secret() {
        let secret = "s".repeat(32);
        let config = AppConfig::from_figment(&figment("release", Some(&secret))).unwrap();
        assert_eq!(config.jwt_secret, secret);
        assert_eq!(config.token_ttl, Duration::from_secs(24 * 3600));
    }

    #[test]
    fn trusted_proxies_come_as_a_list_or_one_string() {
        let text =
            figment("debug", None).merge(Serialized::global("trusted_proxies", "10.0.0.0/8,::1"));
        let list = figment("debug", None)
            .merge(Serialized::global("trusted_proxies", ["10.0.0.0/8", "::1"]));
        let from_text = AppConfig::from_figment(&text).unwrap().trusted_proxies;
        assert_eq!(
            from_text,
            AppConfig::from_figment(&list).unwrap().trusted_proxies
        );
        assert_eq!(from_text, TrustedProxies::parse("10.0.0.0/8 ::1").unwrap());
        let bad = figment("debug", None).merge(Serialized::global("trusted_proxies", "nope"));
        assert!(AppConfig::from_figment(&bad)
            .unwrap_err()
            .contains("ROCKET_TRUSTED_PROXIES"));
    }

    #[test]
    fn the_public_url_is_an_absolute_address_kept_without_its_trailing_slash() {
        let site = |url: &str| {
            AppConfig::from_figment(
                &figment("debug", None).merge(Serialized::global("public_url", url)),
            )
            .map(|config| config.site.public_url)
        };
        assert_eq!(
            site("https://jobs.example.com/").unwrap(),
            "https://jobs.example.com"
        );
        assert_eq!(
            site("http://127.0.0.1:8000").unwrap(),
            "http://127.0.0.1:8000"
        );
        assert_eq!(
            site("https://example.com/jobs/").unwrap(),
            "https://example.com/jobs"
        );
        for bad in [
            "jobs.example.com",
            "ftp://x.example",
            "https://x.example/?a=1",
            "",
        ] {
            assert!(
                site(bad).unwrap_err().contains("ROCKET_PUBLIC_URL"),
                "{bad}"
            );
        }
        let default = AppConfig::from_figment(&figment("debug", None))
            .unwrap()
            .site;
        assert_eq!(
            default.absolute("/sitemap.xml"),
            "http://localhost:5000/sitemap.xml"
        );
        assert_eq!(
            (default.tombstone_days, default.sitemap_max_urls),
            (90, 50_000)
        );
    }

    #[test]
    fn mail_is_off_without_an_smtp_url_and_checked_with_one() {
        let mail = |pairs: &[(&str, &str)]| {
            let mut figment = figment("debug", None);
            for (key, value) in pairs {
                figment = figment.merge(Serialized::global(key, value));
            }
            AppConfig::from_figment(&figment).map(|config| config.mail)
        };
        assert!(mail(&[]).unwrap().is_none());
        assert!(mail(&[("smtp_url", "")]).unwrap().is_none());
        let on = mail(&[("smtp_url", "smtps://user:hunter2@mail.example.com")])
            .unwrap()
            .unwrap();
        assert_eq!(on.from.to_string(), "job-offers <no-reply@localhost>");
        assert_eq!(
            (on.retry_base, on.retry_ceiling, on.give_up_after),
            (
                Duration::from_secs(30),
                Duration::from_secs(3600),
                Duration::from_secs(24 * 3600)
            )
        );
        assert!(!format!("{on:?}").contains("hunter2"));
        for bad in ["mail.example.com", "http://mail.example.com", "smtp://"] {
            let error = mail(&[("smtp_url", bad)]).unwrap_err();
            assert!(error.contains("SMTP_URL"), "{bad}: {error}");
        }
        let error = mail(&[("smtp_from", "not a mailbox")]).unwrap_err();
        assert!(error.contains("ROCKET_SMTP_FROM"), "{error}");
    }

    #[test]
    fn the_retention_job_runs_hourly_unless_told_otherwise_and_never_every_zero_seconds() {
        let config = AppConfig::from_figment(&figment("debug", None)).unwrap();
        assert_eq!(config.application_retention_days, 180);
        assert_eq!(
            config.application_retention_sweep,
            Duration::from_secs(3600)
        );
        let zero =
            figment("debug", None).merge(Serialized::global("application_retention_sweep_secs", 0));
        assert!(AppConfig::from_figment(&zero)
            .unwrap_err()
            .contains("ROCKET_APPLICATION_RETENTION_SWEEP_SECS"));
    }

    #[test]
    fn debug_falls_back_to_the_marked_development_secret() {
        let config = AppConfig::from_figment(&figment("debug", None)).unwrap();
        assert!(config.jwt_secret.starts_with("INSECURE"));
    }
}
