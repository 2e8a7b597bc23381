use std::net::SocketAddr;

use rocket::http::{ContentType, Status};
use serde_json::json;

use crate::helpers::{body_json, spawn_app_with, PASSWORD};

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
