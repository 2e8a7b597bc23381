//! The JSON body guard of the API. It always succeeds as a guard and carries its problem to
//! the handler, so the handler answers with the contract's message (and what was wrong with
//! the body, under `errors.body`) instead of Rocket's generic catcher.

use std::convert::Infallible;
use std::marker::PhantomData;

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::request::Request;
use rocket_okapi::gen::OpenApiGenerator;
use rocket_okapi::okapi::openapi3::{MediaType, RequestBody};
use rocket_okapi::request::OpenApiFromData;
use schemars::JsonSchema;
use serde_json::Value;

use crate::domain::application::{ApplicationRefused, NewApplication, MAX_CV_BYTES};
use crate::domain::{FieldErrors, JsonObject};
use crate::error::{AppError, NO_INPUT};
use crate::http::application_form::{self, is_multipart, FormApplication, FormProblem};

/// The default JSON body limit; `limits.json` in Rocket.toml overrides it.
pub const DEFAULT_JSON_LIMIT_KIB: u64 = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
enum BodyProblem {
    /// No body at all (or only whitespace).
    Empty,
    /// A body that cannot be read as a JSON object, and why.
    Unusable(String),
    TooLarge,
    /// Read, but a field is where it cannot be (each named).
    Invalid(FieldErrors),
}

/// A JSON object body, read up to the `json` limit. `T` is only the documented schema; the
/// domain parsers read the object itself so that every problem gets a precise message.
pub struct JsonBody<T> {
    object: Result<JsonObject, BodyProblem>,
    documented_as: PhantomData<fn() -> T>,
}

impl<T> JsonBody<T> {
    /// The object, or the error for a missing or unusable body (`missing_message`, with what
    /// was wrong) or an oversized one.
    pub fn into_object(self, missing_message: &str) -> Result<JsonObject, AppError> {
        self.object.map_err(|problem| match problem {
            BodyProblem::Empty => AppError::BadBody {
                message: missing_message.to_owned(),
                problem: None,
            },
            BodyProblem::Unusable(problem) => AppError::BadBody {
                message: missing_message.to_owned(),
                problem: Some(problem),
            },
            BodyProblem::TooLarge => AppError::PayloadTooLarge,
            BodyProblem::Invalid(errors) => AppError::Validation(errors),
        })
    }
}

/// JSON, `application/*+json`, or no `Content-Type` at all (read as JSON, as the original
/// service did).
fn is_json(request: &Request<'_>) -> bool {
    request.content_type().is_none_or(|content_type| {
        content_type.is_json()
            || (content_type.top() == "application"
                && content_type.sub().as_str().ends_with("+json"))
    })
}

