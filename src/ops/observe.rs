//! One observer per request: assigns the request id, records metrics, writes the access log
//! line, and reports server errors to error tracking.

use std::io::Write;
use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Data, Request, Response};
use serde::Serialize;

use super::health::QUIET_PATHS;
use super::metrics::RequestMetrics;
use super::LogFormat;

/// The header carrying the request id, accepted from the client or generated.
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";

/// The request's id and arrival time, cached on the request.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub id: String,
    started: Instant,
}

impl RequestContext {
    fn new(request: &Request<'_>) -> Self {
        let id = request
            .headers()
            .get_one(REQUEST_ID_HEADER)
            .filter(|id| is_acceptable_id(id))
            .map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), str::to_owned);
        Self {
            id,
            started: Instant::now(),
        }
    }

    /// The context of `request` (created on first use, e.g. by a catcher).
    pub fn of<'r>(request: &'r Request<'_>) -> &'r Self {
        request.local_cache(|| Self::new(request))
    }
}

/// A client-supplied id is kept only when it cannot forge log lines or bloat them.
fn is_acceptable_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

pub struct Observer {
    pub metrics: RequestMetrics,
    pub log_format: LogFormat,
    pub access_log: bool,
    pub report_errors: bool,
}

#[derive(Serialize)]
struct AccessLine<'a> {
    ts: String,
    level: &'static str,
    msg: &'static str,
    request_id: &'a str,
    method: &'a str,
    route: &'a str,
    path: &'a str,
    status: u16,
    latency_ms: f64,
}

#[rocket::async_trait]
impl Fairing for Observer {
    fn info(&self) -> Info {
        Info {
            name: "Request observer",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, request: &mut Request<'_>, _: &mut Data<'_>) {
        RequestContext::of(request);
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let context = RequestContext::of(request);
        let elapsed = context.started.elapsed();
        response.set_header(Header::new(REQUEST_ID_HEADER, context.id.clone()));

        // Label by route template, never the raw path, so ids don't explode the series.
        let route = request
            .route()
            .map_or("unmatched", |route| route.uri.as_str());
        let method = request.method().as_str();
        let status = response.status().code;
        let status_label = status_label(status);
        let labels = [method, route, status_label.as_str()];
        self.metrics.total.with_label_values(&labels).inc();
        self.metrics
            .duration
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());

        let path = request.uri().path().as_str();
        if self.report_errors && status >= 500 {
            super::error_tracking::report_server_error(method, route, status, &context.id);
        }
        if self.access_log && !QUIET_PATHS.contains(&path) {
            let line = AccessLine {
                ts: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                level: if status >= 500 { "error" } else { "info" },
                msg: "request",
                request_id: &context.id,
                method,
                route,
                // The path only: query strings may carry search terms or tokens.
                path,
                status,
                latency_ms: (elapsed.as_secs_f64() * 1e6).round() / 1e3,
            };
            write_line(self.log_format, &line);
        }
    }
}

fn status_label(status: u16) -> String {
    status.to_string()
}

fn write_line(format: LogFormat, line: &AccessLine<'_>) {
    let text = match format {
        LogFormat::Json => serde_json::to_string(line).unwrap_or_default(),
        LogFormat::Text => format!(
            "{} {} {} {} {} {:.3}ms request_id={}",
            line.ts,
            line.level,
            line.method,
            line.path,
            line.status,
            line.latency_ms,
            line.request_id
        ),
    };
    // A failed log write must never fail the request.
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_request_ids_are_kept_only_when_harmless() {
        assert!(is_acceptable_id("abc-123_x.y:z"));
        assert!(!is_acceptable_id(""));
        assert!(!is_acceptable_id("a b"));
        assert!(!is_acceptable_id("line\nbreak"));
        assert!(!is_acceptable_id(&"x".repeat(129)));
    }
}
