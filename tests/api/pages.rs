//! The HTML pages through Rocket's local client: every page and form path (success,
//! validation error, missing CSRF token, another user's offer, signed-out redirect), the
//! session cookie, and the security headers.

use rocket::http::{ContentType, Cookie, Header, Method, SameSite, Status};
use rocket::local::asynchronous::LocalResponse;
use serde_json::json;

use crate::helpers::{backend_offer, body_json, spawn_app, TestApp, PASSWORD};

/// `application/x-www-form-urlencoded` encoding of one value.
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

pub(crate) fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// What a browser makes of text Tera escaped.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// The CSRF token of the first form on a page.
pub(crate) fn csrf_token(html: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker).expect("the page has a CSRF field") + marker.len();
    let length = html[start..].find('"').unwrap();
    html[start..start + length].to_owned()
}

pub(crate) fn location(response: &LocalResponse<'_>) -> String {
    response
        .headers()
        .get_one("Location")
        .expect("a redirect")
        .to_owned()
}

/// The page's HTML, asserting its status.
pub(crate) async fn page(app: &TestApp, uri: &str, status: Status) -> String {
    let response = app.client.get(uri.to_owned()).dispatch().await;
    assert_eq!(response.status(), status, "GET {uri}");
    assert_eq!(
        response.content_type(),
        Some(ContentType::HTML),
        "GET {uri}"
    );
    response.into_string().await.unwrap()
}

pub(crate) async fn post_form<'a>(
    app: &'a TestApp,
    uri: &str,
    fields: &[(&str, &str)],
) -> LocalResponse<'a> {
    app.client
        .post(uri.to_owned())
        .header(ContentType::Form)
        .body(form_body(fields))
        .dispatch()
        .await
}

/// Posts `fields` with the CSRF token of the form on `form_uri`.
pub(crate) async fn submit<'a>(
    app: &'a TestApp,
    form_uri: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> LocalResponse<'a> {
    let token = csrf_token(&page(app, form_uri, Status::Ok).await);
    let mut with_token = vec![("csrf_token", token.as_str())];
    with_token.extend_from_slice(fields);
    post_form(app, action, &with_token).await
}

/// Follows a redirect and returns the page it leads to.
async fn follow(app: &TestApp, response: LocalResponse<'_>) -> String {
    assert_eq!(response.status(), Status::SeeOther);
    let target = location(&response);
    page(app, &target, Status::Ok).await
}

/// Signs `username` up through the form (which also signs them in); returns their id.
pub(crate) async fn sign_up(app: &TestApp, username: &str) -> i64 {
    let response = submit(
        app,
        "/register",
        "/register",
        &[("username", username), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), "/offers");
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

pub(crate) async fn sign_in<'a>(app: &'a TestApp, username: &str) -> LocalResponse<'a> {
    submit(
        app,
        "/login",
        "/login",
        &[("username", username), ("password", PASSWORD)],
    )
    .await
}

pub(crate) async fn sign_out(app: &TestApp) {
    let response = submit(app, "/offers", "/logout", &[]).await;
    assert_eq!(response.status(), Status::SeeOther);
}

