//! Webhooks delivered from the outbox to a real HTTP receiver on loopback: a few lines of
//! HTTP/1.1 over a tokio listener that records each request and can answer 500 first. The
//! receiver checks each signature with the secret the registration answered.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use rocket::figment::Figment;
use rocket::http::Status;
use rocket::tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use rocket::tokio::net::TcpListener;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::{body_json, spawn_app, spawn_app_with, TestApp, TestUser};

/// A request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: BTreeMap<String, String>,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// Whether `X-Signature` is the HMAC-SHA256 of `"<X-Timestamp>.<body>"` keyed by `secret`.
    fn signed_with(&self, secret: &str) -> bool {
        let (Some(timestamp), Some(signature)) = (
            self.headers.get("x-timestamp"),
            self.headers.get("x-signature"),
        ) else {
            return false;
        };
        let Some(hex) = signature.strip_prefix("sha256=") else {
            return false;
        };
        let Ok(sent) = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("zz"), 16))
            .collect::<Result<Vec<u8>, _>>()
        else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{timestamp}.{}", self.body).as_bytes());
        mac.verify_slice(&sent).is_ok()
    }
}

/// The receiver: answers 500 to the first `failures` requests, then 200 (or 500 for ever).
#[derive(Clone)]
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
    failures: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start(failures: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let receiver = Self {
            url,
            received: Arc::default(),
            failures: Arc::new(AtomicUsize::new(failures)),
        };
        let serving = receiver.clone();
        rocket::tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let serving = serving.clone();
                rocket::tokio::spawn(async move { serving.answer(stream).await });
            }
        });
        receiver
    }

    async fn answer(&self, stream: rocket::tokio::net::TcpStream) {
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut headers = BTreeMap::new();
        loop {
            line.clear();
            reader.read_line(&mut line).await.unwrap();
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap();
            headers.insert(name.to_ascii_lowercase(), value.trim().to_owned());
        }
        let length: usize = headers
            .get("content-length")
            .map_or(0, |value| value.parse().unwrap());
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await.unwrap();
        self.received.lock().unwrap().push(Received {
            headers,
            body: String::from_utf8(body).unwrap(),
        });
        let fail = self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            })
            .is_ok();
        let status = if fail {
            "500 Internal Server Error"
        } else {
            "200 OK"
        };
        let answer = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        let _ = reader.get_mut().write_all(answer.as_bytes()).await;
        let _ = reader.get_mut().shutdown().await;
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The bodies received so far of events of type `kind`.
    fn of_type(&self, kind: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|request| request.json()["type"] == kind)
            .collect()
    }

    /// Waits (at most 10 s) for `count` requests of type `kind`.
    async fn wait_for(&self, kind: &str, count: usize) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let found = self.of_type(kind);
            if found.len() >= count {
                return found;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no {count} × {kind} in {:?}",
                self.received()
            );
            rocket::tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Webhooks may reach the loopback receiver over HTTP; retried after 1 s then 2 s.
fn delivering(figment: Figment) -> Figment {
    figment
        .merge(("webhook_allow_http", true))
        .merge(("webhook_allow_private", true))
        .merge(("outbox_retry_base_secs", 1))
        .merge(("outbox_retry_ceiling_secs", 2))
        .merge(("outbox_poll_interval_ms", 100))
}

fn hooks_uri(user: &TestUser) -> String {
    format!("/api/v1/users/{}/webhooks", user.id)
}

async fn register(app: &TestApp, user: &TestUser, url: &str, events: &[&str]) -> Value {
    let response = app
        .post_json(
            &hooks_uri(user),
            user,
            &json!({"url": url, "events": events}),
        )
        .await;
    assert_eq!(response.status(), Status::Created);
    body_json(response).await
}

const ALL_EVENTS: &[&str] = &[
    "offer.published",
    "offer.closed",
    "offer.expired",
    "application.created",
    "application.stage_changed",
    "application.withdrawn",
];

