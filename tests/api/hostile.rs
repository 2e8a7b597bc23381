//! Hostile input at every API route: arbitrary JSON, arbitrary bytes, control characters,
//! huge numbers, deep nesting, oversized bodies, NUL bytes, odd headers and paths. Always a
//! 4xx JSON answer (or a success for input that happens to be valid), never a 5xx, never a
//! panic, and nothing stored by a request that failed.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use rocket::http::{ContentType, Header, Method};
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\x00-\\x1f'\"\\\\<>&;%,.+#/\\u{202e}\\u{1F600} a-zA-Z0-9]{0,80}",
        Just("99999999999999999999999999".to_owned()),
        Just("-1".to_owned()),
        Just("../../etc/passwd".to_owned()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        hostile_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    3 => prop::sample::select(vec!["title", "description", "skills_list", "username", "password", "id"])
                        .prop_map(str::to_owned),
                    1 => hostile_text(),
                ],
                inner,
                0..5
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A request body: JSON, raw bytes (often invalid UTF-8), or one of the classic bombs.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => json_value().prop_map(|value| value.to_string().into_bytes()),
        2 => prop::collection::vec(any::<u8>(), 0..512),
        1 => Just(format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes()),
        1 => Just(vec![b'x'; 10 * 1024 * 1024]),
        1 => Just(b"{\"title\": \"a\x00b\", \"description\": \"d\"}".to_vec()),
        1 => Just(b"{\"title\": 1e999999, \"description\": 123456789012345678901234567890}".to_vec()),
    ]
}

#[derive(Debug, Clone)]
struct Attack {
    route: usize,
    segment: String,
    query: String,
    body: Vec<u8>,
    authorization: Option<String>,
    use_real_token: bool,
}

fn attack() -> impl Strategy<Value = Attack> {
    (
        0..ROUTES.len(),
        hostile_text(),
        hostile_text(),
        body(),
        proptest::option::of(hostile_text()),
        any::<bool>(),
    )
        .prop_map(
            |(route, segment, query, body, authorization, use_real_token)| Attack {
                route,
                segment,
                query,
                body,
                authorization,
                use_real_token,
            },
        )
}

/// Every API route; `{u}` is the signed-in user's id, `{x}` a hostile path segment.
const ROUTES: &[(Method, &str)] = &[
    (Method::Post, "/api/v1/users/register"),
    (Method::Post, "/api/v1/users/login"),
    (Method::Get, "/api/v1/users/{u}/offers/"),
    (Method::Post, "/api/v1/users/{u}/offers/"),
    (Method::Post, "/api/v1/users/{x}/offers/"),
    (Method::Get, "/api/v1/users/{u}/offers/{x}"),
    (Method::Put, "/api/v1/users/{u}/offers/{x}"),
    (Method::Put, "/api/v1/users/{u}/offers/1"),
    (Method::Delete, "/api/v1/users/{u}/offers/{x}"),
    (Method::Get, "/api/v1/offers"),
    (Method::Get, "/api/v1/offers/{x}"),
    (Method::Patch, "/api/v1/users/{u}/offers/{x}"),
];

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

async fn counts(app: &TestApp) -> (i64, i64) {
    sqlx::query_as("SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM offers)")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[rocket::async_test]
async fn hostile_requests_get_json_4xx_and_change_nothing() {
    let app = spawn_app().await;
    let user = app.user("target").await;
    app.create_offer(&user, &crate::helpers::backend_offer())
        .await;
    let cases: u32 = std::env::var("HOSTILE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let mut runner = TestRunner::new(Config::default());
    let strategy = attack();
    for _ in 0..cases {
        let attack = strategy.new_tree(&mut runner).unwrap().current();
        let (method, template) = ROUTES[attack.route];
        let path = template
            .replace("{u}", &user.id.to_string())
            .replace("{x}", &percent_encode(&attack.segment));
        let uri = format!(
            "{path}?q={}&limit={}",
            percent_encode(&attack.query),
            percent_encode(&attack.query)
        );
        let mut request = app
            .client
            .req(method, uri.clone())
            .header(ContentType::JSON);
        if attack.use_real_token {
            request = request.header(user.auth());
        } else if let Some(value) = &attack.authorization {
            request = request.header(Header::new("Authorization", value.clone()));
        }
        let before = counts(&app).await;
        let response = request.body(attack.body.clone()).dispatch().await;
        let status = response.status();
        let content_type = response.content_type();
        let text = response.into_bytes().await.unwrap_or_default();
        let shown =
            String::from_utf8_lossy(&attack.body[..attack.body.len().min(200)]).into_owned();
        assert!(
            status.code < 500,
            "{method} {uri} body {shown:?} → {status}"
        );
        assert_eq!(
            content_type,
            Some(ContentType::JSON),
            "{method} {uri} → {status}"
        );
        let answer: Value = serde_json::from_slice(&text).expect("a JSON body");
        if status.class().is_client_error() {
            assert!(answer["message"].is_string(), "{answer}");
            assert_eq!(
                counts(&app).await,
                before,
                "{method} {uri} failed but stored something"
            );
        }
        let printed = String::from_utf8_lossy(&text);
        for leak in ["sqlx", "panicked", "argon2", "SELECT", "stack backtrace"] {
            assert!(
                !printed.contains(leak),
                "{method} {uri} leaked {leak}: {printed}"
            );
        }
    }
}
