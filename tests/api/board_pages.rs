//! The job board's pages through Rocket's local client: `/` for everyone (search, skill chips,
//! pages that keep the query, bad parameters) and an offer's public page.

use std::collections::HashSet;

use rocket::http::Status;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp, TestUser};
use crate::web::{Link, Page, Visitor};

/// The offers a board page lists, in order.
fn titles(page: &Page) -> Vec<String> {
    page.select_text(".results .result-title a")
}

fn next_link(page: &Page) -> Option<String> {
    page.attr(r#"a[rel="next"]"#, "href")
}

fn previous_link(page: &Page) -> Option<String> {
    page.attr(r#"a[rel="prev"]"#, "href")
}

/// The address of `skill`'s chip on the result titled `title`, when the chip is a link.
fn chip(page: &Page, title: &str, skill: &str) -> Option<String> {
    let result = page
        .select("li.result")
        .into_iter()
        .find(|result| result.text_of(".result-title a") == title)
        .unwrap_or_else(|| panic!("no result {title}"));
    result
        .select(r#"a[title="Filter by this skill"]"#)
        .into_iter()
        .find(|chip| chip.text() == skill)
        .and_then(|chip| chip.attr("href").map(str::to_owned))
}

/// The link that removes an active filter showing `value`.
fn removal(page: &Page, value: &str) -> String {
    page.select(r#"ul.chips[aria-label="Active filters"] a.chip"#)
        .into_iter()
        .find(|chip| chip.own_text() == value)
        .unwrap_or_else(|| panic!("no active filter {value}"))
        .attr("href")
        .unwrap()
        .to_owned()
}

/// The messages of a board whose search could not be read.
fn problems(page: &Page) -> Vec<String> {
    page.select_text(".form-problem .problems li")
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
async fn pages_from(visitor: &Visitor<'_>, start: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut next = Some(start.to_owned());
    while let Some(uri) = next {
        let page = visitor.get_page(&uri, Status::Ok).await;
        pages.push(titles(&page));
        next = next_link(&page);
        assert!(pages.len() < 20, "the pages never end");
    }
    pages
}

#[rocket::async_test]
async fn the_board_lists_every_employers_offers_newest_first_for_everyone() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    let page = visitor.get_page("/", Status::Ok).await;
    assert!(page
        .text(".empty")
        .starts_with("No offers have been published yet."));
    assert_eq!(
        page.href_of("Post the first job").as_deref(),
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

    let page = visitor.get_page("/", Status::Ok).await;
    assert_eq!(titles(&page), ["Third", "Second", "First"]);
    assert_eq!(page.text(".result-count"), "3 offers");
    let employers: Vec<Link> = page
        .select(".result-meta a.employer")
        .iter()
        .map(|link| Link {
            text: link.text(),
            href: link.attr("href").unwrap().to_owned(),
        })
        .collect();
    assert!(employers.contains(&Link {
        text: "globex".to_owned(),
        href: "/?employer=globex".to_owned(),
    }));
    let ages = page.select_text(".result-meta time");
    assert_eq!(ages, ["just now", "just now", "3 days ago"]);
    assert_eq!(page.count(".result-meta time[datetime]"), 3);
    assert_eq!(
        page.attr(r#"nav a[aria-current="page"]"#, "href")
            .as_deref(),
        Some("/")
    );
    assert_eq!(page.text(r#"nav a[aria-current="page"]"#), "Jobs");
    assert!(page.has("p.lead"), "an introduction for visitors");
    assert_eq!(page.href_of("Post a job").as_deref(), Some("/register"));
    assert_eq!(page.href_of("My offers"), None);
    assert!(next_link(&page).is_none() && previous_link(&page).is_none());
    assert!(!page.has("script, style, [style]"));
    // No byte of inline script or style is sent either.
    assert!(!page.source().contains("<script") && !page.source().contains("style="));

    let page = visitor.get_page("/?employer=acme", Status::Ok).await;
    assert_eq!(titles(&page), ["Third", "First"]);
    assert_eq!(removal(&page, "acme"), "/");

    // Signed in, `/` is still the board, with "My offers" in the navigation.
    let visitor = visitor.signed_in("globex").await;
    let page = visitor.get_page("/", Status::Ok).await;
    assert_eq!(titles(&page), ["Third", "Second", "First"]);
    assert_eq!(page.href_of("My offers").as_deref(), Some("/offers"));
    assert!(!page.has("p.lead"));
    assert_eq!(page.href_of("Post a job").as_deref(), Some("/offers/new"));
}

#[rocket::async_test]
async fn search_finds_offers_by_title_or_skill_and_ranks_title_matches_first() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    offer(&app, &acme, "Rust developer", &["go"]).await;
    offer(&app, &acme, "Backend engineer", &["Rust"]).await;
    offer(&app, &acme, "Frontend engineer", &["react"]).await;
    offer_described(&app, &acme, "Operations", &[], "We also like rust").await;
    let visitor = app.visitor();

    let page = visitor.get_page("/?q=rust", Status::Ok).await;
    assert_eq!(
        titles(&page),
        ["Rust developer", "Backend engineer", "Operations"]
    );
    assert_eq!(page.text(".result-count"), "3 offers");
    assert!(page.has(r#"form.search[method="get"][action="/"][role="search"]"#));
    assert_eq!(page.text(r#"form.search label[for="q"]"#), "Search jobs");
    assert_eq!(
        page.attr(r#"form.search input#q[name="q"][type="search"]"#, "value")
            .as_deref(),
        Some("rust")
    );
    assert_eq!(removal(&page, "rust"), "/");

    let page = visitor.get_page("/?q=react+engineer", Status::Ok).await;
    assert_eq!(titles(&page), ["Frontend engineer"]);
    assert_eq!(page.text(".result-count"), "1 offer");

    let page = visitor.get_page("/?q=cobol", Status::Ok).await;
    assert!(titles(&page).is_empty());
    assert_eq!(
        page.text(".empty"),
        "No offers match “cobol” — clear filters."
    );
    assert_eq!(page.attr(".empty a", "href").as_deref(), Some("/"));
}

#[rocket::async_test]
async fn a_skill_chip_adds_its_skill_to_the_filter_case_insensitively() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    offer(&app, &acme, "Alpha", &["Rust", "Postgres"]).await;
    offer(&app, &acme, "Beta", &["rust"]).await;
    offer(&app, &acme, "Gamma", &["go", "postgres"]).await;
    let visitor = app.visitor();

    let page = visitor.get_page("/", Status::Ok).await;
    let postgres = chip(&page, "Alpha", "Postgres").unwrap();
    assert_eq!(postgres, "/?skills=Postgres");

    let page = visitor.get_page(&postgres, Status::Ok).await;
    assert_eq!(titles(&page), ["Gamma", "Alpha"]);
    assert!(
        chip(&page, "Gamma", "postgres").is_none(),
        "already filtered on, whatever its case"
    );
    assert!(page
        .select("span.tag.tag-active")
        .iter()
        .any(|tag| tag.own_text() == "postgres"));
    let both = chip(&page, "Alpha", "Rust").unwrap();
    assert_eq!(both, "/?skills=Postgres%2CRust");

    let page = visitor.get_page(&both, Status::Ok).await;
    assert_eq!(titles(&page), ["Alpha"], "offers with all the skills");
    assert_eq!(
        page.attr(
            r#"form.search input[type="hidden"][name="skills"]"#,
            "value"
        )
        .as_deref(),
        Some("Postgres,Rust")
    );
    let rust_only = removal(&page, "Postgres");
    assert_eq!(rust_only, "/?skills=Rust");
    assert_eq!(
        titles(&visitor.get_page(&rust_only, Status::Ok).await),
        ["Beta", "Alpha"]
    );

    let page = visitor
        .get_page("/?skills=RUST,postgres,Rust", Status::Ok)
        .await;
    assert_eq!(titles(&page), ["Alpha"]);
    assert_eq!(
        page.attr(r#"input[name="skills"]"#, "value").as_deref(),
        Some("RUST,postgres")
    );

    // A chip keeps the search and starts again at the first page.
    let page = visitor.get_page("/?q=gamma&limit=5", Status::Ok).await;
    assert_eq!(
        chip(&page, "Gamma", "go").as_deref(),
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
    let visitor = app.visitor();

    let first = visitor.get_page("/?skills=rust&limit=10", Status::Ok).await;
    assert_eq!(first.text(".result-count"), "25 offers");
    assert!(previous_link(&first).is_none());
    let next = next_link(&first).unwrap();
    assert!(next.starts_with("/?skills=rust&limit=10&cursor="), "{next}");

    let pages = pages_from(&visitor, "/?skills=rust&limit=10").await;
    let expected: Vec<Vec<String>> = [16..=25, 6..=15, 1..=5]
        .into_iter()
        .map(|range| range.rev().map(|n| format!("Engineer {n:02}")).collect())
        .collect();
    assert_eq!(pages, expected);

    // Back from the last page, then back again to the first.
    let second = visitor.get_page(&next, Status::Ok).await;
    let third = visitor
        .get_page(&next_link(&second).unwrap(), Status::Ok)
        .await;
    assert!(next_link(&third).is_none());
    let previous = previous_link(&third).unwrap();
    assert!(previous.starts_with("/?skills=rust&limit=10&cursor="));
    let back = visitor.get_page(&previous, Status::Ok).await;
    assert_eq!(titles(&back), expected[1]);
    let back = visitor
        .get_page(&previous_link(&back).unwrap(), Status::Ok)
        .await;
    assert_eq!(titles(&back), expected[0]);
    assert!(
        previous_link(&back).is_none(),
        "nothing before the first page"
    );

    // Ranked pages (a search) too: every match once, and Previous retraces them.
    let ranked = pages_from(&visitor, "/?q=engineer&limit=4").await;
    assert_eq!(ranked.len(), 7);
    let seen: HashSet<&String> = ranked.iter().flatten().collect();
    assert_eq!(seen.len(), 25);
    assert!(seen.iter().all(|title| title.starts_with("Engineer")));
    let mut uri = "/?q=engineer&limit=4".to_owned();
    for _ in 0..2 {
        let page = visitor.get_page(&uri, Status::Ok).await;
        uri = next_link(&page).unwrap();
        assert!(uri.starts_with("/?q=engineer&limit=4&cursor="), "{uri}");
    }
    let third = visitor.get_page(&uri, Status::Ok).await;
    assert_eq!(titles(&third), ranked[2]);
    let back = visitor
        .get_page(&previous_link(&third).unwrap(), Status::Ok)
        .await;
    assert_eq!(titles(&back), ranked[1]);

    // A page whose offers were all deleted since says so and leads back to the start.
    sqlx::query("DELETE FROM offers WHERE title < 'Engineer 16' AND title LIKE 'Engineer%'")
        .execute(&app.db)
        .await
        .unwrap();
    let emptied = visitor.get_page(&next, Status::Ok).await;
    assert!(emptied
        .text(".empty")
        .starts_with("This page has no offers any more."));
    assert_eq!(emptied.text(".result-count"), "10 offers");
    assert_eq!(
        previous_link(&emptied).as_deref(),
        Some("/?skills=rust&limit=10")
    );
}

#[rocket::async_test]
async fn a_bad_parameter_shows_the_board_with_a_message_and_status_400() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    offer(&app, &acme, "Rust developer", &["rust"]).await;
    let visitor = app.visitor();

    let page = visitor
        .get_page("/?q=rust&limit=500", Status::BadRequest)
        .await;
    assert_eq!(
        page.text(".form-problem strong"),
        "This search could not be read."
    );
    assert_eq!(
        problems(&page),
        ["Results per page: Must be an integer from 1 to 100."]
    );
    assert_eq!(
        page.attr(r#"input[name="q"][type="search"]"#, "value")
            .as_deref(),
        Some("rust")
    );
    assert_eq!(
        page.href_of("Show the offers without the parts in error")
            .as_deref(),
        Some("/?q=rust")
    );
    assert!(titles(&page).is_empty());

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
        let page = visitor.get_page(uri, Status::BadRequest).await;
        let problems = problems(&page);
        assert!(
            problems.iter().any(|problem| problem.starts_with(message)),
            "{uri}: {problems:?}"
        );
        assert_eq!(page.text("h1"), "Jobs", "{uri}");
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
    let visitor = app.visitor();

    let page = visitor.get_page(&format!("/offers/{id}"), Status::Ok).await;
    assert_eq!(page.text("h1"), "Backend Engineer");
    assert_eq!(
        page.one(".description").raw_text(),
        "Build a RESTful API.\nWork with the team."
    );
    assert_eq!(page.text(".meta a.employer"), "acme");
    assert_eq!(
        page.attr(".meta a.employer", "href").as_deref(),
        Some("/?employer=acme")
    );
    let skill_links = page.select(r#"a[title="Filter by this skill"]"#);
    assert_eq!(skill_links.len(), 1);
    assert_eq!(skill_links[0].text(), "python");
    assert_eq!(skill_links[0].attr("href"), Some("/?skills=python"));
    assert_eq!(
        page.select_text(r#"ul.tags span.tag"#),
        ["CI/CD, GitOps"],
        "a skill the filter cannot name is shown, not linked"
    );
    assert!(page.has(".meta time[datetime]"));
    let meta = page.text(".meta");
    assert!(meta.contains(" · published "), "{meta}");
    assert!(meta.contains("(just now)"), "{meta}");
    assert_eq!(page.href_of("Edit"), None);
    assert_eq!(page.href_of("Delete"), None);
    assert_eq!(
        page.select(".breadcrumb a")
            .iter()
            .map(|link| (link.text(), link.attr("href").unwrap_or_default()))
            .collect::<Vec<_>>(),
        [("Jobs".to_owned(), "/")]
    );

    visitor.get_page("/offers/999999", Status::NotFound).await;
}

#[rocket::async_test]
async fn only_the_owner_sees_edit_and_delete_on_an_offer_page() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    app.user("bob").await;
    let id = offer(&app, &alice, "Backend Engineer", &["rust"]).await;
    let uri = format!("/offers/{id}");
    let edit = format!("/offers/{id}/edit");
    let delete = format!("/offers/{id}/delete");

    let bobs = app.new_visitor().await.signed_in("bob").await;
    let page = bobs.get_page(&uri, Status::Ok).await;
    assert_eq!(page.text(".who strong"), "bob");
    assert!(!page.has(&format!(r#"a[href="{edit}"], a[href="{delete}"]"#)));
    assert_eq!(bobs.get(&edit).await.status(), Status::Forbidden);

    let alices = app.new_visitor().await.signed_in("alice").await;
    let page = alices.get_page(&uri, Status::Ok).await;
    assert_eq!(page.href_of("Edit"), Some(edit));
    assert_eq!(page.href_of("Delete"), Some(delete));
    assert_eq!(
        page.attr(".breadcrumb a:last-child", "href").as_deref(),
        Some("/offers")
    );
    assert_eq!(page.text(".breadcrumb a:last-child"), "My offers");
}

#[rocket::async_test]
async fn user_text_is_escaped_on_the_board() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let title = "<script>alert(1)</script> Engineer";
    let skill = "<img src=x onerror=alert(2)>";
    offer(&app, &acme, title, &[skill]).await;
    let visitor = app.visitor();

    let page = visitor.get_page("/", Status::Ok).await;
    assert!(!page.has("script, img"), "no markup from user text");
    assert_eq!(titles(&page), [title], "shown as text");
    assert_eq!(
        chip(&page, title, skill).as_deref(),
        Some("/?skills=%3Cimg%20src%3Dx%20onerror%3Dalert%282%29%3E")
    );
    // Escaping is about the bytes sent.
    let html = page.source();
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt; Engineer"));
    assert!(!html.contains("<img src=x"));

    for (uri, status) in [
        ("/?q=%3Cscript%3Ealert(3)%3C%2Fscript%3E", Status::Ok),
        (
            "/?q=%22%3E%3Cscript%3Ealert(3)%3C%2Fscript%3E&limit=0",
            Status::BadRequest,
        ),
    ] {
        let page = visitor.get_page(uri, status).await;
        assert!(!page.has("script"), "{uri}");
        assert!(
            page.attr(r#"input[name="q"]"#, "value")
                .is_some_and(|q| q.ends_with("<script>alert(3)</script>")),
            "{uri}: the search is kept as text"
        );
        assert!(!page.source().contains("<script>alert(3)"), "{uri}");
        assert!(page.source().contains("&lt;script&gt;alert(3)"), "{uri}");
    }
}
