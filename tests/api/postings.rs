//! Contract v2 through the API: every new field's valid and invalid values, the lifecycle's
//! transitions, expiry decided at read time, who sees drafts, and the employer profile.

use chrono::{DateTime, Duration, Utc};
use rocket::http::Status;
use serde_json::{json, Value};

use crate::helpers::{body_json, spawn_app, spawn_app_with, TestApp, TestUser};

fn offers_uri(user: &TestUser) -> String {
    format!("/api/v1/users/{}/offers/", user.id)
}

fn offer_uri(user: &TestUser, id: &Value) -> String {
    format!("/api/v1/users/{}/offers/{id}", user.id)
}

fn with(extra: Value) -> Value {
    let mut body = json!({"title": "Backend Engineer", "description": "Build a RESTful API"});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    body
}

async fn create(app: &TestApp, user: &TestUser, body: &Value) -> (Status, Value) {
    let response = app.post_json(&offers_uri(user), user, body).await;
    let status = response.status();
    (status, body_json(response).await)
}

async fn update(app: &TestApp, user: &TestUser, id: &Value, body: &Value) -> (Status, Value) {
    let response = app.put_json(&offer_uri(user, id), user, body).await;
    let status = response.status();
    (status, body_json(response).await)
}

async fn status_of(app: &TestApp, uri: &str, user: Option<&TestUser>) -> Status {
    app.get(uri, user).await.status()
}

fn timestamp(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

fn in_days(days: i64) -> String {
    (Utc::now() + Duration::days(days)).to_rfc3339()
}

#[rocket::async_test]
async fn every_new_field_round_trips_as_the_contract_writes_it() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let valid_through = in_days(30);
    let body = with(json!({
        "employment_types": ["FULL_TIME", "CONTRACTOR"],
        "workplace": "hybrid",
        "locations": [{"city": "Berlin", "country": "de"}, {"country": "AT", "postal_code": "1010"}],
        "remote_countries": ["de", "PL"],
        "salary": {"currency": "eur", "min": 85000, "max": 105000.5, "period": "YEAR"},
        "apply_url": "https://jobs.example.com/backend",
        "apply_email": "jobs@example.com",
        "valid_through": valid_through,
    }));
    let (status, offer) = create(&app, &acme, &body).await;
    assert_eq!(status, Status::Created, "{offer}");
    assert_eq!(offer["status"], "published");
    assert_eq!(offer["close_reason"], Value::Null);
    assert_eq!(
        offer["employment_types"],
        json!(["FULL_TIME", "CONTRACTOR"])
    );
    assert_eq!(offer["workplace"], "hybrid");
    assert_eq!(
        offer["locations"],
        json!([
            {"city": "Berlin", "region": null, "country": "DE", "postal_code": null},
            {"city": null, "region": null, "country": "AT", "postal_code": "1010"}
        ])
    );
    assert_eq!(offer["remote_countries"], json!(["DE", "PL"]));
    assert_eq!(
        offer["salary"],
        json!({"currency": "EUR", "min": 85000, "max": 105000.5, "period": "YEAR"})
    );
    assert_eq!(offer["apply_url"], "https://jobs.example.com/backend");
    assert_eq!(offer["apply_email"], "jobs@example.com");
    let sent = DateTime::parse_from_rfc3339(&valid_through).unwrap();
    assert!(
        (timestamp(&offer["valid_through"]) - sent.with_timezone(&Utc))
            .num_milliseconds()
            .abs()
            < 1
    );
    assert_eq!(offer["first_published_at"], offer["creation_date"]);

    // Read back the same, through the owner's list, the offer itself and the board.
    let read = body_json(app.get(&offer_uri(&acme, &offer["id"]), &acme).await).await;
    assert_eq!(read, offer);
    let board = body_json(app.get("/api/v1/offers", None).await).await;
    assert_eq!(board["offers"][0]["salary"], offer["salary"]);
    assert_eq!(board["offers"][0]["username"], "acme");
    assert_eq!(board["offers"][0]["display_name"], Value::Null);
}

