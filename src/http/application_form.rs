//! Reading an application sent as `multipart/form-data`: what the offer page's form sends and
//! what the API takes besides JSON. Both doors read it here, to the same `ApplicationInput`
//! that the domain parses, so a form and an API client meet the same limits and rules.

use rocket::data::{Data, ToByteUnit};
use rocket::request::Request;

use crate::domain::application::{form_consent, ApplicationInput, UploadedCv, MAX_CV_BYTES};

/// What is kept of each text part of a multipart application. Any longer part is over every
/// field's own limit (the longest, the cover letter, is 10 000 characters: at most 40 000
/// bytes of UTF-8, and 64 KiB of UTF-8 is at least 16 384 characters), so its first 64 KiB
/// are enough for the domain to refuse it with that field's message; the rest is read and
/// dropped.
const FORM_TEXT_LIMIT: usize = 64 * 1024;
/// A whole multipart application: the CV and the text parts with their headers.
pub const APPLICATION_FORM_LIMIT: u64 = MAX_CV_BYTES as u64 + 256 * 1024;
/// The form field a person never sees (hidden by the page's style sheet), which bots fill in.
pub const HONEYPOT_FIELD: &str = "website";
/// The page form's CSRF token field.
const CSRF_FIELD: &str = "csrf_token";
/// The page form's Idempotency-Key field.
pub const IDEMPOTENCY_FIELD: &str = "idempotency_key";

/// A multipart application as sent, before the domain reads it.
#[derive(Debug, Default)]
pub struct FormApplication {
    pub input: ApplicationInput,
    /// The honeypot field came back filled in: a bot.
    pub honeypot: bool,
    /// The page form's CSRF token, when sent.
    pub csrf_token: Option<String>,
    /// The key the page form was rendered with, so that a double submit (or a resubmit after
    /// a lost answer) replays the first instead of meeting "already applied". The API takes
    /// its key from the `Idempotency-Key` header only.
    pub idempotency_key: Option<String>,
}

/// Why a multipart body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormProblem {
    /// No part at all.
    Empty,
    /// Not a readable multipart body, and why.
    Unusable(String),
    /// Over the limit of the whole body, of a text part or of the CV.
    TooLarge,
    /// A part that only a JSON body has (`cv_base64`, `cv_filename`): in a multipart body the
    /// CV is the file part `cv`, and skipping the part would store the application without it.
    JsonOnly(String),
}

/// The JSON body's CV fields, which a multipart body carries as its file part instead.
const JSON_ONLY_FIELDS: [&str; 2] = ["cv_base64", "cv_filename"];

pub fn is_multipart(request: &Request<'_>) -> bool {
    request
        .content_type()
        .is_some_and(|content_type| content_type.is_form_data())
}

/// Reads a multipart application: the known text parts, the `cv` file part, the honeypot and
/// the CSRF token, and nothing else (other parts, such as a submit button's, are skipped).
pub async fn read(request: &Request<'_>, data: Data<'_>) -> Result<FormApplication, FormProblem> {
    let boundary = request
        .content_type()
        .and_then(|content_type| content_type.param("boundary"))
        .ok_or_else(|| FormProblem::Unusable("The multipart body has no boundary".to_owned()))?
        .to_owned();
    let constraints = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(APPLICATION_FORM_LIMIT)
            .for_field("cv", MAX_CV_BYTES as u64),
    );
    // One byte more than the parser's own limit, so that the parser is what notices.
    let stream = data.open((APPLICATION_FORM_LIMIT + 1).bytes());
    let mut multipart =
        multer::Multipart::with_reader_with_constraints(stream, boundary, constraints);
    let mut sent = FormApplication::default();
    let mut any = false;
    while let Some(field) = multipart.next_field().await.map_err(problem)? {
        any = true;
        let name = field.name().unwrap_or_default().to_owned();
        if JSON_ONLY_FIELDS.contains(&name.as_str()) {
            return Err(FormProblem::JsonOnly(name));
        }
        if name == "cv" {
            let filename = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(problem)?.to_vec();
            // A browser sends an untouched file input as an empty part without a file name.
            if !(filename.is_empty() && bytes.is_empty()) {
                sent.input.cv = Some(UploadedCv { filename, bytes });
            }
            continue;
        }
        let text = kept_text(field).await?;
        let input = &mut sent.input;
        match name.as_str() {
            "name" => input.name = Some(text),
            "email" => input.email = Some(text),
            "phone" => input.phone = Some(text),
            "cover_letter" => input.cover_letter = Some(text.replace("\r\n", "\n")),
            "consent" => input.consent = Some(form_consent(&text)),
            HONEYPOT_FIELD => sent.honeypot |= !text.trim().is_empty(),
            CSRF_FIELD => sent.csrf_token = Some(text),
            IDEMPOTENCY_FIELD => sent.idempotency_key = Some(text),
            _ => {}
        }
    }
    if !any {
        return Err(FormProblem::Empty);
    }
    Ok(sent)
}

/// A text part, cut to `FORM_TEXT_LIMIT` bytes (a part cut short is still too long for its
/// field, and is refused as such, by name, instead of failing the whole body).
async fn kept_text(mut field: multer::Field<'_>) -> Result<String, FormProblem> {
    let mut kept = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(problem)? {
        let room = FORM_TEXT_LIMIT.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(String::from_utf8_lossy(&kept).into_owned())
}

fn problem(error: multer::Error) -> FormProblem {
    match error {
        multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
            FormProblem::TooLarge
        }
        other => FormProblem::Unusable(format!("The multipart body could not be read: {other}")),
    }
}
