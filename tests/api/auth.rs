use job_offers::auth::token::Claims;
use rocket::http::{Header, Status};
use serde_json::json;

use crate::helpers::{body_json, signed, spawn_app, TEST_JWT_SECRET};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn claims_for(id: i64, exp: i64) -> Claims {
    Claims {
        sub: id.to_string(),
        id,
        username: "user".into(),
        iat: now() - 10,
        exp,
    }
}

async fn answer_to(authorization: Option<String>) -> (Status, serde_json::Value, bool) {
    let app = spawn_app().await;
    let id = app.register("user").await;
    let mut request = app.client.get(format!("/api/v1/users/{id}/offers/"));
    if let Some(value) = authorization {
        request = request.header(Header::new("Authorization", value));
    }
    let response = request.dispatch().await;
    let status = response.status();
    let challenge = response.headers().get_one("WWW-Authenticate").is_some();
    (status, body_json(response).await, challenge)
}

async fn assert_unauthorized(authorization: Option<String>, message: &str) {
    let (status, body, challenge) = answer_to(authorization.clone()).await;
    assert_eq!(status, Status::Unauthorized, "{authorization:?}");
    assert_eq!(body, json!({ "message": message }), "{authorization:?}");
    assert!(challenge, "401 must carry WWW-Authenticate");
}

#[rocket::async_test]
async fn no_header_is_expected_a_header() {
    assert_unauthorized(None, "Authorization header is expected").await;
}

#[rocket::async_test]
async fn a_foreign_scheme_or_extra_parts_is_a_malformed_header() {
    assert_unauthorized(
        Some("Basic dXNlcjpwYXNz".into()),
        "Authorization header must 'JWT token'",
    )
    .await;
    assert_unauthorized(
        Some("JWT a b".into()),
        "Authorization header must 'JWT token'",
    )
    .await;
    assert_unauthorized(
        Some("justatoken".into()),
        "Authorization header must 'JWT token'",
    )
    .await;
}

#[rocket::async_test]
async fn a_scheme_without_token_is_token_not_found() {
    assert_unauthorized(Some("JWT".into()), "Token not found").await;
    assert_unauthorized(Some("Bearer".into()), "Token not found").await;
}

#[rocket::async_test]
async fn garbage_and_forged_tokens_are_invalid() {
    assert_unauthorized(Some("JWT not.a.token".into()), "Invalid Token").await;
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims_for(1, now() + 3600),
        &jsonwebtoken::EncodingKey::from_secret(b"another-secret-another-secret-0000"),
    )
    .unwrap();
    assert_unauthorized(Some(format!("JWT {forged}")), "Invalid Token").await;
}

#[rocket::async_test]
async fn an_expired_token_is_invalid() {
    let expired = signed(&claims_for(1, now() - 5));
    assert_unauthorized(Some(format!("JWT {expired}")), "Invalid Token").await;
}

#[rocket::async_test]
async fn a_token_with_another_algorithm_is_invalid_even_with_the_right_key() {
    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims_for(1, now() + 3600),
        &jsonwebtoken::EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
    )
    .unwrap();
    assert_unauthorized(Some(format!("JWT {hs512}")), "Invalid Token").await;
}

#[rocket::async_test]
async fn an_unsigned_alg_none_token_is_invalid() {
    let valid = signed(&claims_for(1, now() + 3600));
    let payload = valid.split('.').nth(1).unwrap();
    // {"typ":"JWT","alg":"none"} in unpadded base64url.
    let none = format!("eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.{payload}.");
    assert_unauthorized(Some(format!("JWT {none}")), "Invalid Token").await;
}

#[rocket::async_test]
async fn a_deleted_users_token_is_invalid() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(alice.id)
        .execute(&app.db)
        .await
        .unwrap();
    let response = app
        .get(&format!("/api/v1/users/{}/offers/", bob.id), &alice)
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert_eq!(
        body_json(response).await,
        json!({"message": "Invalid Token"})
    );
}

#[rocket::async_test]
async fn bearer_and_jwt_schemes_both_work() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    for scheme in ["JWT", "Bearer", "bearer"] {
        let response = app
            .client
            .get(format!("/api/v1/users/{}/offers/", user.id))
            .header(Header::new(
                "Authorization",
                format!("{scheme} {}", user.token),
            ))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Ok, "{scheme}");
    }
}

#[rocket::async_test]
async fn a_session_cookie_never_authenticates_the_api() {
    let app = spawn_app().await;
    let user = app.user("user").await;
    let response = app
        .client
        .get(format!("/api/v1/users/{}/offers/", user.id))
        .cookie(rocket::http::Cookie::new("token", user.token.clone()))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
}