#[rocket::async_test]
async fn each_invalid_value_is_a_400_naming_its_field_and_stores_nothing() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let salary = |extra: Value| {
        let mut salary = json!({"currency": "EUR", "min": 1, "max": 2, "period": "YEAR"});
        salary
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "salary": salary })
    };
    let cases = [
        (json!({"status": "expired"}), "status"),
        (json!({"status": "closed"}), "status"),
        (json!({"status": "open"}), "status"),
        (json!({"close_reason": "filled"}), "close_reason"),
        (json!({"close_reason": "fired"}), "close_reason"),
        (json!({"valid_through": "tomorrow"}), "valid_through"),
        (
            json!({"valid_through": "2001-01-01T00:00:00Z"}),
            "valid_through",
        ),
        (json!({"valid_through": in_days(400)}), "valid_through"),
        (
            json!({"employment_types": ["full_time"]}),
            "employment_types",
        ),
        (
            json!({"employment_types": ["FULL_TIME", "FULL_TIME"]}),
            "employment_types",
        ),
        (json!({"employment_types": "FULL_TIME"}), "employment_types"),
        (json!({"workplace": "office"}), "workplace"),
        (json!({"locations": [{"city": "Berlin"}]}), "locations"),
        (json!({"locations": [{"country": "XX"}]}), "locations"),
        (
            json!({"locations": [{"country": "DE", "city": "x".repeat(101)}]}),
            "locations",
        ),
        (
            json!({"locations": [{"country": "DE", "street": "Main"}]}),
            "locations",
        ),
        (
            json!({"locations": (0..21).map(|_| json!({"country": "DE"})).collect::<Vec<_>>()}),
            "locations",
        ),
        (
            json!({"workplace": "remote", "remote_countries": ["EU"]}),
            "remote_countries",
        ),
        (
            json!({"workplace": "on_site", "remote_countries": ["DE"]}),
            "remote_countries",
        ),
        (json!({"remote_countries": ["DE"]}), "remote_countries"),
        (salary(json!({"currency": "EURO"})), "salary"),
        (salary(json!({"currency": "XXX"})), "salary"),
        (salary(json!({"min": 0})), "salary"),
        (salary(json!({"min": -5})), "salary"),
        (salary(json!({"min": 3})), "salary"),
        (salary(json!({"min": 1.234})), "salary"),
        (salary(json!({"max": "2"})), "salary"),
        (salary(json!({"period": "ANNUAL"})), "salary"),
        (salary(json!({"bonus": 1})), "salary"),
        (
            json!({"salary": {"currency": "EUR", "min": 1, "period": "YEAR"}}),
            "salary",
        ),
        (json!({"salary": 90000}), "salary"),
        (json!({"apply_url": "ftp://jobs.example.com"}), "apply_url"),
        (json!({"apply_url": "/apply"}), "apply_url"),
        (
            json!({"apply_url": format!("https://x.org/{}", "a".repeat(2000))}),
            "apply_url",
        ),
        (
            json!({"apply_url": "https://user:secret@jobs.example.com/"}),
            "apply_url",
        ),
        (json!({"apply_email": "jobs"}), "apply_email"),
        (json!({"apply_email": "jobs@example"}), "apply_email"),
        (
            json!({"first_published_at": in_days(0)}),
            "first_published_at",
        ),
    ];
    for (extra, field) in cases {
        let body = with(extra);
        let (status, answer) = create(&app, &acme, &body).await;
        assert_eq!(status, Status::BadRequest, "{body} → {answer}");
        assert_eq!(answer["message"], "Input payload validation failed");
        let problems = answer["errors"][field].as_array();
        assert!(
            problems.is_some_and(|problems| !problems.is_empty()),
            "{body} → {answer}"
        );
    }
    assert_eq!(app.offer_count().await, 0);
}

#[rocket::async_test]
async fn a_value_stored_before_a_rule_was_added_still_reads() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let (_, offer) = create(&app, &acme, &with(json!({}))).await;
    // Accepted before URLs with credentials were refused: the board, the offer and its page
    // still answer (a refused row once made every listing holding it a 500).
    sqlx::query(
        "UPDATE offers SET apply_url = 'https://user:secret@jobs.example.com/' WHERE id = $1",
    )
    .bind(offer["id"].as_i64().unwrap())
    .execute(&app.db)
    .await
    .unwrap();
    for uri in [
        "/api/v1/offers".to_owned(),
        format!("/api/v1/offers/{}", offer["id"]),
        format!("/offers/{}", offer["id"]),
        "/".to_owned(),
    ] {
        let response = app.client.get(uri.clone()).dispatch().await;
        let code = response.status().code;
        assert!(code == 200 || (300..400).contains(&code), "{uri}: {code}");
    }
    // A change that leaves the stored address alone goes through.
    let (status, _) = update(&app, &acme, &offer["id"], &json!({"title": "Renamed"})).await;
    assert_eq!(status, Status::Ok);
}

