//! The test harness: a template database migrated once per run (shared between test processes
//! through a Postgres advisory lock), one fresh database per test cloned from it, and the app
//! built over that database with Rocket's local client.

use std::sync::OnceLock;

use job_offers::auth::token::{Claims, TokenKeys};
use rocket::figment::Figment;
use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::Value;
use sqlx::{Connection, Executor, PgConnection, PgPool};

/// The JWT secret of the test app, so tests can forge tokens the way an attacker with the key
/// would (e.g. expired ones) and check what the service issues.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";
pub const PASSWORD: &str = "correct horse battery";

/// The server the tests create databases on: `TEST_DATABASE_URL`, else `DATABASE_URL`.
fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .expect(
            "set DATABASE_URL to a PostgreSQL server the tests may create databases on \
             (scripts/test.sh starts a throwaway one)",
        )
}

fn url_for(database: &str) -> String {
    let server = server_url();
    let (base, _) = server.rsplit_once('/').expect("a postgres:// URL");
    // Keep query parameters (sslmode …) if the server URL has any.
    let query = server
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{base}/{database}{query}")
}

/// The template's name changes whenever a migration does, so a stale template is never used.
fn template_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let migrator = sqlx::migrate!("./migrations");
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for migration in migrator.iter() {
            for byte in migration.checksum.iter() {
                hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("job_offers_template_{hash:016x}")
    })
}

async fn ensure_template(admin: &mut PgConnection) {
    // Test processes run in parallel (nextest runs one per test): one builds, the rest wait.
    admin
        .execute("SELECT pg_advisory_lock(727274)")
        .await
        .unwrap();
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(template_name())
            .fetch_one(&mut *admin)
            .await
            .unwrap();
    if !exists {
        let building = format!("{}_building", template_name());
        admin
            .execute(format!(r#"DROP DATABASE IF EXISTS "{building}""#).as_str())
            .await
            .unwrap();
        admin
            .execute(format!(r#"CREATE DATABASE "{building}""#).as_str())
            .await
            .unwrap();
        let mut conn = PgConnection::connect(&url_for(&building)).await.unwrap();
        sqlx::migrate!("./migrations").run(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        admin
            .execute(
                format!(
                    r#"ALTER DATABASE "{building}" RENAME TO "{}""#,
                    template_name()
                )
                .as_str(),
            )
            .await
            .unwrap();
    }
    admin
        .execute("SELECT pg_advisory_unlock(727274)")
        .await
        .unwrap();
}

/// The server's maintenance database, where databases are created and dropped.
pub fn admin_url() -> String {
    url_for("postgres")
}

/// A fresh, migrated database of its own, dropped when this is dropped: at the end of the
/// test, whether it passed or panicked.
pub struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop cannot await, and the test's runtime may have a single thread busy running
        // this very drop: the statement runs on a thread of its own with its own runtime.
        // FORCE ends the connections the app and the test still hold (PostgreSQL 13+).
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            rocket::tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for dropping the database")
                .block_on(async {
                    let mut admin = PgConnection::connect(&admin_url()).await?;
                    admin
                        .execute(
                            format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str(),
                        )
                        .await?;
                    admin.close().await
                })
        })
        .join();
        let failure = match dropped {
            Ok(Ok(())) => return,
            Ok(Err(error)) => error.to_string(),
            Err(_) => "the dropping thread panicked".to_owned(),
        };
        let message = format!("the test database {} was not dropped: {failure}", self.name);
        // A second panic while unwinding would abort the test binary and hide the first.
        if std::thread::panicking() {
            eprintln!("{message}");
        } else {
            panic!("{message}");
        }
    }
}

pub async fn fresh_database() -> TestDatabase {
    let mut admin = PgConnection::connect(&admin_url()).await.unwrap();
    ensure_template(&mut admin).await;
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute(format!(r#"CREATE DATABASE "{name}" TEMPLATE "{}""#, template_name()).as_str())
        .await
        .unwrap();
    admin.close().await.unwrap();
    TestDatabase {
        url: url_for(&name),
        name,
    }
}

/// The configuration every test app starts from: the `test` profile over a fresh database.
pub fn test_figment(database_url: &str) -> Figment {
    job_offers::figment()
        .select("test")
        .merge(("databases.offers.url", database_url))
        .merge(("jwt_secret", TEST_JWT_SECRET))
        .merge((
            "log_level",
            std::env::var("TEST_LOG_LEVEL").unwrap_or_else(|_| "off".into()),
        ))
}

/// The app over its own database, and a pool on that database for checking what is stored.
pub struct TestApp {
    pub client: Client,
    pub db: PgPool,
    // Last, so that it is dropped after the client and the pool.
    database: TestDatabase,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|figment| figment).await
}

pub async fn spawn_app_with(customize: impl FnOnce(Figment) -> Figment) -> TestApp {
    let database = fresh_database().await;
    let rocket = job_offers::build(customize(test_figment(database.url())));
    let client = Client::tracked(rocket).await.expect("the app ignites");
    let db = PgPool::connect(database.url()).await.unwrap();
    TestApp {
        client,
        db,
        database,
    }
}

/// A registered user with a valid token.
pub struct TestUser {
    pub id: i64,
    pub token: String,
}

impl TestUser {
    pub fn auth(&self) -> Header<'static> {
        Header::new("Authorization", format!("JWT {}", self.token))
    }
}

pub fn keys() -> TokenKeys {
    TokenKeys::from_secret(
        TEST_JWT_SECRET.as_bytes(),
        std::time::Duration::from_secs(3600),
    )
}

/// A token for `claims`, signed with the app's key.
pub fn signed(claims: &Claims) -> String {
    keys().sign(claims)
}

pub async fn body_json(response: LocalResponse<'_>) -> Value {
    let text = response.into_string().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text:?}"))
}

