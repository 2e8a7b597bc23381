//! Operations: health probes, Prometheus metrics, request ids and access logs, error tracking.

pub mod console;
pub mod error_tracking;
pub mod health;
pub mod metrics;
pub mod observe;
pub mod retention;

use rocket::fairing::AdHoc;
use serde::Deserialize;

/// How access log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per request.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Debug, Clone, Deserialize)]
struct OpsConfig {
    #[serde(default)]
    log_format: LogFormat,
    #[serde(default = "enabled")]
    access_log: bool,
    metrics_token: Option<String>,
}

fn enabled() -> bool {
    true
}

/// Mounts `/healthz`, `/readyz`, `/metrics` and the per-request observer.
pub fn stage() -> AdHoc {
    AdHoc::try_on_ignite("Operations", |rocket| async {
        let config: OpsConfig = match rocket.figment().extract() {
            Ok(config) => config,
            Err(error) => {
                rocket::error!("Invalid log configuration: {error}");
                return Err(rocket);
            }
        };
        let metrics = match metrics::Metrics::new() {
            Ok(metrics) => metrics,
            Err(error) => {
                rocket::error!("Metrics registry: {error}");
                return Err(rocket);
            }
        };
        let observer = observe::Observer {
            metrics: metrics.requests.clone(),
            log_format: config.log_format,
            access_log: config.access_log,
            report_errors: error_tracking::enabled(),
        };
        let access = metrics::MetricsAccess {
            token: config.metrics_token.filter(|token| !token.is_empty()),
            open_without_token: crate::config::is_development_profile(rocket.figment()),
        };
        Ok(rocket
            .manage(metrics)
            .manage(access)
            .attach(observer)
            .mount("/", health::routes())
            .mount("/", metrics::routes()))
    })
}
