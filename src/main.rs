//! The job-offers server: error tracking (when `SENTRY_DSN` is set), its logger, then the application;
//! the database pool is closed last, once every in-flight request has been answered.

use rocket_db_pools::Database;

#[rocket::main]
async fn main() -> Result<(), Box<rocket::Error>> {
    let _error_tracking = job_offers::ops::error_tracking::init_from_env();
    let figment = job_offers::figment();
    job_offers::ops::console::install(&figment);
    let stopped = job_offers::build(figment)
        .launch()
        .await
        .map_err(Box::new)?;
    if let Some(db) = job_offers::db::Db::fetch(&stopped) {
        db.pool().close().await;
    }
    Ok(())
}
