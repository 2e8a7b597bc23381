use rocket::http::Status;
use serde_json::{json, Value};

use crate::helpers::{body_json, spawn_app, TestApp, TestUser};

async fn offer(
    app: &TestApp,
    user: &TestUser,
    title: &str,
    skills: &[&str],
    description: &str,
) -> i64 {
    app.publish(user, title, skills, description).await
}

/// GETs a board URL anonymously: status, body, and the `Link: <…>; rel="next"` target.
async fn board(app: &TestApp, uri: &str) -> (Status, Value, Option<String>) {
    let response = app.get(uri, None).await;
    let status = response.status();
    let next = response.headers().get_one("Link").map(|link| {
        assert!(link.ends_with(r#">; rel="next""#), "{link}");
        link.trim_start_matches('<')
            .trim_end_matches(r#">; rel="next""#)
            .to_owned()
    });
    (status, body_json(response).await, next)
}

fn titles(body: &Value) -> Vec<String> {
    body["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|offer| offer["title"].as_str().unwrap().to_owned())
        .collect()
}

/// The ids of a board page's offers, in order (also used by `board_filters`).
pub(crate) fn ids(body: &Value) -> Vec<i64> {
    body["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|offer| offer["id"].as_i64().unwrap())
        .collect()
}

#[rocket::async_test]
async fn the_board_lists_every_employers_offers_newest_first_without_a_token() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let globex = app.user("globex").await;
    offer(&app, &acme, "First", &["rust"], "d").await;
    offer(&app, &globex, "Second", &["go"], "d").await;
    offer(&app, &acme, "Third", &[], "d").await;
    let (status, body, next) = board(&app, "/api/v1/offers").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(titles(&body), ["Third", "Second", "First"]);
    assert_eq!(body["count"], 3);
    assert_eq!(body["next_cursor"], Value::Null);
    assert!(next.is_none());
    let second = &body["offers"][1];
    assert_eq!(second["user_id"], globex.id);
    assert_eq!(second["username"], "globex");
    assert_eq!(second["skills_list"], json!(["go"]));
    assert!(second["creation_date"].is_string() && second["modification_date"].is_string());
}

#[rocket::async_test]
async fn search_ranks_title_above_skills_above_description() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    offer(
        &app,
        &acme,
        "Backend developer",
        &["sql"],
        "You will write Kotlin daily",
    )
    .await;
    offer(&app, &acme, "Kotlin developer", &["sql"], "Backend work").await;
    offer(&app, &acme, "Mobile developer", &["Kotlin"], "Apps").await;
    offer(&app, &acme, "Designer", &["figma"], "No code").await;
    let (status, body, _) = board(&app, "/api/v1/offers?q=kotlin").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        titles(&body),
        ["Kotlin developer", "Mobile developer", "Backend developer"]
    );
    assert_eq!(body["count"], 3);

    // The same with a word the stemmer changes ("kubernet"): a skill holds the whole word.
    offer(&app, &acme, "Kubernetes admin", &["sql"], "Clusters").await;
    offer(
        &app,
        &acme,
        "Platform engineer",
        &["Kubernetes"],
        "Clusters",
    )
    .await;
    offer(&app, &acme, "SRE", &["linux"], "Runs on Kubernetes").await;
    let (status, body, _) = board(&app, "/api/v1/offers?q=kubernetes").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        titles(&body),
        ["Kubernetes admin", "Platform engineer", "SRE"]
    );
}

#[rocket::async_test]
async fn search_matches_word_forms_and_keeps_symbols_whole() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    offer(&app, &acme, "Senior Engineer", &["C++"], "Systems").await;
    offer(&app, &acme, "Desktop developer", &["C#"], "Windows apps").await;
    offer(&app, &acme, "API developer", &["Node.js"], "Services").await;
    offer(&app, &acme, "Go lead", &["go"], "It is fun").await;
    offer(
        &app,
        &acme,
        "QA lead",
        &["Testing", "Accounting"],
        "Quality",
    )
    .await;
    let cases = [
        ("engineering", vec!["Senior Engineer"]),
        // A word the stemmer changes finds the skill that holds it whole.
        ("testing", vec!["QA lead"]),
        ("Accounting%20testing", vec!["QA lead"]),
        ("c%2B%2B", vec!["Senior Engineer"]),
        ("C%23", vec!["Desktop developer"]),
        ("node.js", vec!["API developer"]),
        ("go", vec!["Go lead"]),
        // Every word must match.
        ("developer%20windows", vec!["Desktop developer"]),
        ("developer%20rust", vec![]),
    ];
    for (q, expected) in cases {
        let (status, body, _) = board(&app, &format!("/api/v1/offers?q={q}")).await;
        assert_eq!(status, Status::Ok, "{q}");
        assert_eq!(titles(&body), expected, "q={q}");
        assert_eq!(body["count"], expected.len(), "q={q}");
    }
}

