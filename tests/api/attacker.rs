//! An attacker's tries, each against the limit that stops it: forged client addresses, two
//! replicas, sprayed usernames, one account guessed from many clients, impossible usernames,
//! expensive searches and offer floods.

use std::net::SocketAddr;

use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket_db_pools::Database;
use serde_json::{json, Value};

use crate::helpers::{body_json, fresh_database, spawn_app_with, test_figment, TestApp, PASSWORD};

fn from(last: u8) -> SocketAddr {
    SocketAddr::from(([10, 0, 0, last], 40_000))
}

/// A login as `username` with `password` from `peer`, with extra headers.
async fn login<'c>(
    client: &'c Client,
    peer: SocketAddr,
    username: &str,
    password: &str,
    headers: &[(&'static str, String)],
) -> LocalResponse<'c> {
    let mut request = client
        .post("/api/v1/users/login")
        .remote(peer)
        .header(ContentType::JSON)
        .body(json!({"username": username, "password": password}).to_string());
    for (name, value) in headers {
        request = request.header(Header::new(*name, value.clone()));
    }
    request.dispatch().await
}

fn retry_after(response: &LocalResponse<'_>) -> u64 {
    response
        .headers()
        .get_one("Retry-After")
        .expect("a Retry-After header")
        .parse()
        .unwrap()
}

async fn limit_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM attempt_limits")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[rocket::async_test]
async fn a_forged_client_address_header_does_not_escape_the_sign_in_limit() {
    let app = spawn_app_with(|figment| figment.merge(("login_max_failures", 3))).await;
    app.register("alice").await;
    for n in 0..3u8 {
        let forged = [
            ("X-Real-IP", format!("198.51.100.{n}")),
            ("X-Forwarded-For", format!("203.0.113.{n}")),
        ];
        let response = login(&app.client, from(9), "alice", "wrong password", &forged).await;
        assert_eq!(response.status(), Status::BadRequest);
    }
    let forged = [("X-Real-IP", "198.51.100.200".to_owned())];
    let held_off = login(&app.client, from(9), "alice", "wrong password", &forged).await;
    assert_eq!(held_off.status(), Status::TooManyRequests);
}

#[rocket::async_test]
async fn naming_a_victims_address_does_not_lock_the_victim_out() {
    let app = spawn_app_with(|figment| figment.merge(("login_max_failures", 2))).await;
    app.register("alice").await;
    let victim = from(1);
    let claims_victim = [("X-Real-IP", victim.ip().to_string())];
    for _ in 0..3 {
        login(
            &app.client,
            from(66),
            "alice",
            "wrong password",
            &claims_victim,
        )
        .await;
    }
    let response = login(&app.client, victim, "alice", PASSWORD, &[]).await;
    assert_eq!(response.status(), Status::Ok);
}

#[rocket::async_test]
async fn registrations_with_forged_addresses_are_still_one_client() {
    let app = spawn_app_with(|figment| figment.merge(("registrations_per_window", 2))).await;
    let mut statuses = Vec::new();
    for n in 0..4u8 {
        let response = app
            .client
            .post("/api/v1/users/register")
            .remote(from(9))
            .header(ContentType::JSON)
            .header(Header::new("X-Real-IP", format!("198.51.100.{n}")))
            .body(json!({"username": format!("user{n}"), "password": PASSWORD}).to_string())
            .dispatch()
            .await;
        statuses.push(response.status().code);
    }
    assert_eq!(statuses, [201, 201, 429, 429]);
}

#[rocket::async_test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let app = spawn_app_with(|figment| {
        figment
            .merge(("login_max_failures", 2))
            .merge(("trusted_proxies", "10.0.0.1"))
    })
    .await;
    app.register("alice").await;
    let proxy = from(1);
    let client_a = [("X-Forwarded-For", "6.6.6.6, 198.51.100.7".to_owned())];
    for _ in 0..2 {
        login(&app.client, proxy, "alice", "wrong password", &client_a).await;
    }
    let held_off = login(&app.client, proxy, "alice", PASSWORD, &client_a).await;
    assert_eq!(held_off.status(), Status::TooManyRequests);
    // The left-most entry is the attacker's own invention: only the hop the proxy added counts.
    let client_b = [("X-Forwarded-For", "198.51.100.7, 198.51.100.8".to_owned())];
    let other = login(&app.client, proxy, "alice", PASSWORD, &client_b).await;
    assert_eq!(other.status(), Status::Ok);
}

