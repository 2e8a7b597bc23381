use rocket::http::{ContentType, Method, Status};
use serde_json::{json, Value};

use crate::helpers::{backend_offer, body_json, spawn_app, TestApp, TestUser};

fn offers_uri(user: &TestUser) -> String {
    format!("/api/v1/users/{}/offers/", user.id)
}

fn offer_uri(user: &TestUser, id: &Value) -> String {
    format!("/api/v1/users/{}/offers/{}", user.id, id)
}

/// `2018-10-22T21:55:40.708571+00:00`: six fractional digits and an explicit UTC offset.
fn assert_original_timestamp(value: &Value) {
    let text = value.as_str().unwrap();
    let bytes = text.as_bytes();
    assert_eq!(text.len(), 32, "{text}");
    assert!(text.ends_with("+00:00"), "{text}");
    assert_eq!(
        (bytes[4], bytes[10], bytes[19]),
        (b'-', b'T', b'.'),
        "{text}"
    );
    assert!(text[20..26].bytes().all(|b| b.is_ascii_digit()), "{text}");
    assert!(chrono::DateTime::parse_from_rfc3339(text).is_ok(), "{text}");
}

async fn stored_titles(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT title FROM offers ORDER BY id")
        .fetch_all(&app.db)
        .await
        .unwrap()
}

#[rocket::async_test]
async fn the_readme_walkthrough_gives_the_documented_responses() {
    let app = spawn_app().await;
    let user = app.user("user").await;

    let created = app
        .post_json(&offers_uri(&user), &user, &backend_offer())
        .await;
    assert_eq!(created.status(), Status::Created);
    let location = created.headers().get_one("Location").unwrap().to_owned();
    let offer = body_json(created).await;
    assert_eq!(location, offer_uri(&user, &offer["id"]));
    assert_eq!(offer["title"], "Backend Engineer");
    assert_eq!(offer["description"], "Build a RESTful API");
    assert_eq!(offer["skills_list"], json!(["python", "flask", "DevOps"]));
    assert_original_timestamp(&offer["creation_date"]);
    assert_original_timestamp(&offer["modification_date"]);
    let mut keys: Vec<_> = offer.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "apply_email",
            "apply_native",
            "apply_url",
            "close_reason",
            "creation_date",
            "description",
            "employment_types",
            "first_published_at",
            "id",
            "locations",
            "modification_date",
            "remote_countries",
            "salary",
            "skills_list",
            "status",
            "title",
            "valid_through",
            "workplace"
        ]
    );
    // An old client's offer: published at once, posted when created, open for 60 days, and
    // every new field empty.
    assert_eq!(offer["status"], "published");
    assert_eq!(offer["first_published_at"], offer["creation_date"]);
    assert_original_timestamp(&offer["valid_through"]);
    for empty in [
        "close_reason",
        "workplace",
        "salary",
        "apply_url",
        "apply_email",
    ] {
        assert_eq!(offer[empty], Value::Null, "{empty}");
    }
    for empty in ["employment_types", "locations", "remote_countries"] {
        assert_eq!(offer[empty], json!([]), "{empty}");
    }

    let listed = body_json(app.get(&offers_uri(&user), &user).await).await;
    assert_eq!(listed, json!({"offers": [offer.clone()], "count": 1}));

    let edited = app
        .put_json(
            &offer_uri(&user, &offer["id"]),
            &user,
            &json!({"title": "DevOps Engineer"}),
        )
        .await;
    assert_eq!(edited.status(), Status::Ok);
    let edited = body_json(edited).await;
    assert_eq!(edited["title"], "DevOps Engineer");
    assert_eq!(edited["description"], offer["description"]);
    assert_eq!(edited["skills_list"], offer["skills_list"]);
    assert_eq!(edited["creation_date"], offer["creation_date"]);

    let fetched = app.get(&offer_uri(&user, &offer["id"]), &user).await;
    assert_eq!(fetched.status(), Status::Ok);
    assert_eq!(body_json(fetched).await, edited);

    let deleted = app.delete(&offer_uri(&user, &offer["id"]), &user).await;
    assert_eq!(deleted.status(), Status::Ok);
    assert_eq!(
        body_json(deleted).await,
        json!({"message": format!("offer deleted {}", offer["id"])})
    );
    assert_eq!(app.offer_count().await, 0);
}

