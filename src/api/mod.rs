//! The JSON API under `/api/v1`, its OpenAPI document, Swagger UI at `/docs`, and the catchers
//! that keep every error under `/api` JSON.

pub mod applications;
pub mod board;
pub mod error;
pub mod fallback;
pub mod input;
pub mod offers;
pub mod query;
pub mod responses;
pub mod schema;
pub mod users;
pub mod validators;
pub mod webhooks;

use rocket::fairing::AdHoc;
use rocket::http::Status;
use rocket::{catch, catchers, Request};
use rocket_okapi::okapi::openapi3::{Info, OpenApi, RefOr, Tag};
use rocket_okapi::settings::OpenApiSettings;
use rocket_okapi::swagger_ui::{make_swagger_ui, SwaggerUIConfig};
use rocket_okapi::{get_openapi_route, openapi_get_routes_spec};

use crate::auth::AuthError;
use crate::error::AppError;
use error::ApiError;

pub const BASE: &str = "/api/v1";
/// Where the OpenAPI document is served, relative to `BASE`.
pub const OPENAPI_PATH: &str = "/openapi.json";

/// Renders every error under `/api` as JSON: the guard's own error when one failed the request
/// (its message and headers), otherwise the status's generic message.
#[catch(default)]
fn api_error(status: Status, request: &Request<'_>) -> ApiError {
    if let Some(error) = AuthError::recorded(request, status) {
        return error.into();
    }
    // Rocket rejects methods it does not know (e.g. QUERY) with an unrouted 400 before any
    // route runs; on a path that exists that is really "method not allowed".
    if status == Status::BadRequest && request.route().is_none() {
        let allowed = fallback::allowed_methods(request);
        if !allowed.is_empty() {
            return AppError::MethodNotAllowed(allowed).into();
        }
    }
    AppError::from_status(status).into()
}

/// The routes and the OpenAPI document describing them, generated from the same handlers.
pub fn routes_and_spec() -> (Vec<rocket::Route>, OpenApi) {
    let settings = OpenApiSettings {
        json_path: OPENAPI_PATH.to_owned(),
        ..Default::default()
    };
    let (mut routes, mut spec) = openapi_get_routes_spec![
        settings: users::register,
        users::login,
        users::change_password,
        users::sign_out_everywhere,
        users::profile,
        users::update_profile,
        offers::list,
        offers::create,
        offers::get,
        offers::update,
        offers::delete,
        board::search_board,
        board::public_offer,
        applications::apply,
        applications::candidate_view,
        applications::withdraw,
        applications::list,
        applications::get,
        applications::update,
        applications::cv,
        webhooks::create,
        webhooks::list,
        webhooks::delete,
    ];
    describe(&mut spec);
    routes.push(get_openapi_route(spec.clone(), &settings));
    (routes, spec)
}

/// Per operation: the operationId to publish and the error statuses it can really answer with
/// (the error type documents every status; each operation keeps only its own).
const OPERATIONS: &[(&str, &str, &[&str])] = &[
    (
        "users_register",
        "registerUser",
        &["400", "409", "413", "429", "500", "503"],
    ),
    ("users_login", "login", &["400", "413", "429", "500", "503"]),
    (
        "users_change_password",
        "changePassword",
        &["400", "401", "403", "404", "413", "429", "500", "503"],
    ),
    (
        "users_sign_out_everywhere",
        "signOutEverywhere",
        &["401", "403", "404", "500", "503"],
    ),
    (
        "offers_list",
        "listOffers",
        &["400", "401", "404", "500", "503"],
    ),
    (
        "offers_create",
        "createOffer",
        &[
            "400", "401", "403", "404", "409", "413", "429", "500", "503",
        ],
    ),
    ("offers_get", "getOffer", &["401", "404", "500", "503"]),
    (
        "offers_update",
        "updateOffer",
        &["400", "401", "403", "404", "409", "413", "500", "503"],
    ),
    ("users_profile", "getEmployer", &["404", "500", "503"]),
    (
        "users_update_profile",
        "updateEmployer",
        &["400", "401", "403", "404", "413", "500", "503"],
    ),
    (
        "offers_delete",
        "deleteOffer",
        &["401", "403", "404", "500", "503"],
    ),
    (
        "board_search_board",
        "searchBoard",
        &["400", "429", "500", "503"],
    ),
    (
        "board_public_offer",
        "getPublishedOffer",
        &["404", "410", "500", "503"],
    ),
    (
        "applications_apply",
        "applyToOffer",
        &["400", "404", "409", "413", "429", "500", "503"],
    ),
    (
        "applications_candidate_view",
        "getMyApplication",
        &["404", "500", "503"],
    ),
    (
        "applications_withdraw",
        "withdrawMyApplication",
        &["404", "500", "503"],
    ),
    (
        "applications_list",
        "listApplications",
        &["400", "401", "403", "404", "500", "503"],
    ),
    (
        "applications_get",
        "getApplication",
        &["401", "403", "404", "500", "503"],
    ),
    (
        "applications_update",
        "updateApplication",
        &["400", "401", "403", "404", "409", "413", "500", "503"],
    ),
    (
        "applications_cv",
        "downloadApplicationCv",
        &["401", "403", "404", "500", "503"],
    ),
    (
        "webhooks_create",
        "createWebhook",
        &["400", "401", "403", "404", "413", "500", "503"],
    ),
    (
        "webhooks_list",
        "listWebhooks",
        &["401", "403", "404", "500", "503"],
    ),
    (
        "webhooks_delete",
        "deleteWebhook",
        &["401", "403", "404", "500", "503"],
    ),
];