#[rocket::async_test]
async fn two_instances_on_one_database_enforce_one_limit() {
    let database = fresh_database().await;
    let instance = || async {
        let figment = test_figment(database.url()).merge(("login_max_failures", 4));
        Client::tracked(job_offers::build(figment)).await.unwrap()
    };
    let (first, second) = (instance().await, instance().await);
    let registered = first
        .post("/api/v1/users/register")
        .header(ContentType::JSON)
        .body(json!({"username": "alice", "password": PASSWORD}).to_string())
        .dispatch()
        .await;
    assert_eq!(registered.status(), Status::Created);
    for instance in [&first, &second, &first, &second] {
        let response = login(instance, from(9), "alice", "wrong password", &[]).await;
        assert_eq!(response.status(), Status::BadRequest);
    }
    for instance in [&first, &second] {
        let response = login(instance, from(9), "alice", PASSWORD, &[]).await;
        assert_eq!(response.status(), Status::TooManyRequests);
    }
}

#[rocket::async_test]
async fn spraying_guesses_over_many_usernames_exhausts_the_clients_budget() {
    let app = spawn_app_with(|figment| figment.merge(("login_client_max_failures", 5))).await;
    app.register("alice").await;
    for n in 0..5 {
        let response = login(
            &app.client,
            from(9),
            &format!("user{n}"),
            "guess-guess",
            &[],
        )
        .await;
        assert_eq!(response.status(), Status::BadRequest);
    }
    let held_off = login(&app.client, from(9), "alice", PASSWORD, &[]).await;
    assert_eq!(held_off.status(), Status::TooManyRequests);
    assert!((1..=300).contains(&retry_after(&held_off)));
    // A success of its own would not have reset it either; another client is unaffected.
    assert_eq!(
        login(&app.client, from(2), "alice", PASSWORD, &[])
            .await
            .status(),
        Status::Ok
    );
}

#[rocket::async_test]
async fn one_account_guessed_from_many_clients_makes_each_further_attempt_wait() {
    let app = spawn_app_with(|figment| figment.merge(("login_user_free_failures", 3))).await;
    app.register("alice").await;
    for n in 1..=3 {
        let response = login(&app.client, from(n), "alice", "wrong password", &[]).await;
        assert_eq!(response.status(), Status::BadRequest);
    }
    // Past the free failures, each attempt waits after the last failure: 1 s, then 2 s …
    let waiting = login(&app.client, from(4), "alice", PASSWORD, &[]).await;
    assert_eq!(waiting.status(), Status::TooManyRequests);
    assert_eq!(retry_after(&waiting), 1);
    let pause = |millis| rocket::tokio::time::sleep(std::time::Duration::from_millis(millis));
    pause(1_100).await;
    let another = login(&app.client, from(5), "ALICE", "wrong password", &[]).await;
    assert_eq!(another.status(), Status::BadRequest);
    let waiting = login(&app.client, from(6), "alice", PASSWORD, &[]).await;
    assert_eq!(waiting.status(), Status::TooManyRequests);
    assert!((1..=2).contains(&retry_after(&waiting)));
    // Slowed, never locked out: after the delay the owner signs in, which clears the delays.
    pause(2_100).await;
    assert_eq!(
        login(&app.client, from(6), "alice", PASSWORD, &[])
            .await
            .status(),
        Status::Ok
    );
    assert_eq!(
        login(&app.client, from(7), "alice", "wrong password", &[])
            .await
            .status(),
        Status::BadRequest
    );
}

#[rocket::async_test]
async fn impossible_usernames_are_refused_at_once_and_leave_no_trace() {
    let app = spawn_app_with(|figment| figment.merge(("login_client_max_failures", 3))).await;
    let long = "x".repeat(20_000);
    for name in [long.as_str(), "no spaces allowed", "ab", "lİvİİuxmxv"] {
        for _ in 0..5 {
            let response = login(&app.client, from(9), name, "a password", &[]).await;
            assert_eq!(
                response.status(),
                Status::BadRequest,
                "{}",
                &name[..10.min(name.len())]
            );
            assert_eq!(
                body_json(response).await,
                json!({"message": "Invalid username/password"})
            );
        }
    }
    assert_eq!(limit_rows(&app).await, 0, "no attempt was counted or kept");
}

