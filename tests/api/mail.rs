//! E-mail through the outbox, delivered to a real SMTP server on loopback: the aiosmtpd sink
//! `scripts/lib/smtp_sink.py`, run by `SMTP_SINK_PYTHON` (scripts/test.sh makes that
//! environment). The tests start and stop the sink themselves, so that the server can be down
//! while mail is written and come up later. Without the sink's Python the tests fail: a mail
//! test that skips itself would hide lost mail.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rocket::figment::Figment;
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};

use crate::helpers::{body_json, spawn_app_with, test_figment, TestApp, TestUser};

const EMPLOYER_ADDRESS: &str = "jobs@acme.example";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The SMTP sink, writing each message it accepts as a JSON file into its directory; dropping
/// it stops the process and removes the directory.
struct Sink {
    child: Child,
    dir: PathBuf,
}

impl Sink {
    fn start(port: u16, dir: &Path) -> Self {
        let python = std::env::var("SMTP_SINK_PYTHON").unwrap_or_else(|_| {
            panic!(
                "SMTP_SINK_PYTHON is not set: the e-mail tests need a Python with aiosmtpd \
                 (scripts/smtp-requirements.txt); scripts/test.sh makes one in .venv-smtp"
            )
        });
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/lib/smtp_sink.py");
        let mut child = Command::new(&python)
            .arg(script)
            .arg(port.to_string())
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("{python} did not start: {error}"));
        let mut ready = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut ready)
            .unwrap();
        assert_eq!(ready.trim(), "ready", "the SMTP sink did not start");
        Self {
            child,
            dir: dir.to_owned(),
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The messages delivered into `dir` so far.
fn delivered(dir: &Path) -> Vec<Value> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap())
        .collect()
}

