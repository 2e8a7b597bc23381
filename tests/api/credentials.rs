//! Credentials that end: password changes and "sign out everywhere" through the API and the
//! account page, sign-out that ends the session on the server, session ids that change at
//! every sign-in, and the token checks that go with them (`nbf`, `iat` in the future, two
//! `Authorization` headers). Self-contained: only `helpers` is shared.

use job_offers::auth::token::Claims;
use rocket::http::{ContentType, Cookie, Header, Method, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::{json, Value};

use crate::helpers::{
    backend_offer, body_json, signed, spawn_app, test_figment, TestApp, TestUser, PASSWORD,
    TEST_JWT_SECRET,
};

const NEW_PASSWORD: &str = "a brand new passphrase";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

// The pages' side, done the way a browser does it.

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The CSRF token of the first form on a page.
fn csrf_token(html: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker).expect("the page has a CSRF field") + marker.len();
    let length = html[start..].find('"').unwrap();
    html[start..start + length].to_owned()
}

fn location(response: &LocalResponse<'_>) -> String {
    response
        .headers()
        .get_one("Location")
        .expect("a redirect")
        .to_owned()
}

async fn get_page(client: &Client, uri: &str) -> (Status, String) {
    let response = client.get(uri.to_owned()).dispatch().await;
    let status = response.status();
    let body = if status == Status::SeeOther {
        location(&response)
    } else {
        response.into_string().await.unwrap_or_default()
    };
    (status, body)
}

/// The HTML of a page that must answer 200.
async fn html_of(client: &Client, uri: &str) -> String {
    let (status, html) = get_page(client, uri).await;
    assert_eq!(status, Status::Ok, "GET {uri}: {html}");
    html
}

async fn post_form<'c>(
    client: &'c Client,
    uri: &str,
    fields: &[(&str, &str)],
) -> LocalResponse<'c> {
    client
        .post(uri.to_owned())
        .header(ContentType::Form)
        .body(form_body(fields))
        .dispatch()
        .await
}

/// Posts `fields` with the CSRF token of the form on `form_uri`.
async fn submit<'c>(
    client: &'c Client,
    form_uri: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> LocalResponse<'c> {
    let token = csrf_token(&html_of(client, form_uri).await);
    let mut with_token = vec![("csrf_token", token.as_str())];
    with_token.extend_from_slice(fields);
    post_form(client, action, &with_token).await
}

/// Signs `username` in through the sign-in form, with `password`; returns the response.
async fn sign_in_with<'c>(client: &'c Client, username: &str, password: &str) -> LocalResponse<'c> {
    submit(
        client,
        "/login",
        "/login",
        &[("username", username), ("password", password)],
    )
    .await
}

/// Signs `username` in through the form and returns the session cookie as the browser
/// stores it (encrypted), so that it can be replayed.
async fn browser_sign_in(client: &Client, username: &str) -> String {
    let response = sign_in_with(client, username, PASSWORD).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), "/offers");
    response
        .cookies()
        .get("session")
        .expect("a session cookie")
        .value()
        .to_owned()
}

/// Whether the browser is signed in, as a person sees it: "My offers" opens.
async fn sees_my_offers(client: &Client) -> bool {
    let (status, body) = get_page(client, "/offers").await;
    if status == Status::Ok {
        assert!(body.contains("My offers"));
        true
    } else {
        assert_eq!(status, Status::SeeOther, "GET /offers");
        assert!(body.starts_with("/login"), "{body}");
        false
    }
}

/// A request that carries exactly `cookie` as its session cookie (a copy of a browser's).
async fn replay<'c>(
    client: &'c Client,
    method: Method,
    uri: &str,
    cookie: &str,
    form: Option<&[(&str, &str)]>,
) -> LocalResponse<'c> {
    let mut request = client
        .req(method, uri.to_owned())
        .cookie(Cookie::new("session", cookie.to_owned()));
    if let Some(fields) = form {
        request = request.header(ContentType::Form).body(form_body(fields));
    }
    request.dispatch().await
}

/// Another browser (its own cookie jar) on another app over the same database, with the test
/// profile's fixed cookie key: what one app issues, the other reads, like two replicas.
async fn other_browser(url: &str) -> Client {
    Client::tracked(job_offers::build(test_figment(url)))
        .await
        .expect("the app ignites")
}