#[rocket::async_test]
async fn a_dotted_capital_i_is_not_another_spelling_of_an_account() {
    let app = spawn_app_with(|figment| figment).await;
    app.register("liviiuxmxv").await;
    // PostgreSQL's lower() turns İ into i; no username can hold it, so it signs in as nobody.
    let response = login(&app.client, from(9), "lİvİİuxmxv", PASSWORD, &[]).await;
    assert_eq!(response.status(), Status::BadRequest);
    let response = login(&app.client, from(9), "LIVIIUXMXV", PASSWORD, &[]).await;
    assert_eq!(response.status(), Status::Ok);
}

async fn board<'a>(app: &'a TestApp, uri: &str, peer: SocketAddr) -> LocalResponse<'a> {
    app.client.get(uri.to_owned()).remote(peer).dispatch().await
}

#[rocket::async_test]
async fn searches_are_limited_per_client_on_the_api_and_the_board_page() {
    let app = spawn_app_with(|figment| figment.merge(("searches_per_window", 3))).await;
    for uri in [
        "/api/v1/offers?q=rust",
        "/api/v1/offers?skills=go",
        "/?q=python",
    ] {
        assert_eq!(
            board(&app, uri, from(9)).await.status(),
            Status::Ok,
            "{uri}"
        );
    }
    let held_off = board(&app, "/api/v1/offers?q=rust", from(9)).await;
    assert_eq!(held_off.status(), Status::TooManyRequests);
    assert!((1..=60).contains(&retry_after(&held_off)));
    let page = board(&app, "/?q=rust", from(9)).await;
    assert_eq!(page.status(), Status::TooManyRequests);
    assert!(page
        .into_string()
        .await
        .unwrap()
        .contains("Too many attempts"));
    // Browsing without searching, and other clients, go on.
    assert_eq!(
        board(&app, "/api/v1/offers", from(9)).await.status(),
        Status::Ok
    );
    assert_eq!(board(&app, "/?q=rust", from(2)).await.status(), Status::Ok);
}

#[rocket::async_test]
async fn a_search_of_more_than_eight_words_is_refused() {
    let app = spawn_app_with(|figment| figment).await;
    let response = board(
        &app,
        "/api/v1/offers?q=a%20b%20c%20d%20e%20f%20g%20h%20i",
        from(9),
    )
    .await;
    assert_eq!(response.status(), Status::BadRequest);
    let body: Value = body_json(response).await;
    assert_eq!(body["errors"]["q"], json!(["At most 8 words."]));
    let eight = board(
        &app,
        "/api/v1/offers?q=a%20b%20c%20d%20e%20f%20g%20h",
        from(9),
    )
    .await;
    assert_eq!(eight.status(), Status::Ok);
}

#[rocket::async_test]
async fn an_account_creates_offers_at_a_bounded_rate() {
    let app = spawn_app_with(|figment| figment.merge(("offers_per_window", 2))).await;
    let user = app.user("spammer").await;
    let uri = format!("/api/v1/users/{}/offers/", user.id);
    let offer = json!({"title": "Spam", "description": "Spam"});
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = app
            .send(rocket::http::Method::Post, &uri, Some(&user), Some(&offer))
            .await;
        statuses.push(response.status().code);
    }
    assert_eq!(statuses, [201, 201, 429]);
    assert_eq!(app.offer_count().await, 2);
}

#[rocket::async_test]
async fn an_account_holds_a_bounded_number_of_offers() {
    let app = spawn_app_with(|figment| figment.merge(("max_offers_per_user", 2))).await;
    let user = app.user("hoarder").await;
    let uri = format!("/api/v1/users/{}/offers/", user.id);
    let offer = json!({"title": "Job", "description": "Work"});
    for _ in 0..2 {
        let response = app
            .send(rocket::http::Method::Post, &uri, Some(&user), Some(&offer))
            .await;
        assert_eq!(response.status(), Status::Created);
    }
    let full = app
        .send(rocket::http::Method::Post, &uri, Some(&user), Some(&offer))
        .await;
    assert_eq!(full.status(), Status::Conflict);
    assert_eq!(
        body_json(full).await,
        json!({"message": "An account may have at most 2 offers: delete one to publish another"})
    );
    assert_eq!(app.offer_count().await, 2);
}

#[rocket::async_test]
async fn an_employer_list_page_holds_at_most_100_offers() {
    let app = spawn_app_with(|figment| figment).await;
    let user = app.user("acme").await;
    for (limit, status) in [("100", Status::Ok), ("101", Status::BadRequest)] {
        let uri = format!("/api/v1/users/{}/offers/?limit={limit}", user.id);
        let response = app
            .send(rocket::http::Method::Get, &uri, Some(&user), None)
            .await;
        assert_eq!(response.status(), status, "limit={limit}");
    }
}

