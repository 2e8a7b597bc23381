//! Applications: a candidate applies (JSON or multipart, with a CV), follows and withdraws by
//! the private link; the offer's owner lists, reads, moves, annotates and downloads the CV;
//! nobody else can.

use base64::Engine as _;
use rocket::http::{ContentType, Header, Method, Status};
use serde_json::{json, Value};

use crate::helpers::{body_json, spawn_app, spawn_app_with, TestApp, TestUser};

pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// A stored (uncompressed) ZIP of `entries`, as office suites write them, with its central
/// directory: enough for the server's sniffing, which reads the directory.
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, content) in entries {
        let offset = out.len() as u32;
        let header = |signature: &[u8], central: bool| {
            let mut h = signature.to_vec();
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // version needed
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&0u16.to_le_bytes()); // stored
            h.extend_from_slice(&[0; 4]); // time, date
            h.extend_from_slice(&0u32.to_le_bytes()); // crc (not checked by the sniffing)
            h.extend_from_slice(&(content.len() as u32).to_le_bytes());
            h.extend_from_slice(&(content.len() as u32).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&0u16.to_le_bytes()); // comment
                h.extend_from_slice(&0u16.to_le_bytes()); // disk
                h.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(b"PK\x03\x04", false));
        out.extend_from_slice(content);
        central.extend(header(b"PK\x01\x02", true));
    }
    let directory_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&directory_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn docx() -> Vec<u8> {
    zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w:document/>"),
    ])
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An employer with an open offer that takes applications here.
pub async fn native_offer(app: &TestApp, username: &str) -> (TestUser, i64) {
    let employer = app.user(username).await;
    let offer = app
        .create_offer(
            &employer,
            &json!({"title": "Backend Engineer", "description": "Build APIs",
                    "skills_list": ["rust"], "apply_native": true}),
        )
        .await;
    assert_eq!(offer["apply_native"], true);
    (employer, offer["id"].as_i64().unwrap())
}

fn application(email: &str) -> Value {
    json!({"name": "Ada Lovelace", "email": email, "phone": "+44 20 7946 0000",
           "cover_letter": "I would love to build this.", "consent": true,
           "cv_base64": base64(PDF), "cv_filename": "ada-cv.pdf"})
}

fn apply_uri(offer: i64) -> String {
    format!("/api/v1/offers/{offer}/applications")
}

/// The path of an absolute status URL.
fn path_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme[after_scheme.find('/').unwrap()..].to_owned()
}

async fn apply(app: &TestApp, offer: i64, body: &Value) -> (Status, Value) {
    let response = app.post_json(&apply_uri(offer), None, body).await;
    let status = response.status();
    (status, body_json(response).await)
}