#[rocket::async_test]
async fn skill_filters_need_every_skill_whatever_its_case() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    offer(&app, &acme, "Both", &["Rust", "PostgreSQL"], "d").await;
    offer(&app, &acme, "Only rust", &["rust"], "d").await;
    offer(&app, &acme, "Symbols", &["C++", "node.js", "Rust"], "d").await;
    let cases = [
        ("rust", vec!["Symbols", "Only rust", "Both"]),
        ("RUST,postgresql", vec!["Both"]),
        ("%20rust%20,%20POSTGRESQL%20", vec!["Both"]),
        ("c%2B%2B,Node.JS", vec!["Symbols"]),
        ("c%2B%2B,go", vec![]),
    ];
    for (skills, expected) in cases {
        let (status, body, _) = board(&app, &format!("/api/v1/offers?skills={skills}")).await;
        assert_eq!(status, Status::Ok, "{skills}");
        assert_eq!(titles(&body), expected, "skills={skills}");
        assert_eq!(body["count"], expected.len());
    }
}

#[rocket::async_test]
async fn the_employer_filter_takes_an_id_or_a_username() {
    let app = spawn_app().await;
    let acme = app.user("Acme").await;
    let globex = app.user("globex").await;
    offer(&app, &acme, "Acme job", &[], "d").await;
    offer(&app, &globex, "Globex job", &[], "d").await;
    for employer in [acme.id.to_string(), "acme".to_owned(), "ACME".to_owned()] {
        let (_, body, _) = board(&app, &format!("/api/v1/offers?employer={employer}")).await;
        assert_eq!(titles(&body), ["Acme job"], "{employer}");
    }
    let (status, body, _) = board(&app, "/api/v1/offers?employer=nobody").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(body["count"], 0);
}

#[rocket::async_test]
async fn filters_combine() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let globex = app.user("globex").await;
    offer(&app, &acme, "Rust engineer", &["rust"], "d").await;
    offer(&app, &globex, "Rust engineer", &["rust"], "d").await;
    offer(&app, &acme, "Rust engineer", &["go"], "d").await;
    let (_, body, _) = board(&app, "/api/v1/offers?q=engineer&skills=rust&employer=acme").await;
    assert_eq!(body["count"], 1);
    assert_eq!(body["offers"][0]["username"], "acme");
}

/// Walks the pages by following `Link`, checking it agrees with `next_cursor`.
async fn walk(
    app: &TestApp,
    first: &str,
    between_pages: impl Fn(usize) -> Option<&'static str>,
    user: &TestUser,
) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut uri = Some(first.to_owned());
    let mut page = 0;
    while let Some(current) = uri {
        let (status, body, next) = board(app, &current).await;
        assert_eq!(status, Status::Ok, "{current}");
        seen.extend(ids(&body));
        match (&next, body["next_cursor"].as_str()) {
            (Some(link), Some(cursor)) => assert!(link.contains(cursor), "{link} vs {cursor}"),
            (None, None) => {}
            other => panic!("Link and next_cursor disagree: {other:?}"),
        }
        if let Some(title) = between_pages(page) {
            offer(app, user, title, &["rust"], "added while paging").await;
        }
        uri = next;
        page += 1;
        assert!(page < 50, "paging does not end");
    }
    seen
}

