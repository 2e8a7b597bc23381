//! `ApiError`: an `AppError` answered as the API answers, a JSON body with the status, plus the
//! headers HTTP asks for (`WWW-Authenticate`, `Allow`, `Retry-After`); and the error statuses
//! of the OpenAPI document.

use std::io::Cursor;

use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Responder};
use rocket::Request;
use rocket_okapi::gen::OpenApiGenerator;
use rocket_okapi::okapi::openapi3::{MediaType, RefOr, Response as OpenApiResponse, Responses};
use rocket_okapi::response::OpenApiResponderInner;
use schemars::JsonSchema;
use serde::Serialize;

use crate::domain::fields::FieldErrors;
use crate::error::{AppError, Failure};

/// The JSON body of every error under `/api`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ErrorBody {
    /// A sentence for people.
    #[schemars(example = "example_message")]
    pub message: String,
    /// Problems per field of the request (`body` for the body as a whole), for failures
    /// that have them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<std::collections::BTreeMap<String, Vec<String>>>")]
    pub errors: Option<FieldErrors>,
}

fn example_message() -> &'static str {
    "offer not found 1"
}

/// The API's door: failures answered as JSON.
pub enum Json {}

/// An API request's failure.
pub type ApiError = Failure<Json>;

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let error = self.error;
        error.report(request);
        let status = error.status();
        let body = ErrorBody {
            message: error.message(),
            errors: error.field_errors(),
        };
        let body = serde_json::to_vec(&body).map_err(|_| Status::InternalServerError)?;
        let mut response = rocket::Response::build();
        response
            .status(status)
            .header(ContentType::JSON)
            .sized_body(body.len(), Cursor::new(body));
        if status == Status::Unauthorized {
            response.header(Header::new(
                "WWW-Authenticate",
                r#"Bearer realm="job-offers", error="invalid_token""#,
            ));
        }
        if let AppError::MethodNotAllowed(allowed) = &error {
            let allowed: Vec<&str> = allowed.iter().map(|method| method.as_str()).collect();
            response.header(Header::new("Allow", allowed.join(", ")));
        }
        if let Some(seconds) = error.retry_after() {
            response.header(Header::new("Retry-After", seconds.to_string()));
        }
        response.ok()
    }
}

/// Documents the error statuses an API operation can answer with, all with `ErrorBody`.
impl OpenApiResponderInner for ApiError {
    fn responses(gen: &mut OpenApiGenerator) -> rocket_okapi::Result<Responses> {
        let schema = gen.json_schema::<ErrorBody>();
        let mut responses = Responses::default();
        for (code, description) in DOCUMENTED_ERRORS {
            let response = OpenApiResponse {
                description: (*description).to_owned(),
                content: [(
                    "application/json".to_owned(),
                    MediaType {
                        schema: Some(schema.clone()),
                        ..Default::default()
                    },
                )]
                .into_iter()
                .collect(),
                ..Default::default()
            };
            responses
                .responses
                .insert((*code).to_owned(), RefOr::Object(response));
        }
        Ok(responses)
    }
}

/// Statuses any API operation may answer with; `api::OPERATIONS` narrows them per operation.
pub const DOCUMENTED_ERRORS: &[(&str, &str)] = &[
    ("400", "The body is missing, not JSON, or invalid (`errors` names each field, or `body` for the body as a whole)."),
    ("401", "No valid token: missing or malformed header, bad or expired token, or its user is gone."),
    ("403", "The token's user does not own this resource."),
    ("404", "No such user or offer (also for ids that are not positive integers)."),
    ("409", "A conflict with the stored state (each operation says which)."),
    ("410", "The offer was deleted (`offer removed {id}`); its address stays gone for `tombstone_days`."),
    ("413", "The body is larger than 64 KiB."),
    ("429", "Too many attempts (sign-ins, registrations, searches, new offers); retry after `Retry-After` seconds."),
    ("500", "An unexpected server error; nothing internal is disclosed."),
    ("503", "The database or password hasher is saturated or unreachable; retry after `Retry-After` seconds."),
];