#[rocket::async_test]
async fn a_candidate_applies_with_a_cv_and_the_employer_reviews_it() {
    let app = spawn_app().await;
    let (employer, offer) = native_offer(&app, "employer").await;

    let response = app
        .post_json(&apply_uri(offer), None, &application("ada@example.com"))
        .await;
    assert_eq!(response.status(), Status::Created);
    let location = response.headers().get_one("Location").unwrap().to_owned();
    let created = body_json(response).await;
    assert_eq!(created["stage"], "new");
    assert_eq!(created["offer_id"], offer);
    assert_eq!(created["status_url"], location.as_str());
    assert!(location.contains("/api/v1/applications/"), "{location}");

    // The candidate's link.
    let status_path = path_of(&location);
    let response = app.get(&status_path, None).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.headers().get_one("Cache-Control"),
        Some("no-store"),
        "the link is a credential: no cache keeps what it shows"
    );
    let seen = body_json(response).await;
    assert_eq!(seen["stage"], "new");
    assert_eq!(seen["offer_title"], "Backend Engineer");
    assert_eq!(seen["id"], created["id"]);

    // The employer's list and detail.
    let response = app
        .get(
            &format!("/api/v1/users/{}/applications", employer.id),
            &employer,
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let list = body_json(response).await;
    assert_eq!(list["count"], 1);
    assert_eq!(list["next_cursor"], Value::Null);
    let listed = &list["applications"][0];
    assert_eq!(listed["name"], "Ada Lovelace");
    assert_eq!(listed["email"], "ada@example.com");
    assert_eq!(listed["phone"], "+44 20 7946 0000");
    assert_eq!(listed["has_cv"], true);
    let id = listed["id"].as_i64().unwrap();
    let detail_uri = format!("/api/v1/users/{}/applications/{id}", employer.id);
    let detail = body_json(app.get(&detail_uri, &employer).await).await;
    assert_eq!(detail["cover_letter"], "I would love to build this.");
    assert_eq!(detail["history"].as_array().unwrap().len(), 1);
    assert_eq!(detail["history"][0]["stage"], "new");
    assert_eq!(detail["history"][0]["by"], "candidate");
    assert_eq!(detail["notes"], json!([]));

    // The CV, as it was sent, as an attachment that no browser sniffs.
    let response = app.get(&format!("{detail_uri}/cv"), &employer).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.headers().get_one("Content-Type"),
        Some("application/pdf")
    );
    assert_eq!(
        response.headers().get_one("X-Content-Type-Options"),
        Some("nosniff")
    );
    let disposition = response
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("ada-cv.pdf"), "{disposition}");
    assert_eq!(response.into_bytes().await.unwrap(), PDF);

    // Moving it through the pipeline, with a note; each move is in the history.
    let response = app
        .put_json(
            &detail_uri,
            &employer,
            &json!({"stage": "interview", "note": "Strong CV"}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let moved = body_json(response).await;
    assert_eq!(moved["stage"], "interview");
    assert_eq!(moved["history"][1]["stage"], "interview");
    assert_eq!(moved["history"][1]["by"], "employer");
    assert_eq!(moved["notes"][0]["note"], "Strong CV");
    assert_eq!(moved["notes"][0]["by"], "employer");
    let seen = body_json(app.get(&status_path, None).await).await;
    assert_eq!(seen["stage"], "interview");

    // Backwards is refused and changes nothing; rejected is always reachable.
    let response = app
        .put_json(&detail_uri, &employer, &json!({"stage": "reviewing"}))
        .await;
    assert_eq!(response.status(), Status::Conflict);
    assert_eq!(
        body_json(response).await["message"],
        "Cannot move from interview to reviewing"
    );
    let response = app
        .put_json(&detail_uri, &employer, &json!({"stage": "rejected"}))
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        body_json(response).await["history"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[rocket::async_test]
async fn every_invalid_field_is_named() {
    let app = spawn_app().await;
    let (_, offer) = native_offer(&app, "employer").await;

    let (status, body) = apply(&app, offer, &json!({})).await;
    assert_eq!(status, Status::BadRequest);
    for field in ["name", "email", "consent"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }

    let (status, body) = apply(
        &app,
        offer,
        &json!({"name": " ", "email": "not-an-address", "consent": false,
                "phone": "call me", "cover_letter": "x".repeat(10_001), "salary": 1}),
    )
    .await;
    assert_eq!(status, Status::BadRequest);
    for field in [
        "name",
        "email",
        "consent",
        "phone",
        "cover_letter",
        "salary",
    ] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }

    // A CV is judged by its bytes, not its name.
    let mut png = application("png@example.com");
    png["cv_base64"] = json!(base64(b"\x89PNG\r\n\x1a\n0000IHDR"));
    png["cv_filename"] = json!("cv.pdf");
    let (status, body) = apply(&app, offer, &png).await;
    assert_eq!(status, Status::BadRequest);
    assert!(body["errors"]["cv"].is_array(), "{body}");
    let mut broken = application("b64@example.com");
    broken["cv_base64"] = json!("not base64 at all!");
    let (status, body) = apply(&app, offer, &broken).await;
    assert_eq!(status, Status::BadRequest);
    assert!(body["errors"]["cv_base64"].is_array(), "{body}");
    let mut named = application("name@example.com");
    named["cv_base64"] = json!(base64(PDF));
    named["cv_filename"] = json!(format!("{}.pdf", "a".repeat(252)));
    let (status, body) = apply(&app, offer, &named).await;
    assert_eq!(status, Status::BadRequest);
    assert_eq!(
        body["errors"]["cv_filename"],
        json!(["The file name must be at most 255 characters."]),
        "{body}"
    );

    // Over 5 MiB.
    let mut large = PDF.to_vec();
    large.resize(5 * 1024 * 1024 + 1, b' ');
    let mut too_large = application("large@example.com");
    too_large["cv_base64"] = json!(base64(&large));
    let (status, _) = apply(&app, offer, &too_large).await;
    assert_eq!(status, Status::PayloadTooLarge);

    // Nothing was stored by any of these.
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM applications")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);

    // The optional texts take null as not sent; the required ones do not.
    let (status, body) = apply(
        &app,
        offer,
        &json!({"name": "Nils", "email": "nils@example.com", "consent": true,
                "phone": null, "cover_letter": null}),
    )
    .await;
    assert_eq!(status, Status::Created, "{body}");
    let (status, body) = apply(
        &app,
        offer,
        &json!({"name": null, "email": "null@example.com", "consent": true}),
    )
    .await;
    assert_eq!(status, Status::BadRequest);
    assert!(body["errors"]["name"].is_array(), "{body}");
}

#[rocket::async_test]
async fn only_open_offers_that_take_applications_accept_them() {
    let app = spawn_app().await;
    let (employer, native) = native_offer(&app, "employer").await;
    let elsewhere = app
        .publish(&employer, "Applied for elsewhere", &["go"], "Apply by mail")
        .await;
    let draft = app
        .create_offer(
            &employer,
            &json!({"title": "Draft", "description": "Not yet", "status": "draft",
                    "apply_native": true}),
        )
        .await["id"]
        .as_i64()
        .unwrap();

    let (status, body) = apply(&app, elsewhere, &application("a@example.com")).await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(body["message"], "This offer does not accept applications");
    let (status, _) = apply(&app, draft, &application("a@example.com")).await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = apply(&app, 999_999, &application("a@example.com")).await;
    assert_eq!(status, Status::NotFound);

    let response = app
        .put_json(
            &format!("/api/v1/users/{}/offers/{native}", employer.id),
            &employer,
            &json!({"status": "closed", "close_reason": "filled"}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let (status, body) = apply(&app, native, &application("a@example.com")).await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(body["message"], "This offer does not accept applications");

    // Expired: decided by the database's clock, at read time.
    let (_, other) = native_offer(&app, "second").await;
    sqlx::query("UPDATE offers SET valid_through = now() - interval '1 second' WHERE id = $1")
        .bind(other)
        .execute(&app.db)
        .await
        .unwrap();
    let (status, _) = apply(&app, other, &application("a@example.com")).await;
    assert_eq!(status, Status::Conflict);
}

#[rocket::async_test]
async fn one_application_per_address_and_a_retry_creates_nothing() {
    let app = spawn_app().await;
    let (_, offer) = native_offer(&app, "employer").await;

    let key = Header::new("Idempotency-Key", "submit-7f3a");
    let send = |body: Value, key: Header<'static>| {
        let uri = apply_uri(offer);
        let client = &app.client;
        async move {
            let response = client
                .post(uri)
                .header(ContentType::JSON)
                .header(key)
                .body(body.to_string())
                .dispatch()
                .await;
            let status = response.status();
            (status, body_json(response).await)
        }
    };
    let (status, first) = send(application("grace@example.com"), key.clone()).await;
    assert_eq!(status, Status::Created);
    let (status, again) = send(application("grace@example.com"), key.clone()).await;
    assert_eq!(status, Status::Created);
    assert_eq!(again, first, "a retry answers the first answer again");
    // Still the first answer after the employer has moved the application on.
    sqlx::query("UPDATE applications SET stage = 'reviewing' WHERE id = $1")
        .bind(first["id"].as_i64().unwrap())
        .execute(&app.db)
        .await
        .unwrap();
    let (status, later) = send(application("grace@example.com"), key.clone()).await;
    assert_eq!(status, Status::Created);
    assert_eq!(later, first);
    let (status, body) = send(application("other@example.com"), key).await;
    assert_eq!(status, Status::Conflict);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("Idempotency-Key"));

    // Without the key, the same address (any case) is a second application: refused.
    let (status, body) = apply(&app, offer, &application("Grace@Example.com")).await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(body["message"], "You have already applied to this offer");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM applications")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 1);
}

/// A multipart body with text fields and one file part.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (ContentType, Vec<u8>) {
    let boundary = "----jobofferstestboundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some((filename, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"cv\"; filename=\"{filename}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let content_type =
        ContentType::parse_flexible(&format!("multipart/form-data; boundary={boundary}")).unwrap();
    (content_type, body)
}

/// Posts a multipart application to `offer`.
async fn apply_multipart<'c>(
    app: &'c TestApp,
    offer: i64,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> rocket::local::asynchronous::LocalResponse<'c> {
    let (content_type, body) = multipart(fields, file);
    app.client
        .post(apply_uri(offer))
        .header(content_type)
        .body(body)
        .dispatch()
        .await
}