#[rocket::async_test]
async fn paging_through_a_growing_board_has_no_duplicates_or_gaps() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let mut originals = Vec::new();
    for n in 0..25 {
        originals.push(offer(&app, &acme, &format!("Rust job {n}"), &["rust"], "d").await);
    }
    // New offers arrive between page requests; they are newer than the cursor, so they do not
    // shift what is left to page through.
    let seen = walk(
        &app,
        "/api/v1/offers?limit=10",
        |page| (page < 2).then_some("Fresh rust job"),
        &acme,
    )
    .await;
    let mut expected = originals.clone();
    expected.reverse();
    assert_eq!(seen, expected);

    let ranked = walk(
        &app,
        "/api/v1/offers?q=rust&limit=7",
        |page| (page == 0).then_some("Another fresh rust job"),
        &acme,
    )
    .await;
    let mut unique = ranked.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        ranked.len(),
        "a ranked page repeated an offer"
    );
    for id in &originals {
        assert!(ranked.contains(id), "offer {id} was skipped");
    }

    // One skill (read from its own list) and several words (through the offers' index) page
    // the same way: every offer there when paging started, once, in order for the skill.
    let (_, everything, _) = board(&app, "/api/v1/offers?limit=100").await;
    let before = ids(&everything);
    let by_skill = walk(
        &app,
        "/api/v1/offers?skills=RUST&limit=6",
        |page| (page < 3).then_some("Yet another rust job"),
        &acme,
    )
    .await;
    assert_eq!(by_skill, before);
    let by_words = walk(
        &app,
        "/api/v1/offers?q=rust%20job&limit=8",
        |page| (page == 1).then_some("Late rust job"),
        &acme,
    )
    .await;
    let mut unique = by_words.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), by_words.len(), "a page repeated an offer");
    for id in &originals {
        assert!(by_words.contains(id), "offer {id} was skipped");
    }
}

#[rocket::async_test]
async fn bad_board_parameters_are_400s_naming_the_parameter() {
    let app = spawn_app().await;
    let long_query = "x".repeat(201);
    let eleven_skills = ["s"; 11].join(",");
    let plain_cursor = {
        let acme = app.user("acme").await;
        offer(&app, &acme, "a", &[], "d").await;
        offer(&app, &acme, "b", &[], "d").await;
        let (_, body, _) = board(&app, "/api/v1/offers?limit=1").await;
        body["next_cursor"].as_str().unwrap().to_owned()
    };
    let cases = [
        ("limit=0".to_owned(), "limit"),
        ("limit=101".to_owned(), "limit"),
        ("limit=ten".to_owned(), "limit"),
        ("limit=-5".to_owned(), "limit"),
        ("cursor=not-a-cursor".to_owned(), "cursor"),
        // A cursor from an unranked listing does not continue a search.
        (format!("q=rust&cursor={plain_cursor}"), "cursor"),
        ("employer=not%20a%20name".to_owned(), "employer"),
        (format!("skills={eleven_skills}"), "skills"),
        (format!("q={long_query}"), "q"),
        ("q=a%00b".to_owned(), "q"),
        // A repeated parameter is refused, not silently reduced to one value.
        ("limit=5&limit=6".to_owned(), "limit"),
        ("limit=".to_owned(), "limit"),
    ];
    for (query, parameter) in cases {
        let (status, body, _) = board(&app, &format!("/api/v1/offers?{query}")).await;
        assert_eq!(status, Status::BadRequest, "{query}");
        assert!(body["errors"][parameter].is_array(), "{query}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(parameter),
            "{query}: {body}"
        );
    }
}

#[rocket::async_test]
async fn a_published_offer_is_public_with_its_employer() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let id = offer(&app, &acme, "Open role", &["rust"], "Details").await;
    let (status, body, _) = board(&app, &format!("/api/v1/offers/{id}")).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(body["title"], "Open role");
    assert_eq!(body["username"], "acme");
    assert_eq!(body["user_id"], acme.id);
    for (uri, message) in [
        ("/api/v1/offers/999999", "offer not found 999999"),
        ("/api/v1/offers/abc", "offer not found abc"),
    ] {
        let (status, body, _) = board(&app, uri).await;
        assert_eq!(status, Status::NotFound);
        assert_eq!(body, json!({ "message": message }));
    }
}

