//! Applications in the browser, through Rocket's local client: the form on an offer's page
//! (shown only where the offer takes applications here, with the retention period), a
//! refused form coming back with its problems and the input, the honeypot, the CSRF token, the
//! candidate's private page and withdrawal, and the employer's list, detail, stage moves,
//! notes, CV download and counts on "My offers" — and nobody else's.

use rocket::http::{ContentType, Status};
use serde_json::json;

use crate::applications::{multipart, native_offer, PDF};
use crate::helpers::{spawn_app, TestApp};
use crate::web::{location, Page, Visitor};

/// The offer's page (its canonical address).
async fn offer_page(visitor: &Visitor<'_>, offer: i64) -> Page {
    visitor
        .get_page(&format!("/offers/{offer}"), Status::Ok)
        .await
}

/// Sends the offer page's application form with `fields` (the page's CSRF token and
/// idempotency key added) and an optional CV.
async fn send_application<'v>(
    visitor: &'v Visitor<'_>,
    offer: i64,
    fields: &[(&str, &str)],
    cv: Option<(&str, &[u8])>,
) -> rocket::local::asynchronous::LocalResponse<'v> {
    let page = offer_page(visitor, offer).await;
    let token = page.csrf_token();
    let key = page
        .attr(r#".apply-form input[name="idempotency_key"]"#, "value")
        .expect("the form carries its idempotency key");
    let mut all = vec![
        ("csrf_token", token.as_str()),
        ("idempotency_key", key.as_str()),
    ];
    all.extend_from_slice(fields);
    post_application(visitor, offer, &all, cv).await
}

/// Posts the offer page's application form with exactly `fields` and an optional CV.
async fn post_application<'v>(
    visitor: &'v Visitor<'_>,
    offer: i64,
    fields: &[(&str, &str)],
    cv: Option<(&str, &[u8])>,
) -> rocket::local::asynchronous::LocalResponse<'v> {
    let (content_type, body) = multipart(fields, cv);
    visitor
        .client()
        .post(format!("/offers/{offer}/apply"))
        .header(content_type)
        .body(body)
        .dispatch()
        .await
}

const ADA: [(&str, &str); 3] = [
    ("name", "Ada Lovelace"),
    ("email", "ada@example.com"),
    ("consent", "true"),
];

