//! Optional Sentry error tracking, switched on by `SENTRY_DSN`. With no DSN nothing is
//! initialised and the per-request check is one boolean.

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Starts Sentry when `SENTRY_DSN` is set; keep the guard alive for the life of the process
/// (dropping it flushes pending events).
pub fn init_from_env() -> Option<sentry::ClientInitGuard> {
    let dsn = std::env::var("SENTRY_DSN")
        .ok()
        .filter(|dsn| !dsn.is_empty())?;
    let guard = sentry::init((
        dsn,
        sentry::ClientOptions {
            release: sentry::release_name!(),
            environment: std::env::var("SENTRY_ENVIRONMENT").ok().map(Into::into),
            // Request bodies and headers may hold passwords and tokens: never send them.
            send_default_pii: false,
            ..Default::default()
        },
    ));
    let enabled = guard.is_enabled();
    ENABLED.store(enabled, Ordering::Relaxed);
    enabled.then_some(guard)
}

/// Whether server errors are being reported.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Reports a 5xx response, tagged with its request id so it can be found in the logs.
pub fn report_server_error(method: &str, route: &str, status: u16, request_id: &str) {
    sentry::with_scope(
        |scope| {
            scope.set_tag("request_id", request_id);
            scope.set_tag("route", route);
            scope.set_tag("status", status);
        },
        || {
            sentry::capture_message(
                &format!("{method} {route} answered {status}"),
                sentry::Level::Error,
            )
        },
    );
}