#[rocket::async_test]
async fn collection_routes_work_with_and_without_the_trailing_slash() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let without_slash = format!("/api/v1/users/{}/offers", user.id);
    let created = app.post_json(&without_slash, &user, &backend_offer()).await;
    assert_eq!(created.status(), Status::Created);
    let listed = app.get(&without_slash, &user).await;
    assert_eq!(listed.status(), Status::Ok);
    assert_eq!(body_json(listed).await["count"], 1);
}

#[rocket::async_test]
async fn a_user_without_offers_has_an_empty_list() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let response = app.get(&offers_uri(&user), &user).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(body_json(response).await, json!({"offers": [], "count": 0}));
}

#[rocket::async_test]
async fn listing_an_unknown_user_is_not_found() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let response = app.get("/api/v1/users/999999/offers/", &user).await;
    assert_eq!(response.status(), Status::NotFound);
    assert_eq!(
        body_json(response).await,
        json!({"message": "user not found 999999"})
    );
}

#[rocket::async_test]
async fn lists_keep_creation_order_and_only_the_users_offers() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    for title in ["first", "second", "third"] {
        app.create_offer(&alice, &json!({"title": title, "description": "d"}))
            .await;
    }
    app.create_offer(&bob, &json!({"title": "bob's", "description": "d"}))
        .await;
    let listed = body_json(app.get(&offers_uri(&alice), &bob).await).await;
    let titles: Vec<_> = listed["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|offer| offer["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["first", "second", "third"]);
    assert_eq!(listed["count"], 3);
}

#[rocket::async_test]
async fn another_user_can_read_but_not_write() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let mallory = app.user("mallory").await;
    let offer = app.create_offer(&alice, &backend_offer()).await;

    let read = app.get(&offer_uri(&alice, &offer["id"]), &mallory).await;
    assert_eq!(read.status(), Status::Ok);

    let attempts = [
        (Method::Post, offers_uri(&alice), Some(backend_offer())),
        (
            Method::Put,
            offer_uri(&alice, &offer["id"]),
            Some(json!({"title": "pwned"})),
        ),
        (Method::Delete, offer_uri(&alice, &offer["id"]), None),
        // Guessing an id under one's own path does not reach someone else's offer either.
        (
            Method::Put,
            offer_uri(&mallory, &offer["id"]),
            Some(json!({"title": "pwned"})),
        ),
        (Method::Delete, offer_uri(&mallory, &offer["id"]), None),
    ];
    for (method, uri, body) in attempts {
        let response = app.send(method, &uri, &mallory, body.as_ref()).await;
        let status = response.status();
        let answer = body_json(response).await;
        if uri.contains(&format!("/users/{}/", alice.id)) {
            assert_eq!(status, Status::Forbidden, "{method} {uri}");
            assert_eq!(answer, json!({"message": "Forbidden"}));
        } else {
            assert_eq!(status, Status::NotFound, "{method} {uri}");
            assert_eq!(
                answer,
                json!({"message": format!("offer not found {}", offer["id"])})
            );
        }
    }
    assert_eq!(stored_titles(&app).await, ["Backend Engineer"]);
}

#[rocket::async_test]
async fn an_offer_is_only_found_under_its_owners_path() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let offer = app.create_offer(&alice, &backend_offer()).await;
    let response = app.get(&offer_uri(&bob, &offer["id"]), &alice).await;
    assert_eq!(response.status(), Status::NotFound);
    assert_eq!(
        body_json(response).await,
        json!({"message": format!("offer not found {}", offer["id"])})
    );
}