#[rocket::async_test]
async fn a_draft_is_published_then_closed_then_reopened_and_refused_otherwise() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    // Published at once (an old client's create): open the default 60 days from that instant.
    let (status, at_once) = create(&app, &acme, &with(json!({}))).await;
    assert_eq!(status, Status::Created);
    assert_eq!(
        timestamp(&at_once["valid_through"]) - timestamp(&at_once["first_published_at"]),
        chrono::Duration::days(60)
    );
    let (status, draft) = create(&app, &acme, &with(json!({"status": "draft"}))).await;
    assert_eq!(status, Status::Created);
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["first_published_at"], Value::Null);
    assert_eq!(draft["valid_through"], Value::Null);
    let id = draft["id"].clone();

    let refused = |from: &str, to: &str| json!({"message": format!("Cannot change status from {from} to {to}")});
    let (status, body) = update(
        &app,
        &acme,
        &id,
        &json!({"status": "closed", "close_reason": "filled"}),
    )
    .await;
    assert_eq!(
        (status, body),
        (Status::Conflict, refused("draft", "closed"))
    );

    let (status, published) = update(&app, &acme, &id, &json!({"status": "published"})).await;
    assert_eq!(status, Status::Ok, "{published}");
    assert_eq!(published["status"], "published");
    let first_published = published["first_published_at"].clone();
    assert!(timestamp(&first_published) > timestamp(&draft["creation_date"]));
    assert_eq!(
        timestamp(&published["valid_through"]) - timestamp(&first_published),
        chrono::Duration::days(60),
        "the default 60 days, to the microsecond"
    );

    for (to, from) in [("draft", "published"), ("expired", "published")] {
        let (status, body) = update(&app, &acme, &id, &json!({ "status": to })).await;
        assert_eq!((status, body), (Status::Conflict, refused(from, to)));
    }
    let (status, body) = update(&app, &acme, &id, &json!({"status": "closed"})).await;
    assert_eq!(status, Status::BadRequest);
    assert!(body["errors"]["close_reason"].is_array(), "{body}");

    let (status, closed) = update(
        &app,
        &acme,
        &id,
        &json!({"status": "closed", "close_reason": "filled"}),
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        (&closed["status"], &closed["close_reason"]),
        (&json!("closed"), &json!("filled"))
    );
    let (status, body) = update(&app, &acme, &id, &json!({"status": "draft"})).await;
    assert_eq!(
        (status, body),
        (Status::Conflict, refused("closed", "draft"))
    );

    let later = in_days(10);
    let (status, reopened) = update(
        &app,
        &acme,
        &id,
        &json!({"status": "published", "valid_through": later}),
    )
    .await;
    assert_eq!(status, Status::Ok, "{reopened}");
    assert_eq!(reopened["status"], "published");
    assert_eq!(reopened["close_reason"], Value::Null);
    assert_eq!(
        reopened["first_published_at"], first_published,
        "never moves"
    );
    assert_eq!(reopened["creation_date"], draft["creation_date"]);
    assert!(timestamp(&reopened["modification_date"]) > timestamp(&closed["modification_date"]));
}