/// The app, a client that keeps no cookies (to replay copied ones), and the database's URL.
async fn two_apps() -> (TestApp, Client, String) {
    let app = spawn_app().await;
    let url = app.database().url().to_owned();
    let replayer = Client::untracked(job_offers::build(test_figment(&url)))
        .await
        .expect("the app ignites");
    (app, replayer, url)
}

// The API's side.

async fn change_password(
    app: &TestApp,
    user: &TestUser,
    body: &Value,
) -> (Status, Value, Option<String>) {
    let response = app
        .send(
            Method::Put,
            &format!("/api/v1/users/{}/password", user.id),
            Some(user),
            Some(body),
        )
        .await;
    let status = response.status();
    let cache = response
        .headers()
        .get_one("Cache-Control")
        .map(str::to_owned);
    (status, body_json(response).await, cache)
}

fn change(current: &str, new: &str) -> Value {
    json!({"current_password": current, "new_password": new})
}

async fn login_with(app: &TestApp, username: &str, password: &str) -> (Status, Value) {
    let response = app
        .post_json(
            "/api/v1/users/login",
            None,
            &json!({"username": username, "password": password}),
        )
        .await;
    (response.status(), body_json(response).await)
}

/// What a protected API route answers to `user`'s token.
async fn api_answer(app: &TestApp, user: &TestUser) -> (Status, Value) {
    let response = app
        .send(
            Method::Get,
            &format!("/api/v1/users/{}/offers/", user.id),
            Some(user),
            None,
        )
        .await;
    (response.status(), body_json(response).await)
}

async fn assert_token_refused(app: &TestApp, user: &TestUser) {
    assert_eq!(
        api_answer(app, user).await,
        (Status::Unauthorized, json!({"message": "Invalid Token"}))
    );
}

async fn assert_token_works(app: &TestApp, user: &TestUser) {
    assert_eq!(api_answer(app, user).await.0, Status::Ok);
}

#[rocket::async_test]
async fn a_password_change_ends_every_token_and_only_the_new_password_signs_in() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let other_device = TestUser {
        id: alice.id,
        token: app.login("alice").await,
    };
    assert_token_works(&app, &other_device).await;

    let (status, body, cache) =
        change_password(&app, &alice, &change(PASSWORD, NEW_PASSWORD)).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(body, json!({"message": "Password changed"}), "and no token");
    assert_eq!(cache.as_deref(), Some("no-store"));

    assert_token_refused(&app, &alice).await;
    assert_token_refused(&app, &other_device).await;
    assert_eq!(
        login_with(&app, "alice", PASSWORD).await,
        (
            Status::BadRequest,
            json!({"message": "Invalid username/password"})
        )
    );
    let (status, body) = login_with(&app, "alice", NEW_PASSWORD).await;
    assert_eq!(status, Status::Ok);
    let fresh = TestUser {
        id: alice.id,
        token: body["token"].as_str().unwrap().to_owned(),
    };
    assert_token_works(&app, &fresh).await;
    app.create_offer(&fresh, &backend_offer()).await;
}

#[rocket::async_test]
async fn a_wrong_current_password_changes_nothing() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let (status, body, _) =
        change_password(&app, &alice, &change("not my password", NEW_PASSWORD)).await;
    assert_eq!(
        (status, body),
        (
            Status::BadRequest,
            json!({"message": "Invalid username/password"})
        )
    );
    assert_token_works(&app, &alice).await;
    assert_eq!(login_with(&app, "alice", PASSWORD).await.0, Status::Ok);
    assert_eq!(
        login_with(&app, "alice", NEW_PASSWORD).await.0,
        Status::BadRequest
    );
}

#[rocket::async_test]
async fn wrong_current_passwords_count_as_failed_sign_ins() {
    let app =
        crate::helpers::spawn_app_with(|figment| figment.merge(("login_max_failures", 2))).await;
    let alice = app.user("alice").await;
    for _ in 0..2 {
        let (status, _, _) = change_password(&app, &alice, &change("guess", NEW_PASSWORD)).await;
        assert_eq!(status, Status::BadRequest);
    }
    let (status, body, _) = change_password(&app, &alice, &change(PASSWORD, NEW_PASSWORD)).await;
    assert_eq!(status, Status::TooManyRequests);
    assert_eq!(
        body,
        json!({"message": "Too many attempts, try again later"})
    );
    assert_token_works(&app, &alice).await;
}

