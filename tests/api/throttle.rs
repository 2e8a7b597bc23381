use std::net::SocketAddr;
use std::time::{Duration, Instant};

use job_offers::auth::throttle::AbuseLimits;
use rocket::http::{ContentType, Status};
use rocket::tokio::join;
use rocket::tokio::sync::OwnedSemaphorePermit;
use rocket::tokio::time::sleep;
use serde_json::json;

use crate::helpers::{body_json, spawn_app_with, TestApp, PASSWORD};

fn client(n: u8) -> SocketAddr {
    SocketAddr::from(([10, 0, 0, n], 40_000))
}

#[rocket::async_test]
async fn repeated_failed_logins_from_one_client_are_throttled_without_locking_out_others() {
    let app = spawn_app_with(|figment| figment.merge(("login_max_failures", 3))).await;
    app.register("alice").await;
    let login = |password: &'static str, from: SocketAddr| {
        app.client
            .post("/api/v1/users/login")
            .remote(from)
            .header(ContentType::JSON)
            .body(json!({"username": "alice", "password": password}).to_string())
            .dispatch()
    };
    for _ in 0..3 {
        assert_eq!(
            login("wrong password", client(1)).await.status(),
            Status::BadRequest
        );
    }
    // The attacker's client is now held off, even with the right password...
    let throttled = login(PASSWORD, client(1)).await;
    assert_eq!(throttled.status(), Status::TooManyRequests);
    let retry_after: u64 = throttled
        .headers()
        .get_one("Retry-After")
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=300).contains(&retry_after), "{retry_after}");
    assert_eq!(
        body_json(throttled).await,
        json!({"message": "Too many attempts, try again later"})
    );
    // ...while the real user, from their own client, signs in.
    assert_eq!(login(PASSWORD, client(2)).await.status(), Status::Ok);
}

#[rocket::async_test]
async fn a_successful_login_clears_the_failures_of_its_client() {
    let app = spawn_app_with(|figment| figment.merge(("login_max_failures", 2))).await;
    app.register("alice").await;
    let login = |password: &'static str| {
        app.client
            .post("/api/v1/users/login")
            .remote(client(1))
            .header(ContentType::JSON)
            .body(json!({"username": "alice", "password": password}).to_string())
            .dispatch()
    };
    assert_eq!(login("typo password").await.status(), Status::BadRequest);
    assert_eq!(login(PASSWORD).await.status(), Status::Ok);
    assert_eq!(login("typo password").await.status(), Status::BadRequest);
    assert_eq!(login(PASSWORD).await.status(), Status::Ok);
}

#[rocket::async_test]
async fn registration_floods_from_one_client_are_throttled() {
    let app = spawn_app_with(|figment| figment.merge(("registrations_per_window", 2))).await;
    let register = |username: &str, from: SocketAddr| {
        app.client
            .post("/api/v1/users/register")
            .remote(from)
            .header(ContentType::JSON)
            .body(json!({"username": username, "password": PASSWORD}).to_string())
            .dispatch()
    };
    assert_eq!(register("user1", client(1)).await.status(), Status::Created);
    assert_eq!(register("user2", client(1)).await.status(), Status::Created);
    let flooded = register("user3", client(1)).await;
    assert_eq!(flooded.status(), Status::TooManyRequests);
    assert!(flooded.headers().get_one("Retry-After").is_some());
    assert_eq!(register("user4", client(2)).await.status(), Status::Created);
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(users, 3);
}

#[rocket::async_test]
async fn the_sign_in_page_shares_the_api_limits() {
    let app = spawn_app_with(|figment| figment.merge(("login_max_failures", 2))).await;
    app.register("alice").await;
    let visitor = app.visitor();
    for _ in 0..2 {
        let response = visitor
            .submit(
                "/login",
                "/login",
                &[("username", "alice"), ("password", "wrong password")],
            )
            .await;
        assert_ne!(response.status(), Status::SeeOther);
    }
    let response = visitor.sign_in("alice").await;
    assert_eq!(response.status(), Status::TooManyRequests);
}

/// Holds every search slot of `app` (one, with `search_concurrency = 1`) until dropped.
async fn hold_the_search_slot(app: &TestApp) -> OwnedSemaphorePermit {
    let limits = app
        .client
        .rocket()
        .state::<AbuseLimits>()
        .expect("the attempt limits are managed");
    limits
        .search_slots
        .clone()
        .acquire_owned()
        .await
        .expect("the semaphore is open")
}

#[rocket::async_test]
async fn a_board_query_that_reads_its_matches_waits_for_a_search_slot_then_gets_503() {
    let app = spawn_app_with(|figment| {
        figment
            .merge(("search_concurrency", 1))
            .merge(("search_wait_secs", 1))
    })
    .await;
    let held = hold_the_search_slot(&app).await;

    // With the only slot taken, a filter that reads its matches waits its second, then is
    // told to come back, on the API and on the board page alike...
    for path in [
        "/api/v1/offers?country=DE",
        "/api/v1/offers?q=python",
        "/api/v1/offers?workplace=remote&posted_within=7",
        "/?employment_type=PART_TIME,INTERN",
    ] {
        let started = Instant::now();
        let refused = app.client.get(path).dispatch().await;
        assert_eq!(refused.status(), Status::ServiceUnavailable, "{path}");
        assert_eq!(
            refused.headers().get_one("Retry-After"),
            Some("1"),
            "{path}"
        );
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "{path} did not wait"
        );
    }
    let refused = app
        .client
        .get("/api/v1/offers?skills=rust")
        .dispatch()
        .await;
    assert_eq!(
        body_json(refused).await,
        json!({"message": "Service temporarily unavailable, try again shortly"})
    );

    // ...while the newest page and one ordered filter alone skip the line.
    for path in [
        "/api/v1/offers",
        "/api/v1/offers?workplace=remote",
        "/api/v1/offers?salary_min=50000&currency=EUR",
        "/api/v1/offers?posted_within=7",
        "/api/v1/offers?employment_type=PART_TIME",
        "/",
    ] {
        let response = app.client.get(path).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "{path}");
    }

    // A slot freed while a query waits is that query's: it is answered, after the release.
    let waiting = async {
        let response = app.client.get("/api/v1/offers?country=DE").dispatch().await;
        (response.status(), Instant::now())
    };
    let release = async {
        sleep(Duration::from_millis(300)).await;
        drop(held);
        Instant::now()
    };
    let ((status, answered_at), released_at) = join!(waiting, release);
    assert_eq!(status, Status::Ok);
    assert!(
        answered_at >= released_at,
        "answered before the slot was free"
    );
}