#[rocket::async_test]
async fn an_offer_past_its_date_leaves_the_board_and_turns_expired_without_a_write() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let other = app.user("other").await;
    let soon = (Utc::now() + Duration::milliseconds(1500)).to_rfc3339();
    let (status, offer) = create(&app, &acme, &with(json!({"valid_through": soon}))).await;
    assert_eq!(status, Status::Created, "{offer}");
    let public = format!("/api/v1/offers/{}", offer["id"]);
    assert_eq!(status_of(&app, &public, None).await, Status::Ok);
    assert_eq!(
        body_json(app.get("/api/v1/offers", None).await).await["count"],
        1
    );

    rocket::tokio::time::sleep(std::time::Duration::from_millis(1700)).await;
    let modified: DateTime<Utc> =
        sqlx::query_scalar("SELECT modification_date FROM offers WHERE id = $1")
            .bind(offer["id"].as_i64().unwrap())
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        modified,
        timestamp(&offer["modification_date"]),
        "nothing was written"
    );
    assert_eq!(
        body_json(app.get("/api/v1/offers", None).await).await["count"],
        0
    );
    assert_eq!(status_of(&app, &public, None).await, Status::NotFound);
    assert_eq!(
        status_of(&app, &offer_uri(&acme, &offer["id"]), Some(&other)).await,
        Status::NotFound
    );
    let own = body_json(app.get(&offer_uri(&acme, &offer["id"]), &acme).await).await;
    assert_eq!(own["status"], "expired");
    let listed = body_json(
        app.get(&format!("{}?status=expired", offers_uri(&acme)), &acme)
            .await,
    )
    .await;
    assert_eq!(listed["count"], 1);
    // Correcting its title is no renewal: it stays expired, with its date, off the board.
    let (status, corrected) = update(
        &app,
        &acme,
        &offer["id"],
        &json!({"title": "Backend engineer"}),
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(corrected["status"], "expired");
    assert_eq!(corrected["valid_through"], own["valid_through"]);
    assert_eq!(status_of(&app, &public, None).await, Status::NotFound);
    // Renewed with a new date, it is back.
    let (status, renewed) =
        update(&app, &acme, &offer["id"], &json!({"status": "published"})).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(renewed["status"], "published");
    assert_eq!(status_of(&app, &public, None).await, Status::Ok);
}

#[rocket::async_test]
async fn drafts_are_not_found_for_anyone_but_their_owner_on_every_route() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let other = app.user("other").await;
    let (_, draft) = create(
        &app,
        &acme,
        &with(json!({"status": "draft", "title": "Secret plan"})),
    )
    .await;
    let (_, live) = create(&app, &acme, &with(json!({"title": "Open role"}))).await;
    let id = &draft["id"];

    assert_eq!(
        status_of(&app, &offer_uri(&acme, id), Some(&acme)).await,
        Status::Ok
    );
    assert_eq!(
        status_of(&app, &offer_uri(&acme, id), Some(&other)).await,
        Status::NotFound
    );
    assert_eq!(
        body_json(app.get(&offer_uri(&acme, id), &other).await).await,
        json!({"message": format!("offer not found {id}")})
    );
    assert_eq!(
        status_of(&app, &format!("/api/v1/offers/{id}"), None).await,
        Status::NotFound
    );
    assert_eq!(
        status_of(&app, &format!("/offers/{id}"), None).await,
        Status::NotFound
    );
    let others_view = body_json(app.get(&offers_uri(&acme), &other).await).await;
    assert_eq!(others_view["count"], 1);
    assert_eq!(others_view["offers"][0]["id"], live["id"]);
    let owners_view = body_json(app.get(&offers_uri(&acme), &acme).await).await;
    assert_eq!(owners_view["count"], 2);
    let drafts = body_json(
        app.get(&format!("{}?status=draft", offers_uri(&acme)), &acme)
            .await,
    )
    .await;
    assert_eq!(
        (drafts["count"].clone(), drafts["offers"][0]["id"].clone()),
        (json!(1), id.clone())
    );
    let board = body_json(app.get("/api/v1/offers?q=secret", None).await).await;
    assert_eq!(board["count"], 0);
    let page = app
        .get("/?q=secret", None)
        .await
        .into_string()
        .await
        .unwrap();
    assert!(!page.contains("Secret plan"));
    // Others cannot change it either: the API says 403 before anything else.
    let response = app
        .put_json(
            &offer_uri(&acme, id),
            &other,
            &json!({"status": "published"}),
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    let response = app
        .get(&format!("{}?status=bogus", offers_uri(&acme)), &acme)
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    assert_eq!(
        body_json(response).await["message"],
        "Invalid query parameter: status"
    );
}