#[rocket::async_test]
async fn the_new_password_follows_the_password_rules_and_the_body_is_checked() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let (status, body, _) = change_password(&app, &alice, &change(PASSWORD, "short")).await;
    assert_eq!(status, Status::BadRequest);
    assert_eq!(
        body,
        json!({"message": "Input payload validation failed",
               "errors": {"new_password": ["Length must be between 8 and 128."]}})
    );

    let (status, body, _) =
        change_password(&app, &alice, &json!({"new_password": NEW_PASSWORD})).await;
    assert_eq!(status, Status::BadRequest);
    assert_eq!(
        body["errors"],
        json!({"current_password": ["Missing data for required field."]})
    );

    let extra =
        json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "password": "x"});
    let (status, body, _) = change_password(&app, &alice, &extra).await;
    assert_eq!(status, Status::BadRequest);
    assert_eq!(body["errors"], json!({"password": ["Unknown field."]}));

    let response = app
        .send(
            Method::Put,
            &format!("/api/v1/users/{}/password", alice.id),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    assert_eq!(
        body_json(response).await,
        json!({"message": "No input data provided"})
    );
    // Nothing changed on the way.
    assert_token_works(&app, &alice).await;
    assert_eq!(login_with(&app, "alice", PASSWORD).await.0, Status::Ok);
}

#[rocket::async_test]
async fn only_the_owner_changes_a_password_or_signs_out_everywhere() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let mallory = app.user("mallory").await;
    let body = change(PASSWORD, NEW_PASSWORD);
    for (method, path, body) in [
        (Method::Put, "password", Some(&body)),
        (Method::Delete, "tokens", None),
    ] {
        let uri = format!("/api/v1/users/{}/{path}", alice.id);
        let response = app.send(method, &uri, Some(&mallory), body).await;
        assert_eq!(response.status(), Status::Forbidden, "{method} {uri}");
        assert_eq!(body_json(response).await, json!({"message": "Forbidden"}));

        for id in ["abc", "0", "01"] {
            let uri = format!("/api/v1/users/{id}/{path}");
            let response = app.send(method, &uri, Some(&alice), body).await;
            assert_eq!(response.status(), Status::NotFound, "{method} {uri}");
            assert_eq!(
                body_json(response).await,
                json!({"message": format!("user not found {id}")})
            );
        }

        let uri = format!("/api/v1/users/{}/{path}", alice.id);
        let response = app.send(method, &uri, None, body).await;
        assert_eq!(response.status(), Status::Unauthorized, "{method} {uri}");
    }
    assert_token_works(&app, &alice).await;
    assert_eq!(login_with(&app, "alice", PASSWORD).await.0, Status::Ok);
}

#[rocket::async_test]
async fn a_password_change_through_the_api_signs_the_browser_out() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    browser_sign_in(&app.client, "alice").await;
    assert!(sees_my_offers(&app.client).await);

    let (status, _, _) = change_password(&app, &alice, &change(PASSWORD, NEW_PASSWORD)).await;
    assert_eq!(status, Status::Ok);
    assert!(!sees_my_offers(&app.client).await);
    let html = html_of(&app.client, "/").await;
    assert!(
        !html.contains("Signed in as"),
        "the layout no longer says so"
    );
}

#[rocket::async_test]
async fn signing_out_everywhere_ends_every_token_and_session_but_not_later_ones() {
    let (app, replayer, _) = two_apps().await;
    let alice = app.user("alice").await;
    let other_device = TestUser {
        id: alice.id,
        token: app.login("alice").await,
    };
    // A token issued before tokens carried a version counts as version 0.
    let legacy = TestUser {
        id: alice.id,
        token: signed(&Claims {
            sub: alice.id.to_string(),
            id: alice.id,
            username: "alice".into(),
            iat: now(),
            exp: now() + 600,
        }),
    };
    assert_token_works(&app, &legacy).await;
    let cookie = browser_sign_in(&app.client, "alice").await;
    assert_eq!(
        replay(&replayer, Method::Get, "/offers", &cookie, None)
            .await
            .status(),
        Status::Ok
    );

    let response = app
        .send(
            Method::Delete,
            &format!("/api/v1/users/{}/tokens", alice.id),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        body_json(response).await,
        json!({"message": "Signed out everywhere"})
    );

    for token in [&alice, &other_device, &legacy] {
        assert_token_refused(&app, token).await;
    }
    assert!(!sees_my_offers(&app.client).await);
    let response = replay(&replayer, Method::Get, "/offers", &cookie, None).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert!(location(&response).starts_with("/login"));

    let later = TestUser {
        id: alice.id,
        token: app.login("alice").await,
    };
    assert_token_works(&app, &later).await;
    browser_sign_in(&app.client, "alice").await;
    assert!(sees_my_offers(&app.client).await);
    // The password is unchanged.
    assert_eq!(login_with(&app, "alice", PASSWORD).await.0, Status::Ok);
}

