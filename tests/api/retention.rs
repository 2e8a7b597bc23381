//! Retention: applications to an offer that ended longer ago than `application_retention_days`
//! lose their personal data (fields, CV, notes, Idempotency-Keys) and keep their stage and
//! history; one instance erases at a time.

use std::time::Duration;

use base64::Engine as _;
use job_offers::repo::retention::{erase_due, Sweep, RETENTION_LOCK_KEY};
use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};
use sqlx::Connection;

use crate::helpers::{body_json, spawn_app, spawn_app_with, TestApp, TestUser};

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const RETENTION_DAYS: u32 = 180;

/// An open offer of `employer` that takes applications here.
async fn native_offer(app: &TestApp, employer: &TestUser, title: &str) -> i64 {
    app.create_offer(
        employer,
        &json!({"title": title, "description": "Build APIs", "skills_list": ["rust"],
                "apply_native": true}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// Applies to `offer` as `email`, with a CV and an Idempotency-Key; the application's id.
async fn apply(app: &TestApp, offer: i64, email: &str) -> i64 {
    let body = json!({"name": "Ada Lovelace", "email": email, "phone": "+44 20 7946 0000",
                      "cover_letter": "I would love to build this.", "consent": true,
                      "cv_base64": base64::engine::general_purpose::STANDARD.encode(PDF),
                      "cv_filename": "ada-cv.pdf"});
    let response = app
        .client
        .post(format!("/api/v1/offers/{offer}/applications"))
        .header(ContentType::JSON)
        .header(Header::new("Idempotency-Key", format!("key-{email}")))
        .body(body.to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
    body_json(response).await["id"].as_i64().unwrap()
}

/// Sends `body` to the offer's `PUT` as its owner.
async fn set_status(app: &TestApp, employer: &TestUser, offer: i64, body: Value) {
    let response = app
        .put_json(
            &format!("/api/v1/users/{}/offers/{offer}", employer.id),
            employer,
            &body,
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
}

async fn close(app: &TestApp, employer: &TestUser, offer: i64) {
    set_status(
        app,
        employer,
        offer,
        json!({"status": "closed", "close_reason": "filled"}),
    )
    .await;
}

/// Moves the offer's close back to `days` ago, as if it had been closed then.
async fn closed_days_ago(app: &TestApp, offer: i64, days: i32) {
    let moved = sqlx::query(
        "UPDATE offers SET closed_at = now() - make_interval(days => $2) \
         WHERE id = $1 AND status = 'closed' AND closed_at IS NOT NULL",
    )
    .bind(offer)
    .bind(days)
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(
        moved.rows_affected(),
        1,
        "the closed offer has a close time"
    );
}

async fn sweep(app: &TestApp, batch: i64) -> Sweep {
    let mut connection = app.db.acquire().await.unwrap();
    erase_due(&mut connection, RETENTION_DAYS, batch)
        .await
        .unwrap()
}

fn detail_uri(employer: &TestUser, id: i64) -> String {
    format!("/api/v1/users/{}/applications/{id}", employer.id)
}

async fn detail(app: &TestApp, employer: &TestUser, id: i64) -> Value {
    let response = app.get(&detail_uri(employer, id), employer).await;
    assert_eq!(response.status(), Status::Ok);
    body_json(response).await
}

async fn count(app: &TestApp, employer: &TestUser) -> Value {
    let uri = format!("/api/v1/users/{}/applications", employer.id);
    body_json(app.get(&uri, employer).await).await["count"].clone()
}

fn assert_kept(detail: &Value) {
    assert_eq!(detail["name"], "Ada Lovelace", "{detail}");
    assert_eq!(detail["cover_letter"], "I would love to build this.");
    assert_eq!(detail["has_cv"], true);
}

fn assert_erased(detail: &Value) {
    for field in ["name", "email", "phone", "cover_letter"] {
        assert_eq!(detail[field], Value::Null, "{field}: {detail}");
    }
    assert_eq!(detail["has_cv"], false);
    assert_eq!(detail["notes"], json!([]));
}

async fn table_count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[rocket::async_test]
async fn applications_past_their_retention_lose_their_personal_data_and_keep_their_stage() {
    let app = spawn_app().await;
    let employer = app.user("employer").await;
    let offer = native_offer(&app, &employer, "Backend Engineer").await;
    let id = apply(&app, offer, "ada@example.com").await;
    let response = app
        .put_json(
            &detail_uri(&employer, id),
            &employer,
            &json!({"stage": "interview", "note": "Strong CV, call her back"}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    close(&app, &employer, offer).await;
    assert_eq!(count(&app, &employer).await, 1);

    // Closed, but within the retention: kept.
    closed_days_ago(&app, offer, 179).await;
    assert_eq!(sweep(&app, 500).await, Sweep::Erased(0));
    assert_kept(&detail(&app, &employer, id).await);

    closed_days_ago(&app, offer, 181).await;
    // Editing a closed offer does not move its close.
    set_status(
        &app,
        &employer,
        offer,
        json!({"title": "Backend Engineer (filled)"}),
    )
    .await;
    assert_eq!(sweep(&app, 500).await, Sweep::Erased(1));

    let erased = detail(&app, &employer, id).await;
    assert_erased(&erased);
    assert_eq!(erased["stage"], "interview");
    let history: Vec<&str> = erased["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["stage"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["new", "interview"]);
    let response = app
        .get(&format!("{}/cv", detail_uri(&employer, id)), &employer)
        .await;
    assert_eq!(response.status(), Status::NotFound);
    let list = body_json(
        app.get(
            &format!("/api/v1/users/{}/applications", employer.id),
            &employer,
        )
        .await,
    )
    .await;
    assert_eq!(list["count"], 1, "the anonymous record still counts");
    assert_eq!(list["applications"][0]["email"], Value::Null);
    assert_eq!(list["applications"][0]["stage"], "interview");
    for table in [
        "application_cvs",
        "application_notes",
        "application_submissions",
    ] {
        assert_eq!(table_count(&app, table).await, 0, "{table}");
    }

    // Nothing is left to do: a second run erases nothing more.
    assert_eq!(sweep(&app, 500).await, Sweep::Erased(0));
}

#[rocket::async_test]
async fn only_offers_that_ended_before_the_retention_are_erased() {
    let app = spawn_app().await;
    let employer = app.user("employer").await;
    let open = native_offer(&app, &employer, "Still open").await;
    let recent = native_offer(&app, &employer, "Closed last month").await;
    let expired = native_offer(&app, &employer, "Expired long ago").await;
    let on_open = apply(&app, open, "open@example.com").await;
    let on_recent = apply(&app, recent, "recent@example.com").await;
    let on_expired = apply(&app, expired, "expired@example.com").await;
    close(&app, &employer, recent).await;
    closed_days_ago(&app, recent, 30).await;
    // A published offer past its date ends at that date.
    sqlx::query(
        "UPDATE offers SET valid_through = now() - make_interval(days => 181) WHERE id = $1",
    )
    .bind(expired)
    .execute(&app.db)
    .await
    .unwrap();

    assert_eq!(sweep(&app, 500).await, Sweep::Erased(1));
    assert_erased(&detail(&app, &employer, on_expired).await);
    assert_kept(&detail(&app, &employer, on_open).await);
    assert_kept(&detail(&app, &employer, on_recent).await);
    assert_eq!(count(&app, &employer).await, 3);
}

#[rocket::async_test]
async fn an_offer_published_again_after_closing_keeps_its_applications() {
    let app = spawn_app().await;
    let employer = app.user("employer").await;
    let offer = native_offer(&app, &employer, "Reopened").await;
    let id = apply(&app, offer, "ada@example.com").await;
    close(&app, &employer, offer).await;
    closed_days_ago(&app, offer, 200).await;
    set_status(&app, &employer, offer, json!({"status": "published"})).await;
    let closed_at: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT closed_at FROM offers WHERE id = $1")
            .bind(offer)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(closed_at, None, "published again, it is no longer closed");

    assert_eq!(sweep(&app, 500).await, Sweep::Erased(0));
    assert_kept(&detail(&app, &employer, id).await);

    // Closed again: its retention counts from this close, not the first.
    close(&app, &employer, offer).await;
    assert_eq!(sweep(&app, 500).await, Sweep::Erased(0));
    assert_kept(&detail(&app, &employer, id).await);
}

#[rocket::async_test]
async fn a_sweep_skips_while_another_instance_holds_the_lock_and_runs_in_batches() {
    let app = spawn_app().await;
    let employer = app.user("employer").await;
    let offer = native_offer(&app, &employer, "Backend Engineer").await;
    let first = apply(&app, offer, "a@example.com").await;
    let second = apply(&app, offer, "b@example.com").await;
    close(&app, &employer, offer).await;
    closed_days_ago(&app, offer, 181).await;

    // Another replica, mid-sweep.
    let mut other = sqlx::PgConnection::connect(app.database().url())
        .await
        .unwrap();
    let mut held = other.begin().await.unwrap();
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(RETENTION_LOCK_KEY)
        .execute(&mut *held)
        .await
        .unwrap();
    assert_eq!(sweep(&app, 500).await, Sweep::Skipped);
    assert_kept(&detail(&app, &employer, first).await);
    assert_kept(&detail(&app, &employer, second).await);
    held.rollback().await.unwrap();

    assert_eq!(sweep(&app, 1).await, Sweep::Erased(1));
    assert_eq!(sweep(&app, 1).await, Sweep::Erased(1));
    assert_eq!(sweep(&app, 1).await, Sweep::Erased(0));
    assert_erased(&detail(&app, &employer, first).await);
    assert_erased(&detail(&app, &employer, second).await);
}

#[rocket::async_test]
async fn the_server_runs_the_retention_job_on_its_own() {
    let app =
        spawn_app_with(|figment| figment.merge(("application_retention_sweep_secs", 1))).await;
    let employer = app.user("employer").await;
    let offer = native_offer(&app, &employer, "Backend Engineer").await;
    let id = apply(&app, offer, "ada@example.com").await;
    close(&app, &employer, offer).await;
    closed_days_ago(&app, offer, 181).await;

    let mut seen = detail(&app, &employer, id).await;
    for _ in 0..50 {
        if seen["name"].is_null() {
            break;
        }
        rocket::tokio::time::sleep(Duration::from_millis(100)).await;
        seen = detail(&app, &employer, id).await;
    }
    assert_erased(&seen);
}
