//! Prometheus metrics at `/metrics`: requests by route template, method and status; latency
//! histograms; the database pool; the process; build information.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use rocket::http::{ContentType, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{get, routes, Route, State};

use crate::auth::guard::bearer_token;
use crate::auth::password::PasswordHasher;
use crate::auth::session::tokens_match;
use crate::auth::throttle::Throttle;
use crate::db::{self, Db};

/// Who may read `/metrics`: with a `metrics_token`, only requests bearing it
/// (`Authorization: Bearer <token>`); without one, everyone in the development profiles and
/// nobody elsewhere. Metrics describe the service's insides (routes, pool, process): they are
/// for the scraper, not the public.
#[derive(Debug, Clone)]
pub struct MetricsAccess {
    pub token: Option<String>,
    pub open_without_token: bool,
}

/// A request allowed to read the metrics; anyone else gets the 404 of an unknown page.
pub struct MetricsReader;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for MetricsReader {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let Some(access) = request.rocket().state::<MetricsAccess>() else {
            return Outcome::Forward(Status::NotFound);
        };
        let allowed = match &access.token {
            Some(expected) => bearer_token(request.headers().get_one("Authorization"))
                .is_ok_and(|sent| tokens_match(sent, expected)),
            None => access.open_without_token,
        };
        if allowed {
            Outcome::Success(Self)
        } else {
            Outcome::Forward(Status::NotFound)
        }
    }
}

/// The per-request series, shared with the observer fairing.
#[derive(Clone)]
pub struct RequestMetrics {
    pub total: IntCounterVec,
    pub duration: HistogramVec,
}

/// The registry and the gauges refreshed at each scrape.
pub struct Metrics {
    registry: Registry,
    pub requests: RequestMetrics,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
    pool_waiters: IntGauge,
    pool_acquires: IntCounter,
    ready: IntGauge,
    hash_slots: IntGauge,
    hash_slots_in_use: IntGauge,
    hash_busy: IntCounter,
    throttled: IntCounterVec,
    /// Held while a scrape brings the counters up to date, so that two scrapes at once do
    /// not both add the same difference.
    scraping: std::sync::Mutex<()>,
}

/// Brings `counter` up to `total`, a count kept elsewhere since start.
fn catch_up(counter: &IntCounter, total: u64) {
    counter.inc_by(total.saturating_sub(counter.get()));
}

impl Metrics {
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let labels = &["method", "route", "status"];
        let total = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests served."),
            labels,
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from request received to response ready.",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            labels,
        )?;
        let pool_connections = IntGauge::new(
            "db_pool_connections",
            "Open database connections (idle and in use).",
        )?;
        let pool_idle = IntGauge::new("db_pool_idle_connections", "Idle database connections.")?;
        let pool_max = IntGauge::new(
            "db_pool_max_connections",
            "The most connections the pool will open.",
        )?;
        let pool_waiters = IntGauge::new(
            "db_pool_waiters",
            "Requests waiting for a database connection.",
        )?;
        let pool_acquires = IntCounter::new(
            "db_pool_acquires_total",
            "Connections taken from the pool (one per request that uses the database).",
        )?;
        let ready = IntGauge::new(
            "job_offers_ready",
            "1 when the database answers within a second (what /readyz checks), else 0.",
        )?;
        let hash_slots = IntGauge::new(
            "password_hash_slots",
            "Password hashes that may run at once (password_hash_concurrency).",
        )?;
        let hash_slots_in_use =
            IntGauge::new("password_hash_slots_in_use", "Password hashes running now.")?;
        let hash_busy = IntCounter::new(
            "password_hash_busy_total",
            "Sign-ins and registrations refused with 503 because no hash slot freed up in time.",
        )?;
        let throttled = IntCounterVec::new(
            Opts::new(
                "throttled_requests_total",
                "Requests refused with 429 by an attempt limit.",
            ),
            &["limit"],
        )?;
        for limit in Throttle::ALL {
            throttled.with_label_values(&[limit.name()]);
        }
        let build_info = IntGaugeVec::new(
            Opts::new("job_offers_build_info", "The running build; always 1."),
            &["version", "profile"],
        )?;
        build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION"), build_profile()])
            .set(1);
        registry.register(Box::new(total.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        registry.register(Box::new(pool_connections.clone()))?;
        registry.register(Box::new(pool_idle.clone()))?;
        registry.register(Box::new(pool_max.clone()))?;
        registry.register(Box::new(pool_waiters.clone()))?;
        registry.register(Box::new(pool_acquires.clone()))?;
        registry.register(Box::new(ready.clone()))?;
        registry.register(Box::new(hash_slots.clone()))?;
        registry.register(Box::new(hash_slots_in_use.clone()))?;
        registry.register(Box::new(hash_busy.clone()))?;
        registry.register(Box::new(throttled.clone()))?;
        registry.register(Box::new(build_info))?;
        #[cfg(target_os = "linux")]
        registry.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;
        Ok(Self {
            registry,
            requests: RequestMetrics { total, duration },
            pool_connections,
            pool_idle,
            pool_max,
            pool_waiters,
            pool_acquires,
            ready,
            hash_slots,
            hash_slots_in_use,
            hash_busy,
            throttled,
            scraping: std::sync::Mutex::new(()),
        })
    }

    /// The text exposition of every series, with the pool's and the hasher's gauges read now,
    /// and readiness as just checked.
    pub async fn render(&self, db: &Db, hasher: &PasswordHasher) -> String {
        self.read_gauges(db, hasher);
        // After the pool's gauges, so that they do not count the check's own connection.
        let ready = super::health::database_ready(db).await;
        self.ready.set(i64::from(ready));
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .expect("the text encoder writes to memory");
        String::from_utf8(buffer).expect("the exposition format is UTF-8")
    }

    fn read_gauges(&self, db: &Db, hasher: &PasswordHasher) {
        let _scraping = self.scraping.lock().unwrap_or_else(|e| e.into_inner());
        let pool = db.pool();
        self.pool_connections.set(i64::from(pool.size()));
        self.pool_idle.set(pool.num_idle() as i64);
        self.pool_max
            .set(i64::from(pool.options().get_max_connections()));
        self.pool_waiters.set(db::waiting_for_connection());
        catch_up(&self.pool_acquires, db.acquires());
        self.hash_slots.set(hasher.capacity() as i64);
        self.hash_slots_in_use.set(hasher.slots_in_use() as i64);
        catch_up(&self.hash_busy, PasswordHasher::busy_refusals());
        for limit in Throttle::ALL {
            catch_up(
                &self.throttled.with_label_values(&[limit.name()]),
                limit.refusals(),
            );
        }
    }
}

fn build_profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

/// The Prometheus exposition (text format 0.0.4).
#[get("/metrics")]
async fn metrics(
    _reader: MetricsReader,
    metrics: &State<Metrics>,
    db: &State<Db>,
    hasher: &State<PasswordHasher>,
) -> (ContentType, String) {
    let content_type =
        ContentType::new("text", "plain").with_params([("version", "0.0.4"), ("charset", "utf-8")]);
    (content_type, metrics.render(db, hasher).await)
}

pub fn routes() -> Vec<Route> {
    routes![metrics]
}