/// Creates an offer through the page form and returns its id.
async fn create_offer(app: &TestApp, title: &str, skills: &str) -> i64 {
    let response = submit(
        app,
        "/offers/new",
        "/offers",
        &[
            ("title", title),
            ("description", "Build a RESTful API"),
            ("skills_list", skills),
        ],
    )
    .await;
    assert_eq!(response.status(), Status::SeeOther);
    sqlx::query_scalar("SELECT max(id) FROM offers")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn stored_offer(app: &TestApp, id: i64) -> Option<(String, String, Vec<String>)> {
    sqlx::query_as("SELECT title, description, skills_list FROM offers WHERE id = $1")
        .bind(id)
        .fetch_optional(&app.db)
        .await
        .unwrap()
}

/// Another user's offer, created through the API.
async fn someone_elses_offer(app: &TestApp) -> i64 {
    let other = app.user("someone_else").await;
    app.create_offer(&other, &backend_offer()).await["id"]
        .as_i64()
        .unwrap()
}

// Home, layout and headers

#[rocket::async_test]
async fn the_home_page_is_the_board_for_visitors_and_signed_in_users() {
    let app = spawn_app().await;
    let html = page(&app, "/", Status::Ok).await;
    assert!(html.contains(r#"href="/login""#) && html.contains(r#"href="/register""#));
    assert!(html.contains(r#"<link rel="stylesheet" href="/static/css/site.css">"#));
    assert!(html.contains("<h1>Jobs</h1>"));

    sign_up(&app, "alice").await;
    let html = page(&app, "/", Status::Ok).await;
    assert!(html.contains("<h1>Jobs</h1>"));
    assert!(html.contains(r#"<a href="/offers">My offers</a>"#));
}

#[rocket::async_test]
async fn pages_carry_the_security_headers_and_the_api_keeps_its_own() {
    let app = spawn_app().await;
    for uri in ["/", "/login", "/no-such-page", "/static/css/site.css"] {
        let response = app.client.get(uri).dispatch().await;
        let headers = response.headers();
        let csp = headers.get_one("Content-Security-Policy").unwrap_or("");
        assert_eq!(csp, job_offers::web::CONTENT_SECURITY_POLICY, "{uri}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(headers.get_one("X-Content-Type-Options"), Some("nosniff"));
        assert_eq!(headers.get_one("Referrer-Policy"), Some("same-origin"));
        assert_eq!(headers.get_one("X-Frame-Options"), Some("DENY"));
    }
    let page = app.client.get("/login").dispatch().await;
    assert_eq!(page.headers().get_one("Cache-Control"), Some("no-store"));

    let api = app.client.get("/api/v1/users/1/offers/").dispatch().await;
    assert_eq!(api.content_type(), Some(ContentType::JSON));
    assert!(api.headers().get_one("Content-Security-Policy").is_none());
}

#[rocket::async_test]
async fn the_stylesheet_is_served_and_pages_use_no_inline_script_or_style() {
    let app = spawn_app().await;
    let css = app.client.get("/static/css/site.css").dispatch().await;
    assert_eq!(css.status(), Status::Ok);
    assert_eq!(css.content_type(), Some(ContentType::CSS));
    sign_up(&app, "alice").await;
    let id = create_offer(&app, "Backend Engineer", "rust").await;
    for uri in [
        "/offers".to_owned(),
        "/offers/new".to_owned(),
        format!("/offers/{id}"),
        format!("/offers/{id}/edit"),
        format!("/offers/{id}/delete"),
    ] {
        let html = page(&app, &uri, Status::Ok).await;
        assert!(!html.contains("<script"), "{uri}");
        assert!(!html.contains("style="), "{uri}");
        assert!(!html.contains("<style"), "{uri}");
    }
}

// Sign up

#[rocket::async_test]
async fn signing_up_signs_in_with_a_private_http_only_lax_cookie_that_expires() {
    let app = spawn_app().await;
    let html = page(&app, "/register", Status::Ok).await;
    assert!(html.contains(r#"<a href="/register" aria-current="page">Sign up</a>"#));
    assert!(html.contains(r#"<label for="username">Username</label>"#));
    assert!(html.contains(r#"<label for="password">Password</label>"#));
    let token = csrf_token(&html);
    let response = post_form(
        &app,
        "/register",
        &[
            ("csrf_token", &token),
            ("username", "alice"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(response.status(), Status::SeeOther);
    let cookie = response.cookies().get("session").expect("a session cookie");
    assert!(!cookie.value().contains("alice"), "the cookie is encrypted");
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.same_site(), Some(SameSite::Lax));
    assert_eq!(cookie.secure(), None, "plain HTTP in the test profile");
    assert_eq!(
        cookie.max_age(),
        Some(rocket::time::Duration::hours(
            job_offers::auth::session::DEFAULT_SESSION_TTL_HOURS as i64
        ))
    );
    assert!(cookie.expires().is_some());

    let html = follow(&app, response).await;
    assert!(html.contains("Welcome, alice! Your account is ready."));
    assert!(html.contains("Signed in as <strong>alice</strong>"));
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
}

#[rocket::async_test]
async fn an_invalid_sign_up_shows_each_message_beside_its_field_and_keeps_the_username() {
    let app = spawn_app().await;
    let response = submit(
        &app,
        "/register",
        "/register",
        &[("username", "bad name<b>"), ("password", "short")],
    )
    .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(html.contains(
        r#"id="username-error"><span class="visually-hidden">Error:</span> Only letters, digits, &#x27;_&#x27;, &#x27;.&#x27; and &#x27;-&#x27; are allowed.</p>"#
    ));
    assert!(html.contains("Length must be between 8 and 128."));
    assert!(
        html.contains(r#"value="bad name&lt;b&gt;""#),
        "input kept, escaped"
    );
    assert!(!html.contains("short"), "the password is never sent back");
    assert!(html.contains(r#"aria-describedby="username-hint username-error""#));
    assert!(html.contains(r#"aria-invalid="true""#));
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM users")
            .fetch_one(&app.db)
            .await
            .unwrap(),
        0
    );
}

#[rocket::async_test]
async fn signing_up_with_a_taken_username_says_so_beside_the_field() {
    let app = spawn_app().await;
    app.register("Alice").await;
    let response = submit(
        &app,
        "/register",
        "/register",
        &[("username", "alice"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("Username already taken"));
    assert!(html.contains(r#"value="alice""#));
}

#[rocket::async_test]
async fn signing_up_without_a_csrf_token_is_forbidden() {
    let app = spawn_app().await;
    page(&app, "/register", Status::Ok).await;
    let response = post_form(
        &app,
        "/register",
        &[("username", "alice"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(response.content_type(), Some(ContentType::HTML));
    let html = response.into_string().await.unwrap();
    assert!(html.contains("This form has expired"));
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(users, 0);
}

// Sign in and out

#[rocket::async_test]
async fn signing_in_opens_a_session_and_greets_the_user() {
    let app = spawn_app().await;
    app.register("alice").await;
    let html = page(&app, "/login", Status::Ok).await;
    assert!(html.contains(r#"autocomplete="current-password""#));
    let response = sign_in(&app, "ALICE").await;
    assert_eq!(location(&response), "/offers");
    assert!(response.cookies().get("session").is_some());
    let html = follow(&app, response).await;
    assert!(html.contains("Signed in as alice."));
    assert!(html.contains("My offers"));
}

#[rocket::async_test]
async fn a_wrong_password_shows_the_api_message_and_keeps_the_username() {
    let app = spawn_app().await;
    app.register("alice").await;
    let response = submit(
        &app,
        "/login",
        "/login",
        &[("username", "alice"), ("password", "not the password")],
    )
    .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    assert!(response.cookies().get("session").is_none());
    let html = response.into_string().await.unwrap();
    assert!(html.contains("Invalid username&#x2F;password"));
    assert!(html.contains(r#"value="alice""#));

    let empty = submit(
        &app,
        "/login",
        "/login",
        &[("username", ""), ("password", "")],
    )
    .await;
    assert_eq!(empty.status(), Status::UnprocessableEntity);
    let html = empty.into_string().await.unwrap();
    assert!(html.contains(r#"id="username-error""#) && html.contains(r#"id="password-error""#));
    assert!(html.contains("Missing data for required field."));
}

#[rocket::async_test]
async fn signing_in_without_a_csrf_token_or_with_a_forged_one_is_forbidden() {
    let app = spawn_app().await;
    app.register("alice").await;
    page(&app, "/login", Status::Ok).await;
    let fields = [("username", "alice"), ("password", PASSWORD)];
    assert_eq!(
        post_form(&app, "/login", &fields).await.status(),
        Status::Forbidden
    );
    let zeros = "0".repeat(64);
    let forged = [
        ("csrf_token", zeros.as_str()),
        ("username", "alice"),
        ("password", PASSWORD),
    ];
    let response = post_form(&app, "/login", &forged).await;
    assert_eq!(response.status(), Status::Forbidden);
    assert!(response.cookies().get("session").is_none());
}

#[rocket::async_test]
async fn a_csrf_token_from_another_visitor_is_refused() {
    let app = spawn_app().await;
    app.register("alice").await;
    let token = csrf_token(&page(&app, "/login", Status::Ok).await);
    let other_browser = rocket::local::asynchronous::Client::tracked(job_offers::build(
        app.client.rocket().figment().clone(),
    ))
    .await
    .unwrap();
    let response = other_browser
        .post("/login")
        .header(ContentType::Form)
        .body(form_body(&[
            ("csrf_token", &token),
            ("username", "alice"),
            ("password", PASSWORD),
        ]))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn signing_in_returns_to_the_page_that_asked_for_it() {
    let app = spawn_app().await;
    app.register("alice").await;
    let response = app.client.get("/offers/new").dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), "/login?next=%2Foffers%2Fnew");
    let html = follow(&app, response).await;
    assert!(html.contains("Please sign in to continue."));
    assert!(html.contains(r#"<input type="hidden" name="next" value="&#x2F;offers&#x2F;new">"#));
    let response = submit(
        &app,
        "/login?next=%2Foffers%2Fnew",
        "/login",
        &[
            ("username", "alice"),
            ("password", PASSWORD),
            ("next", "/offers/new"),
        ],
    )
    .await;
    assert_eq!(location(&response), "/offers/new");
}

#[rocket::async_test]
async fn signing_in_never_redirects_to_another_site() {
    let app = spawn_app().await;
    app.register("alice").await;
    for next in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
    ] {
        let response = submit(
            &app,
            "/login",
            "/login",
            &[
                ("username", "alice"),
                ("password", PASSWORD),
                ("next", next),
            ],
        )
        .await;
        assert_eq!(location(&response), "/offers", "{next}");
        sign_out(&app).await;
    }
}

#[rocket::async_test]
async fn signing_out_needs_its_csrf_token_and_ends_the_session() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;

    let html = page(&app, "/logout", Status::Ok).await;
    assert!(html.contains(r#"action="/logout""#));
    page(&app, "/offers", Status::Ok).await;

    let refused = post_form(&app, "/logout", &[]).await;
    assert_eq!(refused.status(), Status::Forbidden);
    page(&app, "/offers", Status::Ok).await;

    let token = csrf_token(&page(&app, "/offers", Status::Ok).await);
    let response = post_form(&app, "/logout", &[("csrf_token", &token)]).await;
    assert_eq!(response.status(), Status::SeeOther);
    let removal = response.cookies().get("session").expect("a removal cookie");
    assert_eq!(removal.value(), "");
    let html = follow(&app, response).await;
    assert!(html.contains("You are signed out."));
    let response = app.client.get("/offers").dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
}

#[rocket::async_test]
async fn signed_out_visitors_are_sent_to_sign_in_from_every_private_page() {
    let app = spawn_app().await;
    let id = someone_elses_offer(&app).await;
    page(&app, &format!("/offers/{id}"), Status::Ok).await;
    for uri in [
        "/offers".to_owned(),
        "/offers/new".to_owned(),
        format!("/offers/{id}/edit"),
        format!("/offers/{id}/delete"),
    ] {
        let response = app.client.get(uri.clone()).dispatch().await;
        assert_eq!(response.status(), Status::SeeOther, "{uri}");
        assert!(
            location(&response).starts_with("/login?next=%2Foffers"),
            "{uri}"
        );
    }
    for uri in [
        "/offers".to_owned(),
        format!("/offers/{id}/edit"),
        format!("/offers/{id}/delete"),
    ] {
        let response = post_form(&app, &uri, &[("title", "x")]).await;
        assert_eq!(response.status(), Status::SeeOther, "POST {uri}");
    }
    assert!(stored_offer(&app, id).await.is_some());
}

#[rocket::async_test]
async fn an_expired_or_orphaned_session_counts_as_signed_out() {
    let app = spawn_app().await;
    let id = app.register("alice").await;
    let expired = json!({
        "user_id": id, "username": "alice", "csrf_token": "a".repeat(64),
        "issued_at": 1_000_000_000u64,
    });
    let response = app
        .client
        .get("/offers")
        .private_cookie(Cookie::new("session", expired.to_string()))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert!(location(&response).starts_with("/login"));

    sign_up(&app, "bob").await;
    page(&app, "/offers", Status::Ok).await;
    sqlx::query("DELETE FROM users WHERE username = 'bob'")
        .execute(&app.db)
        .await
        .unwrap();
    let response = app.client.get("/offers").dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(response.cookies().get("session").unwrap().value(), "");
}

#[rocket::async_test]
async fn the_api_never_accepts_the_session_cookie() {
    let app = spawn_app().await;
    let id = sign_up(&app, "alice").await;
    let response = app
        .send(
            Method::Get,
            &format!("/api/v1/users/{id}/offers/"),
            None,
            None,
        )
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
    let response = app
        .send(
            Method::Post,
            &format!("/api/v1/users/{id}/offers/"),
            None,
            Some(&backend_offer()),
        )
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert_eq!(app.offer_count().await, 0);
}

// My offers

#[rocket::async_test]
async fn my_offers_lists_title_skills_last_change_and_actions() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;
    let html = page(&app, "/offers", Status::Ok).await;
    assert!(html.contains("You have not published any offers yet."));

    let id = create_offer(&app, "Backend Engineer", "python, flask").await;
    someone_elses_offer(&app).await;
    let html = page(&app, "/offers", Status::Ok).await;
    assert!(html.contains(&format!(r#"<a href="/offers/{id}">Backend Engineer</a>"#)));
    assert!(html.contains(r#"<li class="tag">python</li><li class="tag">flask</li>"#));
    assert!(html.contains("<time datetime=\""));
    assert!(html.contains(&format!(r#"href="/offers/{id}/edit""#)));
    assert!(html.contains(&format!(r#"href="/offers/{id}/delete""#)));
    assert_eq!(html.matches("<tr>").count(), 2, "header + own offer only");

    create_offer(&app, "Polyglot", "a, b, c, d, e, f, g, h, i, j").await;
    let html = page(&app, "/offers", Status::Ok).await;
    assert!(html.contains(r#"<li class="tag">h</li><li class="tag tag-more">+2 more</li>"#));
    assert!(
        html.find(">Polyglot<").unwrap() < html.find(">Backend Engineer<").unwrap(),
        "the latest change first"
    );
}

// Create

#[rocket::async_test]
async fn creating_an_offer_stores_it_like_the_api_and_flashes() {
    let app = spawn_app().await;
    let id = sign_up(&app, "alice").await;
    let html = page(&app, "/offers/new", Status::Ok).await;
    for label in [
        r#"<label for="title">Title</label>"#,
        r#"<label for="description">Description</label>"#,
        r#"<label for="skills_list">Skills</label>"#,
    ] {
        assert!(html.contains(label), "{label}");
    }
    let response = submit(
        &app,
        "/offers/new",
        "/offers",
        &[
            ("title", "Backend Engineer"),
            ("description", "Build a RESTful API\r\nwith Rust"),
            ("skills_list", "python, flask\r\nDevOps\r\n\r\n"),
        ],
    )
    .await;
    assert_eq!(location(&response), "/offers");
    let html = follow(&app, response).await;
    assert!(html.contains("Offer created"));
    assert!(html.contains("Backend Engineer"));

    let user = crate::helpers::TestUser {
        id,
        token: app.login("alice").await,
    };
    let listed = body_json(
        app.send(
            Method::Get,
            &format!("/api/v1/users/{id}/offers/"),
            Some(&user),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["offers"][0]["title"], "Backend Engineer");
    assert_eq!(
        listed["offers"][0]["description"], "Build a RESTful API\nwith Rust",
        "line breaks as the API writes them"
    );
    assert_eq!(
        listed["offers"][0]["skills_list"],
        json!(["python", "flask", "DevOps"])
    );
}

#[rocket::async_test]
async fn an_invalid_offer_is_shown_again_with_the_input_and_the_api_messages() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;
    let long_skill = "s".repeat(51);
    let response = submit(
        &app,
        "/offers/new",
        "/offers",
        &[
            ("title", "   "),
            ("description", ""),
            ("skills_list", &format!("rust, {long_skill}")),
        ],
    )
    .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("Must not be blank."));
    assert!(html.contains("Length must be between 1 and 10000."));
    assert!(html.contains("Item 1: Length must be between 1 and 50."));
    assert!(html.contains(&format!("\nrust, {long_skill}</textarea>")));
    assert!(html.contains(r##"<a href="#title">Title: Must not be blank.</a>"##));
    assert!(html.contains(r#"aria-describedby="title-hint title-error""#));
    assert_eq!(app.offer_count().await, 0);

    let missing = submit(&app, "/offers/new", "/offers", &[]).await;
    assert_eq!(missing.status(), Status::UnprocessableEntity);
    assert_eq!(app.offer_count().await, 0);
}

#[rocket::async_test]
async fn creating_an_offer_without_a_csrf_token_is_forbidden() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;
    let response = post_form(
        &app,
        "/offers",
        &[("title", "Backend Engineer"), ("description", "Build it")],
    )
    .await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(app.offer_count().await, 0);
}

#[rocket::async_test]
async fn user_text_is_escaped_everywhere_it_is_shown() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;
    let id = create_offer(
        &app,
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(2)>",
    )
    .await;
    for uri in [
        "/offers".to_owned(),
        format!("/offers/{id}"),
        format!("/offers/{id}/edit"),
        format!("/offers/{id}/delete"),
    ] {
        let html = page(&app, &uri, Status::Ok).await;
        assert!(!html.contains("<script>alert(1)"), "{uri}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"),
            "{uri}"
        );
        assert!(!html.contains("<img src=x"), "{uri}");
    }
}

// View

#[rocket::async_test]
async fn an_offer_page_shows_everything_and_edit_delete_only_to_the_owner() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;
    let own = create_offer(&app, "Backend Engineer", "python, flask").await;
    let other = someone_elses_offer(&app).await;

    let html = page(&app, &format!("/offers/{own}"), Status::Ok).await;
    assert!(html.contains("<h1>Backend Engineer</h1>"));
    assert!(html.contains("Build a RESTful API"));
    assert!(html.contains(r#"title="Filter by this skill">flask</a>"#));
    assert!(html.contains(&format!(r#"href="/offers/{own}/edit""#)));
    assert!(html.contains(&format!(r#"href="/offers/{own}/delete""#)));

    let html = page(&app, &format!("/offers/{other}"), Status::Ok).await;
    assert!(html.contains("<h1>Backend Engineer</h1>"));
    assert!(!html.contains("/edit"));
    assert!(!html.contains("/delete"));
}

#[rocket::async_test]
async fn missing_and_malformed_offer_ids_are_404_pages() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;
    for uri in [
        "/offers/999999",
        "/offers/abc",
        "/offers/0",
        "/offers/-1",
        "/offers/99999999999999999999",
        "/offers/999999/edit",
        "/offers/abc/delete",
        "/no/such/page",
    ] {
        let html = page(&app, uri, Status::NotFound).await;
        assert!(html.contains("Page not found"), "{uri}");
        assert!(
            html.contains("Signed in as <strong>alice</strong>"),
            "{uri}"
        );
    }
    let api = app.client.get("/api/v1/nothing").dispatch().await;
    assert_eq!(api.status(), Status::NotFound);
    assert_eq!(api.content_type(), Some(ContentType::JSON));
}

// Edit

#[rocket::async_test]
async fn editing_an_offer_prefills_the_form_and_saves_the_changes() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;
    let id = create_offer(&app, "Backend Engineer", "python, flask").await;
    let edit = format!("/offers/{id}/edit");
    let html = page(&app, &edit, Status::Ok).await;
    assert!(html.contains(r#"value="Backend Engineer""#));
    assert!(html.contains("\npython, flask</textarea>"));

    let response = submit(
        &app,
        &edit,
        &edit,
        &[
            ("title", "DevOps Engineer"),
            ("description", "Run it"),
            ("skills_list", "kubernetes\nhelm"),
        ],
    )
    .await;
    assert_eq!(location(&response), format!("/offers/{id}"));
    let html = follow(&app, response).await;
    assert!(html.contains("Offer updated"));
    assert!(html.contains("<h1>DevOps Engineer</h1>"));
    assert_eq!(
        stored_offer(&app, id).await.unwrap(),
        (
            "DevOps Engineer".to_owned(),
            "Run it".to_owned(),
            vec!["kubernetes".to_owned(), "helm".to_owned()]
        )
    );
}

#[rocket::async_test]
async fn editing_keeps_api_skills_with_commas_when_they_are_left_alone() {
    let app = spawn_app().await;
    let id = sign_up(&app, "alice").await;
    let user = crate::helpers::TestUser {
        id,
        token: app.login("alice").await,
    };
    let offer = app
        .create_offer(
            &user,
            &json!({"title": "SRE", "description": "d", "skills_list": ["CI/CD, GitOps", "rust"]}),
        )
        .await;
    let edit = format!("/offers/{}/edit", offer["id"]);
    let shown = page(&app, &edit, Status::Ok).await;
    let skills = shown
        .split("name=\"skills_list\"")
        .nth(1)
        .and_then(|rest| rest.split_once(">\n"))
        .and_then(|(_, rest)| rest.split_once("</textarea>"))
        .map(|(skills, _)| unescape(skills))
        .unwrap();
    let response = submit(
        &app,
        &edit,
        &edit,
        &[
            ("title", "Site Reliability Engineer"),
            ("description", "d"),
            ("skills_list", &skills),
        ],
    )
    .await;
    assert_eq!(response.status(), Status::SeeOther);
    let stored = stored_offer(&app, offer["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(stored.0, "Site Reliability Engineer");
    assert_eq!(stored.2, ["CI/CD, GitOps", "rust"]);
}

#[rocket::async_test]
async fn an_invalid_edit_is_shown_again_and_changes_nothing() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;
    let id = create_offer(&app, "Backend Engineer", "python").await;
    let edit = format!("/offers/{id}/edit");
    let too_long = "t".repeat(201);
    let response = submit(
        &app,
        &edit,
        &edit,
        &[
            ("title", &too_long),
            ("description", "Still fine"),
            ("skills_list", "python"),
        ],
    )
    .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("Length must be between 1 and 200."));
    assert!(html.contains(&format!(r#"value="{too_long}""#)));
    assert!(html.contains("\nStill fine</textarea>"));
    assert_eq!(stored_offer(&app, id).await.unwrap().0, "Backend Engineer");
}

#[rocket::async_test]
async fn editing_without_a_csrf_token_is_forbidden() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;
    let id = create_offer(&app, "Backend Engineer", "python").await;
    let response = post_form(
        &app,
        &format!("/offers/{id}/edit"),
        &[("title", "Hacked"), ("description", "x")],
    )
    .await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(stored_offer(&app, id).await.unwrap().0, "Backend Engineer");
}

// Delete

#[rocket::async_test]
async fn deleting_asks_first_then_removes_the_offer() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;
    let id = create_offer(&app, "Backend Engineer", "python").await;
    let confirm = format!("/offers/{id}/delete");
    let html = page(&app, &confirm, Status::Ok).await;
    assert!(html.contains("Delete this offer?"));
    assert!(html.contains(&format!(r#"action="/offers/{id}/delete""#)));
    assert!(
        stored_offer(&app, id).await.is_some(),
        "GET changes nothing"
    );

    let response = submit(&app, &confirm, &confirm, &[]).await;
    assert_eq!(location(&response), "/offers");
    let html = follow(&app, response).await;
    assert!(html.contains("Offer deleted"));
    assert!(stored_offer(&app, id).await.is_none());
    page(&app, &confirm, Status::NotFound).await;
}

#[rocket::async_test]
async fn deleting_without_a_csrf_token_is_forbidden() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;
    let id = create_offer(&app, "Backend Engineer", "python").await;
    let response = post_form(&app, &format!("/offers/{id}/delete"), &[]).await;
    assert_eq!(response.status(), Status::Forbidden);
    assert!(stored_offer(&app, id).await.is_some());
}

// Another user's offer

#[rocket::async_test]
async fn another_users_edit_and_delete_pages_are_forbidden() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;
    let id = someone_elses_offer(&app).await;
    for uri in [format!("/offers/{id}/edit"), format!("/offers/{id}/delete")] {
        let html = page(&app, &uri, Status::Forbidden).await;
        assert!(html.contains("Not allowed"), "{uri}");
        assert!(
            html.contains("Signed in as <strong>alice</strong>"),
            "{uri}"
        );

        let response = submit(
            &app,
            "/offers",
            &uri,
            &[("title", "Hacked"), ("description", "x")],
        )
        .await;
        assert_eq!(response.status(), Status::Forbidden, "POST {uri}");
    }
    let stored = stored_offer(&app, id).await.unwrap();
    assert_eq!(stored.0, "Backend Engineer");
}

// Failures

#[rocket::async_test]
async fn an_unavailable_database_shows_a_friendly_page() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;
    let db = rocket_db_pools::Database::fetch(app.client.rocket())
        .map(|db: &job_offers::db::Db| db.pool().clone())
        .unwrap();
    db.close().await;
    let response = app.client.get("/offers").dispatch().await;
    assert_eq!(response.status(), Status::ServiceUnavailable);
    assert_eq!(response.headers().get_one("Retry-After"), Some("1"));
    let html = response.into_string().await.unwrap();
    assert!(html.contains("Temporarily unavailable"));
    assert!(html.contains(r#"<link rel="stylesheet" href="/static/css/site.css">"#));
}

#[rocket::async_test]
async fn a_form_over_the_size_limit_is_refused_with_a_page() {
    let app = spawn_app().await;
    sign_up(&app, "alice").await;
    let huge = "x".repeat(200 * 1024);
    let response = submit(
        &app,
        "/offers/new",
        "/offers",
        &[("title", "t"), ("description", &huge)],
    )
    .await;
    assert_eq!(response.status(), Status::PayloadTooLarge);
    assert!(response
        .into_string()
        .await
        .unwrap()
        .contains("Too much text"));
    assert_eq!(app.offer_count().await, 0);
}

#[rocket::async_test]
async fn a_page_request_with_an_api_token_is_still_signed_out() {
    let app = spawn_app().await;
    let user = app.user("alice").await;
    let response = app
        .client
        .get("/offers")
        .header(Header::new("Authorization", format!("JWT {}", user.token)))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
}

#[rocket::async_test]
async fn the_app_refuses_to_start_without_its_static_files_or_with_a_zero_session_ttl() {
    let url = crate::helpers::fresh_database().await;
    for (key, value) in [
        ("static_dir", json!("/nonexistent/static")),
        ("session_ttl_hours", json!(0)),
    ] {
        let figment = crate::helpers::test_figment(&url).merge((key, value));
        // Reading the error's kind marks it handled; Rocket panics on an unread one.
        let failed = job_offers::build(figment).ignite().await.err();
        assert!(
            failed.is_some_and(|error| matches!(
                error.kind(),
                rocket::error::ErrorKind::FailedFairings(_)
            )),
            "{key} is checked at start-up"
        );
    }
}