#[rocket::async_test]
async fn create_names_missing_and_invalid_fields_and_stores_nothing() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let cases = [
        (
            json!({"description": "d"}),
            "title",
            "Missing data for required field.",
        ),
        (
            json!({"title": "t"}),
            "description",
            "Missing data for required field.",
        ),
        (
            json!({"title": "", "description": "d"}),
            "title",
            "Length must be between 1 and 200.",
        ),
        (
            json!({"title": "x".repeat(201), "description": "d"}),
            "title",
            "Length must be between 1 and 200.",
        ),
        (
            json!({"title": " \t ", "description": "d"}),
            "title",
            "Must not be blank.",
        ),
        (
            json!({"title": "a\u{0}b", "description": "d"}),
            "title",
            "Must not contain NUL characters.",
        ),
        (
            json!({"title": 5, "description": "d"}),
            "title",
            "Not a valid string.",
        ),
        (
            json!({"title": null, "description": "d"}),
            "title",
            "Field may not be null.",
        ),
        (
            json!({"title": "t", "description": "x".repeat(10_001)}),
            "description",
            "Length must be between 1 and 10000.",
        ),
        (
            json!({"title": "t", "description": "d", "skills_list": "rust"}),
            "skills_list",
            "Not a valid list.",
        ),
        (
            json!({"title": "t", "description": "d", "skills_list": ["ok", 1]}),
            "skills_list",
            "Item 1: Not a valid string.",
        ),
        (
            json!({"title": "t", "description": "d", "skills_list": [""]}),
            "skills_list",
            "Item 0: Length must be between 1 and 50.",
        ),
        (
            json!({"title": "t", "description": "d", "skills_list": ["x".repeat(51)]}),
            "skills_list",
            "Item 0: Length must be between 1 and 50.",
        ),
        (
            json!({"title": "t", "description": "d", "skills_list": vec!["s"; 51]}),
            "skills_list",
            "Length must be between 0 and 50.",
        ),
        (
            json!({"title": "t", "description": "d", "bonus": 10}),
            "bonus",
            "Unknown field.",
        ),
        (
            json!({"title": "t", "description": "d", "id": 10}),
            "id",
            "Read-only field: it is set by the server.",
        ),
        (
            json!({"title": "t", "description": "d", "creation_date": "2018-10-22T21:55:40.708571+00:00"}),
            "creation_date",
            "Read-only field: it is set by the server.",
        ),
    ];
    for (body, field, problem) in cases {
        let response = app.post_json(&offers_uri(&user), &user, &body).await;
        assert_eq!(response.status(), Status::BadRequest, "{body}");
        let answer = body_json(response).await;
        assert_eq!(answer["message"], "Input payload validation failed");
        assert_eq!(
            answer["errors"][field],
            json!([problem]),
            "{body} → {answer}"
        );
    }
    assert_eq!(app.offer_count().await, 0);
}

#[rocket::async_test]
async fn values_at_the_limits_are_accepted() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let body = json!({
        "title": "é".repeat(200),
        "description": "d".repeat(10_000),
        "skills_list": vec!["s".repeat(50); 50],
    });
    let offer = app.create_offer(&user, &body).await;
    assert_eq!(offer["title"].as_str().unwrap().chars().count(), 200);
    assert_eq!(offer["skills_list"].as_array().unwrap().len(), 50);
}

#[rocket::async_test]
async fn a_missing_or_malformed_body_says_no_input_and_stores_nothing() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let cases = [
        ("", None),
        (
            "{",
            Some("Invalid JSON: EOF while parsing an object at line 1 column 1"),
        ),
        ("[]", Some("Expected a JSON object")),
        ("42", Some("Expected a JSON object")),
        (
            "{\"title\": \"unterminated}",
            Some("Invalid JSON: EOF while parsing a string at line 1 column 24"),
        ),
    ];
    for (body, problem) in cases {
        let response = app
            .client
            .post(offers_uri(&user))
            .header(user.auth())
            .header(ContentType::JSON)
            .body(body)
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::BadRequest, "{body:?}");
        let answer = body_json(response).await;
        assert_eq!(answer["message"], "No input data provided", "{body:?}");
        assert_eq!(
            answer.get("errors"),
            problem.map(|problem| json!({"body": [problem]})).as_ref(),
            "{body:?}"
        );
    }
    assert_eq!(app.offer_count().await, 0);
}

#[rocket::async_test]
async fn an_oversized_body_is_refused_with_413_and_stores_nothing() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let body = json!({"title": "t", "description": "x".repeat(70 * 1024)});
    let response = app.post_json(&offers_uri(&user), &user, &body).await;
    assert_eq!(response.status(), Status::PayloadTooLarge);
    assert_eq!(
        body_json(response).await,
        json!({"message": "Payload too large"})
    );
    assert_eq!(app.offer_count().await, 0);
}

#[rocket::async_test]
async fn unicode_and_sql_looking_text_is_stored_verbatim() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let body = json!({
        "title": "Ingénieur·e 🚀 '; DROP TABLE offers; --",
        "description": "Robert'); DELETE FROM users WHERE ('1'='1 — 日本語\n\ttabs",
        "skills_list": ["C++", "c#", "node.js", "\"quoted\"", "{braces}", "NULL"],
    });
    let offer = app.create_offer(&user, &body).await;
    let fetched = body_json(app.get(&offer_uri(&user, &offer["id"]), &user).await).await;
    for field in ["title", "description", "skills_list"] {
        assert_eq!(fetched[field], body[field], "{field}");
    }
    assert_eq!(app.offer_count().await, 1);
}