#[rocket::async_test]
async fn a_multipart_application_carries_its_file() {
    let app = spawn_app().await;
    let (employer, offer) = native_offer(&app, "employer").await;
    let response = apply_multipart(
        &app,
        offer,
        &[
            ("name", "Grace Hopper"),
            ("email", "grace@example.com"),
            ("consent", "on"),
        ],
        Some(("Lebenslauf.docx", &docx())),
    )
    .await;
    assert_eq!(response.status(), Status::Created);
    let created = body_json(response).await;
    let id = created["id"].as_i64().unwrap();
    let response = app
        .get(
            &format!("/api/v1/users/{}/applications/{id}/cv", employer.id),
            &employer,
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.headers().get_one("Content-Type"),
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    );
    assert_eq!(response.into_bytes().await.unwrap(), docx());

    // A text file renamed .pdf is refused, and consent is required in a form too.
    let response = apply_multipart(
        &app,
        offer,
        &[("name", "Eve"), ("email", "eve@example.com")],
        Some(("cv.pdf", b"just text")),
    )
    .await;
    assert_eq!(response.status(), Status::BadRequest);
    let body = body_json(response).await;
    assert!(body["errors"]["cv"].is_array(), "{body}");
    assert!(body["errors"]["consent"].is_array(), "{body}");

    // A cover letter far over its limit is that field's 400, like in JSON, not a 413 for the
    // whole body.
    let letter = "é".repeat(50_000);
    let response = apply_multipart(
        &app,
        offer,
        &[
            ("name", "Eve"),
            ("email", "eve@example.com"),
            ("cover_letter", &letter),
            ("consent", "on"),
        ],
        None,
    )
    .await;
    assert_eq!(response.status(), Status::BadRequest);
    let body = body_json(response).await;
    let errors = body["errors"].as_object().unwrap();
    assert_eq!(
        errors.keys().collect::<Vec<_>>(),
        ["cover_letter"],
        "{body}"
    );

    // The JSON body's CV fields sent as multipart text: refused by name, not stored without
    // the CV the candidate meant to send.
    let encoded = base64(PDF);
    let response = apply_multipart(
        &app,
        offer,
        &[
            ("name", "Eve"),
            ("email", "eve@example.com"),
            ("consent", "on"),
            ("cv_base64", &encoded),
            ("cv_filename", "cv.pdf"),
        ],
        None,
    )
    .await;
    assert_eq!(response.status(), Status::BadRequest);
    let body = body_json(response).await;
    assert_eq!(
        body["errors"]["cv_base64"],
        json!(["Only in a JSON body: in multipart/form-data the CV is the file part cv."]),
        "{body}"
    );
}