// Sign-out and sign-in of the pages.

#[rocket::async_test]
async fn a_cookie_replayed_after_sign_out_is_refused() {
    let (app, replayer, _) = two_apps().await;
    app.register("alice").await;
    let cookie = browser_sign_in(&app.client, "alice").await;

    // The copy works while the session lasts: the refusal below is the sign-out's doing.
    let response = replay(&replayer, Method::Get, "/offers", &cookie, None).await;
    assert_eq!(response.status(), Status::Ok);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("You have not published any offers yet."));
    let token = csrf_token(&html);

    let response = submit(&app.client, "/offers", "/logout", &[]).await;
    assert_eq!(response.status(), Status::SeeOther);

    let response = replay(&replayer, Method::Get, "/offers", &cookie, None).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert!(location(&response).starts_with("/login"));
    let html = replay(&replayer, Method::Get, "/", &cookie, None)
        .await
        .into_string()
        .await
        .unwrap();
    assert!(!html.contains("Signed in as"));

    let offer = [
        ("csrf_token", token.as_str()),
        ("title", "Backend Engineer"),
        ("description", "Build a RESTful API"),
        ("skills_list", "python"),
    ];
    let response = replay(&replayer, Method::Post, "/offers", &cookie, Some(&offer)).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert!(location(&response).starts_with("/login"));
    assert_eq!(app.offer_count().await, 0);
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "signing out deleted the session");
}

/// The secret of a session cookie, decrypted with the app's key.
fn session_secret(client: &Client) -> String {
    let cookie = client
        .cookies()
        .get_private("session")
        .expect("a session cookie");
    let value: Value = serde_json::from_str(cookie.value()).unwrap();
    value["secret"].as_str().unwrap().to_owned()
}