#[rocket::async_test]
async fn publishing_can_require_a_salary_and_the_validity_is_configurable() {
    let app = spawn_app_with(|figment| {
        figment
            .merge(("require_salary", true))
            .merge(("offer_default_days", 7))
            .merge(("offer_max_days", 30))
    })
    .await;
    let acme = app.user("acme").await;
    let (status, body) = create(&app, &acme, &with(json!({}))).await;
    assert_eq!(status, Status::BadRequest);
    assert!(body["errors"]["salary"].is_array(), "{body}");
    let (status, draft) = create(&app, &acme, &with(json!({"status": "draft"}))).await;
    assert_eq!(status, Status::Created);
    let (status, body) = update(&app, &acme, &draft["id"], &json!({"status": "published"})).await;
    assert_eq!(status, Status::BadRequest, "{body}");
    let paid = json!({"status": "published", "salary": {"currency": "USD", "min": 40, "max": 60, "period": "HOUR"}});
    let (status, offer) = update(&app, &acme, &draft["id"], &paid).await;
    assert_eq!(status, Status::Ok, "{offer}");
    let days =
        (timestamp(&offer["valid_through"]) - timestamp(&offer["first_published_at"])).num_hours();
    assert!((6 * 24..=7 * 24).contains(&days), "{days} h");
    let (status, _) = update(
        &app,
        &acme,
        &draft["id"],
        &json!({"valid_through": in_days(31)}),
    )
    .await;
    assert_eq!(status, Status::BadRequest);
}

#[rocket::async_test]
async fn an_employer_profile_is_public_changed_only_by_its_owner_and_named_on_the_board() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let other = app.user("other").await;
    let uri = format!("/api/v1/users/{}", acme.id);
    let profile = body_json(app.get(&uri, None).await).await;
    assert_eq!(
        profile,
        json!({"id": acme.id, "username": "acme", "display_name": null, "website": null, "about": null})
    );
    let change = json!({"display_name": "ACME Robotics GmbH", "website": "https://acme.example", "about": "Robots."});
    assert_eq!(
        app.put_json(&uri, &other, &change).await.status(),
        Status::Forbidden
    );
    assert_eq!(
        app.put_json(&uri, None, &change).await.status(),
        Status::Unauthorized
    );
    let response = app.put_json(&uri, &acme, &change).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        body_json(response).await["display_name"],
        "ACME Robotics GmbH"
    );
    let response = app.put_json(&uri, &acme, &json!({"about": null})).await;
    let changed = body_json(response).await;
    assert_eq!(
        (changed["about"].clone(), changed["website"].clone()),
        (Value::Null, json!("https://acme.example"))
    );
    let response = app
        .put_json(
            &uri,
            &acme,
            &json!({"website": "acme.example", "display_name": ""}),
        )
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    assert!(body_json(response).await["errors"]["website"].is_array());
    assert_eq!(
        app.put_json(&uri, &acme, &json!({})).await.status(),
        Status::BadRequest
    );
    assert_eq!(
        app.get("/api/v1/users/999999", None).await.status(),
        Status::NotFound
    );

    app.publish(&acme, "Robot whisperer", &[], "Robots").await;
    let board = body_json(app.get("/api/v1/offers", None).await).await;
    assert_eq!(board["offers"][0]["display_name"], "ACME Robotics GmbH");
    let page = app.get("/", None).await.into_string().await.unwrap();
    assert!(
        page.contains("ACME Robotics GmbH"),
        "the board page names the employer"
    );
}

/// The database's CHECK constraints test an offer's codes against the same ISO lists the API
/// and the pages parse with (`domain::iso`), so neither refuses what the other accepts.
#[rocket::async_test]
async fn the_database_checks_the_iso_codes_the_api_parses_with() {
    let app = spawn_app().await;
    let (countries, currencies): (Vec<String>, Vec<String>) =
        sqlx::query_as("SELECT iso_country_codes(), iso_currency_codes()")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let codes = |list: &[(&str, &str)]| -> Vec<String> {
        list.iter().map(|(code, _)| (*code).to_owned()).collect()
    };
    assert_eq!(countries, codes(job_offers::domain::iso::COUNTRIES));
    assert_eq!(currencies, codes(job_offers::domain::iso::CURRENCIES));
}