#[rocket::async_test]
async fn a_statement_past_the_timeout_is_cancelled_and_answers_503() {
    let app =
        spawn_app_with(|figment| figment.merge(("databases.offers.statement_timeout_ms", 300)))
            .await;
    let db = job_offers::db::Db::fetch(app.client.rocket()).unwrap();
    let shown: String = sqlx::query_scalar("SHOW statement_timeout")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(shown, "300ms");
    let error = sqlx::query("SELECT pg_sleep(2)")
        .execute(db.pool())
        .await
        .unwrap_err();
    let error = job_offers::error::AppError::from(job_offers::repo::RepoError::from(error));
    assert_eq!(error.status().code, 503);
    assert_eq!(error.retry_after(), Some(1));
}

#[rocket::async_test]
async fn a_form_cannot_turn_into_another_method_under_the_api() {
    let app = spawn_app_with(|figment| figment).await;
    let user = app.user("alice").await;
    let offer = app.publish(&user, "Kept", &[], "Stays").await;
    let response = app
        .client
        .post(format!("/api/v1/users/{}/offers/{offer}", user.id))
        .header(user.auth())
        .header(ContentType::Form)
        .body("_method=DELETE")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::MethodNotAllowed);
    assert_eq!(app.offer_count().await, 1);
}

#[rocket::async_test]
async fn a_token_response_is_never_cached() {
    let app = spawn_app_with(|figment| figment).await;
    app.register("alice").await;
    let response = login(&app.client, from(1), "alice", PASSWORD, &[]).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.headers().get_one("Cache-Control"),
        Some("no-store")
    );
}

#[rocket::async_test]
async fn ids_written_any_other_way_than_canonically_are_not_found() {
    let app = spawn_app_with(|figment| figment).await;
    let user = app.user("alice").await;
    let offer = app.publish(&user, "Job", &[], "Work").await;
    assert_eq!(offer, 1, "the test writes id 1 in other ways");
    for id in ["+1", "01", "1.0", " 1"] {
        let id = id.replace(' ', "%20");
        let api = app
            .client
            .get(format!("/api/v1/offers/{id}"))
            .dispatch()
            .await;
        assert_eq!(api.status(), Status::NotFound, "API /offers/{id}");
        assert_eq!(
            body_json(api).await,
            json!({"message": format!("offer not found {}", id.replace("%20", " "))})
        );
        let page = app.client.get(format!("/offers/{id}")).dispatch().await;
        assert_eq!(page.status(), Status::NotFound, "page /offers/{id}");
    }
    let canonical = app.client.get("/api/v1/offers/1").dispatch().await;
    assert_eq!(canonical.status(), Status::Ok);
}

