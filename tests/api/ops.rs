use rocket::http::{Header, Method, Status};
use serde_json::json;
use sqlx::{Connection, Executor, PgConnection};

use crate::helpers::{backend_offer, body_json, spawn_app, spawn_app_with};

#[rocket::async_test]
async fn healthz_answers_while_the_process_serves() {
    let app = spawn_app().await;
    let response = app.get("/healthz", None).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(body_json(response).await, json!({"status": "ok"}));
}

#[rocket::async_test]
async fn readyz_follows_the_database() {
    let app = spawn_app().await;
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status(), Status::Ok);
    assert_eq!(body_json(ready).await, json!({"status": "ready"}));

    // Take the database away: refuse new connections and cut the existing ones.
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let mut admin = PgConnection::connect(&crate::helpers::admin_url())
        .await
        .unwrap();
    admin
        .execute(format!(r#"ALTER DATABASE "{database}" ALLOW_CONNECTIONS false"#).as_str())
        .await
        .unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&database)
        .execute(&mut admin)
        .await
        .unwrap();

    let started = std::time::Instant::now();
    let unready = app.get("/readyz", None).await;
    assert_eq!(unready.status(), Status::ServiceUnavailable);
    assert_eq!(body_json(unready).await["status"], "unavailable");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert_eq!(app.get("/healthz", None).await.status(), Status::Ok);

    admin
        .execute(format!(r#"ALTER DATABASE "{database}" ALLOW_CONNECTIONS true"#).as_str())
        .await
        .unwrap();
    let mut recovered = false;
    for _ in 0..20 {
        if app.get("/readyz", None).await.status() == Status::Ok {
            recovered = true;
            break;
        }
        rocket::tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(recovered, "readyz must recover without a restart");
}

#[rocket::async_test]
async fn metrics_count_requests_by_route_template_and_show_the_pool() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let offer = app.create_offer(&user, &backend_offer()).await;
    let uri = format!("/api/v1/users/{}/offers/{}", user.id, offer["id"]);
    for _ in 0..3 {
        app.get(&uri, &user).await;
    }
    let response = app.get("/metrics", None).await;
    assert_eq!(response.status(), Status::Ok);
    assert!(response
        .content_type()
        .unwrap()
        .to_string()
        .starts_with("text/plain"));
    let text = response.into_string().await.unwrap();
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/api/v1/users/<user_id>/offers/<id>",status="200"} 3"#
        ),
        "{text}"
    );
    assert!(!text.contains(&uri), "raw paths must not become labels");
    for series in [
        "http_request_duration_seconds_bucket{",
        "db_pool_connections ",
        "db_pool_idle_connections ",
        "db_pool_max_connections 10",
        "db_pool_waiters 0",
        "job_offers_ready 1",
        "process_resident_memory_bytes ",
        "job_offers_build_info{",
    ] {
        assert!(text.contains(series), "missing {series}");
    }
}

/// The value of the one series named `series` (with its labels) in a scrape.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in {text}"))
        .parse()
        .unwrap()
}

#[rocket::async_test]
async fn metrics_show_the_hash_slots_and_count_throttled_requests_by_limit() {
    let app = spawn_app_with(|figment| {
        figment
            .merge(("searches_per_window", 1))
            .merge(("password_hash_concurrency", 3))
    })
    .await;
    let scrape = || async { app.get("/metrics", None).await.into_string().await.unwrap() };
    let search = r#"throttled_requests_total{limit="search"}"#;
    let before = scrape().await;
    assert_eq!(sample(&before, "password_hash_slots"), 3.0);
    assert_eq!(sample(&before, "password_hash_slots_in_use"), 0.0);
    sample(&before, "password_hash_busy_total");
    sample(&before, r#"throttled_requests_total{limit="login"}"#);
    assert_eq!(
        app.get("/api/v1/offers?q=rust", None).await.status(),
        Status::Ok
    );
    for _ in 0..2 {
        let refused = app.get("/api/v1/offers?q=rust", None).await;
        assert_eq!(refused.status(), Status::TooManyRequests);
    }
    let after = scrape().await;
    // The counters are the process's: other tests running alongside may add to them.
    assert!(
        sample(&after, search) >= sample(&before, search) + 2.0,
        "{after}"
    );
}

#[rocket::async_test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let generated = app.get("/healthz", None).await;
    let id = generated.headers().get_one("X-Request-Id").unwrap();
    assert_eq!(id.len(), 32);
    let echoed = app
        .client
        .get("/api/v1/nothing")
        .header(Header::new("X-Request-Id", "trace-42"))
        .dispatch()
        .await;
    assert_eq!(echoed.headers().get_one("X-Request-Id"), Some("trace-42"));
    let hostile = app
        .client
        .get("/healthz")
        .header(Header::new("X-Request-Id", "evil id with spaces"))
        .dispatch()
        .await;
    assert_ne!(
        hostile.headers().get_one("X-Request-Id"),
        Some("evil id with spaces")
    );
}

