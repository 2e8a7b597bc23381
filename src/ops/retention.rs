//! The retention job: every `application_retention_sweep` each replica tries to erase the
//! personal data of applications past their retention (`repo::retention`); the advisory lock
//! lets one of them do it at a time, the others skip that round.

use std::time::Duration;

use rocket::fairing::AdHoc;
use rocket_db_pools::Database;
use sqlx::PgPool;

use crate::config::AppConfig;
use crate::db::Db;
use crate::repo::retention::{self, Sweep, RETENTION_BATCH};

/// Starts the retention job once the server is up.
pub fn stage() -> AdHoc {
    AdHoc::on_liftoff("Application retention", |rocket| {
        Box::pin(async move {
            let (Some(db), Some(config)) = (Db::fetch(rocket), rocket.state::<AppConfig>()) else {
                rocket::warn!("the retention job needs the database and the configuration");
                return;
            };
            rocket::tokio::spawn(sweep_forever(
                db.pool().clone(),
                config.application_retention_days,
                config.application_retention_sweep,
            ));
        })
    })
}

/// Runs a sweep every `every` (the first at once, so that a restart does not delay it), for as
/// long as the server runs.
async fn sweep_forever(db: PgPool, retention_days: u32, every: Duration) {
    let mut ticks = rocket::tokio::time::interval(every);
    ticks.set_missed_tick_behavior(rocket::tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        sweep(&db, retention_days).await;
    }
}

/// Erases batch after batch until one is short, another instance holds the lock, or the
/// database fails (logged; the next round tries again).
async fn sweep(db: &PgPool, retention_days: u32) {
    loop {
        let outcome = match db.acquire().await {
            Ok(mut connection) => {
                retention::erase_due(&mut connection, retention_days, RETENTION_BATCH).await
            }
            Err(error) => Err(error.into()),
        };
        match outcome {
            Ok(Sweep::Erased(erased)) if erased == RETENTION_BATCH as u64 => continue,
            Ok(Sweep::Erased(_) | Sweep::Skipped) => break,
            Err(error) => {
                rocket::warn!("erasing applications past their retention failed: {error}");
                break;
            }
        }
    }
}