/// What a `409` means, per operation that answers one: the error type's description covers
/// them all, each operation says its own.
const CONFLICTS: &[(&str, &str)] = &[
    (
        "registerUser",
        "The username is already taken: `Username already taken`.",
    ),
    (
        "createOffer",
        "The account has as many offers as an account may have (`max_offers_per_user`): \
         `An account may have at most {n} offers: delete one to publish another`.",
    ),
    (
        "updateOffer",
        "A status change the lifecycle does not allow (draft → published, published → \
         closed, closed → published only; never back to draft, never to expired): \
         `Cannot change status from {from} to {to}`.",
    ),
    (
        "applyToOffer",
        "`This offer does not accept applications` (closed, expired, or not taking \
         applications here), `You have already applied to this offer` (the same e-mail), or \
         `This Idempotency-Key was already used for a different application`.",
    ),
    (
        "updateApplication",
        "A stage move the rules do not allow (forward only, or to rejected from any stage; \
         never to withdrawn): `Cannot move from {from} to {to}`.",
    ),
];

fn narrow_operations(spec: &mut OpenApi) {
    for item in spec.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            let handler = operation.operation_id.clone().unwrap_or_default();
            let Some((_, published, errors)) =
                OPERATIONS.iter().find(|(name, _, _)| handler == *name)
            else {
                panic!("operation `{handler}` is missing from api::OPERATIONS");
            };
            operation.operation_id = Some((*published).to_owned());
            operation
                .responses
                .responses
                .retain(|code, _| code.starts_with('2') || errors.contains(&code.as_str()));
            let conflict = CONFLICTS.iter().find(|(name, _)| name == published);
            if let (Some((_, meaning)), Some(RefOr::Object(response))) =
                (conflict, operation.responses.responses.get_mut("409"))
            {
                (*meaning).clone_into(&mut response.description);
            }
        }
    }
}

/// The public board's reads answer `304` to an `If-None-Match` naming their current `ETag`
/// (`validators::PublicValidators`).
fn document_not_modified(spec: &mut OpenApi) {
    use rocket_okapi::okapi::openapi3::{RefOr, Response};
    for item in spec.paths.values_mut() {
        let Some(operation) = item.get.as_mut() else {
            continue;
        };
        if !matches!(
            operation.operation_id.as_deref(),
            Some("searchBoard" | "getPublishedOffer")
        ) {
            continue;
        }
        operation.responses.responses.insert(
            "304".to_owned(),
            RefOr::Object(Response {
                description: "Not modified: `If-None-Match` named the `ETag` this answer \
                              would carry (every 200 here has one). No body."
                    .to_owned(),
                ..Default::default()
            }),
        );
    }
}

fn describe(spec: &mut OpenApi) {
    narrow_operations(spec);
    document_not_modified(spec);
    // Rocket serves collections with and without the trailing slash; publish the original
    // product's spelling.
    if let Some(item) = spec.paths.remove("/users/{user_id}/offers") {
        spec.paths
            .insert("/users/{user_id}/offers/".to_owned(), item);
    }
    spec.info = Info {
        title: "job-offers".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        description: Some(
            "Employers publish and manage job offers. Register, log in to get a JWT, then send \
             it as `Authorization: JWT <token>` (or `Bearer <token>`) on the offer routes."
                .to_owned(),
        ),
        ..Default::default()
    };
    spec.servers = vec![rocket_okapi::okapi::openapi3::Server {
        url: BASE.to_owned(),
        ..Default::default()
    }];
    spec.tags = vec![
        Tag {
            name: "Users".to_owned(),
            description: Some(
                "Registration, login, password changes and signing out everywhere.".to_owned(),
            ),
            ..Default::default()
        },
        Tag {
            name: "Offers".to_owned(),
            description: Some("A user's job offers; a valid token is required.".to_owned()),
            ..Default::default()
        },
        Tag {
            name: "Applications".to_owned(),
            description: Some(
                "Candidates apply to offers that take applications here and follow them by a \
                 private link; employers review them through a pipeline of stages."
                    .to_owned(),
            ),
            ..Default::default()
        },
        Tag {
            name: "Webhooks".to_owned(),
            description: Some(
                "An employer's endpoints for signed deliveries of offer and application events."
                    .to_owned(),
            ),
            ..Default::default()
        },
        Tag {
            name: "Board".to_owned(),
            description: Some(
                "Every published offer, for anyone: search, filter, page.".to_owned(),
            ),
            ..Default::default()
        },
    ];
}

/// The OpenAPI document as served at `/api/v1/openapi.json`.
pub fn openapi_json() -> String {
    let (_, spec) = routes_and_spec();
    serde_json::to_string_pretty(&spec).expect("the OpenAPI document serializes")
}

/// Mounts the API, its document, Swagger UI and the JSON catchers.
pub fn stage() -> AdHoc {
    AdHoc::on_ignite("JSON API", |rocket| async {
        let (routes, _) = routes_and_spec();
        rocket
            .mount(BASE, routes)
            .mount(
                "/docs",
                make_swagger_ui(&SwaggerUIConfig {
                    url: format!("{BASE}{OPENAPI_PATH}"),
                    ..Default::default()
                }),
            )
            .mount("/api", fallback::routes())
            .attach(fallback::NoMethodOverride)
            .attach(validators::PublicValidators)
            .register("/api", catchers![api_error])
    })
}