#[rocket::async_test]
async fn nobody_but_the_owner_reads_or_moves_applications() {
    let app = spawn_app().await;
    let (employer, offer) = native_offer(&app, "employer").await;
    let other = app.user("other").await;
    let (_, created) = apply(&app, offer, &application("ada@example.com")).await;
    let id = created["id"].as_i64().unwrap();
    let base = format!("/api/v1/users/{}/applications", employer.id);
    let detail = format!("{base}/{id}");

    for (method, uri) in [
        (Method::Get, base.clone()),
        (Method::Get, detail.clone()),
        (Method::Put, detail.clone()),
        (Method::Get, format!("{detail}/cv")),
    ] {
        let body = json!({"stage": "rejected"});
        let body = (method == Method::Put).then_some(&body);
        let response = app.send(method, &uri, &other, body).await;
        assert_eq!(response.status(), Status::Forbidden, "{method} {uri}");
        let response = app.send(method, &uri, None, body).await;
        assert_eq!(response.status(), Status::Unauthorized, "{method} {uri}");
    }
    // The other employer's own list does not show it either.
    let theirs = body_json(
        app.get(&format!("/api/v1/users/{}/applications", other.id), &other)
            .await,
    )
    .await;
    assert_eq!(theirs["count"], 0);
    // An unknown application of the owner's is 404; so is an unknown link.
    let response = app.get(&format!("{base}/{}", id + 1000), &employer).await;
    assert_eq!(response.status(), Status::NotFound);
    let response = app.get("/api/v1/applications/not-a-real-token", None).await;
    assert_eq!(response.status(), Status::NotFound);
}

