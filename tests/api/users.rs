use rocket::http::{ContentType, Status};
use serde_json::json;

use crate::helpers::{body_json, spawn_app, PASSWORD, TEST_JWT_SECRET};

#[rocket::async_test]
async fn register_returns_the_username_and_id() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/v1/users/register",
            None,
            &json!({"username": "user", "password": "password"}),
        )
        .await;
    assert_eq!(response.status(), Status::Created);
    assert_eq!(response.content_type(), Some(ContentType::JSON));
    let body = body_json(response).await;
    assert_eq!(body["username"], "user");
    assert!(body["id"].as_i64().unwrap() > 0);
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
}

#[rocket::async_test]
async fn registered_passwords_are_stored_as_argon2id_hashes_only() {
    let app = spawn_app().await;
    app.register("alice").await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=9216,t=4,p=1$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
}

/// A hash of `PASSWORD` with the parameters used before the 9 MiB configuration.
fn former_parameters_hash() -> String {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    use argon2::{Algorithm, Argon2, Params, Version};
    let params = Params::new(19 * 1024, 2, 1, None).unwrap();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string()
}

#[rocket::async_test]
async fn a_hash_with_former_parameters_still_signs_in_and_is_replaced_keeping_tokens_valid() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let id = alice.id;
    let former = former_parameters_hash();
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&former)
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();

    app.login("alice").await;

    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_ne!(stored, former);
    assert!(
        stored.starts_with("$argon2id$v=19$m=9216,t=4,p=1$"),
        "{stored}"
    );
    let wrong = app
        .post_json(
            "/api/v1/users/login",
            None,
            &json!({"username": "alice", "password": "not the password"}),
        )
        .await;
    assert_eq!(wrong.status(), Status::BadRequest);
    // The same password, so the token issued before the upgrade keeps working.
    let mine = app.get(&format!("/api/v1/users/{id}"), &alice).await;
    assert_eq!(mine.status(), Status::Ok);
    // And the new hash signs in.
    app.login("alice").await;
}

#[rocket::async_test]
async fn a_taken_username_is_a_conflict_whatever_its_case() {
    let app = spawn_app().await;
    app.register("Alice").await;
    for taken in ["Alice", "alice", "ALICE"] {
        let response = app
            .post_json(
                "/api/v1/users/register",
                None,
                &json!({"username": taken, "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), Status::Conflict);
        assert_eq!(
            body_json(response).await,
            json!({"message": "Username already taken"})
        );
    }
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(users, 1);
}

#[rocket::async_test]
async fn register_without_a_json_object_says_no_input_and_what_was_wrong() {
    let app = spawn_app().await;
    let cases = [
        ("", None),
        (
            "not json",
            Some("Invalid JSON: expected ident at line 1 column 2"),
        ),
        ("[]", Some("Expected a JSON object")),
        ("\"user\"", Some("Expected a JSON object")),
        ("null", Some("Expected a JSON object")),
        (
            "{\"username\": ",
            Some("Invalid JSON: EOF while parsing a value at line 1 column 13"),
        ),
    ];
    for (body, problem) in cases {
        let response = app
            .client
            .post("/api/v1/users/register")
            .header(ContentType::JSON)
            .body(body)
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::BadRequest, "body {body:?}");
        let expected = match problem {
            Some(problem) => {
                json!({"message": "No input data provided", "errors": {"body": [problem]}})
            }
            None => json!({"message": "No input data provided"}),
        };
        assert_eq!(body_json(response).await, expected, "body {body:?}");
    }
}

#[rocket::async_test]
async fn a_body_sent_as_another_content_type_is_named_as_the_problem() {
    let app = spawn_app().await;
    let response = app
        .client
        .post("/api/v1/users/register")
        .header(ContentType::Form)
        .body("username=user&password=password")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    assert_eq!(
        body_json(response).await,
        json!({
            "message": "No input data provided",
            "errors": {"body": ["Expected Content-Type: application/json"]}
        })
    );
}

#[rocket::async_test]
async fn register_names_each_invalid_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({}), "username", "Missing data for required field."),
        (
            json!({"password": PASSWORD}),
            "username",
            "Missing data for required field.",
        ),
        (
            json!({"username": "ab", "password": PASSWORD}),
            "username",
            "Length must be between 3 and 32.",
        ),
        (
            json!({"username": "bad name", "password": PASSWORD}),
            "username",
            "Only letters, digits, '_', '.' and '-' are allowed.",
        ),
        (
            json!({"username": "user", "password": "short"}),
            "password",
            "Length must be between 8 and 128.",
        ),
        (
            json!({"username": "user", "password": 12345678}),
            "password",
            "Not a valid string.",
        ),
        (
            json!({"username": "user", "password": PASSWORD, "email": "x"}),
            "email",
            "Unknown field.",
        ),
        (
            json!({"username": "user", "password": PASSWORD, "id": 5}),
            "id",
            "Read-only field: it is set by the server.",
        ),
    ];
    for (body, field, problem) in cases {
        let response = app.post_json("/api/v1/users/register", None, &body).await;
        assert_eq!(response.status(), Status::BadRequest, "{body}");
        let answer = body_json(response).await;
        assert_eq!(
            answer["message"], "Input payload validation failed",
            "{body}"
        );
        assert_eq!(
            answer["errors"][field],
            json!([problem]),
            "{body} → {answer}"
        );
    }
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(users, 0);
}

