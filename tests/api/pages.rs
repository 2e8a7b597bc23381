//! The HTML pages through Rocket's local client: every page and form path (success,
//! validation error, missing CSRF token, another user's offer, signed-out redirect), the
//! session cookie, and the security headers.

use rocket::http::{ContentType, Cookie, SameSite, Status};
use serde_json::json;

use crate::helpers::{backend_offer, body_json, spawn_app, TestApp, TestUser, PASSWORD};
use crate::web::{location, Page, Visitor};

/// Creates an offer through the page form and returns its id.
async fn create_offer(visitor: &Visitor<'_>, app: &TestApp, title: &str, skills: &str) -> i64 {
    let response = visitor
        .submit(
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

/// Who the page's header says is signed in.
fn signed_in_as(page: &Page) -> Option<String> {
    page.first(".who strong").map(|who| who.text())
}

/// The link the navigation marks as the current page.
fn current_nav_link(page: &Page) -> (String, String) {
    let link = page.one(r#"nav a[aria-current="page"]"#);
    (link.text(), link.attr("href").unwrap().to_owned())
}

// Home, layout and headers

#[rocket::async_test]
async fn the_home_page_is_the_board_for_visitors_and_signed_in_users() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    let page = visitor.get_page("/", Status::Ok).await;
    assert_eq!(page.href_of("Sign in").as_deref(), Some("/login"));
    assert_eq!(page.href_of("Sign up").as_deref(), Some("/register"));
    assert!(page.has(r#"head link[rel="stylesheet"][href="/static/css/site.css"]"#));
    assert_eq!(page.text("h1"), "Jobs");

    visitor.sign_up("alice").await;
    let page = visitor.get_page("/", Status::Ok).await;
    assert_eq!(page.text("h1"), "Jobs");
    assert_eq!(page.href_of("My offers").as_deref(), Some("/offers"));
}

#[rocket::async_test]
async fn pages_carry_the_security_headers_and_the_api_keeps_its_own() {
    let app = spawn_app().await;
    for uri in ["/", "/login", "/no-such-page", "/static/css/site.css"] {
        let response = app.get(uri, None).await;
        let headers = response.headers();
        let csp = headers.get_one("Content-Security-Policy").unwrap_or("");
        assert_eq!(csp, job_offers::web::CONTENT_SECURITY_POLICY, "{uri}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(headers.get_one("X-Content-Type-Options"), Some("nosniff"));
        assert_eq!(headers.get_one("Referrer-Policy"), Some("same-origin"));
        assert_eq!(headers.get_one("X-Frame-Options"), Some("DENY"));
    }
    let page = app.get("/login", None).await;
    assert_eq!(page.headers().get_one("Cache-Control"), Some("no-store"));

    let api = app.get("/api/v1/users/1/offers/", None).await;
    assert_eq!(api.content_type(), Some(ContentType::JSON));
    assert!(api.headers().get_one("Content-Security-Policy").is_none());
}

#[rocket::async_test]
async fn the_stylesheet_is_served_and_pages_use_no_inline_script_or_style() {
    let app = spawn_app().await;
    let css = app.get("/static/css/site.css", None).await;
    assert_eq!(css.status(), Status::Ok);
    assert_eq!(css.content_type(), Some(ContentType::CSS));
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let id = create_offer(&visitor, &app, "Backend Engineer", "rust").await;
    for uri in [
        "/offers".to_owned(),
        "/offers/new".to_owned(),
        format!("/offers/{id}"),
        format!("/offers/{id}/edit"),
        format!("/offers/{id}/delete"),
    ] {
        let page = visitor.get_page(&uri, Status::Ok).await;
        // The policy forbids inline script and style: not a byte of either may be sent. The
        // one script element allowed is a data block (the offer's JobPosting), which browsers
        // never run.
        let data_blocks = page.count(r#"script[type="application/ld+json"]"#);
        assert!(
            !page.has(r#"script:not([type="application/ld+json"]), style, [style]"#),
            "{uri}"
        );
        let html = page.source();
        assert_eq!(html.matches("<script").count(), data_blocks, "{uri}");
        assert!(!html.contains("style="), "{uri}");
        assert!(!html.contains("<style"), "{uri}");
    }
}

// Sign up

#[rocket::async_test]
async fn signing_up_signs_in_with_a_private_http_only_lax_cookie_that_expires() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    let page = visitor.get_page("/register", Status::Ok).await;
    assert_eq!(
        current_nav_link(&page),
        ("Sign up".to_owned(), "/register".to_owned())
    );
    assert_eq!(page.text(r#"label[for="username"]"#), "Username");
    assert_eq!(page.text(r#"label[for="password"]"#), "Password");
    let token = page.csrf_token();
    let response = visitor
        .post_form(
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

    let page = visitor.follow(response).await;
    assert_eq!(
        page.text(".flash"),
        "Welcome, alice! Your account is ready."
    );
    assert_eq!(page.text(".who"), "Signed in as alice");
    assert_eq!(signed_in_as(&page).as_deref(), Some("alice"));
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
}

#[rocket::async_test]
async fn an_invalid_sign_up_shows_each_message_beside_its_field_and_keeps_the_username() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    let response = visitor
        .submit(
            "/register",
            "/register",
            &[("username", "bad name<b>"), ("password", "short")],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = Page::read(response).await;
    assert_eq!(
        page.text("#username-error"),
        "Error: Only letters, digits, '_', '.' and '-' are allowed."
    );
    assert_eq!(page.text("#username-error .visually-hidden"), "Error:");
    assert!(page
        .text("#password-error")
        .ends_with("Length must be between 8 and 128."));
    assert_eq!(
        page.field_value("username").as_deref(),
        Some("bad name<b>"),
        "input kept"
    );
    assert!(
        page.source().contains(r#"value="bad name&lt;b&gt;""#),
        "and escaped"
    );
    assert_eq!(page.field_value("password").as_deref(), Some(""));
    assert!(
        !page.source().contains("short"),
        "the password is never sent back"
    );
    assert_eq!(
        page.attr("#username", "aria-describedby").as_deref(),
        Some("username-hint username-error")
    );
    assert_eq!(
        page.attr("#username", "aria-invalid").as_deref(),
        Some("true")
    );
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
    let visitor = app.visitor();
    let response = visitor
        .submit(
            "/register",
            "/register",
            &[("username", "alice"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = Page::read(response).await;
    assert!(page
        .text("#username-error")
        .ends_with("Username already taken"));
    assert_eq!(page.field_value("username").as_deref(), Some("alice"));
}

#[rocket::async_test]
async fn signing_up_without_a_csrf_token_is_forbidden() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.get_page("/register", Status::Ok).await;
    let response = visitor
        .post_form(
            "/register",
            &[("username", "alice"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(response.content_type(), Some(ContentType::HTML));
    assert_eq!(
        Page::read(response).await.text("h1"),
        "This form has expired"
    );
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
    let visitor = app.visitor();
    let page = visitor.get_page("/login", Status::Ok).await;
    assert_eq!(
        page.attr("#password", "autocomplete").as_deref(),
        Some("current-password")
    );
    let response = visitor.sign_in("ALICE").await;
    assert_eq!(location(&response), "/offers");
    assert!(response.cookies().get("session").is_some());
    let page = visitor.follow(response).await;
    assert_eq!(page.text(".flash"), "Signed in as alice.");
    assert_eq!(page.text("h1"), "My offers");
}

#[rocket::async_test]
async fn a_wrong_password_shows_the_api_message_and_keeps_the_username() {
    let app = spawn_app().await;
    app.register("alice").await;
    let visitor = app.visitor();
    let response = visitor
        .submit(
            "/login",
            "/login",
            &[("username", "alice"), ("password", "not the password")],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    assert!(response.cookies().get("session").is_none());
    let page = Page::read(response).await;
    assert_eq!(page.text(".form-problem"), "Invalid username/password");
    assert_eq!(page.field_value("username").as_deref(), Some("alice"));

    let empty = visitor
        .submit("/login", "/login", &[("username", ""), ("password", "")])
        .await;
    assert_eq!(empty.status(), Status::UnprocessableEntity);
    let page = Page::read(empty).await;
    for field in ["username", "password"] {
        assert_eq!(
            page.text(&format!("#{field}-error")),
            "Error: Missing data for required field.",
            "{field}"
        );
    }
}

#[rocket::async_test]
async fn signing_in_without_a_csrf_token_or_with_a_forged_one_is_forbidden() {
    let app = spawn_app().await;
    app.register("alice").await;
    let visitor = app.visitor();
    visitor.get_page("/login", Status::Ok).await;
    let fields = [("username", "alice"), ("password", PASSWORD)];
    assert_eq!(
        visitor.post_form("/login", &fields).await.status(),
        Status::Forbidden
    );
    let zeros = "0".repeat(64);
    let forged = [
        ("csrf_token", zeros.as_str()),
        ("username", "alice"),
        ("password", PASSWORD),
    ];
    let response = visitor.post_form("/login", &forged).await;
    assert_eq!(response.status(), Status::Forbidden);
    assert!(response.cookies().get("session").is_none());
}

#[rocket::async_test]
async fn a_csrf_token_from_another_visitor_is_refused() {
    let app = spawn_app().await;
    app.register("alice").await;
    let token = app
        .visitor()
        .get_page("/login", Status::Ok)
        .await
        .csrf_token();
    let other_browser = app.new_visitor().await;
    let response = other_browser
        .post_form(
            "/login",
            &[
                ("csrf_token", &token),
                ("username", "alice"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn signing_in_returns_to_the_page_that_asked_for_it() {
    let app = spawn_app().await;
    app.register("alice").await;
    let visitor = app.visitor();
    let response = visitor.get("/offers/new").await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), "/login?next=%2Foffers%2Fnew");
    let page = visitor.follow(response).await;
    assert_eq!(page.text(".flash"), "Please sign in to continue.");
    assert_eq!(
        page.attr(r#"form input[type="hidden"][name="next"]"#, "value")
            .as_deref(),
        Some("/offers/new")
    );
    let response = visitor
        .submit(
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
    let visitor = app.visitor();
    for next in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
    ] {
        let response = visitor
            .submit(
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
        visitor.sign_out().await;
    }
}

#[rocket::async_test]
async fn signing_out_needs_its_csrf_token_and_ends_the_session() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("alice").await;

    let page = visitor.get_page("/logout", Status::Ok).await;
    assert!(page.has(r#"main form[method="post"][action="/logout"]"#));
    visitor.get_page("/offers", Status::Ok).await;

    let refused = visitor.post_form("/logout", &[]).await;
    assert_eq!(refused.status(), Status::Forbidden);
    visitor.get_page("/offers", Status::Ok).await;

    let token = visitor.get_page("/offers", Status::Ok).await.csrf_token();
    let response = visitor
        .post_form("/logout", &[("csrf_token", &token)])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let removal = response.cookies().get("session").expect("a removal cookie");
    assert_eq!(removal.value(), "");
    let page = visitor.follow(response).await;
    assert_eq!(page.text(".flash"), "You are signed out.");
    assert_eq!(signed_in_as(&page), None);
    let response = visitor.get("/offers").await;
    assert_eq!(response.status(), Status::SeeOther);
}

#[rocket::async_test]
async fn signed_out_visitors_are_sent_to_sign_in_from_every_private_page() {
    let app = spawn_app().await;
    let id = someone_elses_offer(&app).await;
    let visitor = app.visitor();
    visitor.get_page(&format!("/offers/{id}"), Status::Ok).await;
    for uri in [
        "/offers".to_owned(),
        "/offers/new".to_owned(),
        format!("/offers/{id}/edit"),
        format!("/offers/{id}/delete"),
    ] {
        let response = visitor.get(&uri).await;
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
        let response = visitor.post_form(&uri, &[("title", "x")]).await;
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

    let visitor = app.visitor();
    visitor.sign_up("bob").await;
    visitor.get_page("/offers", Status::Ok).await;
    sqlx::query("DELETE FROM users WHERE username = 'bob'")
        .execute(&app.db)
        .await
        .unwrap();
    let response = visitor.get("/offers").await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(response.cookies().get("session").unwrap().value(), "");
}

#[rocket::async_test]
async fn the_api_never_accepts_the_session_cookie() {
    let app = spawn_app().await;
    let id = app.visitor().sign_up("alice").await;
    let offers = format!("/api/v1/users/{id}/offers/");
    let response = app.get(&offers, None).await;
    assert_eq!(response.status(), Status::Unauthorized);
    let response = app.post_json(&offers, None, &backend_offer()).await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert_eq!(app.offer_count().await, 0);
}

// My offers

/// The rows of "My offers": each offer's title, where it links, and its skill tags.
fn my_offers(page: &Page) -> Vec<(String, String, Vec<String>)> {
    page.select("table.offers tbody tr")
        .iter()
        .map(|row| {
            let title = row.first(".offer-title a").expect("a title link");
            (
                title.text(),
                title.attr("href").unwrap().to_owned(),
                row.select(".tags li")
                    .iter()
                    .map(|tag| tag.text())
                    .collect(),
            )
        })
        .collect()
}

#[rocket::async_test]
async fn my_offers_lists_title_skills_last_change_and_actions() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let page = visitor.get_page("/offers", Status::Ok).await;
    assert!(page
        .text(".empty")
        .starts_with("You have not published any offers yet."));

    let id = create_offer(&visitor, &app, "Backend Engineer", "python, flask").await;
    someone_elses_offer(&app).await;
    let page = visitor.get_page("/offers", Status::Ok).await;
    assert_eq!(
        my_offers(&page),
        [(
            "Backend Engineer".to_owned(),
            format!("/offers/{id}-backend-engineer"),
            vec!["python".to_owned(), "flask".to_owned()]
        )],
        "own offer only"
    );
    assert!(page.has("table.offers tbody tr time[datetime]"));
    assert!(page.has(&format!(r#"table.offers a[href="/offers/{id}/edit"]"#)));
    assert!(page.has(&format!(r#"table.offers a[href="/offers/{id}/delete"]"#)));
    assert_eq!(page.count("table.offers tr"), 2, "header + own offer only");

    create_offer(&visitor, &app, "Polyglot", "a, b, c, d, e, f, g, h, i, j").await;
    let page = visitor.get_page("/offers", Status::Ok).await;
    let rows = my_offers(&page);
    let titles: Vec<&str> = rows.iter().map(|(title, _, _)| title.as_str()).collect();
    assert_eq!(titles, ["Polyglot", "Backend Engineer"], "newest first");
    assert_eq!(
        rows[0].2,
        ["a", "b", "c", "d", "e", "f", "g", "h", "+2 more"]
    );
    assert_eq!(
        page.text("table.offers tbody tr .tags li:last-child.tag-more"),
        "+2 more"
    );
}

// Create

#[rocket::async_test]
async fn creating_an_offer_stores_it_like_the_api_and_flashes() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    let id = visitor.sign_up("alice").await;
    let page = visitor.get_page("/offers/new", Status::Ok).await;
    for (field, label) in [
        ("title", "Title"),
        ("description", "Description"),
        ("skills_list", "Skills"),
    ] {
        assert_eq!(page.text(&format!(r#"label[for="{field}"]"#)), label);
    }
    let response = visitor
        .submit(
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
    let page = visitor.follow(response).await;
    assert_eq!(page.text(".flash"), "Offer published");
    assert_eq!(
        page.select_text("table.offers .offer-title"),
        ["Backend Engineer"]
    );

    let user = TestUser {
        id,
        token: app.login("alice").await,
    };
    let listed = body_json(app.get(&format!("/api/v1/users/{id}/offers/"), &user).await).await;
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
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let long_skill = "s".repeat(51);
    let skills = format!("rust, {long_skill}");
    let response = visitor
        .submit(
            "/offers/new",
            "/offers",
            &[
                ("title", "   "),
                ("description", ""),
                ("skills_list", &skills),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = Page::read(response).await;
    assert_eq!(page.text("#title-error"), "Error: Must not be blank.");
    assert_eq!(
        page.text("#description-error"),
        "Error: Length must be between 1 and 10000."
    );
    assert_eq!(
        page.text("#skills_list-error"),
        "Error: Skill 2: Length must be between 1 and 50."
    );
    assert_eq!(page.field_value("skills_list"), Some(skills));
    assert_eq!(
        page.text(r##".error-summary a[href="#title"]"##),
        "Title: Must not be blank."
    );
    assert_eq!(
        page.attr("#title", "aria-describedby").as_deref(),
        Some("title-hint title-error")
    );
    assert_eq!(app.offer_count().await, 0);

    let missing = visitor.submit("/offers/new", "/offers", &[]).await;
    assert_eq!(missing.status(), Status::UnprocessableEntity);
    assert_eq!(app.offer_count().await, 0);
}

#[rocket::async_test]
async fn creating_an_offer_without_a_csrf_token_is_forbidden() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let response = visitor
        .post_form(
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
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let title = "<script>alert(1)</script>";
    let id = create_offer(&visitor, &app, title, "<img src=x onerror=alert(2)>").await;
    for uri in [
        "/offers".to_owned(),
        format!("/offers/{id}"),
        format!("/offers/{id}/edit"),
        format!("/offers/{id}/delete"),
    ] {
        let page = visitor.get_page(&uri, Status::Ok).await;
        let markup = r#"script:not([type="application/ld+json"]), img"#;
        assert!(!page.has(markup), "{uri}: markup from user text");
        assert!(page.text("main").contains(title), "{uri}: shown as text");
        // Escaping is about the bytes sent.
        let html = page.source();
        assert!(!html.contains("<script>alert(1)"), "{uri}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"),
            "{uri}"
        );
        assert!(!html.contains("<img src=x"), "{uri}");
    }
}

// View

/// Links and forms on the page that lead to editing or deleting an offer.
fn edit_or_delete_controls(page: &Page) -> usize {
    page.count(r#"[href$="/edit"], [href$="/delete"], [action$="/edit"], [action$="/delete"]"#)
}

#[rocket::async_test]
async fn an_offer_page_shows_everything_and_edit_delete_only_to_the_owner() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let own = create_offer(&visitor, &app, "Backend Engineer", "python, flask").await;
    let other = someone_elses_offer(&app).await;

    let page = visitor
        .get_page(&format!("/offers/{own}"), Status::Ok)
        .await;
    assert_eq!(page.text("h1"), "Backend Engineer");
    assert_eq!(page.text(".description"), "Build a RESTful API");
    assert_eq!(
        page.select_text(r#"a[title="Filter by this skill"]"#),
        ["python", "flask"]
    );
    assert_eq!(page.href_of("Edit"), Some(format!("/offers/{own}/edit")));
    assert_eq!(
        page.href_of("Delete"),
        Some(format!("/offers/{own}/delete"))
    );

    let page = visitor
        .get_page(&format!("/offers/{other}"), Status::Ok)
        .await;
    assert_eq!(page.text("h1"), "Backend Engineer");
    assert_eq!(edit_or_delete_controls(&page), 0);
}

#[rocket::async_test]
async fn missing_and_malformed_offer_ids_are_404_pages() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
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
        let page = visitor.get_page(uri, Status::NotFound).await;
        assert_eq!(page.text("h1"), "Page not found", "{uri}");
        assert_eq!(signed_in_as(&page).as_deref(), Some("alice"), "{uri}");
    }
    let api = app.get("/api/v1/nothing", None).await;
    assert_eq!(api.status(), Status::NotFound);
    assert_eq!(api.content_type(), Some(ContentType::JSON));
}

// Edit

#[rocket::async_test]
async fn editing_an_offer_prefills_the_form_and_saves_the_changes() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let id = create_offer(&visitor, &app, "Backend Engineer", "python, flask").await;
    let edit = format!("/offers/{id}/edit");
    let page = visitor.get_page(&edit, Status::Ok).await;
    assert_eq!(
        page.field_value("title").as_deref(),
        Some("Backend Engineer")
    );
    assert_eq!(
        page.field_value("skills_list").as_deref(),
        Some("python, flask")
    );

    let response = visitor
        .submit(
            &edit,
            &edit,
            &[
                ("title", "DevOps Engineer"),
                ("description", "Run it"),
                ("skills_list", "kubernetes\nhelm"),
            ],
        )
        .await;
    assert_eq!(location(&response), format!("/offers/{id}-devops-engineer"));
    let page = visitor.follow(response).await;
    assert_eq!(page.text(".flash"), "Offer updated");
    assert_eq!(page.text("h1"), "DevOps Engineer");
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
    let visitor = app.visitor();
    let id = visitor.sign_up("alice").await;
    let user = TestUser {
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
    let skills = visitor
        .get_page(&edit, Status::Ok)
        .await
        .field_value("skills_list")
        .expect("a skills field");
    let response = visitor
        .submit(
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
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let id = create_offer(&visitor, &app, "Backend Engineer", "python").await;
    let edit = format!("/offers/{id}/edit");
    let too_long = "t".repeat(201);
    let response = visitor
        .submit(
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
    let page = Page::read(response).await;
    assert_eq!(
        page.text("#title-error"),
        "Error: Length must be between 1 and 200."
    );
    assert_eq!(page.field_value("title"), Some(too_long));
    assert_eq!(
        page.field_value("description").as_deref(),
        Some("Still fine")
    );
    assert_eq!(stored_offer(&app, id).await.unwrap().0, "Backend Engineer");
}

#[rocket::async_test]
async fn editing_without_a_csrf_token_is_forbidden() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let id = create_offer(&visitor, &app, "Backend Engineer", "python").await;
    let response = visitor
        .post_form(
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
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let id = create_offer(&visitor, &app, "Backend Engineer", "python").await;
    let confirm = format!("/offers/{id}/delete");
    let page = visitor.get_page(&confirm, Status::Ok).await;
    assert_eq!(page.text("h1"), "Delete this offer?");
    assert!(page.has(&format!(
        r#"main form[method="post"][action="/offers/{id}/delete"]"#
    )));
    assert!(
        stored_offer(&app, id).await.is_some(),
        "GET changes nothing"
    );

    let response = visitor.submit(&confirm, &confirm, &[]).await;
    assert_eq!(location(&response), "/offers");
    let page = visitor.follow(response).await;
    assert_eq!(page.text(".flash"), "Offer deleted");
    assert!(stored_offer(&app, id).await.is_none());
    visitor.get_page(&confirm, Status::NotFound).await;
}

#[rocket::async_test]
async fn deleting_without_a_csrf_token_is_forbidden() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let id = create_offer(&visitor, &app, "Backend Engineer", "python").await;
    let response = visitor
        .post_form(&format!("/offers/{id}/delete"), &[])
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    assert!(stored_offer(&app, id).await.is_some());
}

// Another user's offer

#[rocket::async_test]
async fn another_users_edit_and_delete_pages_are_forbidden() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let id = someone_elses_offer(&app).await;
    for uri in [format!("/offers/{id}/edit"), format!("/offers/{id}/delete")] {
        let page = visitor.get_page(&uri, Status::Forbidden).await;
        assert_eq!(page.text("h1"), "Not allowed", "{uri}");
        assert_eq!(signed_in_as(&page).as_deref(), Some("alice"), "{uri}");

        let response = visitor
            .submit(
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

#[rocket::async_test]
async fn another_users_draft_is_not_found_on_every_owner_page() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let other = app.user("someone_else").await;
    let mut draft = backend_offer();
    draft["status"] = serde_json::json!("draft");
    let id = app.create_offer(&other, &draft).await["id"]
        .as_i64()
        .unwrap();
    for uri in [
        format!("/offers/{id}"),
        format!("/offers/{id}/edit"),
        format!("/offers/{id}/delete"),
    ] {
        visitor.get_page(&uri, Status::NotFound).await;
    }
    for (uri, fields) in [
        (
            format!("/offers/{id}/edit"),
            vec![("title", "Hacked"), ("description", "x")],
        ),
        (format!("/offers/{id}/delete"), vec![]),
        (
            format!("/offers/{id}/status"),
            vec![("status", "published"), ("back", "/offers")],
        ),
    ] {
        let response = visitor.submit("/offers", &uri, &fields).await;
        assert_eq!(response.status(), Status::NotFound, "POST {uri}");
    }
    let stored = stored_offer(&app, id).await.unwrap();
    assert_eq!(stored.0, "Backend Engineer");
}

// Failures

#[rocket::async_test]
async fn an_unavailable_database_shows_a_friendly_page() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let db = rocket_db_pools::Database::fetch(app.client.rocket())
        .map(|db: &job_offers::db::Db| db.pool().clone())
        .unwrap();
    db.close().await;
    let response = visitor.get("/offers").await;
    assert_eq!(response.status(), Status::ServiceUnavailable);
    assert_eq!(response.headers().get_one("Retry-After"), Some("1"));
    let page = Page::read(response).await;
    assert_eq!(page.text("h1"), "Temporarily unavailable");
    assert!(page.has(r#"head link[rel="stylesheet"][href="/static/css/site.css"]"#));
}

#[rocket::async_test]
async fn a_form_over_the_size_limit_is_refused_with_a_page() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let huge = "x".repeat(200 * 1024);
    let response = visitor
        .submit(
            "/offers/new",
            "/offers",
            &[("title", "t"), ("description", &huge)],
        )
        .await;
    assert_eq!(response.status(), Status::PayloadTooLarge);
    assert_eq!(Page::read(response).await.text("h1"), "Too much text");
    assert_eq!(app.offer_count().await, 0);
}

#[rocket::async_test]
async fn a_page_request_with_an_api_token_is_still_signed_out() {
    let app = spawn_app().await;
    let user = app.user("alice").await;
    let response = app.get("/offers", &user).await;
    assert_eq!(response.status(), Status::SeeOther);
}

#[rocket::async_test]
async fn the_app_refuses_to_start_without_its_static_files_or_with_a_zero_session_ttl() {
    let database = crate::helpers::fresh_database().await;
    for (key, value) in [
        ("static_dir", json!("/nonexistent/static")),
        ("session_ttl_hours", json!(0)),
    ] {
        let figment = crate::helpers::test_figment(database.url()).merge((key, value));
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