#[rocket::async_test]
async fn registration_answers_the_secret_once_and_a_signed_ping_arrives() {
    let app = spawn_app_with(delivering).await;
    let receiver = Receiver::start(0).await;
    let employer = app.user("employer").await;
    let created = register(
        &app,
        &employer,
        &receiver.url,
        &["offer.closed", "offer.published"],
    )
    .await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 64);
    assert_eq!(created["url"], receiver.url);
    assert_eq!(
        created["events"],
        json!(["offer.published", "offer.closed"])
    );

    let ping = &receiver.wait_for("ping", 1).await[0];
    assert!(ping.signed_with(&secret), "{ping:?}");
    assert!(!ping.signed_with("another secret"));
    assert_eq!(ping.headers["content-type"], "application/json");
    let sent_at: i64 = ping.headers["x-timestamp"].parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - sent_at).abs() < 60);
    let body = ping.json();
    assert!(
        body["id"].is_string() && body["created_at"].is_string(),
        "{body}"
    );
    assert_eq!(body["data"]["webhook_id"], created["id"]);

    let listed = body_json(app.get(&hooks_uri(&employer), &employer).await).await;
    let hook = &listed[0];
    assert!(hook.get("secret").is_none(), "{listed}");
    assert_eq!(hook["id"], created["id"]);
    assert_eq!(hook["disabled_at"], Value::Null);
    assert_eq!(hook["disabled_reason"], Value::Null);
    assert!(hook["created_at"].is_string());
    let start = Instant::now();
    let delivered = loop {
        let listed = body_json(app.get(&hooks_uri(&employer), &employer).await).await;
        if let Some(delivery) = listed[0]["deliveries"].get(0).cloned() {
            break delivery;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "{listed}");
        rocket::tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(delivered["type"], "ping");
    assert_eq!(delivered["event_id"], body["id"]);
    assert_eq!(delivered["attempt"], 1);
    assert_eq!(delivered["status"], 200);
    assert_eq!(delivered["delivered"], true);
    assert_eq!(delivered["error"], Value::Null);

    let response = app
        .post_json(
            &hooks_uri(&employer),
            &employer,
            &json!({"url": receiver.url, "events": ["offer.deleted"]}),
        )
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    let body = body_json(response).await;
    assert!(body["errors"]["events"][0]
        .as_str()
        .unwrap()
        .contains("offer.deleted"));
}