#[rocket::async_test]
async fn an_employers_list_pages_with_limit_and_cursor_and_keeps_its_envelope() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let mut created = Vec::new();
    for n in 0..5 {
        created.push(offer(&app, &acme, &format!("Job {n}"), &[], "d").await);
    }
    let mut seen = Vec::new();
    let mut uri = Some(format!("/api/v1/users/{}/offers/?limit=2", acme.id));
    while let Some(current) = uri {
        let response = app.get(&current, &acme).await;
        assert_eq!(response.status(), Status::Ok);
        let next = response.headers().get_one("Link").map(|link| {
            link.trim_start_matches('<')
                .trim_end_matches(r#">; rel="next""#)
                .to_owned()
        });
        let body = body_json(response).await;
        let keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["count", "offers"], "the original envelope");
        assert_eq!(body["count"], 5, "count is the user's total on every page");
        seen.extend(ids(&body));
        uri = next;
    }
    assert_eq!(seen, created, "oldest first, each once");

    let everything = body_json(
        app.get(&format!("/api/v1/users/{}/offers/", acme.id), &acme)
            .await,
    )
    .await;
    assert_eq!(ids(&everything), created, "up to 100 by default");

    for bad in ["limit=0", "limit=1001", "cursor=zzz"] {
        let response = app
            .get(&format!("/api/v1/users/{}/offers/?{bad}", acme.id), &acme)
            .await;
        assert_eq!(response.status(), Status::BadRequest, "{bad}");
    }
}

#[rocket::async_test]
async fn the_unfiltered_count_stays_exact_through_creates_deletes_and_cascades() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let globex = app.user("globex").await;
    let first = offer(&app, &acme, "One", &[], "d").await;
    offer(&app, &acme, "Two", &[], "d").await;
    offer(&app, &globex, "Three", &[], "d").await;
    let deleted = app
        .delete(&format!("/api/v1/users/{}/offers/{first}", acme.id), &acme)
        .await;
    assert_eq!(deleted.status(), Status::Ok);
    let (_, body, _) = board(&app, "/api/v1/offers").await;
    assert_eq!(body["count"], 2);
    // Deleting an employer removes their offers by cascade; the total follows.
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(acme.id)
        .execute(&app.db)
        .await
        .unwrap();
    let (_, body, _) = board(&app, "/api/v1/offers").await;
    assert_eq!(body["count"], 1);
    assert_eq!(app.offer_count().await, 1);
}

/// The titles and count of a board query, asserting it succeeded.
async fn found(app: &TestApp, query: &str) -> (Vec<String>, i64) {
    let (status, body, _) = board(app, &format!("/api/v1/offers?{query}")).await;
    assert_eq!(status, Status::Ok, "{query}");
    (titles(&body), body["count"].as_i64().unwrap())
}

fn owned(titles: &[&str]) -> Vec<String> {
    titles.iter().map(|title| (*title).to_owned()).collect()
}