/// What the bytes of a body are, as a JSON object.
fn read_object(bytes: &[u8]) -> Result<JsonObject, BodyProblem> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(BodyProblem::Empty);
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(BodyProblem::Unusable("Expected a JSON object".to_owned())),
        // serde_json says what it expected and where: "expected value at line 1 column 1".
        Err(error) => Err(BodyProblem::Unusable(format!("Invalid JSON: {error}"))),
    }
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
            Err(BodyProblem::Unusable(
                "Expected Content-Type: application/json".to_owned(),
            ))
        } else {
            match data.open(limit).into_bytes().await {
                Ok(bytes) if !bytes.is_complete() => Err(BodyProblem::TooLarge),
                Ok(bytes) => read_object(&bytes),
                Err(error) => Err(BodyProblem::Unusable(format!(
                    "The body could not be read: {error}"
                ))),
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

/// A JSON application may carry a CV of `MAX_CV_BYTES` in base64 besides its text fields.
const APPLICATION_JSON_LIMIT: u64 = (MAX_CV_BYTES as u64).div_ceil(3) * 4 + 64 * 1024;
/// What an application's body was, before the domain reads it.
enum SentApplication {
    Json(JsonObject),
    Form(FormApplication),
}

/// An application's body: JSON (the CV as `cv_base64`) or `multipart/form-data` (the CV as a
/// file part), read to the same `ApplicationInput` and parsed by the same domain rules.
pub struct ApplicationBody {
    sent: Result<SentApplication, BodyProblem>,
}

/// What the domain made of an application's body.
pub struct ReadApplication {
    pub application: NewApplication,
    /// A bot filled in the honeypot: answer as if accepted, keep nothing.
    pub honeypot: bool,
}

impl ApplicationBody {
    /// The application, or the error for an unusable body, an invalid field or a CV over the
    /// limit (413, as for any body over its limit).
    pub fn into_application(self) -> Result<ReadApplication, AppError> {
        let sent = self.sent.map_err(|problem| match problem {
            BodyProblem::Empty => AppError::BadBody {
                message: NO_INPUT.to_owned(),
                problem: None,
            },
            BodyProblem::Unusable(problem) => AppError::BadBody {
                message: NO_INPUT.to_owned(),
                problem: Some(problem),
            },
            BodyProblem::TooLarge => AppError::PayloadTooLarge,
            BodyProblem::Invalid(errors) => AppError::Validation(errors),
        })?;
        let (parsed, honeypot) = match sent {
            SentApplication::Json(object) => (NewApplication::from_json(&object), false),
            SentApplication::Form(form) => (NewApplication::parse(form.input), form.honeypot),
        };
        match parsed {
            Ok(application) => Ok(ReadApplication {
                application,
                honeypot,
            }),
            Err(ApplicationRefused::Invalid(errors)) => Err(AppError::Validation(errors)),
            Err(ApplicationRefused::CvTooLarge) => Err(AppError::PayloadTooLarge),
        }
    }
}

impl From<FormProblem> for BodyProblem {
    fn from(problem: FormProblem) -> Self {
        match problem {
            FormProblem::Empty => Self::Empty,
            FormProblem::Unusable(problem) => Self::Unusable(problem),
            FormProblem::TooLarge => Self::TooLarge,
            FormProblem::JsonOnly(field) => {
                let mut errors = FieldErrors::default();
                errors.add(
                    &field,
                    "Only in a JSON body: in multipart/form-data the CV is the file part cv.",
                );
                Self::Invalid(errors)
            }
        }
    }
}

#[rocket::async_trait]
impl<'r> FromData<'r> for ApplicationBody {
    type Error = Infallible;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let sent = if is_multipart(request) {
            application_form::read(request, data)
                .await
                .map(SentApplication::Form)
                .map_err(BodyProblem::from)
        } else if !is_json(request) {
            Err(BodyProblem::Unusable(
                "Expected Content-Type: application/json or multipart/form-data".to_owned(),
            ))
        } else {
            match data.open(APPLICATION_JSON_LIMIT.bytes()).into_bytes().await {
                Ok(bytes) if !bytes.is_complete() => Err(BodyProblem::TooLarge),
                Ok(bytes) => read_object(&bytes).map(SentApplication::Json),
                Err(error) => Err(BodyProblem::Unusable(format!(
                    "The body could not be read: {error}"
                ))),
            }
        };
        data::Outcome::Success(Self { sent })
    }
}

impl<'r> OpenApiFromData<'r> for ApplicationBody {
    fn request_body(gen: &mut OpenApiGenerator) -> rocket_okapi::Result<RequestBody> {
        let json = MediaType {
            schema: Some(gen.json_schema::<super::applications::ApplicationJsonRequest>()),
            ..Default::default()
        };
        let form = MediaType {
            schema: Some(gen.json_schema::<super::applications::ApplicationFormRequest>()),
            ..Default::default()
        };
        Ok(RequestBody {
            content: [
                ("application/json".to_owned(), json),
                ("multipart/form-data".to_owned(), form),
            ]
            .into_iter()
            .collect(),
            required: true,
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_unusable_body_says_what_was_wrong() {
        assert_eq!(read_object(b"  \n"), Err(BodyProblem::Empty));
        assert_eq!(
            read_object(b"[]"),
            Err(BodyProblem::Unusable("Expected a JSON object".to_owned()))
        );
        assert_eq!(
            read_object(b"{"),
            Err(BodyProblem::Unusable(
                "Invalid JSON: EOF while parsing an object at line 1 column 1".to_owned()
            ))
        );
        assert!(read_object(br#"{"a": 1}"#).is_ok());
    }
}