#[rocket::async_test]
async fn login_returns_a_token_with_the_documented_claims() {
    let app = spawn_app().await;
    let id = app.register("user").await;
    let response = app
        .post_json(
            "/api/v1/users/login",
            None,
            &json!({"username": "user", "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let body = body_json(response).await;
    assert_eq!(body["id"], id);
    let token = body["token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::HS256);
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub", "iat"]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["sub"], id.to_string());
    assert_eq!(claims["id"], id);
    assert_eq!(claims["username"], "user");
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 24 * 3600, "tokens last 24 hours by default");
}

#[rocket::async_test]
async fn the_token_lifetime_is_configurable() {
    let app = crate::helpers::spawn_app_with(|figment| figment.merge(("token_ttl_hours", 2))).await;
    app.register("user").await;
    let token = app.login("user").await;
    let claims = crate::helpers::keys().verify(&token).unwrap();
    assert_eq!(claims.exp - claims.iat, 2 * 3600);
}

#[rocket::async_test]
async fn login_ignores_username_case() {
    let app = spawn_app().await;
    let id = app.register("Alice").await;
    let response = app
        .post_json(
            "/api/v1/users/login",
            None,
            &json!({"username": "alice", "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(body_json(response).await["id"], id);
}

#[rocket::async_test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    app.register("user").await;
    let wrong_password = app
        .post_json(
            "/api/v1/users/login",
            None,
            &json!({"username": "user", "password": "not the password"}),
        )
        .await;
    let wrong_status = wrong_password.status();
    let wrong_body = wrong_password.into_string().await;
    let unknown_user = app
        .post_json(
            "/api/v1/users/login",
            None,
            &json!({"username": "nobody", "password": "not the password"}),
        )
        .await;
    assert_eq!(wrong_status, Status::BadRequest);
    assert_eq!(unknown_user.status(), wrong_status);
    assert_eq!(unknown_user.into_string().await, wrong_body);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&wrong_body.unwrap()).unwrap(),
        json!({"message": "Invalid username/password"})
    );
}

#[rocket::async_test]
async fn login_without_credentials_says_so() {
    let app = spawn_app().await;
    let no_credentials = json!({"message": "No username/password provided"});
    let not_an_object = json!({
        "message": "No username/password provided",
        "errors": {"body": ["Expected a JSON object"]}
    });
    for (body, expected) in [
        ("", &no_credentials),
        ("{}", &no_credentials),
        ("{\"username\": \"user\"}", &no_credentials),
        ("{\"password\": \"x\"}", &no_credentials),
        ("[1]", &not_an_object),
    ] {
        let response = app
            .client
            .post("/api/v1/users/login")
            .header(ContentType::JSON)
            .body(body)
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::BadRequest, "{body}");
        assert_eq!(&body_json(response).await, expected, "{body}");
    }
}

#[rocket::async_test]
async fn responses_never_contain_the_password_or_its_hash() {
    let app = spawn_app().await;
    let register = app
        .post_json(
            "/api/v1/users/register",
            None,
            &json!({"username": "user", "password": PASSWORD}),
        )
        .await
        .into_string()
        .await
        .unwrap();
    let login = app
        .post_json(
            "/api/v1/users/login",
            None,
            &json!({"username": "user", "password": PASSWORD}),
        )
        .await
        .into_string()
        .await
        .unwrap();
    for text in [register, login] {
        assert!(
            !text.contains(PASSWORD) && !text.contains("argon2"),
            "{text}"
        );
    }
}