#[rocket::async_test]
async fn one_word_and_one_skill_searches_follow_edits_deletes_and_cascades() {
    // Searches read the offers themselves: every change to an offer shows at once.
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let globex = app.user("globex").await;
    let edited = offer(&app, &acme, "Kotlin developer", &["Kotlin"], "Apps").await;
    let deleted = offer(&app, &acme, "Java developer", &["Java"], "Servers").await;
    offer(&app, &globex, "Kotlin lead", &["kotlin"], "Teams").await;
    assert_eq!(
        found(&app, "q=kotlin").await,
        (owned(&["Kotlin lead", "Kotlin developer"]), 2)
    );
    assert_eq!(found(&app, "skills=KOTLIN").await.1, 2);

    let response = app
        .put_json(
            &format!("/api/v1/users/{}/offers/{edited}", acme.id),
            &acme,
            &json!({"title": "Scala developer", "skills_list": ["Scala"]}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(found(&app, "q=kotlin").await, (owned(&["Kotlin lead"]), 1));
    assert_eq!(
        found(&app, "skills=kotlin").await,
        (owned(&["Kotlin lead"]), 1)
    );
    assert_eq!(
        found(&app, "q=scala").await,
        (owned(&["Scala developer"]), 1)
    );
    assert_eq!(
        found(&app, "skills=scala").await,
        (owned(&["Scala developer"]), 1)
    );
    // A new description is searchable; the old one is not.
    let response = app
        .put_json(
            &format!("/api/v1/users/{}/offers/{edited}", acme.id),
            &acme,
            &json!({"description": "Android work"}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(found(&app, "q=android").await.1, 1);
    assert_eq!(found(&app, "q=apps").await, (vec![], 0));

    let response = app
        .delete(
            &format!("/api/v1/users/{}/offers/{deleted}", acme.id),
            &acme,
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(found(&app, "q=java").await, (vec![], 0));
    assert_eq!(found(&app, "skills=java").await, (vec![], 0));

    // An employer deleted: their offers go by cascade, and with them their searches.
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(globex.id)
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(found(&app, "q=kotlin").await, (vec![], 0));
    assert_eq!(found(&app, "skills=kotlin").await, (vec![], 0));
    assert_eq!(found(&app, "q=developer").await.1, 1);
}

#[rocket::async_test]
async fn a_word_ranks_the_same_alone_or_combined_and_several_words_add_up() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    offer(&app, &acme, "Support", &["go"], "Kotlin on weekends").await;
    offer(&app, &acme, "Kotlin developer", &["sql"], "Backend").await;
    offer(&app, &acme, "Developer", &["Kotlin"], "Mobile").await;
    offer(
        &app,
        &acme,
        "Developer",
        &["sql"],
        "Kotlin daily, kotlin nightly",
    )
    .await;
    offer(&app, &acme, "Designer", &["figma"], "No code").await;
    let alone = found(&app, "q=kotlin").await;
    assert_eq!(
        alone.0,
        ["Kotlin developer", "Developer", "Developer", "Support"]
    );
    // With an employer filter the same word is ranked from the offers themselves: same order.
    assert_eq!(found(&app, "q=kotlin&employer=acme").await, alone);
    assert_eq!(found(&app, "q=KOTLIN!").await, alone);

    // Both words in the title beat one in the title and one in the skills, which beats the
    // description; offers missing a word are not found.
    let (titles, count) = found(&app, "q=kotlin%20developer").await;
    assert_eq!(titles, ["Kotlin developer", "Developer", "Developer"]);
    assert_eq!(count, 3);
    let (_, body, _) = board(&app, "/api/v1/offers?q=kotlin%20developer").await;
    assert_eq!(body["offers"][1]["skills_list"], json!(["Kotlin"]));
}

#[rocket::async_test]
async fn a_page_past_every_match_is_empty_and_still_counts_the_matches() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let oldest = offer(&app, &acme, "Rust job 1", &["rust", "go"], "d").await;
    offer(&app, &acme, "Rust job 2", &["rust", "go"], "d").await;
    offer(&app, &acme, "Rust job 3", &["Go", "Rust"], "d").await;
    for first in [
        "/api/v1/offers?skills=rust,go&limit=2",
        "/api/v1/offers?q=rust%20job&limit=2",
        "/api/v1/offers?q=rust&employer=acme&limit=2",
    ] {
        let (status, body, next) = board(&app, first).await;
        assert_eq!(status, Status::Ok, "{first}");
        assert_eq!(titles(&body).len(), 2, "{first}");
        assert_eq!(body["count"], 3, "{first}");
        let next = next.expect("a second page");
        sqlx::query("UPDATE offers SET skills_list = '{}', title = 'Gone' WHERE id = $1")
            .bind(oldest)
            .execute(&app.db)
            .await
            .unwrap();
        let (status, body, link) = board(&app, &next).await;
        assert_eq!(status, Status::Ok, "{next}");
        assert_eq!(titles(&body), Vec::<String>::new(), "{next}");
        assert_eq!(body["count"], 2, "{next}");
        assert!(link.is_none() && body["next_cursor"].is_null());
        sqlx::query(
            "UPDATE offers SET skills_list = '{rust,go}', title = 'Rust job 1' WHERE id = $1",
        )
        .bind(oldest)
        .execute(&app.db)
        .await
        .unwrap();
    }
}
