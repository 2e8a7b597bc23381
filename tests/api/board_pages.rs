//! The job board's pages through Rocket's local client: `/` for everyone (search, skill chips,
//! pages that keep the query, bad parameters) and an offer's public page.

use std::collections::HashSet;

use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::Client;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp, TestUser, PASSWORD};

/// What a browser makes of text Tera escaped.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let length = text[from..].find(end)?;
    Some(&text[from..from + length])
}

/// The page's HTML, asserting its status.
async fn page(client: &Client, uri: &str, status: Status) -> String {
    let response = client.get(uri.to_owned()).dispatch().await;
    assert_eq!(response.status(), status, "GET {uri}");
    assert_eq!(
        response.content_type(),
        Some(ContentType::HTML),
        "GET {uri}"
    );
    response.into_string().await.unwrap()
}

/// The offers a board page lists, in order.
fn titles(html: &str) -> Vec<String> {
    html.split(r#"<h2 class="result-title"><a href="/offers/"#)
        .skip(1)
        .map(|rest| unescape(between(rest, "\">", "</a>").unwrap()))
        .collect()
}

/// The (unescaped) address of the first link whose opening tag contains `marker`.
fn link(html: &str, marker: &str) -> Option<String> {
    let at = html.find(marker)?;
    let tag_start = html[..at].rfind("<a ")?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    between(tag, "href=\"", "\"").map(unescape)
}

/// The address of `skill`'s chip on the result titled `title`, when the chip is a link.
fn chip(html: &str, title: &str, skill: &str) -> Option<String> {
    let result = html
        .split(r#"<li class="result">"#)
        .find(|result| result.contains(&format!("\">{title}</a></h2>")))
        .unwrap_or_else(|| panic!("no result {title}"));
    let ending = format!(r#"" title="Filter by this skill">{skill}</a>"#);
    let end = result.find(&ending)?;
    let start = result[..end].rfind("href=\"")? + "href=\"".len();
    Some(unescape(&result[start..end]))
}

/// The link that removes an active filter showing `value`.
fn removal(html: &str, value: &str) -> String {
    let chips = between(html, r#"<ul class="chips""#, "</ul>").expect("active filters");
    let item = chips
        .split("<li>")
        .find(|item| item.contains(&format!("</span> {value}<")))
        .unwrap_or_else(|| panic!("no active filter {value}"));
    unescape(between(item, "href=\"", "\"").unwrap())
}

fn form_encode(fields: &[(&str, &str)]) -> String {
    let encode = |value: &str| -> String {
        value
            .bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (byte as char).to_string()
                }
                _ => format!("%{byte:02X}"),
            })
            .collect()
    };
    fields
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Another browser on the same app: cookies of its own.
async fn browser(app: &TestApp) -> Client {
    Client::tracked(job_offers::build(app.client.rocket().figment().clone()))
        .await
        .unwrap()
}

/// Signs `username` in through the sign-in form of `client`.
async fn sign_in(client: &Client, username: &str) {
    let form = page(client, "/login", Status::Ok).await;
    let token = between(&form, r#"name="csrf_token" value=""#, "\"").unwrap();
    let response = client
        .post("/login")
        .header(ContentType::Form)
        .body(form_encode(&[
            ("csrf_token", token),
            ("username", username),
            ("password", PASSWORD),
        ]))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
}

async fn offer(app: &TestApp, user: &TestUser, title: &str, skills: &[&str]) -> i64 {
    offer_described(app, user, title, skills, "A good job").await
}

async fn offer_described(
    app: &TestApp,
    user: &TestUser,
    title: &str,
    skills: &[&str],
    description: &str,
) -> i64 {
    app.publish(user, title, skills, description).await
}

/// Follows Next links from `start` to the end; the titles of each page.
async fn pages_from(client: &Client, start: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut next = Some(start.to_owned());
    while let Some(uri) = next {
        let html = page(client, &uri, Status::Ok).await;
        pages.push(titles(&html));
        next = link(&html, r#"rel="next""#);
        assert!(pages.len() < 20, "the pages never end");
    }
    pages
}

#[rocket::async_test]
async fn the_board_lists_every_employers_offers_newest_first_for_everyone() {
    let app = spawn_app().await;
    let html = page(&app.client, "/", Status::Ok).await;
    assert!(html.contains("No offers have been published yet."));
    assert_eq!(
        link(&html, "Post the first job").as_deref(),
        Some("/register")
    );

    let acme = app.user("acme").await;
    let globex = app.user("globex").await;
    let first = offer(&app, &acme, "First", &["rust"]).await;
    offer(&app, &globex, "Second", &["go"]).await;
    offer(&app, &acme, "Third", &[]).await;
    sqlx::query(
        "UPDATE offers SET creation_date = now() - interval '3 days 2 hours' WHERE id = $1",
    )
    .bind(first)
    .execute(&app.db)
    .await
    .unwrap();

    let html = page(&app.client, "/", Status::Ok).await;
    assert_eq!(titles(&html), ["Third", "Second", "First"]);
    assert!(html.contains(r#"<p class="result-count">3 offers</p>"#));
    assert!(html.contains(r#"<a class="employer" href="&#x2F;?employer=globex">globex</a>"#));
    assert!(html.contains(">3 days ago</time>"));
    assert!(html.contains(">just now</time>"));
    assert!(html.contains(r#"<time datetime=""#));
    assert!(html.contains(r#"<a href="/" aria-current="page">Jobs</a>"#));
    assert!(
        html.contains(r#"<p class="lead">"#),
        "an introduction for visitors"
    );
    assert_eq!(link(&html, ">Post a job<").as_deref(), Some("/register"));
    assert!(!html.contains(">My offers<"));
    assert!(link(&html, r#"rel="next""#).is_none() && link(&html, r#"rel="prev""#).is_none());
    assert!(!html.contains("<script") && !html.contains("style="));

    let html = page(&app.client, "/?employer=acme", Status::Ok).await;
    assert_eq!(titles(&html), ["Third", "First"]);
    assert_eq!(removal(&html, "acme"), "/");

    // Signed in, `/` is still the board, with "My offers" in the navigation.
    sign_in(&app.client, "globex").await;
    let html = page(&app.client, "/", Status::Ok).await;
    assert_eq!(titles(&html), ["Third", "Second", "First"]);
    assert!(html.contains(r#"<a href="/offers">My offers</a>"#));
    assert!(!html.contains(r#"<p class="lead">"#));
    assert_eq!(link(&html, ">Post a job<").as_deref(), Some("/offers/new"));
}

#[rocket::async_test]
async fn search_finds_offers_by_title_or_skill_and_ranks_title_matches_first() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    offer(&app, &acme, "Rust developer", &["go"]).await;
    offer(&app, &acme, "Backend engineer", &["Rust"]).await;
    offer(&app, &acme, "Frontend engineer", &["react"]).await;
    offer_described(&app, &acme, "Operations", &[], "We also like rust").await;

    let html = page(&app.client, "/?q=rust", Status::Ok).await;
    assert_eq!(
        titles(&html),
        ["Rust developer", "Backend engineer", "Operations"]
    );
    assert!(html.contains(r#"<p class="result-count">3 offers</p>"#));
    assert!(html.contains(r#"<form method="get" action="/" class="search" role="search">"#));
    assert!(html.contains(r#"<label for="q">Search jobs</label>"#));
    assert!(html.contains(r#"name="q" type="search" value="rust""#));
    assert_eq!(removal(&html, "rust"), "/");

    let html = page(&app.client, "/?q=react+engineer", Status::Ok).await;
    assert_eq!(titles(&html), ["Frontend engineer"]);
    assert!(html.contains(r#"<p class="result-count">1 offer</p>"#));

    let html = page(&app.client, "/?q=cobol", Status::Ok).await;
    assert!(titles(&html).is_empty());
    assert!(html.contains("No offers match “cobol” — <a href=\"/\">clear filters</a>."));
}

#[rocket::async_test]
async fn a_skill_chip_adds_its_skill_to_the_filter_case_insensitively() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    offer(&app, &acme, "Alpha", &["Rust", "Postgres"]).await;
    offer(&app, &acme, "Beta", &["rust"]).await;
    offer(&app, &acme, "Gamma", &["go", "postgres"]).await;

    let html = page(&app.client, "/", Status::Ok).await;
    let postgres = chip(&html, "Alpha", "Postgres").unwrap();
    assert_eq!(postgres, "/?skills=Postgres");

    let html = page(&app.client, &postgres, Status::Ok).await;
    assert_eq!(titles(&html), ["Gamma", "Alpha"]);
    assert!(
        chip(&html, "Gamma", "postgres").is_none(),
        "already filtered on, whatever its case"
    );
    assert!(html.contains(r#"<span class="tag tag-active">postgres<"#));
    let both = chip(&html, "Alpha", "Rust").unwrap();
    assert_eq!(both, "/?skills=Postgres%2CRust");

    let html = page(&app.client, &both, Status::Ok).await;
    assert_eq!(titles(&html), ["Alpha"], "offers with all the skills");
    assert!(html.contains(r#"<input type="hidden" name="skills" value="Postgres,Rust">"#));
    let rust_only = removal(&html, "Postgres");
    assert_eq!(rust_only, "/?skills=Rust");
    assert_eq!(
        titles(&page(&app.client, &rust_only, Status::Ok).await),
        ["Beta", "Alpha"]
    );

    let html = page(&app.client, "/?skills=RUST,postgres,Rust", Status::Ok).await;
    assert_eq!(titles(&html), ["Alpha"]);
    assert!(html.contains(r#"name="skills" value="RUST,postgres">"#));

    // A chip keeps the search and starts again at the first page.
    let html = page(&app.client, "/?q=gamma&limit=5", Status::Ok).await;
    assert_eq!(
        chip(&html, "Gamma", "go").as_deref(),
        Some("/?q=gamma&skills=go&limit=5")
    );
}

#[rocket::async_test]
async fn next_and_previous_pages_keep_the_query_and_show_no_offer_twice() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    for n in 1..=25 {
        offer(&app, &acme, &format!("Engineer {n:02}"), &["rust"]).await;
    }
    for n in 1..=3 {
        offer(&app, &acme, &format!("Designer {n}"), &["figma"]).await;
    }

    let first = page(&app.client, "/?skills=rust&limit=10", Status::Ok).await;
    assert!(first.contains(r#"<p class="result-count">25 offers</p>"#));
    assert!(link(&first, r#"rel="prev""#).is_none());
    let next = link(&first, r#"rel="next""#).unwrap();
    assert!(next.starts_with("/?skills=rust&limit=10&cursor="), "{next}");

    let pages = pages_from(&app.client, "/?skills=rust&limit=10").await;
    let expected: Vec<Vec<String>> = [16..=25, 6..=15, 1..=5]
        .into_iter()
        .map(|range| range.rev().map(|n| format!("Engineer {n:02}")).collect())
        .collect();
    assert_eq!(pages, expected);

    // Back from the last page, then back again to the first.
    let second = page(&app.client, &next, Status::Ok).await;
    let third = page(
        &app.client,
        &link(&second, r#"rel="next""#).unwrap(),
        Status::Ok,
    )
    .await;
    assert!(link(&third, r#"rel="next""#).is_none());
    let previous = link(&third, r#"rel="prev""#).unwrap();
    assert!(previous.starts_with("/?skills=rust&limit=10&cursor="));
    let back = page(&app.client, &previous, Status::Ok).await;
    assert_eq!(titles(&back), expected[1]);
    let back = page(
        &app.client,
        &link(&back, r#"rel="prev""#).unwrap(),
        Status::Ok,
    )
    .await;
    assert_eq!(titles(&back), expected[0]);
    assert!(
        link(&back, r#"rel="prev""#).is_none(),
        "nothing before the first page"
    );

    // Ranked pages (a search) too: every match once, and Previous retraces them.
    let ranked = pages_from(&app.client, "/?q=engineer&limit=4").await;
    assert_eq!(ranked.len(), 7);
    let seen: HashSet<&String> = ranked.iter().flatten().collect();
    assert_eq!(seen.len(), 25);
    assert!(seen.iter().all(|title| title.starts_with("Engineer")));
    let mut uri = "/?q=engineer&limit=4".to_owned();
    for _ in 0..2 {
        let html = page(&app.client, &uri, Status::Ok).await;
        uri = link(&html, r#"rel="next""#).unwrap();
        assert!(uri.starts_with("/?q=engineer&limit=4&cursor="), "{uri}");
    }
    let third = page(&app.client, &uri, Status::Ok).await;
    assert_eq!(titles(&third), ranked[2]);
    let back = page(
        &app.client,
        &link(&third, r#"rel="prev""#).unwrap(),
        Status::Ok,
    )
    .await;
    assert_eq!(titles(&back), ranked[1]);

    // A page whose offers were all deleted since says so and leads back to the start.
    sqlx::query("DELETE FROM offers WHERE title < 'Engineer 16' AND title LIKE 'Engineer%'")
        .execute(&app.db)
        .await
        .unwrap();
    let emptied = page(&app.client, &next, Status::Ok).await;
    assert!(emptied.contains("This page has no offers any more."));
    assert!(emptied.contains(r#"<p class="result-count">10 offers</p>"#));
    assert_eq!(
        link(&emptied, r#"rel="prev""#).as_deref(),
        Some("/?skills=rust&limit=10")
    );
}

#[rocket::async_test]
async fn a_bad_parameter_shows_the_board_with_a_message_and_status_400() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    offer(&app, &acme, "Rust developer", &["rust"]).await;

    let html = page(&app.client, "/?q=rust&limit=500", Status::BadRequest).await;
    assert!(html.contains("This search could not be read."));
    assert!(html.contains("Results per page: Must be an integer from 1 to 100."));
    assert!(html.contains(r#"name="q" type="search" value="rust""#));
    assert_eq!(
        link(&html, ">Show the offers without the parts in error<").as_deref(),
        Some("/?q=rust")
    );
    assert!(titles(&html).is_empty());

    for (uri, message) in [
        (
            "/?cursor=nope",
            "Page link: it does not belong to this search",
        ),
        (
            "/?employer=not%20a%20name",
            "Employer: Not a user id or username.",
        ),
        (
            "/?skills=a,b,c,d,e,f,g,h,i,j,k",
            "Skills: At most 10 skills.",
        ),
        ("/?limit=ten", "Results per page: Must be an integer"),
    ] {
        let html = page(&app.client, uri, Status::BadRequest).await;
        assert!(html.contains(message), "{uri}");
        assert!(html.contains("<h1>Jobs</h1>"), "{uri}");
    }
}

#[rocket::async_test]
async fn an_offer_page_is_public_and_shows_the_whole_offer() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let body = json!({
        "title": "Backend Engineer",
        "description": "Build a RESTful API.\nWork with the team.",
        "skills_list": ["python", "CI/CD, GitOps"],
    });
    let id = app.create_offer(&acme, &body).await["id"].as_i64().unwrap();

    let html = page(&app.client, &format!("/offers/{id}"), Status::Ok).await;
    assert!(html.contains("<h1>Backend Engineer</h1>"));
    assert!(html.contains("Build a RESTful API.\nWork with the team."));
    assert!(html.contains(r#"<a class="employer" href="&#x2F;?employer=acme">acme</a>"#));
    assert!(html.contains(r#"href="&#x2F;?skills=python" title="Filter by this skill">python</a>"#));
    assert!(
        html.contains(r#"<span class="tag">CI&#x2F;CD, GitOps</span>"#),
        "a skill the filter cannot name is shown, not linked"
    );
    assert!(html.contains("published <time datetime=\""));
    assert!(html.contains("(just now)"));
    assert!(!html.contains("/edit") && !html.contains("/delete"));
    assert!(html.contains(r#"<p class="breadcrumb"><a href="/">Jobs</a></p>"#));

    page(&app.client, "/offers/999999", Status::NotFound).await;
}

#[rocket::async_test]
async fn only_the_owner_sees_edit_and_delete_on_an_offer_page() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    app.user("bob").await;
    let id = offer(&app, &alice, "Backend Engineer", &["rust"]).await;
    let uri = format!("/offers/{id}");
    let edit = format!(r#"href="/offers/{id}/edit""#);
    let delete = format!(r#"href="/offers/{id}/delete""#);

    let bobs = browser(&app).await;
    sign_in(&bobs, "bob").await;
    let html = page(&bobs, &uri, Status::Ok).await;
    assert!(html.contains("Signed in as <strong>bob</strong>"));
    assert!(!html.contains(&edit) && !html.contains(&delete));
    assert_eq!(
        bobs.get(format!("{uri}/edit")).dispatch().await.status(),
        Status::Forbidden
    );

    let alices = browser(&app).await;
    sign_in(&alices, "alice").await;
    let html = page(&alices, &uri, Status::Ok).await;
    assert!(html.contains(&edit) && html.contains(&delete));
    assert!(html.contains(r#"<a href="/offers">My offers</a></p>"#));
}

#[rocket::async_test]
async fn user_text_is_escaped_on_the_board() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    offer(
        &app,
        &acme,
        "<script>alert(1)</script> Engineer",
        &["<img src=x onerror=alert(2)>"],
    )
    .await;

    let html = page(&app.client, "/", Status::Ok).await;
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt; Engineer"));
    assert!(!html.contains("<img src=x"));
    assert_eq!(
        chip(
            &html,
            "&lt;script&gt;alert(1)&lt;&#x2F;script&gt; Engineer",
            "&lt;img src=x onerror=alert(2)&gt;"
        )
        .as_deref(),
        Some("/?skills=%3Cimg%20src%3Dx%20onerror%3Dalert%282%29%3E")
    );

    for (uri, status) in [
        ("/?q=%3Cscript%3Ealert(3)%3C%2Fscript%3E", Status::Ok),
        (
            "/?q=%22%3E%3Cscript%3Ealert(3)%3C%2Fscript%3E&limit=0",
            Status::BadRequest,
        ),
    ] {
        let html = page(&app.client, uri, status).await;
        assert!(!html.contains("<script>alert(3)"), "{uri}");
        assert!(html.contains("&lt;script&gt;alert(3)"), "{uri}");
    }
}
