//! Liveness and readiness probes: cheap, unauthenticated, left out of the access log.

use std::time::Duration;

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, routes, Route, State};
use serde::Serialize;

use crate::db::Db;

/// How long readiness waits for the database before answering 503.
const READY_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug, Serialize)]
pub struct Health {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'static str>,
}

/// 200 while the process serves requests.
#[get("/healthz")]
fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        message: None,
    })
}

/// Whether a database query succeeds within a second: readiness, for the probe and for
/// `/metrics` alike.
pub async fn database_ready(db: &Db) -> bool {
    let query = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(db.pool());
    matches!(
        rocket::tokio::time::timeout(READY_TIMEOUT, query).await,
        Ok(Ok(_))
    )
}

/// 200 when a database query succeeds within a second, else 503.
#[get("/readyz")]
async fn readyz(db: &State<Db>) -> (Status, Json<Health>) {
    match database_ready(db).await {
        true => (
            Status::Ok,
            Json(Health {
                status: "ready",
                message: None,
            }),
        ),
        false => (
            Status::ServiceUnavailable,
            Json(Health {
                status: "unavailable",
                message: Some("database unreachable"),
            }),
        ),
    }
}

pub fn routes() -> Vec<Route> {
    routes![healthz, readyz]
}

/// Paths whose requests are not worth an access log line (probes and scrapes).
pub const QUIET_PATHS: &[&str] = &["/healthz", "/readyz", "/metrics"];