#[rocket::async_test]
async fn a_candidates_link_opens_only_their_own_application_and_no_employer_route() {
    let app = spawn_app().await;
    let (employer, offer) = native_offer(&app, "employer").await;
    let (_, ada) = apply(&app, offer, &application("ada@example.com")).await;
    let (_, grace) = apply(&app, offer, &application("grace@example.com")).await;
    let ada_path = path_of(ada["status_url"].as_str().unwrap());
    let ada_token = ada_path.rsplit('/').next().unwrap().to_owned();

    let seen = body_json(app.get(&ada_path, None).await).await;
    assert_eq!(seen["id"], ada["id"]);
    // Ada's link withdraws Ada's application, never Grace's.
    assert_eq!(app.delete(&ada_path, None).await.status(), Status::Ok);
    let grace_detail = body_json(
        app.get(
            &format!("/api/v1/users/{}/applications/{}", employer.id, grace["id"]),
            &employer,
        )
        .await,
    )
    .await;
    assert_eq!(grace_detail["stage"], "new");
    // A link altered by one character opens nothing.
    let mut altered = ada_token.clone().into_bytes();
    altered[0] = if altered[0] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    let response = app
        .get(&format!("/api/v1/applications/{altered}"), None)
        .await;
    assert_eq!(response.status(), Status::NotFound);
    // The link's token is no API token: the employer's routes refuse it.
    for scheme in ["JWT", "Bearer"] {
        let response = app
            .client
            .get(format!("/api/v1/users/{}/applications", employer.id))
            .header(Header::new(
                "Authorization",
                format!("{scheme} {ada_token}"),
            ))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Unauthorized, "{scheme}");
    }
}

#[rocket::async_test]
async fn withdrawing_keeps_the_record_and_erases_the_cv() {
    let app = spawn_app().await;
    let (employer, offer) = native_offer(&app, "employer").await;
    let (_, created) = apply(&app, offer, &application("ada@example.com")).await;
    let status_path = path_of(created["status_url"].as_str().unwrap());
    let id = created["id"].as_i64().unwrap();

    for _ in 0..2 {
        let response = app.delete(&status_path, None).await;
        assert_eq!(response.status(), Status::Ok);
        assert_eq!(body_json(response).await, json!({"stage": "withdrawn"}));
    }
    let seen = body_json(app.get(&status_path, None).await).await;
    assert_eq!(seen["stage"], "withdrawn");
    let detail_uri = format!("/api/v1/users/{}/applications/{id}", employer.id);
    let detail = body_json(app.get(&detail_uri, &employer).await).await;
    assert_eq!(detail["stage"], "withdrawn");
    assert_eq!(detail["has_cv"], false);
    assert_eq!(detail["history"][1]["stage"], "withdrawn");
    assert_eq!(detail["history"][1]["by"], "candidate");
    assert_eq!(detail["history"].as_array().unwrap().len(), 2);
    let response = app.get(&format!("{detail_uri}/cv"), &employer).await;
    assert_eq!(response.status(), Status::NotFound);
    let response = app
        .put_json(&detail_uri, &employer, &json!({"stage": "interview"}))
        .await;
    assert_eq!(response.status(), Status::Conflict);
    assert_eq!(
        body_json(response).await["message"],
        "Cannot move from withdrawn to interview"
    );
    // Any stage may move to rejected: the employer records the decision, the withdrawal stays
    // in the history.
    let response = app
        .put_json(&detail_uri, &employer, &json!({"stage": "rejected"}))
        .await;
    assert_eq!(response.status(), Status::Ok);
    let detail = body_json(response).await;
    assert_eq!(detail["stage"], "rejected");
    assert_eq!(detail["history"][1]["stage"], "withdrawn");
    assert_eq!(detail["history"][2]["stage"], "rejected");
    let cvs: i64 = sqlx::query_scalar("SELECT count(*) FROM application_cvs")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(cvs, 0);
}

