//! The server's own logger, installed by the binary before Rocket's: Rocket's warnings and
//! errors in the access log's format (text or JSON lines), without Rocket's per-request notes
//! (route matching, catchers, guards that failed), which the access line already sums up as
//! one line with the status.

use std::io::Write;

use log::{Level, LevelFilter, Log, Metadata, Record};
use rocket::config::LogLevel;
use rocket::figment::Figment;
use serde::Serialize;

use super::LogFormat;

struct ServerLogger {
    format: LogFormat,
    level: LevelFilter,
}

#[derive(Serialize)]
struct LogLine<'a> {
    ts: String,
    level: &'a str,
    msg: String,
    target: &'a str,
}

/// Rocket marks the notes it writes about one request with a target ending in `::_` (the
/// lines it indents under the request). Its warnings there (a guard failed or forwarded, a
/// catcher answered, the client left) and "No matching routes" are the ordinary life of a web
/// server; its errors there (a handler panicked, a catcher failed) are kept.
fn is_request_note(record: &Record<'_>) -> bool {
    if !record.target().ends_with("::_") {
        return false;
    }
    record.level() >= Level::Warn
        || record
            .args()
            .as_str()
            .map_or_else(|| record.args().to_string(), str::to_owned)
            .starts_with("No matching routes")
}

impl Log for ServerLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) || is_request_note(record) {
            return;
        }
        // Rocket writes its launch messages as warnings so that they show at its quietest
        // level; they are news, not trouble.
        let level = if record.target().starts_with("rocket::launch") {
            "info".to_owned()
        } else {
            record.level().as_str().to_lowercase()
        };
        let line = LogLine {
            ts: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            level: &level,
            msg: record.args().to_string(),
            target: record.target(),
        };
        let text = match self.format {
            LogFormat::Json => serde_json::to_string(&line).unwrap_or_default(),
            LogFormat::Text => format!("{} {} {}", line.ts, line.level, line.msg.trim()),
        };
        // A failed log write must never fail the server.
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }

    fn flush(&self) {
        let _ = std::io::stdout().flush();
    }
}

/// Installs the logger at the level and in the format `figment` configures (`log_level`,
/// `log_format`). Rocket then keeps it instead of its own.
pub fn install(figment: &Figment) {
    let level = figment
        .extract_inner::<LogLevel>("log_level")
        .unwrap_or(LogLevel::Critical);
    let format = figment
        .extract_inner::<LogFormat>("log_format")
        .unwrap_or_default();
    let level = match level {
        LogLevel::Critical => LevelFilter::Warn,
        LogLevel::Normal => LevelFilter::Info,
        LogLevel::Debug => LevelFilter::Trace,
        LogLevel::Off => LevelFilter::Off,
    };
    if log::set_boxed_logger(Box::new(ServerLogger { format, level })).is_ok() {
        log::set_max_level(level);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noted(level: Level, target: &str, message: &str) -> bool {
        is_request_note(
            &Record::builder()
                .level(level)
                .target(target)
                .args(format_args!("{message}"))
                .build(),
        )
    }

    #[test]
    fn rocket_per_request_notes_are_left_to_the_access_line() {
        assert!(noted(
            Level::Warn,
            "rocket::server::_",
            "Responding with registered catcher."
        ));
        assert!(noted(
            Level::Warn,
            "job_offers::web::offers::_",
            "Request guard `PageUser` failed"
        ));
        assert!(noted(
            Level::Error,
            "rocket::server::_",
            "No matching routes for GET /nope."
        ));
    }

    #[test]
    fn real_problems_are_kept() {
        assert!(!noted(
            Level::Error,
            "rocket::server::_",
            "Handler view panicked."
        ));
        assert!(!noted(
            Level::Warn,
            "rocket::launch",
            "Rocket has launched from http://x"
        ));
        assert!(!noted(
            Level::Error,
            "job_offers::error",
            "GET / answered 500: …"
        ));
    }
}
