//! Application settings, read once from the Rocket figment (Rocket.toml profile, then `ROCKET_*`
//! environment variables) and validated before the server accepts a connection.

use std::time::Duration;

use rocket::fairing::AdHoc;
use serde::Deserialize;

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
    2_000
}

/// Validated settings, managed as Rocket state.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub jwt_secret: String,
    pub token_ttl: Duration,
    /// How many Argon2id hashes may run at once (each holds 19 MiB and a CPU for ~50 ms).
    pub password_hash_concurrency: usize,
    /// How long a login may wait for a hashing slot before it is told to retry (503).
    pub password_hash_wait: Duration,
    /// Failed sign-ins allowed per (client, username) in `login_window` before 429.
    pub login_max_failures: u32,
    pub login_window: Duration,
    /// Registrations allowed per client in `registration_window` before 429.
    pub registrations_per_window: u32,
    pub registration_window: Duration,
}

impl AppConfig {
    /// Extracts and checks the settings for `profile`; the error says which variable to set.
    pub fn from_figment(figment: &figment::Figment) -> Result<Self, String> {
        let raw: RawConfig = figment
            .extract()
            .map_err(|error| format!("invalid configuration: {error}"))?;
        let profile = figment.profile().as_str().to_string();
        let development = is_development_profile(figment);
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
        Ok(Self {
            jwt_secret,
            token_ttl: Duration::from_secs(raw.token_ttl_hours * 3600),
            password_hash_concurrency: raw.password_hash_concurrency.unwrap_or(cores).max(1),
            password_hash_wait: Duration::from_millis(raw.password_hash_wait_ms),
            login_max_failures: raw.login_max_failures.max(1),
            login_window: Duration::from_secs(raw.login_window_secs),
            registrations_per_window: raw.registrations_per_window.max(1),
            registration_window: Duration::from_secs(raw.registration_window_secs),
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
    fn debug_falls_back_to_the_marked_development_secret() {
        let config = AppConfig::from_figment(&figment("debug", None)).unwrap();
        assert!(config.jwt_secret.starts_with("INSECURE"));
    }
}