/// Waits (at most `limit`) until `done` holds, checking every 100 ms; whether it did.
async fn wait_until(limit: Duration, mut done: impl AsyncFnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if done().await {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        rocket::tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `figment` with e-mail on, sent to `port` on loopback, retried after 1 s then 2 s.
fn mailing_to(figment: Figment, port: u16) -> Figment {
    figment
        .merge(("smtp_url", format!("smtp://127.0.0.1:{port}")))
        .merge(("outbox_retry_base_secs", 1))
        .merge(("outbox_retry_ceiling_secs", 2))
        .merge(("outbox_poll_interval_ms", 100))
}

async fn app_mailing_to(port: u16) -> TestApp {
    spawn_app_with(|figment| mailing_to(figment, port)).await
}

/// An employer with an open offer that takes applications here, with `apply_email` or not.
async fn offer(app: &TestApp, apply_email: Option<&str>) -> (TestUser, i64) {
    let employer = app.user("employer").await;
    let offer = app
        .create_offer(
            &employer,
            &json!({"title": "Backend Engineer", "description": "Build APIs",
                    "skills_list": ["rust"], "apply_native": true, "apply_email": apply_email}),
        )
        .await;
    (employer, offer["id"].as_i64().unwrap())
}

/// Applies as `name` <`email`> (with an Idempotency-Key when given): the created application.
async fn apply(app: &TestApp, offer: i64, name: &str, email: &str, key: Option<&str>) -> Value {
    let mut request = app
        .client
        .post(format!("/api/v1/offers/{offer}/applications"))
        .header(ContentType::JSON)
        .body(json!({"name": name, "email": email, "consent": true}).to_string());
    if let Some(key) = key {
        request = request.header(Header::new("Idempotency-Key", key.to_owned()));
    }
    let response = request.dispatch().await;
    assert_eq!(response.status(), Status::Created);
    body_json(response).await
}

async fn change(app: &TestApp, employer: &TestUser, application: &Value, body: Value) {
    let uri = format!(
        "/api/v1/users/{}/applications/{}",
        employer.id, application["id"]
    );
    let response = app.put_json(&uri, employer, &body).await;
    assert_eq!(response.status(), Status::Ok);
}

/// (channel, sent, attempts, has an error) of every outbox row, oldest first.
async fn outbox(app: &TestApp) -> Vec<(String, bool, i32, bool)> {
    sqlx::query_as(
        "SELECT channel, sent_at IS NOT NULL, attempts, last_error IS NOT NULL \
         FROM outbox ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap()
}

#[rocket::async_test]
async fn mail_written_while_smtp_is_down_is_delivered_once_when_it_is_back() {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("smtp-sink-{}", uuid::Uuid::new_v4().simple()));
    let app = app_mailing_to(port).await;
    // A second replica over the same database, with its own mail worker: the two share the
    // outbox, and still no message may go out twice.
    let replica = Client::tracked(job_offers::build(mailing_to(
        test_figment(app.database().url()),
        port,
    )))
    .await
    .expect("the replica ignites");
    let (employer, offer) = offer(&app, Some(EMPLOYER_ADDRESS)).await;

    let ada = apply(
        &app,
        offer,
        "Ada Lovelace",
        "ada@example.com",
        Some("k-ada"),
    )
    .await;
    let replay = apply(
        &app,
        offer,
        "Ada Lovelace",
        "ada@example.com",
        Some("k-ada"),
    )
    .await;
    assert_eq!(replay, ada, "the replay answers the first submit");
    let grace = apply(&app, offer, "Grace Hopper", "grace@example.com", None).await;
    change(&app, &employer, &ada, json!({"stage": "interview"})).await;
    change(&app, &employer, &grace, json!({"note": "Strong CV"})).await;

    // Two receipts, two notices, one stage change: the replay and the note queue nothing.
    assert_eq!(outbox(&app).await.len(), 5);
    // Nothing listens yet: every message is tried, fails and waits for its next attempt.
    let tried = wait_until(Duration::from_secs(15), async || {
        let rows = outbox(&app).await;
        rows.iter()
            .all(|(_, sent, attempts, error)| !sent && *attempts >= 2 && *error)
    })
    .await;
    assert!(
        tried,
        "every message was tried twice: {:?}",
        outbox(&app).await
    );
    assert!(outbox(&app).await.iter().all(|row| row.0 == "email"));

    let sink = Sink::start(port, &dir);
    let arrived = wait_until(Duration::from_secs(30), async || {
        delivered(&sink.dir).len() >= 5
    })
    .await;
    assert!(arrived, "only {} of 5 arrived", delivered(&sink.dir).len());
    rocket::tokio::time::sleep(Duration::from_secs(2)).await;
    let messages = delivered(&sink.dir);
    assert_eq!(
        messages.len(),
        5,
        "each message arrives once: {messages:#?}"
    );
    assert!(outbox(&app).await.iter().all(|(_, sent, _, _)| *sent));

    let mut by_subject = BTreeMap::new();
    for message in &messages {
        assert_eq!(message["mail_from"], "no-reply@localhost");
        assert_eq!(message["from"], "job-offers <no-reply@localhost>");
        let id = message["message_id"].as_str().unwrap();
        assert!(
            id.starts_with("<outbox-") && id.ends_with(".job-offers@localhost>"),
            "{id}"
        );
        let to = message["rcpt_tos"].as_array().unwrap();
        assert_eq!(to.len(), 1);
        let key = (
            to[0].as_str().unwrap().to_owned(),
            message["subject"].as_str().unwrap().to_owned(),
        );
        assert!(by_subject.insert(key, message).is_none(), "{message:#?}");
    }
    let ids: std::collections::BTreeSet<_> = messages
        .iter()
        .map(|m| m["message_id"].to_string())
        .collect();
    assert_eq!(ids.len(), 5, "a Message-ID per message");

    let keys: Vec<_> = by_subject
        .keys()
        .map(|(to, subject)| (to.as_str(), subject.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("ada@example.com", "Application received: Backend Engineer"),
            (
                "ada@example.com",
                "Your application: interview — Backend Engineer"
            ),
            (
                "grace@example.com",
                "Application received: Backend Engineer"
            ),
            (
                EMPLOYER_ADDRESS,
                "New application: Backend Engineer — Ada Lovelace"
            ),
            (
                EMPLOYER_ADDRESS,
                "New application: Backend Engineer — Grace Hopper"
            ),
        ]
    );
    let body = |to: &str, subject: &str| {
        by_subject[&(to.to_owned(), subject.to_owned())]["body"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // Mail links to the pages a person reads: the candidate's private page, the employer's.
    let page_link = |application: &Value| {
        let token = application["status_url"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        format!("http://localhost:5000/candidate/{token}")
    };
    let ada_link = &page_link(&ada);
    let receipt = body("ada@example.com", "Application received: Backend Engineer");
    assert!(receipt.contains(ada_link), "{receipt}");
    let interview = body(
        "ada@example.com",
        "Your application: interview — Backend Engineer",
    );
    assert!(interview.contains("\"interview\""), "{interview}");
    assert!(interview.contains(ada_link), "{interview}");
    let grace_receipt = body(
        "grace@example.com",
        "Application received: Backend Engineer",
    );
    assert!(
        grace_receipt.contains(&page_link(&grace)),
        "{grace_receipt}"
    );
    let notice = body(
        EMPLOYER_ADDRESS,
        "New application: Backend Engineer — Ada Lovelace",
    );
    assert!(
        notice.contains(&format!("http://localhost:5000/applications/{}", ada["id"])),
        "{notice}"
    );
    assert!(!notice.contains("ada@example.com"), "{notice}");

    // The links work: the mail's link is the candidate's page, which shows the stage.
    let path = ada_link.trim_start_matches("http://localhost:5000");
    let response = app.client.get(path.to_owned()).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let page = response.into_string().await.unwrap();
    assert!(page.contains(r#"data-stage="interview""#), "{page}");
    drop(replica);
}

#[rocket::async_test]
async fn without_an_apply_email_only_the_candidate_is_written_to() {
    // Nothing listens: only what is queued matters here.
    let app = app_mailing_to(free_port()).await;
    let (employer, offer) = offer(&app, None).await;
    let ada = apply(&app, offer, "Ada Lovelace", "ada@example.com", None).await;
    let payloads = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT payload->>'to' || ': ' || (payload->>'subject') FROM outbox ORDER BY id",
        )
        .fetch_all(&app.db)
        .await
        .unwrap()
    };
    assert_eq!(
        payloads().await,
        ["ada@example.com: Application received: Backend Engineer"]
    );
    change(&app, &employer, &ada, json!({"note": "Call back"})).await;
    change(&app, &employer, &ada, json!({"stage": "reviewing"})).await;
    change(&app, &employer, &ada, json!({"stage": "reviewing"})).await;
    let token = ada["status_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let response = app
        .delete(&format!("/api/v1/applications/{token}"), None)
        .await;
    assert_eq!(response.status(), Status::Ok);
    // A note, a move to where it already is and the candidate's own withdrawal write nothing.
    assert_eq!(
        payloads().await,
        [
            "ada@example.com: Application received: Backend Engineer",
            "ada@example.com: Your application: reviewing — Backend Engineer",
        ]
    );
}

#[rocket::async_test]
async fn with_smtp_off_applying_works_and_no_mail_is_written() {
    // An empty URL is "off", whatever SMTP_URL the environment has.
    let app = spawn_app_with(|figment| figment.merge(("smtp_url", ""))).await;
    let (employer, offer) = offer(&app, Some(EMPLOYER_ADDRESS)).await;
    let ada = apply(&app, offer, "Ada Lovelace", "ada@example.com", None).await;
    assert_eq!(ada["stage"], "new");
    change(&app, &employer, &ada, json!({"stage": "interview"})).await;
    assert!(outbox(&app).await.is_empty());
}
