//! The job-offers server: error tracking (when `SENTRY_DSN` is set), then the application.

#[rocket::main]
async fn main() -> Result<(), Box<rocket::Error>> {
    let _error_tracking = job_offers::ops::error_tracking::init_from_env();
    job_offers::rocket().launch().await.map_err(Box::new)?;
    Ok(())
}