impl TestApp {
    pub fn database(&self) -> &TestDatabase {
        &self.database
    }

    /// Sends `method` to `uri` as `user` (or anonymously) with an optional JSON body.
    pub async fn send<'u>(
        &self,
        method: Method,
        uri: &str,
        user: impl Into<Option<&'u TestUser>>,
        body: Option<&Value>,
    ) -> LocalResponse<'_> {
        let mut request = self.client.req(method, uri.to_owned());
        if let Some(user) = user.into() {
            request = request.header(user.auth());
        }
        if let Some(body) = body {
            request = request.header(ContentType::JSON).body(body.to_string());
        }
        request.dispatch().await
    }

    pub async fn get<'u>(
        &self,
        uri: &str,
        user: impl Into<Option<&'u TestUser>>,
    ) -> LocalResponse<'_> {
        self.send(Method::Get, uri, user, None).await
    }

    pub async fn post_json<'u>(
        &self,
        uri: &str,
        user: impl Into<Option<&'u TestUser>>,
        body: &Value,
    ) -> LocalResponse<'_> {
        self.send(Method::Post, uri, user, Some(body)).await
    }

    pub async fn put_json<'u>(
        &self,
        uri: &str,
        user: impl Into<Option<&'u TestUser>>,
        body: &Value,
    ) -> LocalResponse<'_> {
        self.send(Method::Put, uri, user, Some(body)).await
    }

    pub async fn delete<'u>(
        &self,
        uri: &str,
        user: impl Into<Option<&'u TestUser>>,
    ) -> LocalResponse<'_> {
        self.send(Method::Delete, uri, user, None).await
    }

    pub async fn register(&self, username: &str) -> i64 {
        let response = self
            .post_json(
                "/api/v1/users/register",
                None,
                &serde_json::json!({"username": username, "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), Status::Created);
        body_json(response).await["id"].as_i64().unwrap()
    }

    pub async fn login(&self, username: &str) -> String {
        let response = self
            .post_json(
                "/api/v1/users/login",
                None,
                &serde_json::json!({"username": username, "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), Status::Ok);
        body_json(response).await["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Registers and logs in `username`.
    pub async fn user(&self, username: &str) -> TestUser {
        let id = self.register(username).await;
        let token = self.login(username).await;
        TestUser { id, token }
    }

    /// Creates an offer for `user` and returns its JSON.
    pub async fn create_offer(&self, user: &TestUser, body: &Value) -> Value {
        let response = self
            .post_json(&format!("/api/v1/users/{}/offers/", user.id), user, body)
            .await;
        assert_eq!(response.status(), Status::Created);
        body_json(response).await
    }

    /// Publishes an offer for `user` through the API and returns its id.
    pub async fn publish(
        &self,
        user: &TestUser,
        title: &str,
        skills: &[&str],
        description: &str,
    ) -> i64 {
        let body =
            serde_json::json!({"title": title, "description": description, "skills_list": skills});
        self.create_offer(user, &body).await["id"].as_i64().unwrap()
    }

    pub async fn offer_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM offers")
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}

pub fn backend_offer() -> Value {
    serde_json::json!({
        "title": "Backend Engineer",
        "description": "Build a RESTful API",
        "skills_list": ["python", "flask", "DevOps"]
    })
}