#[rocket::async_test]
async fn a_wrong_method_on_a_known_path_is_405_with_allow() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let response = app
        .send(
            Method::Patch,
            &format!("/api/v1/users/{}/offers/1", user.id),
            &user,
            None,
        )
        .await;
    assert_eq!(response.status(), Status::MethodNotAllowed);
    assert_eq!(
        response.headers().get_one("Allow"),
        Some("DELETE, GET, PUT")
    );
    assert_eq!(
        body_json(response).await,
        json!({"message": "Method not allowed"})
    );
    let login = app.get("/api/v1/users/login", None).await;
    assert_eq!(login.status(), Status::MethodNotAllowed);
    assert_eq!(login.headers().get_one("Allow"), Some("POST"));
}

#[rocket::async_test]
async fn responses_carry_no_server_banner() {
    let app = spawn_app().await;
    let response = app.get("/healthz", None).await;
    assert!(response.headers().get_one("Server").is_none());
}

#[rocket::async_test]
async fn the_release_profile_refuses_to_start_without_a_strong_jwt_secret() {
    let database = crate::helpers::fresh_database().await;
    let release = || {
        job_offers::figment()
            .select("release")
            .merge(("databases.offers.url", database.url()))
            .merge(("secret_key", "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk="))
            .merge(("log_level", "off"))
            .merge(("access_log", false))
    };
    for figment in [release(), release().merge(("jwt_secret", "too-short"))] {
        let error = job_offers::build(figment).ignite().await.unwrap_err();
        assert!(
            matches!(error.kind(), rocket::error::ErrorKind::FailedFairings(_)),
            "{error:?}"
        );
    }
    let strong = release().merge(("jwt_secret", "a-strong-secret-of-at-least-32-bytes!!"));
    assert!(job_offers::build(strong).ignite().await.is_ok());
}

#[rocket::async_test]
async fn release_sends_hsts_and_development_does_not() {
    let database = crate::helpers::fresh_database().await;
    let release = job_offers::figment()
        .select("release")
        .merge(("databases.offers.url", database.url()))
        .merge(("secret_key", "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk="))
        .merge(("jwt_secret", "a-strong-secret-of-at-least-32-bytes!!"))
        .merge(("log_level", "off"))
        .merge(("access_log", false));
    let client = rocket::local::asynchronous::Client::tracked(job_offers::build(release))
        .await
        .unwrap();
    for uri in ["/healthz", "/api/v1/offers", "/"] {
        let response = client.get(uri).dispatch().await;
        let hsts = response
            .headers()
            .get_one("Strict-Transport-Security")
            .unwrap_or_default();
        assert!(hsts.contains("max-age=31536000"), "{uri}: {hsts:?}");
        assert!(response.headers().get_one("Server").is_none());
    }
    let app = spawn_app().await;
    let response = app.get("/healthz", None).await;
    assert!(response
        .headers()
        .get_one("Strict-Transport-Security")
        .is_none());
}

#[rocket::async_test]
async fn an_authenticated_request_takes_one_connection_from_the_pool() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let offer = app.create_offer(&user, &backend_offer()).await;
    let (user_id, id) = (user.id, offer["id"].as_i64().unwrap());
    let acquires = || async {
        let text = app.get("/metrics", None).await.into_string().await.unwrap();
        sample(&text, "db_pool_acquires_total")
    };
    let before = acquires().await;
    // The guard checks the token on the connection the handler then queries on.
    let read = app
        .get(&format!("/api/v1/users/{user_id}/offers/{id}"), &user)
        .await;
    assert_eq!(read.status(), Status::Ok);
    let listed = app
        .get(&format!("/api/v1/users/{user_id}/offers/"), &user)
        .await;
    assert_eq!(listed.status(), Status::Ok);
    let edited = app
        .put_json(
            &format!("/api/v1/users/{user_id}/offers/{id}"),
            &user,
            &json!({"title": "Edited"}),
        )
        .await;
    assert_eq!(edited.status(), Status::Ok);
    let created = app
        .post_json(
            &format!("/api/v1/users/{user_id}/offers/"),
            &user,
            &backend_offer(),
        )
        .await;
    assert_eq!(created.status(), Status::Created);
    assert_eq!(acquires().await - before, 4.0);

    // The pages: the session is looked up on the connection the page then reads with.
    let visitor = app.visitor().signed_in("user").await;
    let before = acquires().await;
    visitor.get_page("/offers", Status::Ok).await;
    visitor
        .get_page(&format!("/offers/{id}/edit"), Status::Ok)
        .await;
    assert_eq!(acquires().await - before, 2.0);

    // A token whose user is gone still stops at once, and its connection goes back.
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user_id)
        .execute(&app.db)
        .await
        .unwrap();
    let gone = app
        .get(&format!("/api/v1/users/{user_id}/offers/{id}"), &user)
        .await;
    assert_eq!(gone.status(), Status::Unauthorized);
    // sqlx hands a dropped connection back to the pool on a task of its own: soon, not at once.
    let mut in_use = f64::NAN;
    for _ in 0..50 {
        let text = app.get("/metrics", None).await.into_string().await.unwrap();
        in_use = sample(&text, "db_pool_connections") - sample(&text, "db_pool_idle_connections");
        if in_use == 0.0 {
            break;
        }
        rocket::tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(in_use, 0.0, "a connection was kept after its request");
}
