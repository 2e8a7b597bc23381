//! The Postgres pool (as a rocket_db_pools database) and the migrations run at start-up.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use rocket::fairing::{AdHoc, Fairing, Info, Kind};
use rocket::figment::Figment;
use rocket::request::{FromRequest, Outcome};
use rocket::{Request, Response};
use rocket_db_pools::Database;
use rocket_okapi::gen::OpenApiGenerator;
use rocket_okapi::request::{OpenApiFromRequest, RequestHeaderInput};
use serde::Deserialize;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Postgres};

use crate::auth::AuthError;
use crate::repo::RepoError;

/// The application's database, configured under `databases.offers` (or `DATABASE_URL`).
#[derive(Database)]
#[database("offers")]
pub struct Db(OffersPool);

/// Requests currently waiting for a connection (exported as `db_pool_waiters`).
static WAITING: AtomicI64 = AtomicI64::new(0);

pub fn waiting_for_connection() -> i64 {
    WAITING.load(Ordering::Relaxed)
}

impl Db {
    pub fn pool(&self) -> &sqlx::PgPool {
        &self.0.pool
    }

    /// Connections handed out by `acquire` since start (`db_pool_acquires_total`): per
    /// request, what each guard and handler took from the pool.
    pub fn acquires(&self) -> u64 {
        self.0.acquires.load(Ordering::Relaxed)
    }

    /// A connection for one request's queries, counted while it is awaited. Fails as
    /// unavailable after the pool's acquire timeout rather than queueing forever.
    pub async fn acquire(&self) -> Result<PoolConnection<Postgres>, RepoError> {
        self.0.acquires.fetch_add(1, Ordering::Relaxed);
        WAITING.fetch_add(1, Ordering::Relaxed);
        let connection = self.pool().acquire().await;
        WAITING.fetch_sub(1, Ordering::Relaxed);
        Ok(connection?)
    }
}

/// The connection a request's guard used, left for the rest of the request: the auth guard
/// checks the caller on it, then the handler's queries run on it too, so a request acquires
/// one connection from the pool, not one per guard. Never held across an await (a plain
/// mutex around a take or a put); emptied when the response is ready (`ParkedRelease`), so a
/// slow client reading the body holds no connection.
#[derive(Default)]
pub struct Parked(Mutex<Option<PoolConnection<Postgres>>>);

impl Parked {
    /// The request's slot.
    pub fn of<'r>(request: &'r Request<'_>) -> &'r Self {
        request.local_cache(Self::default)
    }

    /// The parked connection, or a new one from `db`.
    pub async fn take_or_acquire(&self, db: &Db) -> Result<PoolConnection<Postgres>, RepoError> {
        match self.take() {
            Some(connection) => Ok(connection),
            None => db.acquire().await,
        }
    }

    /// Leaves `connection` for whatever of the request needs the database next.
    pub fn park(&self, connection: PoolConnection<Postgres>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(connection);
    }