#[rocket::async_test]
async fn signing_in_with_a_non_ascii_next_path_lands_there_instead_of_failing() {
    let app = spawn_app_with(|figment| figment).await;
    app.register("alice").await;
    let visitor = app.visitor();
    let response = visitor
        .submit(
            "/login?next=/%C3%A9",
            "/login",
            &[
                ("username", "alice"),
                ("password", PASSWORD),
                ("next", "/é"),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(crate::web::location(&response), "/%C3%A9");
}

#[rocket::async_test]
async fn the_flash_cookie_is_http_only_like_the_session() {
    let app = spawn_app_with(|figment| figment).await;
    app.register("alice").await;
    let visitor = app.visitor();
    let response = visitor.sign_in("alice").await;
    assert_eq!(response.status(), Status::SeeOther);
    let flash = response
        .headers()
        .get("Set-Cookie")
        .find(|cookie| cookie.starts_with("_flash="))
        .expect("a flash message")
        .to_owned();
    assert!(flash.contains("HttpOnly"), "{flash}");
    assert!(flash.contains("SameSite=Lax"), "{flash}");
}

#[rocket::async_test]
async fn a_throttled_page_says_the_real_wait_and_sends_it_in_retry_after() {
    let app = spawn_app_with(|figment| {
        figment
            .merge(("login_max_failures", 1))
            .merge(("login_window_secs", 600))
    })
    .await;
    app.register("alice").await;
    let visitor = app.visitor();
    let wrong = [("username", "alice"), ("password", "wrong password")];
    visitor.submit("/login", "/login", &wrong).await;
    let response = visitor.sign_in("alice").await;
    assert_eq!(response.status(), Status::TooManyRequests);
    let seconds = retry_after(&response);
    assert!((590..=600).contains(&seconds), "{seconds}");
    let page = crate::web::Page::read(response).await;
    assert!(
        page.text("main").contains("Wait 10 minutes"),
        "{}",
        page.text("main")
    );
}

#[rocket::async_test]
async fn with_a_metrics_token_only_its_bearer_reads_the_metrics() {
    let app =
        spawn_app_with(|figment| figment.merge(("metrics_token", "scrape-me-0123456789"))).await;
    let read = |authorization: Option<&'static str>| {
        let mut request = app.client.get("/metrics");
        if let Some(value) = authorization {
            request = request.header(Header::new("Authorization", value));
        }
        request.dispatch()
    };
    assert_eq!(read(None).await.status(), Status::NotFound);
    assert_eq!(
        read(Some("Bearer wrong-token")).await.status(),
        Status::NotFound
    );
    let scraped = read(Some("Bearer scrape-me-0123456789")).await;
    assert_eq!(scraped.status(), Status::Ok);
    assert!(scraped
        .into_string()
        .await
        .unwrap()
        .contains("db_pool_max_connections"));
}

#[rocket::async_test]
async fn outside_development_the_metrics_are_hidden_without_a_token() {
    let app = spawn_app_with(|figment| {
        figment
            .select("release")
            .merge(("secret_key", "ub2ZKegqcEM9DsuWzIjprnmOCuNwLtbtFYfvl0numgs="))
            .merge(("cookie_secure", false))
    })
    .await;
    let response = app.client.get("/metrics").dispatch().await;
    assert_eq!(response.status(), Status::NotFound);
}

async fn register_with(app: &TestApp, username: &str, password: &str) -> (Status, Value) {
    let body = json!({"username": username, "password": password});
    let response = app.post_json("/api/v1/users/register", None, &body).await;
    let status = response.status();
    (status, body_json(response).await)
}

#[rocket::async_test]
async fn a_password_that_is_one_repeat_or_sequence_is_refused_but_the_walkthrough_registers() {
    let app = spawn_app_with(|figment| figment).await;
    for weak in ["aaaaaaaa", "12345678", "abcabcabc", "alice123"] {
        let (status, body) = register_with(&app, "alice123", weak).await;
        assert_eq!(status, Status::BadRequest, "{weak}");
        assert_eq!(body["message"], "Input payload validation failed");
        let problem = body["errors"]["password"][0].as_str().unwrap();
        assert!(
            problem.starts_with("Too easy to guess.") || problem == "Must not be the username.",
            "{weak}: {problem}"
        );
    }
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(users, 0, "nothing is kept of a refused registration");
    // A bad username does not hide a weak password: both are named at once.
    let (status, body) = register_with(&app, "a b", "aaaaaaaa").await;
    assert_eq!(status, Status::BadRequest);
    assert!(body["errors"]["username"].is_array(), "{body}");
    assert!(body["errors"]["password"].is_array(), "{body}");
    // The original README's walkthrough, verbatim, under the default policy.
    assert_eq!(
        register_with(&app, "user", "password").await.0,
        Status::Created
    );
}

#[rocket::async_test]
async fn with_a_minimum_strength_common_passwords_are_refused_on_every_door() {
    let app = spawn_app_with(|figment| figment.merge(("password_min_strength", 3))).await;
    let (status, body) = register_with(&app, "user", "password").await;
    assert_eq!(status, Status::BadRequest);
    let problem = body["errors"]["password"][0].as_str().unwrap();
    assert!(problem.contains("common password"), "{problem}");

    let visitor = app.visitor();
    let response = visitor
        .submit(
            "/register",
            "/register",
            &[("username", "bob"), ("password", "password1")],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = crate::web::Page::read(response).await;
    assert!(
        page.text("#password-error").contains("Too easy to guess."),
        "{}",
        page.text("#password-error")
    );

    let alice = app.user("alice").await;
    let change = json!({"current_password": PASSWORD, "new_password": "iloveyou"});
    let response = app
        .put_json(
            &format!("/api/v1/users/{}/password", alice.id),
            Some(&alice),
            &change,
        )
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    let body = body_json(response).await;
    assert!(body["errors"]["new_password"][0]
        .as_str()
        .unwrap()
        .starts_with("Too easy to guess."));
    // A strong password passes, and existing passwords still sign in whatever their strength.
    assert_eq!(
        register_with(&app, "carol", "violet tractor humming quietly")
            .await
            .0,
        Status::Created
    );
}
