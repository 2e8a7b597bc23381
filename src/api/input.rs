//! Request guards for API input: the JSON body and numeric path ids. Both always succeed as
//! guards and carry their problem to the handler, so the handler answers with the contract's
//! message instead of Rocket's generic catcher.

use std::borrow::Cow;
use std::convert::Infallible;
use std::marker::PhantomData;

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::request::{FromParam, Request};
use rocket_okapi::gen::OpenApiGenerator;
use rocket_okapi::okapi::openapi3::{MediaType, RequestBody};
use rocket_okapi::request::OpenApiFromData;
use schemars::gen::SchemaGenerator;
use schemars::schema::{InstanceType, Schema, SchemaObject};
use schemars::JsonSchema;
use serde_json::Value;

use crate::domain::JsonObject;
use crate::error::ApiError;

/// The default JSON body limit; `limits.json` in Rocket.toml overrides it.
pub const DEFAULT_JSON_LIMIT_KIB: u64 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyProblem {
    /// No body, not JSON, not a JSON object, or a non-JSON content type.
    Missing,
    TooLarge,
}

/// A JSON object body, read up to the `json` limit. `T` is only the documented schema; the
/// domain parsers read the object itself so that every problem gets a precise message.
pub struct JsonBody<T> {
    object: Result<JsonObject, BodyProblem>,
    documented_as: PhantomData<fn() -> T>,
}

impl<T> JsonBody<T> {
    /// The object, or the error for a missing body (`missing_message`) or an oversized one.
    pub fn into_object(self, missing_message: &str) -> Result<JsonObject, ApiError> {
        self.object.map_err(|problem| match problem {
            BodyProblem::Missing => ApiError::BadRequest(missing_message.to_owned()),
            BodyProblem::TooLarge => ApiError::PayloadTooLarge,
        })
    }
}

fn is_json(request: &Request<'_>) -> bool {
    request.content_type().is_none_or(|content_type| {
        content_type.is_json()
            || (content_type.top() == "application"
                && content_type.sub().as_str().ends_with("+json"))
    })
}

#[rocket::async_trait]
impl<'r, T> FromData<'r> for JsonBody<T> {
    type Error = Infallible;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let limit = request
            .limits()
            .get("json")
            .unwrap_or(DEFAULT_JSON_LIMIT_KIB.kibibytes());
        let object = if !is_json(request) {
            Err(BodyProblem::Missing)
        } else {
            match data.open(limit).into_bytes().await {
                Ok(bytes) if !bytes.is_complete() => Err(BodyProblem::TooLarge),
                Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
                    Ok(Value::Object(object)) => Ok(object),
                    _ => Err(BodyProblem::Missing),
                },
                Err(_) => Err(BodyProblem::Missing),
            }
        };
        data::Outcome::Success(Self {
            object,
            documented_as: PhantomData,
        })
    }
}

impl<'r, T: JsonSchema> OpenApiFromData<'r> for JsonBody<T> {
    fn request_body(gen: &mut OpenApiGenerator) -> rocket_okapi::Result<RequestBody> {
        let media = MediaType {
            schema: Some(gen.json_schema::<T>()),
            ..Default::default()
        };
        Ok(RequestBody {
            content: [("application/json".to_owned(), media)]
                .into_iter()
                .collect(),
            required: true,
            ..Default::default()
        })
    }
}

/// A path id that must be a positive 64-bit integer; anything else is the caller's 404.
pub struct PathId<'a> {
    raw: &'a str,
    value: Option<i64>,
}

impl PathId<'_> {
    /// The id, or `404 {"message": "<what> not found <raw>"}`.
    pub fn or_not_found(&self, what: &str) -> Result<i64, ApiError> {
        self.value
            .ok_or_else(|| ApiError::NotFound(format!("{what} not found {}", self.raw)))
    }
}

impl<'a> FromParam<'a> for PathId<'a> {
    type Error = Infallible;

    fn from_param(raw: &'a str) -> Result<Self, Self::Error> {
        let value = raw.parse::<i64>().ok().filter(|id| *id > 0);
        Ok(Self { raw, value })
    }
}

impl JsonSchema for PathId<'_> {
    fn schema_name() -> String {
        "Id".to_owned()
    }

    fn schema_id() -> Cow<'static, str> {
        Cow::Borrowed("job_offers::Id")
    }

    fn json_schema(_gen: &mut SchemaGenerator) -> Schema {
        let mut schema = SchemaObject {
            instance_type: Some(InstanceType::Integer.into()),
            format: Some("int64".to_owned()),
            ..Default::default()
        };
        schema.number().minimum = Some(1.0);
        schema.into()
    }
}
