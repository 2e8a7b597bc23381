//! The job board's pages through Rocket's local client: `/` for everyone (search, skill chips,
//! pages that keep the query, bad parameters) and an offer's public page.

use std::collections::HashSet;

use rocket::http::Status;
use serde_json::{json, Value};

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

/// Follows Previous links from `last` back to the first page, checking each page against
/// `expected` (every page in order) and that nothing comes before the first.
async fn back_to_the_first(visitor: &Visitor<'_>, last: &Page, expected: &[Vec<String>]) {
    let mut page = visitor
        .get_page(&previous_link(last).unwrap(), Status::Ok)
        .await;
    for wanted in expected[..expected.len() - 1].iter().rev() {
        assert_eq!(&titles(&page), wanted);
        match previous_link(&page) {
            Some(previous) => page = visitor.get_page(&previous, Status::Ok).await,
            None => break,
        }
    }
    assert_eq!(titles(&page), expected[0]);
    assert!(
        previous_link(&page).is_none(),
        "nothing before the first page"
    );
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
    // The age counts from the posting date, not from when the offer was first written.
    sqlx::query(
        "UPDATE offers SET creation_date = now() - interval '40 days', \
         first_published_at = now() - interval '3 days 2 hours' WHERE id = $1",
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
async fn the_employer_filter_names_the_employer_as_the_offers_do() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    app.publish(&acme, "Alpha", &["rust"], "d").await;
    sqlx::query("UPDATE users SET display_name = 'ACME Robotics' WHERE id = $1")
        .bind(acme.id)
        .execute(&app.db)
        .await
        .unwrap();
    let visitor = app.visitor();
    for filter in ["acme", "ACME", &acme.id.to_string()] {
        let page = visitor
            .get_page(&format!("/?employer={filter}"), Status::Ok)
            .await;
        assert_eq!(removal(&page, "ACME Robotics"), "/", "{filter}");
    }
    // With nothing listed to learn the name from, the page still names the employer so.
    for filter in ["acme", &acme.id.to_string()] {
        let page = visitor
            .get_page(&format!("/?employer={filter}&q=cobol"), Status::Ok)
            .await;
        assert_eq!(removal(&page, "ACME Robotics"), "/?q=cobol", "{filter}");
        assert_eq!(
            page.text(".empty"),
            "No offers match “cobol” from ACME Robotics — clear filters."
        );
    }
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
    back_to_the_first(&visitor, &third, &expected).await;

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

/// A filter read from its own ordered index (here a pay floor) is counted and paged from it in
/// one statement: forward and back through the same offers, newest first, none twice, the
/// offers below the floor or in another currency never listed.
#[rocket::async_test]
async fn an_ordered_filters_pages_go_forward_and_back_through_the_same_offers() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    sqlx::query(
        "INSERT INTO offers (user_id, title, description, skills_list, salary_currency, \
         salary_min, salary_max, salary_period, first_published_at) \
         SELECT $1, CASE WHEN n % 4 = 0 THEN 'Low ' ELSE 'Paid ' END || lpad(n::text, 2, '0'), \
         'A job', '{}', CASE WHEN n % 7 = 0 THEN 'USD' ELSE 'EUR' END, 50000, \
         CASE WHEN n % 4 = 0 THEN 60000 ELSE 95000 END, 'YEAR', \
         now() - make_interval(mins => 100 - n) \
         FROM generate_series(1, 40) AS n",
    )
    .bind(acme.id)
    .execute(&app.db)
    .await
    .unwrap();
    let paid: Vec<String> = (1..=40)
        .rev()
        .filter(|n| n % 4 != 0 && n % 7 != 0)
        .map(|n| format!("Paid {n:02}"))
        .collect();
    assert_eq!(paid.len(), 26);
    let visitor = app.visitor();
    let start = "/?salary_min=80000&currency=EUR&limit=10";

    let first = visitor.get_page(start, Status::Ok).await;
    assert_eq!(first.text(".result-count"), "26 offers");
    assert!(previous_link(&first).is_none());
    let pages = pages_from(&visitor, start).await;
    let expected: Vec<Vec<String>> = paid.chunks(10).map(<[String]>::to_vec).collect();
    assert_eq!(pages, expected);

    let second = visitor
        .get_page(&next_link(&first).unwrap(), Status::Ok)
        .await;
    let third = visitor
        .get_page(&next_link(&second).unwrap(), Status::Ok)
        .await;
    assert!(next_link(&third).is_none());
    back_to_the_first(&visitor, &third, &expected).await;
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

async fn post(app: &TestApp, user: &TestUser, body: Value) -> i64 {
    app.create_offer(user, &body).await["id"].as_i64().unwrap()
}

/// Five offers that differ in every contract filter, newest first: "Go platform", "Python
/// web", "Python data", "Rust backend", and "Old rust", published 30 days ago.
async fn contract_offers(app: &TestApp) {
    let acme = app.user("acme").await;
    let globex = app.user("globex").await;
    post(
        app,
        &acme,
        json!({
            "title": "Rust backend", "description": "Services", "skills_list": ["rust"],
            "workplace": "on_site",
            "locations": [{"city": "Berlin", "country": "DE"}, {"city": "Munich", "country": "DE"}],
            "employment_types": ["FULL_TIME"],
            "salary": {"currency": "EUR", "min": 70000, "max": 90000, "period": "YEAR"},
        }),
    )
    .await;
    post(
        app,
        &globex,
        json!({
            "title": "Python data", "description": "Pipelines", "skills_list": ["python"],
            "workplace": "remote", "employment_types": ["CONTRACTOR"],
            "salary": {"currency": "USD", "min": 60, "max": 80, "period": "HOUR"},
        }),
    )
    .await;
    post(
        app,
        &acme,
        json!({
            "title": "Python web", "description": "Django sites", "skills_list": ["python"],
            "workplace": "hybrid", "locations": [{"city": "Paris", "country": "FR"}],
            "remote_countries": ["DE"], "employment_types": ["PART_TIME"],
            "salary": {"currency": "EUR", "min": 4000, "max": 5000, "period": "MONTH"},
        }),
    )
    .await;
    post(
        app,
        &globex,
        json!({
            "title": "Go platform", "description": "Kubernetes", "skills_list": ["go"],
            "workplace": "remote", "remote_countries": ["US"], "employment_types": ["FULL_TIME"],
        }),
    )
    .await;
    let old = post(app, &acme, json!({
        "title": "Old rust", "description": "Legacy services", "skills_list": ["rust"],
        "workplace": "on_site", "locations": [{"country": "DE"}], "employment_types": ["FULL_TIME"],
    }))
    .await;
    sqlx::query("UPDATE offers SET first_published_at = now() - interval '30 days' WHERE id = $1")
        .bind(old)
        .execute(&app.db)
        .await
        .unwrap();
}

/// The values of the ticked checkboxes named `name`.
fn ticked(page: &Page, name: &str) -> Vec<String> {
    page.select(&format!(
        r#"input[type="checkbox"][name="{name}"][checked]"#
    ))
    .iter()
    .map(|input| input.attr("value").unwrap().to_owned())
    .collect()
}

/// The text of the selected options of the select named `name` (a browser shows the first
/// option when none is).
fn selected(page: &Page, name: &str) -> Vec<String> {
    page.select_text(&format!(r#"select[name="{name}"] option[selected]"#))
}

/// The result titled `title`.
fn result<'p>(page: &'p Page, title: &str) -> crate::web::Element<'p> {
    page.select("li.result")
        .into_iter()
        .find(|result| result.text_of(".result-title a") == title)
        .unwrap_or_else(|| panic!("no result {title}"))
}

/// What the result titled `title` says of its offer, in order.
fn facts(page: &Page, title: &str) -> Vec<String> {
    result(page, title)
        .select(r#"ul.result-facts[aria-label="Details"] li"#)
        .iter()
        .map(|fact| fact.text())
        .collect()
}

#[rocket::async_test]
async fn results_say_where_what_and_how_much_and_how_long_ago_it_was_posted() {
    let app = spawn_app().await;
    contract_offers(&app).await;
    let page = app.visitor().get_page("/", Status::Ok).await;
    assert_eq!(
        titles(&page),
        [
            "Go platform",
            "Python web",
            "Python data",
            "Rust backend",
            "Old rust"
        ]
    );
    assert_eq!(
        facts(&page, "Rust backend"),
        [
            "On-site",
            "Berlin, Germany +1",
            "Full-time",
            "EUR 70,000–90,000 a year"
        ]
    );
    assert_eq!(
        facts(&page, "Python data"),
        ["Remote", "Contractor", "USD 60–80 an hour"]
    );
    assert_eq!(
        facts(&page, "Python web"),
        [
            "Hybrid",
            "Paris, France",
            "Part-time",
            "EUR 4,000–5,000 a month"
        ]
    );
    assert_eq!(
        facts(&page, "Go platform"),
        ["Remote from United States", "Full-time"]
    );
    assert_eq!(
        result(&page, "Old rust").text_of(".result-meta time"),
        "1 month ago"
    );
    assert_eq!(
        result(&page, "Rust backend").text_of(".result-meta time"),
        "just now"
    );

    // An offer written before contract v2's details has no empty list of them.
    let acme = app.user("initech").await;
    offer(&app, &acme, "Plain", &[]).await;
    let page = app.visitor().get_page("/", Status::Ok).await;
    assert!(result(&page, "Plain").first("ul.result-facts").is_none());
}

#[rocket::async_test]
async fn the_filter_controls_show_what_the_address_asks_for() {
    let app = spawn_app().await;
    let visitor = app.visitor();

    let page = visitor.get_page("/", Status::Ok).await;
    let form = r#"form.search[method="get"][action="/"]"#;
    assert!(page.has(&format!("{form} details.board-filters")));
    assert!(
        !page.has("details.board-filters[open]"),
        "folded when no filter is in force"
    );
    assert_eq!(page.text("details.board-filters summary"), "Filters");
    assert!(ticked(&page, "workplace").is_empty() && ticked(&page, "employment_type").is_empty());
    assert_eq!(
        page.select_text(r#"label[for^="workplace-"]"#),
        ["On-site", "Hybrid", "Remote"]
    );
    assert_eq!(
        page.select_text(r#"label[for^="employment_type-"]"#),
        [
            "Full-time",
            "Part-time",
            "Contractor",
            "Temporary",
            "Internship",
            "Volunteer",
            "Per diem",
            "Other"
        ]
    );
    assert!(selected(&page, "country")
        .iter()
        .all(|name| name == "Any country"));
    let countries = page.select_text(r#"select[name="country"] option"#);
    assert_eq!(
        countries[..3],
        ["Any country", "Afghanistan", "Åland Islands"]
    );
    assert!(countries.len() > 240 && countries.contains(&"Germany".to_owned()));
    assert_eq!(
        page.select_text(r#"select[name="currency"] option"#)[..5],
        [
            "Any currency",
            "EUR — Euro",
            "USD — US Dollar",
            "GBP — Pound Sterling",
            "CHF — Swiss Franc"
        ]
    );
    assert_eq!(
        page.select_text(r#"select[name="posted_within"] option"#),
        ["Any time", "Last 24 hours", "Last 7 days", "Last 30 days"]
    );
    assert_eq!(
        page.select(r#"select[name="posted_within"] option"#)
            .iter()
            .map(|option| option.attr("value").unwrap())
            .collect::<Vec<_>>(),
        ["", "1", "7", "30"]
    );
    assert!(
        !page.has(r#"select[name="sort"]"#),
        "no order to choose without words"
    );
    // Every group has its legend, every control its label; nothing carries a page's cursor.
    assert_eq!(
        page.count(".board-filters fieldset"),
        page.count(".board-filters fieldset > legend")
    );
    for control in page.select(".board-filters input, .board-filters select") {
        let id = control.attr("id").expect("every control has an id");
        assert!(
            page.has(&format!(r#"label[for="{id}"]"#)),
            "{id} has no label"
        );
    }
    assert!(!page.has(r#"form.search [name="cursor"]"#));

    let uri = "/?q=python&skills=django&workplace=remote,hybrid&employment_type=PART_TIME\
               &country=de&salary_min=50000&currency=EUR&posted_within=7&sort=newest&limit=5";
    let page = visitor.get_page(uri, Status::Ok).await;
    assert!(page.has("details.board-filters[open]"));
    assert_eq!(
        page.text("details.board-filters summary"),
        "Filters (6 active)"
    );
    assert_eq!(ticked(&page, "workplace"), ["hybrid", "remote"]);
    assert_eq!(ticked(&page, "employment_type"), ["PART_TIME"]);
    assert_eq!(selected(&page, "country"), ["Germany"]);
    assert_eq!(selected(&page, "currency"), ["EUR — Euro"]);
    assert_eq!(page.field_value("salary_min").as_deref(), Some("50000"));
    assert_eq!(selected(&page, "posted_within"), ["Last 7 days"]);
    assert_eq!(selected(&page, "sort"), ["Newest"]);
    assert_eq!(page.field_value("q").as_deref(), Some("python"));
    // The parameters the form has no control for travel as hidden fields, the cursor never.
    let hidden: Vec<(String, String)> = page
        .select(r#"form.search input[type="hidden"]"#)
        .iter()
        .map(|input| {
            (
                input.attr("name").unwrap().to_owned(),
                input.attr("value").unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        hidden,
        [
            ("skills".to_owned(), "django".to_owned()),
            ("limit".to_owned(), "5".to_owned())
        ]
    );

    let page = visitor.get_page("/?q=python", Status::Ok).await;
    assert_eq!(selected(&page, "sort"), ["Relevance"]);
    assert!(!page.has("details.board-filters[open]"));
    let page = visitor.get_page("/?posted_within=90", Status::Ok).await;
    assert_eq!(selected(&page, "posted_within"), ["Last 90 days"]);
}

#[rocket::async_test]
async fn each_filter_alone_and_combined_narrows_the_board() {
    let app = spawn_app().await;
    contract_offers(&app).await;
    let visitor = app.visitor();
    for (query, expected) in [
        ("workplace=remote", &["Go platform", "Python data"][..]),
        (
            "workplace=remote,hybrid",
            &["Go platform", "Python web", "Python data"],
        ),
        ("workplace=on_site", &["Rust backend", "Old rust"]),
        (
            "employment_type=FULL_TIME",
            &["Go platform", "Rust backend", "Old rust"],
        ),
        (
            "employment_type=PART_TIME,CONTRACTOR",
            &["Python web", "Python data"],
        ),
        // Located there, or remote work open to people there.
        (
            "country=DE",
            &["Python web", "Python data", "Rust backend", "Old rust"],
        ),
        ("country=US", &["Go platform", "Python data"]),
        ("currency=EUR", &["Python web", "Rust backend"]),
        // 5 000 a month is 60 000 a year; 80 an hour is 166 400.
        (
            "salary_min=60000&currency=EUR",
            &["Python web", "Rust backend"],
        ),
        ("salary_min=65000&currency=EUR", &["Rust backend"]),
        ("salary_min=100000&currency=USD", &["Python data"]),
        (
            "posted_within=7",
            &["Go platform", "Python web", "Python data", "Rust backend"],
        ),
        (
            "posted_within=31&workplace=on_site",
            &["Rust backend", "Old rust"],
        ),
        (
            "country=DE&employment_type=FULL_TIME&posted_within=7",
            &["Rust backend"],
        ),
        (
            "country=DE&workplace=remote,hybrid",
            &["Python web", "Python data"],
        ),
        ("q=python&workplace=hybrid", &["Python web"]),
        (
            "skills=rust&employment_type=FULL_TIME&country=DE",
            &["Rust backend", "Old rust"],
        ),
        (
            "employer=globex&workplace=remote&currency=USD",
            &["Python data"],
        ),
        ("q=rust&sort=newest", &["Rust backend", "Old rust"]),
    ] {
        let page = visitor.get_page(&format!("/?{query}"), Status::Ok).await;
        assert_eq!(titles(&page), expected, "{query}");
        let count = page.text(".result-count");
        assert!(
            count.starts_with(&format!("{} offer", expected.len())),
            "{query}: {count}"
        );
    }

    let page = visitor
        .get_page("/?workplace=on_site&currency=GBP", Status::Ok)
        .await;
    assert!(titles(&page).is_empty());
    assert_eq!(
        page.text(".empty"),
        "No offers match the filters chosen — clear filters."
    );
}

#[rocket::async_test]
async fn each_chip_removes_only_its_own_value() {
    let app = spawn_app().await;
    contract_offers(&app).await;
    let visitor = app.visitor();
    let page = visitor
        .get_page(
            "/?q=rust&workplace=remote,on_site&employment_type=FULL_TIME,CONTRACTOR&country=de\
             &salary_min=60000&currency=eur&posted_within=7",
            Status::Ok,
        )
        .await;
    assert_eq!(titles(&page), ["Rust backend"]);
    assert_eq!(
        page.select_text(r#"ul.chips[aria-label="Active filters"] .chip-kind"#),
        [
            "Search:",
            "Workplace:",
            "Workplace:",
            "Employment type:",
            "Employment type:",
            "Country:",
            "Salary:",
            "Posted:"
        ]
    );
    let rest = "employment_type=FULL_TIME%2CCONTRACTOR&country=DE&salary_min=60000&currency=EUR\
                &posted_within=7";
    assert_eq!(
        removal(&page, "Remote"),
        format!("/?q=rust&workplace=on_site&{rest}")
    );
    assert_eq!(
        removal(&page, "On-site"),
        format!("/?q=rust&workplace=remote&{rest}")
    );
    assert_eq!(
        removal(&page, "Full-time"),
        "/?q=rust&workplace=remote%2Con_site&employment_type=CONTRACTOR&country=DE\
         &salary_min=60000&currency=EUR&posted_within=7"
    );
    assert_eq!(
        removal(&page, "Germany"),
        "/?q=rust&workplace=remote%2Con_site&employment_type=FULL_TIME%2CCONTRACTOR\
         &salary_min=60000&currency=EUR&posted_within=7"
    );
    assert_eq!(
        removal(&page, "≥ 60,000 EUR a year"),
        "/?q=rust&workplace=remote%2Con_site&employment_type=FULL_TIME%2CCONTRACTOR&country=DE\
         &posted_within=7"
    );
    assert_eq!(
        removal(&page, "Last 7 days"),
        "/?q=rust&workplace=remote%2Con_site&employment_type=FULL_TIME%2CCONTRACTOR&country=DE\
         &salary_min=60000&currency=EUR"
    );
    assert_eq!(page.href_of("Clear filters").as_deref(), Some("/"));

    // Following a removal widens the board by that value only, and the controls follow.
    let page = visitor
        .get_page(&removal(&page, "Last 7 days"), Status::Ok)
        .await;
    assert_eq!(
        titles(&page),
        ["Rust backend"],
        "\"Old rust\" is older, but names no salary"
    );
    assert_eq!(ticked(&page, "workplace"), ["on_site", "remote"]);
    assert_eq!(
        page.select_text(r#"ul.chips[aria-label="Active filters"] .chip-kind"#)
            .last()
            .map(String::as_str),
        Some("Salary:")
    );
    assert_eq!(selected(&page, "posted_within"), ["Any time"]);
    let page = visitor
        .get_page(&removal(&page, "On-site"), Status::Ok)
        .await;
    assert!(titles(&page).is_empty());
    assert_eq!(ticked(&page, "workplace"), ["remote"]);

    let page = visitor
        .get_page("/?currency=USD&workplace=remote", Status::Ok)
        .await;
    assert_eq!(titles(&page), ["Python data"]);
    assert_eq!(removal(&page, "Paid in USD"), "/?workplace=remote");
    assert_eq!(removal(&page, "Remote"), "/?currency=USD");
}

#[rocket::async_test]
async fn a_bad_filter_shows_the_board_with_a_worded_problem_and_status_400() {
    let app = spawn_app().await;
    contract_offers(&app).await;
    let visitor = app.visitor();

    let page = visitor
        .get_page(
            "/?workplace=remote&country=XX&salary_min=5",
            Status::BadRequest,
        )
        .await;
    assert_eq!(
        problems(&page),
        [
            "Country: Not an ISO 3166-1 alpha-2 country code.",
            "Minimum salary: choose its currency too."
        ]
    );
    assert!(titles(&page).is_empty());
    let usable = page
        .href_of("Show the offers without the parts in error")
        .unwrap();
    assert_eq!(usable, "/?workplace=remote");
    // The controls are unfolded to fix it: what parsed is still chosen, the minimum still
    // typed, the bad country gone.
    assert!(page.has("details.board-filters[open]"));
    assert_eq!(ticked(&page, "workplace"), ["remote"]);
    assert_eq!(page.field_value("salary_min").as_deref(), Some("5"));
    assert_eq!(selected(&page, "country"), ["Any country"]);
    assert_eq!(
        titles(&visitor.get_page(&usable, Status::Ok).await),
        ["Go platform", "Python data"]
    );

    for (uri, message) in [
        (
            "/?country=XX",
            "Country: Not an ISO 3166-1 alpha-2 country code.",
        ),
        (
            "/?salary_min=abc&currency=EUR",
            "Minimum salary: Must be a positive amount with at most two decimals.",
        ),
        (
            "/?currency=EURO",
            "Currency: Not an ISO 4217 currency code.",
        ),
        (
            "/?workplace=office",
            "Workplace: Must be one of the workplaces: on_site, hybrid, remote.",
        ),
        (
            "/?workplace=remote&workplace=office",
            "Workplace: Must be one of the workplaces",
        ),
        (
            "/?employment_type=FULLTIME",
            "Employment type: Must be one of the employment types: FULL_TIME,",
        ),
        (
            "/?posted_within=0",
            "Posted within: Must be a number of days from 1 to 365.",
        ),
        (
            "/?posted_within=366",
            "Posted within: Must be a number of days",
        ),
        ("/?q=rust&sort=oldest", "Sort: Must be relevance or newest."),
        (
            "/?country=DE&country=FR",
            "Country: Give this parameter at most once.",
        ),
    ] {
        let page = visitor.get_page(uri, Status::BadRequest).await;
        let problems = problems(&page);
        assert!(
            problems.iter().any(|problem| problem.starts_with(message)),
            "{uri}: {problems:?}"
        );
        assert_eq!(page.text("h1"), "Jobs", "{uri}");
        assert!(page.has("details.board-filters[open]"), "{uri}");
    }
    // A problem outside the controls leaves them folded.
    let page = visitor.get_page("/?limit=0", Status::BadRequest).await;
    assert!(!page.has("details.board-filters[open]"));
}

/// What a browser sends for the board's form as it stands: its text and hidden fields, the
/// ticked boxes, and each select's chosen option (the first when none is marked).
fn form_fields(page: &Page) -> Vec<(String, String)> {
    let form = page.one("form.search");
    let mut fields = Vec::new();
    for control in form.select("input, select") {
        let name = control.attr("name").unwrap().to_owned();
        match (control.name(), control.attr("type")) {
            ("select", _) => {
                let option = control
                    .first("option[selected]")
                    .or_else(|| control.first("option"))
                    .unwrap();
                fields.push((name, option.attr("value").unwrap().to_owned()));
            }
            (_, Some("checkbox")) if control.attr("checked").is_none() => {}
            _ => fields.push((name, control.attr("value").unwrap_or_default().to_owned())),
        }
    }
    fields
}

/// Sends the board's form with `fields`; where the board sends the browser.
async fn submit(visitor: &Visitor<'_>, fields: &[(String, String)]) -> String {
    let uri = format!("/?{}", serde_urlencoded::to_string(fields).unwrap());
    let response = visitor.get(&uri).await;
    assert_eq!(response.status(), Status::SeeOther, "{uri}");
    crate::web::location(&response)
}

#[rocket::async_test]
async fn the_filter_form_leads_to_the_boards_own_address_for_its_query() {
    let app = spawn_app().await;
    contract_offers(&app).await;
    let visitor = app.visitor();

    // Sent untouched, the empty form is the whole board.
    let page = visitor.get_page("/", Status::Ok).await;
    let untouched = form_fields(&page);
    assert!(
        untouched
            .iter()
            .any(|(name, value)| name == "country" && value.is_empty()),
        "a browser sends the controls left unset, empty: {untouched:?}"
    );
    assert_eq!(submit(&visitor, &untouched).await, "/");

    // Two boxes ticked, a country chosen: one address with the comma lists the links use.
    let mut chosen = untouched.clone();
    chosen.retain(|(name, _)| name != "country");
    chosen.extend(
        [
            ("workplace", "hybrid"),
            ("workplace", "remote"),
            ("country", "DE"),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned())),
    );
    let address = submit(&visitor, &chosen).await;
    assert_eq!(address, "/?workplace=hybrid%2Cremote&country=DE");
    let page = visitor.get_page(&address, Status::Ok).await;
    assert_eq!(titles(&page), ["Python web", "Python data"]);
    assert_eq!(ticked(&page, "workplace"), ["hybrid", "remote"]);

    // Sent again as it stands, the form names the same query, on the first page.
    let uri = "/?q=python&skills=python&workplace=hybrid,remote&employment_type=PART_TIME\
               &country=de&salary_min=50000&currency=eur&posted_within=7&sort=newest&limit=1";
    let page = visitor.get_page(uri, Status::Ok).await;
    assert_eq!(titles(&page), ["Python web"]);
    let next = next_link(&page);
    assert!(next.is_none(), "only one offer matches: {next:?}");
    assert_eq!(
        submit(&visitor, &form_fields(&page)).await,
        "/?q=python&skills=python&workplace=hybrid%2Cremote&employment_type=PART_TIME\
         &country=DE&salary_min=50000&currency=EUR&posted_within=7&sort=newest&limit=1"
    );
    let page = visitor.get_page("/?q=python&limit=1", Status::Ok).await;
    let second = visitor
        .get_page(&next_link(&page).unwrap(), Status::Ok)
        .await;
    assert_eq!(
        submit(&visitor, &form_fields(&second)).await,
        "/?q=python&limit=1",
        "the form starts again at the first page"
    );

    // A form whose values do not parse is answered where it was sent, with its problems.
    let mut bad = untouched;
    bad.retain(|(name, _)| name != "salary_min");
    bad.push(("salary_min".to_owned(), "lots".to_owned()));
    let uri = format!("/?{}", serde_urlencoded::to_string(&bad).unwrap());
    let page = visitor.get_page(&uri, Status::BadRequest).await;
    assert_eq!(
        problems(&page),
        ["Minimum salary: Must be a positive amount with at most two decimals."]
    );
}
