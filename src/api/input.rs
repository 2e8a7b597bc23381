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

use crate::domain::application::{
    form_consent, ApplicationInput, ApplicationRefused, NewApplication, UploadedCv, MAX_CV_BYTES,
};
use crate::domain::JsonObject;
use crate::error::{AppError, NO_INPUT};

/// The default JSON body limit; `limits.json` in Rocket.toml overrides it.
pub const DEFAULT_JSON_LIMIT_KIB: u64 = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
enum BodyProblem {
    /// No body at all (or only whitespace).
    Empty,
    /// A body that cannot be read as a JSON object, and why.
    Unusable(String),
    TooLarge,
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
/// Each text part of a multipart application (the cover letter is at most 10 000 characters,
/// 40 000 bytes of UTF-8).
const FORM_TEXT_LIMIT: u64 = 64 * 1024;
/// A whole multipart application: the CV and the text parts with their headers.
const APPLICATION_FORM_LIMIT: u64 = MAX_CV_BYTES as u64 + 256 * 1024;
/// The form field a person never sees (hidden by the page's style sheet), which bots fill in.
pub const HONEYPOT_FIELD: &str = "website";

/// What an application's body was, before the domain reads it.
enum SentApplication {
    Json(JsonObject),
    Form {
        input: ApplicationInput,
        /// The honeypot field came back filled in.
        honeypot: bool,
    },
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
        })?;
        let (parsed, honeypot) = match sent {
            SentApplication::Json(object) => (NewApplication::from_json(&object), false),
            SentApplication::Form { input, honeypot } => (NewApplication::parse(input), honeypot),
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

fn is_multipart(request: &Request<'_>) -> bool {
    request
        .content_type()
        .is_some_and(|content_type| content_type.is_form_data())
}

/// Reads a multipart application: the known text parts, the `cv` file part, and nothing else
/// (other parts, such as a submit button's, are skipped).
async fn read_form(request: &Request<'_>, data: Data<'_>) -> Result<SentApplication, BodyProblem> {
    let boundary = request
        .content_type()
        .and_then(|content_type| content_type.param("boundary"))
        .ok_or_else(|| BodyProblem::Unusable("The multipart body has no boundary".to_owned()))?
        .to_owned();
    let constraints = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(APPLICATION_FORM_LIMIT)
            .per_field(FORM_TEXT_LIMIT)
            .for_field("cv", MAX_CV_BYTES as u64),
    );
    // One byte more than the parser's own limit, so that the parser is what notices.
    let stream = data.open((APPLICATION_FORM_LIMIT + 1).bytes());
    let mut multipart =
        multer::Multipart::with_reader_with_constraints(stream, boundary, constraints);
    let mut input = ApplicationInput::default();
    let mut honeypot = false;
    let mut any = false;
    while let Some(field) = multipart.next_field().await.map_err(form_problem)? {
        any = true;
        let name = field.name().unwrap_or_default().to_owned();
        if name == "cv" {
            let filename = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(form_problem)?.to_vec();
            input.cv = Some(UploadedCv { filename, bytes });
            continue;
        }
        let text = field.text().await.map_err(form_problem)?;
        match name.as_str() {
            "name" => input.name = Some(text),
            "email" => input.email = Some(text),
            "phone" => input.phone = Some(text),
            "cover_letter" => input.cover_letter = Some(text.replace("\r\n", "\n")),
            "consent" => input.consent = Some(form_consent(&text)),
            HONEYPOT_FIELD => honeypot |= !text.trim().is_empty(),
            _ => {}
        }
    }
    if !any {
        return Err(BodyProblem::Empty);
    }
    Ok(SentApplication::Form { input, honeypot })
}

fn form_problem(error: multer::Error) -> BodyProblem {
    match error {
        multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
            BodyProblem::TooLarge
        }
        other => BodyProblem::Unusable(format!("The multipart body could not be read: {other}")),
    }
}

#[rocket::async_trait]
impl<'r> FromData<'r> for ApplicationBody {
    type Error = Infallible;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let sent = if is_multipart(request) {
            read_form(request, data).await
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