    fn take(&self) -> Option<PoolConnection<Postgres>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// Returns a parked connection that nothing took (a guard that failed, a handler without
/// `DbConn`) to the pool once the response is ready, before its body is sent.
pub struct ParkedRelease;

#[rocket::async_trait]
impl Fairing for ParkedRelease {
    fn info(&self) -> Info {
        Info {
            name: "Parked connection release",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, _: &mut Response<'r>) {
        drop(Parked::of(request).take());
    }
}

/// The request's database connection for a handler: the one its auth guard checked the
/// caller on (declare the guard first), else a new one. Back to the pool when the handler
/// ends.
pub struct DbConn(PoolConnection<Postgres>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for DbConn {
    type Error = AuthError;

    /// Fails as the auth guards do, so that the catchers answer a database outage the same
    /// way (503) whichever guard met it.
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let Some(db) = Db::fetch(request.rocket()) else {
            return AuthError::NotConfigured("the database").fail(request);
        };
        match Parked::of(request).take_or_acquire(db).await {
            Ok(connection) => Outcome::Success(Self(connection)),
            Err(error) => AuthError::Repo(error).fail(request),
        }
    }
}

impl Deref for DbConn {
    type Target = sqlx::PgConnection;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for DbConn {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<'r> OpenApiFromRequest<'r> for DbConn {
    fn from_request_input(
        _gen: &mut OpenApiGenerator,
        _name: String,
        _required: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        Ok(RequestHeaderInput::None)
    }
}

/// A sqlx pool built with our own options rather than rocket_db_pools' defaults: sqlx pings
/// every connection on acquire unless told not to, which costs a round trip per query, and
/// rocket_db_pools only allows whole-second acquire timeouts.
pub struct OffersPool {
    pool: sqlx::PgPool,
    acquires: AtomicU64,
}

#[derive(Debug, Deserialize)]
struct PoolConfig {
    url: String,
    #[serde(default = "default_max_connections")]
    max_connections: u32,
    #[serde(default)]
    min_connections: u32,
    /// Milliseconds a request may wait for a connection (free or newly opened) before it gets
    /// a 503; this bounds every request while the database is away.
    #[serde(default = "default_acquire_timeout_ms")]
    acquire_timeout_ms: u64,
    /// Seconds an idle connection is kept.
    idle_timeout: Option<u64>,
    /// Milliseconds any one statement may run before PostgreSQL cancels it (the request then
    /// gets a 503): a query that expensive would only starve the others.
    #[serde(default = "default_statement_timeout_ms")]
    statement_timeout_ms: u64,
    /// Kilobytes each sort or bitmap of a statement may use before spilling. PostgreSQL's 4 MB
    /// makes the bitmap of a broad board filter at 1 000 000 offers lossy (every offer on a
    /// lossy page is read and tested again): 16 MB kept q=python exact, 68 -> 46 ms.
    #[serde(default = "default_work_mem_kb")]
    work_mem_kb: u32,
}

fn default_work_mem_kb() -> u32 {
    16 * 1024
}

fn default_statement_timeout_ms() -> u64 {
    2_000
}

fn default_max_connections() -> u32 {
    10
}
fn default_acquire_timeout_ms() -> u64 {
    2_000
}

#[rocket::async_trait]
impl rocket_db_pools::Pool for OffersPool {
    type Connection = sqlx::pool::PoolConnection<sqlx::Postgres>;
    type Error = rocket_db_pools::Error<sqlx::Error>;

    async fn init(figment: &Figment) -> Result<Self, Self::Error> {
        let config: PoolConfig = figment.extract()?;
        let options = config
            .url
            .parse::<PgConnectOptions>()
            .map_err(rocket_db_pools::Error::Init)?
            .application_name("job-offers")
            // PostgreSQL's NOTICEs (e.g. "relation already exists, skipping" from the
            // migrations' bookkeeping) are for people at a psql prompt, not the server's log.
            .options([
                ("client_min_messages", "warning".to_owned()),
                ("statement_timeout", config.statement_timeout_ms.to_string()),
                ("work_mem", format!("{}kB", config.work_mem_kb)),
            ])
            .disable_statement_logging();
        PgPoolOptions::new()
            .max_connections(config.max_connections)
            .min_connections(config.min_connections)
            .acquire_timeout(Duration::from_millis(config.acquire_timeout_ms))
            .idle_timeout(config.idle_timeout.map(Duration::from_secs))
            // A connection killed under us fails one query and is then discarded by sqlx;
            // pinging before every acquire would double the round trips of every request.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map(|pool| Self {
                pool,
                acquires: AtomicU64::new(0),
            })
            .map_err(rocket_db_pools::Error::Init)
    }

    async fn get(&self) -> Result<Self::Connection, Self::Error> {
        self.pool
            .acquire()
            .await
            .map_err(rocket_db_pools::Error::Get)
    }

    /// Deliberately nothing: rocket_db_pools calls this as soon as shutdown begins, which
    /// would fail the requests still in their grace period (and stall the listener while the
    /// pool drains). `main` closes the pool after the server has stopped instead.
    async fn close(&self) {}
}

/// Applies pending migrations over a connection of its own without the statement timeout: a
/// migration may rightly take longer than any request.
async fn migrate(pool: &sqlx::PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    let options = (*pool.connect_options())
        .clone()
        .options([("statement_timeout", "0")]);
    let migrations = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    let migrated = sqlx::migrate!("./migrations").run(&migrations).await;
    migrations.close().await;
    migrated
}

/// Opens the pool, then applies pending migrations. sqlx takes a Postgres advisory lock while
/// migrating, so instances started together wait for each other instead of racing.
pub fn stage() -> AdHoc {
    AdHoc::on_ignite("Database", |rocket| async {
        rocket
            .attach(Db::init())
            .attach(ParkedRelease)
            .attach(AdHoc::try_on_ignite("Migrations", |rocket| async {
                let Some(db) = Db::fetch(&rocket) else {
                    return Err(rocket);
                };
                match migrate(db.pool()).await {
                    Ok(()) => Ok(rocket),
                    Err(error) => {
                        rocket::error!("Database migrations failed: {error}");
                        Err(rocket)
                    }
                }
            }))
    })
}