#[rocket::async_test]
async fn updates_are_partial_and_advance_only_the_modification_date() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let offer = app.create_offer(&user, &backend_offer()).await;
    let uri = offer_uri(&user, &offer["id"]);
    let mut previous = offer.clone();
    for patch in [
        json!({"description": "New description"}),
        json!({"skills_list": ["rust"]}),
        json!({"title": "T", "description": "D", "skills_list": []}),
    ] {
        let response = app.put_json(&uri, &user, &patch).await;
        assert_eq!(response.status(), Status::Ok);
        let updated = body_json(response).await;
        for (field, value) in patch.as_object().unwrap() {
            assert_eq!(&updated[field], value);
        }
        assert_eq!(updated["creation_date"], offer["creation_date"]);
        assert!(
            updated["modification_date"].as_str() > previous["modification_date"].as_str(),
            "{} then {}",
            previous["modification_date"],
            updated["modification_date"]
        );
        previous = updated;
    }
    assert_eq!(previous["title"], "T");
}

#[rocket::async_test]
async fn an_empty_or_invalid_update_changes_nothing() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let offer = app.create_offer(&user, &backend_offer()).await;
    let uri = offer_uri(&user, &offer["id"]);
    let empty = app.put_json(&uri, &user, &json!({})).await;
    assert_eq!(empty.status(), Status::BadRequest);
    assert_eq!(
        body_json(empty).await,
        json!({"message": "No input data provided"})
    );
    let no_body = app.send(Method::Put, &uri, &user, None).await;
    assert_eq!(no_body.status(), Status::BadRequest);
    let invalid = app
        .put_json(&uri, &user, &json!({"title": "", "id": 9}))
        .await;
    assert_eq!(invalid.status(), Status::BadRequest);
    let answer = body_json(invalid).await;
    assert!(answer["errors"]["title"].is_array() && answer["errors"]["id"].is_array());
    let stored = body_json(app.get(&uri, &user).await).await;
    assert_eq!(stored, offer);
}

#[rocket::async_test]
async fn missing_offers_are_not_found_for_every_operation() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let uri = format!("/api/v1/users/{}/offers/424242", user.id);
    for (method, body) in [
        (Method::Get, None),
        (Method::Put, Some(json!({"title": "x"}))),
        (Method::Delete, None),
    ] {
        let response = app.send(method, &uri, &user, body.as_ref()).await;
        assert_eq!(response.status(), Status::NotFound, "{method}");
        assert_eq!(
            body_json(response).await,
            json!({"message": "offer not found 424242"})
        );
    }
}

#[rocket::async_test]
async fn deleting_twice_is_not_found_the_second_time() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let offer = app.create_offer(&user, &backend_offer()).await;
    let uri = offer_uri(&user, &offer["id"]);
    assert_eq!(app.delete(&uri, &user).await.status(), Status::Ok);
    let again = app.delete(&uri, &user).await;
    assert_eq!(again.status(), Status::NotFound);
}

#[rocket::async_test]
async fn ids_that_are_not_positive_integers_are_json_not_found() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    for (uri, message) in [
        (
            format!("/api/v1/users/{}/offers/abc", user.id),
            "offer not found abc",
        ),
        (
            format!("/api/v1/users/{}/offers/0", user.id),
            "offer not found 0",
        ),
        (
            format!("/api/v1/users/{}/offers/-3", user.id),
            "offer not found -3",
        ),
        (
            format!("/api/v1/users/{}/offers/99999999999999999999", user.id),
            "offer not found 99999999999999999999",
        ),
        ("/api/v1/users/abc/offers/".to_owned(), "user not found abc"),
        ("/api/v1/users/0/offers/1".to_owned(), "user not found 0"),
    ] {
        let response = app.get(&uri, &user).await;
        assert_eq!(response.status(), Status::NotFound, "{uri}");
        assert_eq!(response.content_type(), Some(ContentType::JSON), "{uri}");
        assert_eq!(
            body_json(response).await,
            json!({ "message": message }),
            "{uri}"
        );
    }
}

#[rocket::async_test]
async fn unknown_api_paths_are_json_not_found() {
    let app = spawn_app().await;
    for uri in ["/api/v1/nothing", "/api/v2/users/login", "/api"] {
        let response = app.get(uri, None).await;
        assert_eq!(response.status(), Status::NotFound, "{uri}");
        assert_eq!(response.content_type(), Some(ContentType::JSON), "{uri}");
        assert_eq!(body_json(response).await["message"], "Not found");
    }
}
