use rocket::http::Status;
use serde_json::{json, Value};

use crate::helpers::{body_json, spawn_app};
use crate::web::Page;

#[rocket::async_test]
async fn the_served_document_is_the_committed_openapi_json() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(response.status(), Status::Ok);
    let served = body_json(response).await;
    let committed: Value = serde_json::from_str(include_str!("../../openapi.json")).unwrap();
    assert!(
        served == committed,
        "the API changed: regenerate the committed copy with \
         `cargo run --quiet --example openapi > openapi.json` and review the diff"
    );
}

#[rocket::async_test]
async fn exactly_the_per_user_operations_require_the_bearer_scheme() {
    let app = spawn_app().await;
    let spec = body_json(app.get("/api/v1/openapi.json", None).await).await;
    let scheme = &spec["components"]["securitySchemes"]["bearerAuth"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "JWT");
    let mut operations = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            let secured = operation.get("security").is_some();
            // A user's offers, password, tokens and profile changes; not registration, login
            // or reading a profile.
            let protected = path.starts_with("/users/{user_id}/")
                || (path == "/users/{user_id}" && method == "put");
            assert_eq!(secured, protected, "{method} {path}");
            assert!(operation["summary"].is_string(), "{method} {path}");
            assert!(operation["description"].is_string(), "{method} {path}");
            let tags = operation["tags"].as_array().unwrap();
            assert!(
                tags == &["Users"]
                    || tags == &["Offers"]
                    || tags == &["Board"]
                    || tags == &["Applications"]
                    || tags == &["Webhooks"],
                "{method} {path}"
            );
        }
    }
    assert_eq!(operations, 23);
}

#[rocket::async_test]
async fn the_document_publishes_the_validation_limits_and_read_only_fields() {
    let app = spawn_app().await;
    let spec = body_json(app.get("/api/v1/openapi.json", None).await).await;
    let schemas = &spec["components"]["schemas"];
    let new_offer = &schemas["NewOfferRequest"]["properties"];
    assert_eq!(new_offer["title"]["maxLength"], 200);
    assert_eq!(new_offer["title"]["minLength"], 1);
    assert!(new_offer["title"]["pattern"].is_string());
    assert_eq!(new_offer["description"]["maxLength"], 10_000);
    assert_eq!(new_offer["skills_list"]["maxItems"], 50);
    assert_eq!(new_offer["skills_list"]["items"]["maxLength"], 50);
    assert_eq!(schemas["NewOfferRequest"]["additionalProperties"], false);
    let offer = &schemas["OfferBody"]["properties"];
    for field in ["id", "creation_date", "modification_date"] {
        assert_eq!(offer[field]["readOnly"], true, "{field}");
    }
    let register = &schemas["RegisterRequest"]["properties"];
    assert_eq!(register["username"]["pattern"], "^[A-Za-z0-9_.\\-]{3,32}$");
    let create = &spec["paths"]["/users/{user_id}/offers/"]["post"]["responses"];
    assert!(create["201"]["headers"]["Location"].is_object());
    for code in ["400", "401", "403", "404", "413"] {
        assert_eq!(
            create[code]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody",
            "{code}"
        );
    }
}

#[rocket::async_test]
async fn swagger_ui_is_served_from_docs_and_points_at_the_document() {
    let app = spawn_app().await;
    for entry in ["/docs", "/docs/"] {
        let response = app.get(entry, None).await;
        assert!(response.status().class().is_redirection(), "{entry}");
        assert_eq!(
            response.headers().get_one("Location"),
            Some("/docs/index.html")
        );
    }
    let response = app.get("/docs/index.html", None).await;
    assert_eq!(response.status(), Status::Ok);
    let page = Page::read(response).await;
    let bundle = page
        .attr(r#"script[src$="swagger-ui-bundle.js"]"#, "src")
        .unwrap_or_else(|| panic!("no Swagger UI bundle in {}", page.source()));
    assert!(
        page.select("[src], [href]").iter().all(|element| {
            let target = element.attr("src").or(element.attr("href")).unwrap();
            !target.contains("://")
        }),
        "Swagger UI must not load assets from a CDN"
    );
    // Nor fetch anything from one in its inline set-up: not a byte of an absolute URL.
    assert!(!page.source().contains("https://"));
    let bundle = app
        .get(&format!("/docs/{}", bundle.trim_start_matches("./")), None)
        .await;
    assert_eq!(bundle.status(), Status::Ok);
    let config = body_json(app.get("/docs/swagger-ui-config.json", None).await).await;
    assert_eq!(config["url"], "/api/v1/openapi.json");
}

#[rocket::async_test]
async fn the_document_asks_a_new_offer_for_a_title_and_a_description_only() {
    let app = spawn_app().await;
    let spec = body_json(app.get("/api/v1/openapi.json", None).await).await;
    let body = &spec["components"]["schemas"]["NewOfferRequest"];
    assert_eq!(body["required"], json!(["description", "title"]));
    assert_eq!(body["additionalProperties"], json!(false));
    for field in [
        "status",
        "salary",
        "locations",
        "valid_through",
        "apply_url",
    ] {
        assert!(body["properties"][field].is_object(), "{field} documented");
    }
}

#[rocket::async_test]
async fn each_conflict_says_what_that_operation_refuses() {
    let app = spawn_app().await;
    let spec = body_json(app.get("/api/v1/openapi.json", None).await).await;
    let conflict = |path: &str, method: &str| {
        spec["paths"][path][method]["responses"]["409"]["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(conflict("/users/{user_id}/offers/{id}", "put").contains("Cannot change status"));
    assert!(conflict("/users/{user_id}/applications/{id}", "put").contains("Cannot move from"));
    assert!(conflict("/offers/{id}/applications", "post").contains("already applied"));
    assert!(conflict("/users/register", "post").contains("already taken"));
    // An employer may send a note alone, and never asks for `withdrawn`.
    let change = &spec["components"]["schemas"]["ApplicationChangeRequest"];
    assert!(change["required"].is_null(), "{change}");
    assert!(!change["properties"]["stage"]["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("withdrawn")));
}