#[rocket::async_test]
async fn every_sign_in_gets_a_new_session_id_and_ends_the_browsers_previous_one() {
    let (app, replayer, _) = two_apps().await;
    app.register("alice").await;
    let before = csrf_token(&html_of(&app.client, "/login").await);
    let first = browser_sign_in(&app.client, "alice").await;
    let first_secret = session_secret(&app.client);
    let signed_in = csrf_token(&html_of(&app.client, "/offers").await);
    assert_ne!(before, signed_in, "the pre-sign-in CSRF token is replaced");

    // Signing in again in the same browser.
    let response = post_form(
        &app.client,
        "/login",
        &[
            ("csrf_token", signed_in.as_str()),
            ("username", "alice"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(response.status(), Status::SeeOther);
    let second = response
        .cookies()
        .get("session")
        .unwrap()
        .value()
        .to_owned();
    drop(response);
    assert_ne!(session_secret(&app.client), first_secret);
    assert_ne!(
        csrf_token(&html_of(&app.client, "/offers").await),
        signed_in
    );

    let response = replay(&replayer, Method::Get, "/offers", &first, None).await;
    assert_eq!(
        response.status(),
        Status::SeeOther,
        "the first session ended"
    );
    let response = replay(&replayer, Method::Get, "/offers", &second, None).await;
    assert_eq!(response.status(), Status::Ok);
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(sessions, 1);
}

#[rocket::async_test]
async fn sessions_are_stored_hashed_and_expired_ones_are_swept_at_sign_in() {
    let app = spawn_app().await;
    let id = app.register("alice").await;
    browser_sign_in(&app.client, "alice").await;
    let secret = session_secret(&app.client);
    let stored: Vec<u8> = sqlx::query_scalar("SELECT id FROM sessions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 32);
    assert!(!String::from_utf8_lossy(&stored).contains(&secret));

    // Stale rows of anyone, such as an abandoned browser's.
    let bob = app.register("bob").await;
    sqlx::query(
        "INSERT INTO sessions (id, user_id, credentials_version, created_at, expires_at)
         SELECT sha256(i::text::bytea), $1, 0, now() - interval '2 days', now() - interval '1 day'
         FROM generate_series(1, 3) AS i",
    )
    .bind(bob)
    .execute(&app.db)
    .await
    .unwrap();
    // An expired session does not sign anyone in.
    sqlx::query("UPDATE sessions SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second' WHERE user_id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    assert!(!sees_my_offers(&app.client).await);

    browser_sign_in(&app.client, "alice").await;
    let left: Vec<i64> = sqlx::query_scalar("SELECT user_id FROM sessions")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(left, [id], "only the new session is left");
}

// The account page.

#[rocket::async_test]
async fn the_account_page_needs_a_session_and_is_linked_from_the_navigation() {
    let app = spawn_app().await;
    let (status, target) = get_page(&app.client, "/account").await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(target, "/login?next=%2Faccount");

    // Signed out, a form's action leads to sign-in, and back to the account page after it.
    let response = post_form(&app.client, "/account/password", &[]).await;
    assert_eq!(location(&response), "/login?next=%2Faccount%2Fpassword");
    drop(response);
    app.register("alice").await;
    let response = submit(
        &app.client,
        "/login?next=%2Faccount%2Fpassword",
        "/login",
        &[
            ("username", "alice"),
            ("password", PASSWORD),
            ("next", "/account/password"),
        ],
    )
    .await;
    assert_eq!(location(&response), "/account/password");
    drop(response);
    for action in ["password", "sign-out-everywhere"] {
        let (status, target) = get_page(&app.client, &format!("/account/{action}")).await;
        assert_eq!((status, target.as_str()), (Status::SeeOther, "/account"));
    }
    assert_eq!(
        get_page(&app.client, "/account/nothing").await.0,
        Status::NotFound
    );

    let html = html_of(&app.client, "/").await;
    assert!(html.contains(r#"href="/account""#));
    let html = html_of(&app.client, "/account").await;
    assert!(html.contains(r#"<label for="current_password">Current password</label>"#));
    assert!(html.contains(r#"<label for="new_password">New password</label>"#));
    assert!(html.contains(r#"autocomplete="current-password""#));
    assert!(html.contains(r#"autocomplete="new-password""#));
    assert!(html.contains(r#"action="/account/sign-out-everywhere""#));
    assert!(html.contains(r#"aria-current="page">Account</a>"#));
}

#[rocket::async_test]
async fn the_password_form_shows_each_problem_beside_its_field() {
    let app = spawn_app().await;
    app.register("alice").await;
    browser_sign_in(&app.client, "alice").await;

    let response = submit(
        &app.client,
        "/account",
        "/account/password",
        &[
            ("current_password", "not my password"),
            ("new_password", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(html.contains(r#"<p class="field-error" id="current_password-error"><span class="visually-hidden">Error:</span> This is not your current password.</p>"#), "{html}");
    assert!(
        !html.contains("not my password"),
        "passwords are never shown again"
    );

    let response = submit(
        &app.client,
        "/account",
        "/account/password",
        &[("current_password", ""), ("new_password", "short")],
    )
    .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(html.contains(r#"id="current_password-error"><span class="visually-hidden">Error:</span> Missing data for required field.</p>"#));
    assert!(html.contains(r#"id="new_password-error"><span class="visually-hidden">Error:</span> Length must be between 8 and 128.</p>"#));
    assert!(html.contains(
        r##"<a href="#new_password">New password: Length must be between 8 and 128.</a>"##
    ));

    // Still signed in, with the old password.
    assert!(sees_my_offers(&app.client).await);
    assert_eq!(login_with(&app, "alice", PASSWORD).await.0, Status::Ok);
}

#[rocket::async_test]
async fn the_account_forms_need_their_csrf_token() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    browser_sign_in(&app.client, "alice").await;
    for (action, fields) in [
        (
            "/account/password",
            vec![
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
        ),
        ("/account/sign-out-everywhere", vec![]),
    ] {
        let response = post_form(&app.client, action, &fields).await;
        assert_eq!(response.status(), Status::Forbidden, "{action}");
        let mut forged = vec![("csrf_token", "f".repeat(64))];
        forged.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
        let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = post_form(&app.client, action, &forged).await;
        assert_eq!(response.status(), Status::Forbidden, "{action}");
    }
    assert!(sees_my_offers(&app.client).await);
    assert_token_works(&app, &alice).await;
    assert_eq!(login_with(&app, "alice", PASSWORD).await.0, Status::Ok);
}

#[rocket::async_test]
async fn changing_the_password_on_the_page_signs_out_everywhere_and_asks_to_sign_in() {
    let (app, _, url) = two_apps().await;
    let alice = app.user("alice").await;
    let elsewhere = other_browser(&url).await;
    browser_sign_in(&elsewhere, "alice").await;
    browser_sign_in(&app.client, "alice").await;

    let response = submit(
        &app.client,
        "/account",
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), "/login");
    let html = html_of(&app.client, "/login").await;
    assert!(
        html.contains("Your password is changed and you are signed out everywhere, in this browser too. Sign in with your new password."),
        "{html}"
    );
    assert!(!html.contains("Signed in as"));

    assert!(!sees_my_offers(&app.client).await);
    assert!(!sees_my_offers(&elsewhere).await);
    assert_token_refused(&app, &alice).await;

    let response = sign_in_with(&app.client, "alice", PASSWORD).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    drop(response);
    let response = sign_in_with(&app.client, "alice", NEW_PASSWORD).await;
    assert_eq!(response.status(), Status::SeeOther);
    drop(response);
    assert!(sees_my_offers(&app.client).await);
}

#[rocket::async_test]
async fn signing_out_everywhere_on_the_page_ends_the_tokens_and_other_browsers() {
    let (app, _, url) = two_apps().await;
    let alice = app.user("alice").await;
    let elsewhere = other_browser(&url).await;
    browser_sign_in(&elsewhere, "alice").await;
    browser_sign_in(&app.client, "alice").await;
    let token = csrf_token(&html_of(&app.client, "/account").await);

    let response = post_form(
        &app.client,
        "/account/sign-out-everywhere",
        &[("csrf_token", token.as_str())],
    )
    .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), "/login");
    drop(response);
    let html = html_of(&app.client, "/login").await;
    assert!(html.contains("You are signed out everywhere, in this browser too."));

    assert!(!sees_my_offers(&app.client).await);
    assert!(!sees_my_offers(&elsewhere).await);
    let html = html_of(&elsewhere, "/").await;
    assert!(
        !html.contains("Signed in as"),
        "the other browser's layout says so at once"
    );
    assert_token_refused(&app, &alice).await;
    assert_eq!(login_with(&app, "alice", PASSWORD).await.0, Status::Ok);
}

// Token checks.

async fn answer_to_token(app: &TestApp, id: i64, token: &str) -> (Status, Value) {
    let response = app
        .client
        .get(format!("/api/v1/users/{id}/offers/"))
        .header(Header::new("Authorization", format!("JWT {token}")))
        .dispatch()
        .await;
    (response.status(), body_json(response).await)
}

fn raw_token(payload: &Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        payload,
        &jsonwebtoken::EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
    )
    .unwrap()
}

#[rocket::async_test]
async fn a_token_not_yet_valid_or_issued_in_the_future_is_refused() {
    let app = spawn_app().await;
    let id = app.register("alice").await;
    let claims = |extra: Value| {
        let mut payload = json!({"sub": id.to_string(), "id": id, "username": "alice",
                                 "iat": now(), "exp": now() + 600});
        payload
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        payload
    };
    let invalid = (Status::Unauthorized, json!({"message": "Invalid Token"}));

    assert_eq!(
        answer_to_token(&app, id, &raw_token(&claims(json!({}))))
            .await
            .0,
        Status::Ok
    );
    let past_nbf = raw_token(&claims(json!({"nbf": now() - 5})));
    assert_eq!(answer_to_token(&app, id, &past_nbf).await.0, Status::Ok);

    let future_nbf = raw_token(&claims(json!({"nbf": now() + 120})));
    assert_eq!(answer_to_token(&app, id, &future_nbf).await, invalid);
    let future_iat = raw_token(&claims(json!({"iat": now() + 3600})));
    assert_eq!(answer_to_token(&app, id, &future_iat).await, invalid);
    let unknown_version = raw_token(&claims(json!({"ver": 1})));
    assert_eq!(answer_to_token(&app, id, &unknown_version).await, invalid);
}

#[rocket::async_test]
async fn two_authorization_headers_are_refused_even_if_both_are_valid() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let response = app
        .client
        .get(format!("/api/v1/users/{}/offers/", alice.id))
        .header(alice.auth())
        .header(alice.auth())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert!(response.headers().get_one("WWW-Authenticate").is_some());
    assert_eq!(
        body_json(response).await,
        json!({"message": "Authorization header must 'JWT token'"})
    );
    assert_token_works(&app, &alice).await;
}