#[rocket::async_test]
async fn the_list_filters_by_offer_and_stage_and_pages_newest_first() {
    let app = spawn_app().await;
    let (employer, first) = native_offer(&app, "employer").await;
    let second = app
        .create_offer(
            &employer,
            &json!({"title": "Frontend", "description": "Build pages", "apply_native": true}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    for n in 0..3 {
        apply(&app, first, &application(&format!("a{n}@example.com"))).await;
    }
    let (_, on_second) = apply(&app, second, &application("b@example.com")).await;
    let base = format!("/api/v1/users/{}/applications", employer.id);
    app.put_json(
        &format!("{base}/{}", on_second["id"]),
        &employer,
        &json!({"stage": "reviewing"}),
    )
    .await;

    let page = body_json(app.get(&format!("{base}?limit=2"), &employer).await).await;
    assert_eq!(page["count"], 4);
    let ids: Vec<i64> = page["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids[0] > ids[1], "newest first: {ids:?}");
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = body_json(
        app.get(&format!("{base}?limit=2&cursor={cursor}"), &employer)
            .await,
    )
    .await;
    let rest_ids: Vec<i64> = rest["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(rest_ids.len(), 2);
    assert!(rest_ids[0] < ids[1]);
    assert_eq!(rest["next_cursor"], Value::Null);

    let on_first = body_json(
        app.get(&format!("{base}?offer_id={first}"), &employer)
            .await,
    )
    .await;
    assert_eq!(on_first["count"], 3);
    let reviewing = body_json(app.get(&format!("{base}?stage=reviewing"), &employer).await).await;
    assert_eq!(reviewing["count"], 1);
    assert_eq!(reviewing["applications"][0]["offer_id"], second);

    let response = app
        .get(&format!("{base}?stage=maybe&limit=0"), &employer)
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    let body = body_json(response).await;
    assert!(
        body["errors"]["stage"].is_array() && body["errors"]["limit"].is_array(),
        "{body}"
    );
}

#[rocket::async_test]
async fn a_client_that_applies_too_often_is_told_to_wait() {
    let app = spawn_app_with(|figment| figment.merge(("applications_per_window", 2))).await;
    let (_, offer) = native_offer(&app, "employer").await;
    for n in 0..2 {
        let (status, _) = apply(&app, offer, &application(&format!("c{n}@example.com"))).await;
        assert_eq!(status, Status::Created);
    }
    let response = app
        .post_json(&apply_uri(offer), None, &application("c9@example.com"))
        .await;
    assert_eq!(response.status(), Status::TooManyRequests);
    let wait: u64 = response
        .headers()
        .get_one("Retry-After")
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1);
}

#[rocket::async_test]
async fn retrying_a_submit_is_not_counted_against_the_client() {
    let app = spawn_app_with(|figment| figment.merge(("applications_per_window", 2))).await;
    let (_, offer) = native_offer(&app, "employer").await;
    let submit = |email: &'static str| {
        let client = &app.client;
        let uri = apply_uri(offer);
        async move {
            let response = client
                .post(uri)
                .header(ContentType::JSON)
                .header(Header::new("Idempotency-Key", format!("key-{email}")))
                .body(application(email).to_string())
                .dispatch()
                .await;
            let status = response.status();
            (status, body_json(response).await)
        }
    };
    let (status, first) = submit("retry@example.com").await;
    assert_eq!(status, Status::Created);
    // A client that lost the answers retries more often than the window allows.
    for _ in 0..4 {
        let (status, again) = submit("retry@example.com").await;
        assert_eq!(status, Status::Created, "{again}");
        assert_eq!(again, first);
    }
    // The retries took no attempt: one more application fits, then the limit holds.
    let (status, _) = submit("second@example.com").await;
    assert_eq!(status, Status::Created);
    let (status, _) = submit("third@example.com").await;
    assert_eq!(status, Status::TooManyRequests);
}

#[rocket::async_test]
async fn deleting_an_offer_erases_its_applications() {
    let app = spawn_app().await;
    let (employer, offer) = native_offer(&app, "employer").await;
    apply(&app, offer, &application("ada@example.com")).await;
    let response = app
        .delete(
            &format!("/api/v1/users/{}/offers/{offer}", employer.id),
            &employer,
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    for table in [
        "applications",
        "application_cvs",
        "application_stage_changes",
    ] {
        let left: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(left, 0, "{table}");
    }
}

#[rocket::async_test]
async fn a_cv_larger_than_one_slice_comes_back_whole() {
    let app = spawn_app().await;
    let (employer, offer) = native_offer(&app, "employer").await;
    // About four of the download's 256 KiB slices, with bytes that differ along the way so a
    // slice out of place would show.
    let mut cv = PDF.to_vec();
    cv.extend((0..1_000_000u32).map(|n| (n % 251) as u8));
    let mut body = application("big@example.com");
    body["cv_base64"] = json!(base64(&cv));
    let (status, created) = apply(&app, offer, &body).await;
    assert_eq!(status, Status::Created);
    let response = app
        .get(
            &format!(
                "/api/v1/users/{}/applications/{}/cv",
                employer.id, created["id"]
            ),
            &employer,
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let downloaded = response.into_bytes().await.unwrap();
    assert_eq!(downloaded.len(), cv.len());
    assert!(downloaded == cv, "the CV came back altered");
}