async fn stored_applications(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM applications")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[rocket::async_test]
async fn the_form_shows_only_on_open_offers_that_take_applications_and_tells_the_retention() {
    let app = spawn_app().await;
    let (employer, native) = native_offer(&app, "employer").await;
    let elsewhere = app
        .create_offer(
            &employer,
            &json!({"title": "Ops", "description": "Run it", "apply_url": "https://jobs.example/1"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let visitor = app.visitor();

    let page = offer_page(&visitor, native).await;
    assert!(page.has("form.apply-form"));
    assert!(page
        .text("#consent-hint")
        .contains("kept until 180 days after this offer closes"));
    assert!(page.has(r#".apply-form input[type="file"][name="cv"]"#));
    assert!(
        page.has(".honeypot input[name=website]"),
        "a field people never see, for bots"
    );
    assert!(
        !page.source().to_lowercase().contains("current salary")
            && !page.source().to_lowercase().contains("current pay\""),
        "never asks for current pay"
    );
    assert!(!offer_page(&visitor, elsewhere).await.has("form.apply-form"));

    // Closed: no form, and its own page says it takes none.
    let closed = app
        .client
        .put(format!("/api/v1/users/{}/offers/{native}", employer.id))
        .header(ContentType::JSON)
        .header(employer.auth())
        .body(r#"{"status": "closed", "close_reason": "filled"}"#)
        .dispatch()
        .await;
    assert_eq!(closed.status(), Status::Ok);
    assert!(!offer_page(&visitor, native).await.has("form.apply-form"));
    let page = visitor
        .get_page(&format!("/offers/{native}/apply"), Status::Conflict)
        .await;
    assert!(page
        .text("main")
        .contains("This offer does not accept applications"));
}

#[rocket::async_test]
async fn applying_leads_to_the_private_status_page_and_a_double_submit_makes_one() {
    let app = spawn_app().await;
    let (_, offer) = native_offer(&app, "employer").await;
    let visitor = app.new_visitor().await;
    let page = offer_page(&visitor, offer).await;
    let token = page.csrf_token();
    let key = page
        .attr(r#".apply-form input[name="idempotency_key"]"#, "value")
        .unwrap();
    let mut fields = vec![
        ("csrf_token", token.as_str()),
        ("idempotency_key", key.as_str()),
    ];
    fields.extend_from_slice(&ADA);
    let (content_type, body) = multipart(&fields, Some(("Ada CV.pdf", PDF)));
    let mut targets = Vec::new();
    for _ in 0..2 {
        let response = visitor
            .client()
            .post(format!("/offers/{offer}/apply"))
            .header(content_type.clone())
            .body(body.clone())
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::SeeOther);
        targets.push(location(&response));
    }
    assert_eq!(
        targets[0], targets[1],
        "the retry shows the same application"
    );
    assert!(targets[0].starts_with("/candidate/"), "{}", targets[0]);
    assert_eq!(stored_applications(&app).await, 1);

    let status = visitor.get_page(&targets[0], Status::Ok).await;
    assert!(status.text(".flash").contains("Application sent"));
    assert_eq!(status.attr(".stage", "data-stage").as_deref(), Some("new"));
    assert_eq!(
        status.attr(r#"meta[name="robots"]"#, "content").as_deref(),
        Some("noindex, nofollow")
    );
    // The same link as the API's.
    let api = app
        .client
        .get(format!(
            "/api/v1/applications/{}",
            targets[0].trim_start_matches("/candidate/")
        ))
        .dispatch()
        .await;
    assert_eq!(api.status(), Status::Ok);

    // Withdrawing keeps the record and erases the CV.
    let withdrawn = visitor
        .submit(&targets[0], &format!("{}/withdraw", targets[0]), &[])
        .await;
    let page = visitor.follow(withdrawn).await;
    assert_eq!(
        page.attr(".stage", "data-stage").as_deref(),
        Some("withdrawn")
    );
    assert!(page.text(".flash").contains("CV has been erased"));
    assert!(!page.has(".withdraw-form"));
    let cvs: i64 = sqlx::query_scalar("SELECT count(*) FROM application_cvs")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(cvs, 0);
    assert_eq!(stored_applications(&app).await, 1);
    let missing = visitor
        .get_page("/candidate/not-a-real-token", Status::NotFound)
        .await;
    assert!(
        missing
            .text("main")
            .contains("The application may have been erased"),
        "a wrong link is not about a deleted offer: {}",
        missing.text("main")
    );
}

#[rocket::async_test]
async fn a_refused_form_comes_back_with_each_problem_and_the_input() {
    let app = spawn_app().await;
    let (_, offer) = native_offer(&app, "employer").await;
    let visitor = app.visitor();
    let response = send_application(
        &visitor,
        offer,
        &[
            ("name", "   "),
            ("email", "not-an-address"),
            ("cover_letter", "Dear team"),
        ],
        Some(("cv.pdf", b"GIF89a not a document")),
    )
    .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = Page::read(response).await;
    assert_eq!(page.text("#name-error"), "Error: Must not be blank.");
    assert!(page
        .text("#email-error")
        .contains("Must be an e-mail address"));
    assert_eq!(
        page.text("#cv-error"),
        "Error: Must be a PDF, DOCX or ODT document."
    );
    assert!(page.text("#consent-error").contains("You must consent"));
    assert_eq!(page.field_value("email").as_deref(), Some("not-an-address"));
    assert_eq!(
        page.field_value("cover_letter").as_deref(),
        Some("Dear team")
    );
    assert!(page.has(".error-summary"));
    assert_eq!(stored_applications(&app).await, 0);

    // Applied already: said plainly on the form.
    let first = send_application(&visitor, offer, &ADA, None).await;
    assert_eq!(first.status(), Status::SeeOther);
    let again = send_application(&visitor, offer, &ADA, None).await;
    assert_eq!(again.status(), Status::UnprocessableEntity);
    let page = Page::read(again).await;
    assert_eq!(
        page.text(".apply-problem"),
        "You have already applied to this offer"
    );
    assert_eq!(stored_applications(&app).await, 1);
}

#[rocket::async_test]
async fn a_bot_filling_the_honeypot_is_thanked_and_nothing_is_kept() {
    let app = spawn_app().await;
    let (_, offer) = native_offer(&app, "employer").await;
    let visitor = app.visitor();
    let mut fields = ADA.to_vec();
    fields.push(("website", "https://spam.example"));
    let response = send_application(&visitor, offer, &fields, None).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert!(!location(&response).starts_with("/candidate/"));
    assert_eq!(stored_applications(&app).await, 0);
}

#[rocket::async_test]
async fn an_application_form_without_its_csrf_token_is_forbidden() {
    let app = spawn_app().await;
    let (_, offer) = native_offer(&app, "employer").await;
    let visitor = app.visitor();
    offer_page(&visitor, offer).await;
    let response = post_application(&visitor, offer, &ADA, None).await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(stored_applications(&app).await, 0);
}

#[rocket::async_test]
async fn the_employer_reviews_moves_annotates_and_downloads_and_nobody_else_can() {
    let app = spawn_app().await;
    let (_, offer) = native_offer(&app, "employer").await;
    let candidate = app.new_visitor().await;
    let sent = send_application(&candidate, offer, &ADA, Some(("Ada CV.pdf", PDF))).await;
    let status_path = location(&sent);
    let id: i64 = sqlx::query_scalar("SELECT id FROM applications")
        .fetch_one(&app.db)
        .await
        .unwrap();

    let employer = app.new_visitor().await;
    assert_eq!(
        employer.sign_in("employer").await.status(),
        Status::SeeOther
    );
    let offers = employer.get_page("/offers", Status::Ok).await;
    assert_eq!(offers.text(".application-counts [data-stage=new]"), "1 new");

    let list = employer
        .get_page(&format!("/applications?offer={offer}"), Status::Ok)
        .await;
    assert_eq!(list.count(".application-row"), 1);
    assert!(list.text(".application-row").contains("Ada Lovelace"));
    assert!(list.text(".application-row").contains("ada@example.com"));
    assert_eq!(
        list.text(r#".tabs a[aria-current="page"]"#),
        "All 1",
        "the tab of every stage, with its count"
    );

    let detail_path = format!("/applications/{id}");
    let detail = employer.get_page(&detail_path, Status::Ok).await;
    assert_eq!(detail.text("h1"), "Ada Lovelace");
    let choices: Vec<String> = detail
        .select("#stage option")
        .iter()
        .filter_map(|option| option.attr("value").map(str::to_owned))
        .collect();
    assert_eq!(
        choices,
        ["", "reviewing", "interview", "offer", "hired", "rejected"]
    );

    let moved = employer
        .submit(
            &detail_path,
            &detail_path,
            &[("stage", "interview"), ("note", "Strong on PostgreSQL")],
        )
        .await;
    let detail = employer.follow(moved).await;
    assert_eq!(detail.text(".flash"), "Moved to Interview");
    assert_eq!(
        detail.attr(".page-heading .stage", "data-stage").as_deref(),
        Some("interview")
    );
    assert_eq!(
        detail.select_text(".history li strong"),
        ["New", "Interview"]
    );
    assert!(detail.text(".history").contains("by employer"));
    assert!(detail.text(".notes").contains("Strong on PostgreSQL"));

    // Backwards is refused, with the rule's message; nothing changes.
    let back = employer
        .submit(&detail_path, &detail_path, &[("stage", "new")])
        .await;
    let detail = employer.follow(back).await;
    assert_eq!(detail.text(".flash"), "Cannot move from interview to new");

    let cv = employer.get(&format!("{detail_path}/cv")).await;
    assert_eq!(cv.status(), Status::Ok);
    assert_eq!(
        cv.headers().get_one("Content-Disposition"),
        Some("attachment; filename=\"Ada CV.pdf\"; filename*=UTF-8''Ada%20CV.pdf")
    );
    assert_eq!(
        cv.headers().get_one("X-Content-Type-Options"),
        Some("nosniff")
    );
    assert_eq!(cv.into_bytes().await.unwrap(), PDF);

    // The candidate sees the move.
    let page = candidate.get_page(&status_path, Status::Ok).await;
    assert_eq!(
        page.attr(".stage", "data-stage").as_deref(),
        Some("interview")
    );

    // Another employer, and a signed-out visitor, get nothing.
    let rival = app.new_visitor().await;
    rival.sign_up("rival").await;
    rival.get_page(&detail_path, Status::NotFound).await;
    assert_eq!(
        rival.get(&format!("{detail_path}/cv")).await.status(),
        Status::NotFound
    );
    let foreign = rival
        .get_page(&format!("/applications?offer={offer}"), Status::Ok)
        .await;
    assert_eq!(foreign.count(".application-row"), 0);
    let token = rival
        .get_page("/applications", Status::Ok)
        .await
        .csrf_token();
    let forged = rival
        .post_form(
            &detail_path,
            &[("csrf_token", token.as_str()), ("stage", "rejected")],
        )
        .await;
    assert_eq!(forged.status(), Status::NotFound);
    let stage: String = sqlx::query_scalar("SELECT stage::text FROM applications")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stage, "interview");
    let anonymous = app.new_visitor().await;
    let response = anonymous.get(&detail_path).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert!(location(&response).starts_with("/login"));
}

#[rocket::async_test]
async fn a_form_sent_after_the_offer_closed_leads_back_to_the_offer_page() {
    let app = spawn_app().await;
    let (employer, offer) = native_offer(&app, "employer").await;
    let visitor = app.visitor();
    let page = offer_page(&visitor, offer).await;
    let token = page.csrf_token();
    // Closed while the candidate was writing.
    let response = app
        .put_json(
            &format!("/api/v1/users/{}/offers/{offer}", employer.id),
            &employer,
            &json!({"status": "closed", "close_reason": "filled"}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let mut fields = vec![("csrf_token", token.as_str())];
    fields.extend_from_slice(&ADA);
    let response = post_application(&visitor, offer, &fields, None).await;
    assert_eq!(response.status(), Status::SeeOther);
    let landed = visitor.follow(response).await;
    assert_eq!(
        landed.text(".flash"),
        "This offer no longer accepts applications: your application was not sent."
    );
    assert!(landed.has(".notice-closed"));
    assert_eq!(stored_applications(&app).await, 0);
}