#[rocket::async_test]
async fn offer_and_application_events_arrive_with_their_state() {
    let app = spawn_app_with(delivering).await;
    let receiver = Receiver::start(0).await;
    let employer = app.user("employer").await;
    let secret = register(&app, &employer, &receiver.url, ALL_EVENTS).await["secret"]
        .as_str()
        .unwrap()
        .to_owned();

    let offer = app
        .create_offer(
            &employer,
            &json!({"title": "Backend Engineer", "description": "Build APIs",
                    "skills_list": ["rust"], "apply_native": true}),
        )
        .await;
    let offer_id = offer["id"].as_i64().unwrap();
    let published = receiver.wait_for("offer.published", 1).await;
    let data = &published[0].json()["data"];
    assert_eq!(data["id"], offer_id);
    assert_eq!(data["title"], "Backend Engineer");
    assert_eq!(data["status"], "published");

    let response = app
        .post_json(
            &format!("/api/v1/offers/{offer_id}/applications"),
            None,
            &json!({"name": "Ada", "email": "ada@example.com", "consent": true}),
        )
        .await;
    assert_eq!(response.status(), Status::Created);
    let application = body_json(response).await;
    let application_id = application["id"].as_i64().unwrap();
    let created = receiver.wait_for("application.created", 1).await[0].json();
    assert_eq!(created["data"]["id"], application_id);
    assert_eq!(created["data"]["offer_id"], offer_id);
    assert_eq!(created["data"]["stage"], "new");
    // No personal data leaves in a webhook.
    assert!(
        !created.to_string().contains("ada@example.com"),
        "{created}"
    );

    let response = app
        .put_json(
            &format!(
                "/api/v1/users/{}/applications/{application_id}",
                employer.id
            ),
            &employer,
            &json!({"stage": "reviewing"}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let moved = receiver.wait_for("application.stage_changed", 1).await[0].json();
    assert_eq!(moved["data"]["id"], application_id);
    assert_eq!(moved["data"]["stage"], "reviewing");

    let status_url = application["status_url"].as_str().unwrap();
    let status_path = &status_url[status_url.find("/api/").unwrap()..];
    assert_eq!(app.delete(status_path, None).await.status(), Status::Ok);
    let withdrawn = receiver.wait_for("application.withdrawn", 1).await[0].json();
    assert_eq!(withdrawn["data"]["id"], application_id);
    assert_eq!(withdrawn["data"]["stage"], "withdrawn");

    let response = app
        .put_json(
            &format!("/api/v1/users/{}/offers/{offer_id}", employer.id),
            &employer,
            &json!({"status": "closed", "close_reason": "filled"}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let closed = receiver.wait_for("offer.closed", 1).await[0].json();
    assert_eq!(closed["data"]["id"], offer_id);
    assert_eq!(closed["data"]["status"], "closed");

    // Expiry comes by the clock: the worker's periodic job tells it once.
    let other = app
        .create_offer(
            &employer,
            &json!({"title": "Frontend Engineer", "description": "Build pages"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    receiver.wait_for("offer.published", 2).await;
    sqlx::query("UPDATE offers SET valid_through = now() - interval '1 second' WHERE id = $1")
        .bind(other)
        .execute(&app.db)
        .await
        .unwrap();
    // What the job runs each minute (here at once; the worker's own round may come first).
    let mut connection = app.db.acquire().await.unwrap();
    let mut told = 0;
    for _ in 0..2 {
        told += job_offers::repo::webhooks::queue_expiries(&mut connection, 100)
            .await
            .unwrap();
    }
    assert!(told <= 1);
    let expired = receiver.wait_for("offer.expired", 1).await[0].json();
    assert_eq!(expired["data"]["id"], other);
    assert_eq!(expired["data"]["status"], "expired");

    rocket::tokio::time::sleep(Duration::from_millis(500)).await;
    let all = receiver.received();
    assert!(all.iter().all(|request| request.signed_with(&secret)));
    // ping, 2 × published, created, stage_changed, withdrawn, closed, expired: each once.
    assert_eq!(all.len(), 8, "{all:?}");
}

#[rocket::async_test]
async fn a_receiver_answering_500_twice_gets_the_delivery_retried_until_it_answers_2xx() {
    let app = spawn_app_with(delivering).await;
    let receiver = Receiver::start(2).await;
    let employer = app.user("employer").await;
    let secret = register(&app, &employer, &receiver.url, &["offer.published"]).await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let pings = receiver.wait_for("ping", 3).await;
    let ids: Vec<Value> = pings.iter().map(|ping| ping.json()["id"].clone()).collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one event, three attempts"
    );
    assert!(pings.iter().all(|ping| ping.signed_with(&secret)));

    let start = Instant::now();
    let deliveries = loop {
        let listed = body_json(app.get(&hooks_uri(&employer), &employer).await).await;
        let deliveries = listed[0]["deliveries"].as_array().unwrap().clone();
        if deliveries.len() == 3 {
            break deliveries;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "{listed}");
        rocket::tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // Newest first.
    let seen: Vec<_> = deliveries
        .iter()
        .map(|d| {
            (
                d["attempt"].clone(),
                d["status"].clone(),
                d["delivered"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (json!(3), json!(200), json!(true)),
            (json!(2), json!(500), json!(false)),
            (json!(1), json!(500), json!(false)),
        ]
    );
    assert!(deliveries[1]["error"].as_str().unwrap().contains("500"));
    let listed = body_json(app.get(&hooks_uri(&employer), &employer).await).await;
    assert_eq!(listed[0]["disabled_at"], Value::Null);
}

#[rocket::async_test]
async fn an_endpoint_that_keeps_failing_is_disabled_with_a_notice() {
    let app = spawn_app_with(|figment| {
        delivering(figment)
            .merge(("webhook_disable_after_failures", 2))
            .merge(("webhook_disable_after_failing_secs", 0))
    })
    .await;
    let receiver = Receiver::start(usize::MAX).await;
    let employer = app.user("employer").await;
    register(&app, &employer, &receiver.url, &["offer.published"]).await;
    receiver.wait_for("ping", 2).await;
    let start = Instant::now();
    let hook = loop {
        let listed = body_json(app.get(&hooks_uri(&employer), &employer).await).await;
        if !listed[0]["disabled_at"].is_null() {
            break listed[0].clone();
        }
        assert!(start.elapsed() < Duration::from_secs(5), "{listed}");
        rocket::tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(hook["disabled_reason"]
        .as_str()
        .unwrap()
        .contains("Disabled after 2 failed deliveries"));
    app.publish(&employer, "Backend Engineer", &["rust"], "Build APIs")
        .await;
    rocket::tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(receiver.received().len(), 2, "nothing more once disabled");
}

#[rocket::async_test]
async fn a_deleted_endpoint_gets_nothing_more() {
    let app = spawn_app_with(delivering).await;
    let receiver = Receiver::start(0).await;
    let employer = app.user("employer").await;
    let id = register(&app, &employer, &receiver.url, &["offer.published"]).await["id"]
        .as_i64()
        .unwrap();
    receiver.wait_for("ping", 1).await;
    let uri = format!("{}/{id}", hooks_uri(&employer));
    let response = app.delete(&uri, &employer).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(app.delete(&uri, &employer).await.status(), Status::NotFound);
    app.publish(&employer, "Backend Engineer", &["rust"], "Build APIs")
        .await;
    rocket::tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(receiver.received().len(), 1);
    let listed = body_json(app.get(&hooks_uri(&employer), &employer).await).await;
    assert_eq!(listed, json!([]));
}

#[rocket::async_test]
async fn only_the_owner_manages_webhooks() {
    let app = spawn_app_with(delivering).await;
    let employer = app.user("employer").await;
    let other = app.user("other").await;
    let body = json!({"url": "http://127.0.0.1:9/hooks", "events": ["offer.closed"]});
    let response = app.post_json(&hooks_uri(&employer), &other, &body).await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(body_json(response).await, json!({"message": "Forbidden"}));
    let response = app.post_json(&hooks_uri(&employer), None, &body).await;
    assert_eq!(response.status(), Status::Unauthorized);
    let id = register(
        &app,
        &employer,
        "http://127.0.0.1:9/hooks",
        &["offer.closed"],
    )
    .await["id"]
        .as_i64()
        .unwrap();
    for response in [
        app.get(&hooks_uri(&employer), &other).await,
        app.delete(&format!("{}/{id}", hooks_uri(&employer)), &other)
            .await,
    ] {
        assert_eq!(response.status(), Status::Forbidden);
    }
    assert_eq!(
        app.get(&hooks_uri(&employer), None).await.status(),
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn internal_and_plain_http_targets_are_refused() {
    // The defaults: https only, public addresses only.
    let app = spawn_app().await;
    let employer = app.user("employer").await;
    for (url, message) in [
        ("http://hooks.example.com/", "Must be an https URL."),
        (
            "https://127.0.0.1/",
            "Must not point to a private or loopback address.",
        ),
        (
            "https://10.0.0.1/",
            "Must not point to a private or loopback address.",
        ),
        (
            "https://[::1]/",
            "Must not point to a private or loopback address.",
        ),
        (
            "https://localhost/",
            "Must not point to a private or loopback address.",
        ),
        (
            "https://169.254.169.254/latest/meta-data",
            "Must not point to a private or loopback address.",
        ),
        (
            "https://[::ffff:192.168.0.1]/",
            "Must not point to a private or loopback address.",
        ),
    ] {
        let response = app
            .post_json(
                &hooks_uri(&employer),
                &employer,
                &json!({"url": url, "events": ["offer.closed"]}),
            )
            .await;
        assert_eq!(response.status(), Status::BadRequest, "{url}");
        let body = body_json(response).await;
        assert_eq!(body["errors"]["url"], json!([message]), "{url}: {body}");
    }
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM webhooks")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}
