//! JSON schemas for the API's fields, built from the domain's rules so that the published
//! constraints (`minLength`, `maxLength`, `pattern`, `maxItems`) are the enforced ones.

use schemars::gen::SchemaGenerator;
use schemars::schema::{ArrayValidation, InstanceType, Metadata, Schema, SchemaObject};
use serde_json::Value;

use crate::domain::fields::TextRule;
use crate::domain::posting::{
    self, CloseReason, EmploymentType, OfferStatus, SalaryPeriod, ShownStatus, Workplace,
};
use crate::domain::{application, offer, user};

fn text(rule: &TextRule, description: &str, example: &str) -> Schema {
    let mut schema = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        metadata: Some(Box::new(Metadata {
            description: Some(description.to_owned()),
            examples: vec![Value::from(example)],
            ..Default::default()
        })),
        ..Default::default()
    };
    let string = schema.string();
    string.min_length = Some(rule.min_chars as u32);
    string.max_length = Some(rule.max_chars as u32);
    string.pattern = Some(rule.pattern());
    schema.into()
}

pub fn title(_: &mut SchemaGenerator) -> Schema {
    text(
        &offer::TITLE,
        "1–200 characters, not only whitespace.",
        "Backend Engineer",
    )
}

pub fn description(_: &mut SchemaGenerator) -> Schema {
    text(
        &offer::DESCRIPTION,
        "1–10 000 characters.",
        "Build a RESTful API",
    )
}

pub fn skills(_: &mut SchemaGenerator) -> Schema {
    let item = text(&offer::SKILL, "1–50 characters.", "python");
    SchemaObject {
        instance_type: Some(InstanceType::Array.into()),
        metadata: Some(Box::new(Metadata {
            description: Some("Up to 50 skills, order preserved.".to_owned()),
            examples: vec![serde_json::json!(["python", "flask", "DevOps"])],
            ..Default::default()
        })),
        array: Some(Box::new(ArrayValidation {
            items: Some(item.into()),
            max_items: Some(offer::MAX_SKILLS as u32),
            ..Default::default()
        })),
        ..Default::default()
    }
    .into()
}

pub fn username(_: &mut SchemaGenerator) -> Schema {
    let mut schema = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        metadata: Some(Box::new(Metadata {
            description: Some(
                "3–32 characters of A–Z a–z 0–9 _ . -; unique regardless of case.".to_owned(),
            ),
            examples: vec![Value::from("user")],
            ..Default::default()
        })),
        ..Default::default()
    };
    let string = schema.string();
    string.min_length = Some(user::USERNAME_MIN as u32);
    string.max_length = Some(user::USERNAME_MAX as u32);
    string.pattern = Some(user::USERNAME_PATTERN.to_owned());
    schema.into()
}

pub fn password(_: &mut SchemaGenerator) -> Schema {
    text(
        &user::PASSWORD,
        "8–128 characters, not too easy to guess (zxcvbn; never one repeat or run such as `12345678`, nor the username); stored only as an Argon2id hash.",
        "password",
    )
}

/// A login field: any string, since sign-in must not reveal which usernames could exist.
pub fn any_text(_: &mut SchemaGenerator) -> Schema {
    SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        ..Default::default()
    }
    .into()
}

/// An RFC 3339 UTC timestamp with microseconds, exactly like the original service's.
pub fn timestamp(_: &mut SchemaGenerator) -> Schema {
    SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        format: Some("date-time".to_owned()),
        metadata: Some(Box::new(Metadata {
            read_only: true,
            examples: vec![Value::from("2018-10-22T21:55:40.708571+00:00")],
            ..Default::default()
        })),
        ..Default::default()
    }
    .into()
}

/// A schema written as the JSON it publishes (the contract v2 fields, whose shapes are easiest
/// to read that way); the limits come from the domain's constants.
fn published(schema: Value) -> Schema {
    serde_json::from_value(schema).expect("a valid JSON schema")
}

fn one_of_names(names: Vec<&'static str>, nullable: bool, description: &str) -> Schema {
    let mut values: Vec<Value> = names.into_iter().map(Value::from).collect();
    if nullable {
        values.push(Value::Null);
    }
    published(serde_json::json!({
        "type": "string", "enum": values, "nullable": nullable, "description": description,
    }))
}

/// The status as shown: `expired` is a published offer past its `valid_through`.
pub fn shown_status(_: &mut SchemaGenerator) -> Schema {
    one_of_names(
        ShownStatus::names(),
        false,
        "draft, published, expired (published, and valid_through has passed) or closed.",
    )
}

/// The status a client asks for: created as draft or published (the default); changed
/// draft → published → closed → published.
pub fn status(_: &mut SchemaGenerator) -> Schema {
    one_of_names(
        OfferStatus::names(),
        false,
        "Changes: draft → published, published → closed (with close_reason), closed → \
         published; any other is 409.",
    )
}

/// A string that is always sent, `null` when there is none: through `schema_with`, the field
/// is listed as required (plain `Option` fields are documented as optional).
pub fn always_sent_nullable_string(_: &mut SchemaGenerator) -> Schema {
    published(serde_json::json!({"type": "string", "nullable": true}))
}

/// The statuses a create takes (`lifecycle::create` refuses the others with a 400).
pub fn new_status(_: &mut SchemaGenerator) -> Schema {
    one_of_names(
        vec![OfferStatus::Draft.as_str(), OfferStatus::Published.as_str()],
        false,
        "draft, or published (the default): an offer starts its life as one of them.",
    )
}

/// A deleted offer's status in the board's `include=closed` listing.
pub fn deleted_status(_: &mut SchemaGenerator) -> Schema {
    one_of_names(vec!["deleted"], false, "Always deleted.")
}

pub fn close_reason(_: &mut SchemaGenerator) -> Schema {
    one_of_names(
        CloseReason::names(),
        true,
        "Why the offer closed; required when closing, null otherwise.",
    )
}

pub fn workplace(_: &mut SchemaGenerator) -> Schema {
    one_of_names(
        Workplace::names(),
        true,
        "Where the work is done; null: not stated.",
    )
}

pub fn employment_types(_: &mut SchemaGenerator) -> Schema {
    published(serde_json::json!({
        "type": "array", "maxItems": posting::MAX_EMPLOYMENT_TYPES, "uniqueItems": true,
        "description": "schema.org employmentType values, each at most once.",
        "items": {"type": "string", "enum": EmploymentType::names()},
        "example": ["FULL_TIME"],
    }))
}

const COUNTRY_PATTERN: &str = "^[A-Za-z]{2}$";

fn country_code(description: &str) -> Value {
    serde_json::json!({
        "type": "string", "minLength": 2, "maxLength": 2, "pattern": COUNTRY_PATTERN,
        "description": description, "example": "DE",
    })
}

pub fn locations(_: &mut SchemaGenerator) -> Schema {
    let part =
        |max: usize| serde_json::json!({"type": "string", "maxLength": max, "nullable": true});
    published(serde_json::json!({
        "type": "array", "maxItems": posting::MAX_LOCATIONS,
        "description": "Where the job is; in order.",
        "items": {
            "type": "object", "additionalProperties": false, "required": ["country"],
            "properties": {
                "city": part(posting::MAX_CITY_CHARS),
                "region": part(posting::MAX_REGION_CHARS),
                "country": country_code("ISO 3166-1 alpha-2 code of a real country; any case in, upper case out."),
                "postal_code": part(posting::MAX_POSTAL_CODE_CHARS),
            },
        },
        "example": [{"city": "Berlin", "region": null, "country": "DE", "postal_code": null}],
    }))
}

pub fn remote_countries(_: &mut SchemaGenerator) -> Schema {
    published(serde_json::json!({
        "type": "array",
        "description": "Where remote candidates may live (ISO 3166-1 alpha-2, any case); [] means \
                        anywhere. A code given twice is kept once. Only with workplace remote or \
                        hybrid.",
        "items": country_code("ISO 3166-1 alpha-2 code of a real country."),
        "example": ["DE", "AT"],
    }))
}

pub fn salary(_: &mut SchemaGenerator) -> Schema {
    let amount = serde_json::json!({
        "type": "number", "minimum": 0.01,
        "maximum": posting::MAX_AMOUNT_CENTS as f64 / 100.0, "multipleOf": 0.01,
    });
    published(serde_json::json!({
        "type": "object", "nullable": true, "additionalProperties": false,
        "required": ["currency", "min", "max", "period"],
        "description": "What the job pays: min to max (0 < min ≤ max, at most two decimals) per period.",
        "properties": {
            "currency": {"type": "string", "minLength": 3, "maxLength": 3, "pattern": "^[A-Za-z]{3}$",
                         "description": "ISO 4217 code of a real currency.", "example": "EUR"},
            "min": amount, "max": amount,
            "period": {"type": "string", "enum": SalaryPeriod::names()},
        },
        "example": {"currency": "EUR", "min": 85000, "max": 105000, "period": "YEAR"},
    }))
}

pub fn apply_url(_: &mut SchemaGenerator) -> Schema {
    published(serde_json::json!({
        "type": "string", "format": "uri", "nullable": true, "maxLength": posting::MAX_APPLY_URL_CHARS,
        "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s]+$",
        "description": "Where to apply: an absolute http or https URL.",
        "example": "https://jobs.example.com/backend",
    }))
}

pub fn apply_email(_: &mut SchemaGenerator) -> Schema {
    published(serde_json::json!({
        "type": "string", "format": "email", "nullable": true, "maxLength": posting::MAX_APPLY_EMAIL_CHARS,
        "description": "Where to apply by e-mail.", "example": "jobs@example.com",
    }))
}

pub fn apply_native(_: &mut SchemaGenerator) -> Schema {
    published(serde_json::json!({
        "type": "boolean",
        "description": "Candidates may apply here (POST /offers/{id}/applications), besides \
                        or instead of apply_url/apply_email. Default false.",
        "example": true,
    }))
}

pub fn valid_through(_: &mut SchemaGenerator) -> Schema {
    published(serde_json::json!({
        "type": "string", "format": "date-time", "nullable": true,
        "description": "Open until (RFC 3339). On publishing: in the future and at most \
                        offer_max_days (365) ahead; absent: publication + offer_default_days (60).",
        "example": "2027-01-31T23:59:59+00:00",
    }))
}

/// A read-only timestamp that may be null (`first_published_at`).
pub fn optional_timestamp(_: &mut SchemaGenerator) -> Schema {
    published(serde_json::json!({
        "type": "string", "format": "date-time", "nullable": true, "readOnly": true,
        "description": "Set at the first publication, never changed after; null while a draft.",
        "example": "2018-10-22T21:55:40.708571+00:00",
    }))
}

pub fn display_name(_: &mut SchemaGenerator) -> Schema {
    published(serde_json::json!({
        "type": "string", "nullable": true, "maxLength": user::DISPLAY_NAME.max_chars,
        "description": "The name shown for the employer (else the username); 1–100 characters.",
        "example": "ACME Robotics GmbH",
    }))
}

pub fn website(_: &mut SchemaGenerator) -> Schema {
    // "" is a value here (it clears the website), which `format: uri` alone refuses.
    published(serde_json::json!({
        "nullable": true,
        "anyOf": [
            {"type": "string", "format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s]+$",
             "maxLength": posting::MAX_APPLY_URL_CHARS},
            {"type": "string", "maxLength": 0},
        ],
        "description": "The employer's website: an absolute http or https URL; \"\" or null clears it.",
        "example": "https://acme.example",
    }))
}

pub fn about(_: &mut SchemaGenerator) -> Schema {
    published(serde_json::json!({
        "type": "string", "nullable": true, "maxLength": user::ABOUT_MAX_CHARS,
        "description": "A few words about the employer; at most 2 000 characters.",
        "example": "We build warehouse robots in Berlin.",
    }))
}

/// The candidate's name: the domain's rule (1–200 characters, not only whitespace).
pub fn applicant_name(_: &mut SchemaGenerator) -> Schema {
    text(
        &application::NAME,
        "1–200 characters, not only whitespace.",
        "Ada Lovelace",
    )
}

pub fn applicant_email(_: &mut SchemaGenerator) -> Schema {
    published(serde_json::json!({
        "type": "string", "format": "email", "maxLength": posting::MAX_APPLY_EMAIL_CHARS,
        "description": "The candidate's e-mail address: one application per address per offer.",
        "example": "ada@example.com",
    }))
}

/// An optional text field that, when sent, must be a string (`null` is refused, as absent
/// is the way to leave it out).
/// An optional text of an application; `nullable`: `null` is taken as not sent.
fn optional_text(max_chars: usize, description: &str, example: &str, nullable: bool) -> Schema {
    published(serde_json::json!({
        "type": "string", "maxLength": max_chars, "pattern": "^[^\\u0000]*$",
        "nullable": nullable, "description": description, "example": example,
    }))
}

pub fn phone(_: &mut SchemaGenerator) -> Schema {
    optional_text(
        application::MAX_PHONE_CHARS,
        "Digits, spaces and `+ - ( ) . /`, with at least one digit; empty or null is none.",
        "+49 30 1234567",
        true,
    )
}

pub fn cover_letter(_: &mut SchemaGenerator) -> Schema {
    optional_text(
        application::COVER_LETTER.max_chars,
        "At most 10 000 characters; empty or null is none.",
        "I would love to build this.",
        true,
    )
}

pub fn cv_base64(_: &mut SchemaGenerator) -> Schema {
    published(serde_json::json!({
        "type": "string", "format": "byte",
        "description": "The CV in base64: a PDF, DOCX or ODT document (judged by its bytes) of \
                        at most 5 MiB; with `cv_filename`.",
    }))
}

pub fn cv_filename(_: &mut SchemaGenerator) -> Schema {
    optional_text(
        application::MAX_FILENAME_CHARS,
        "The CV's file name, with `cv_base64`.",
        "ada-lovelace-cv.pdf",
        false,
    )
}

/// Consent is given or the application is refused: `true` is the only value.
pub fn consent(_: &mut SchemaGenerator) -> Schema {
    published(serde_json::json!({
        "type": "boolean", "enum": [true],
        "description": "Must be `true`: the candidate consents to the processing of their data \
                        for this application, kept for the retention period shown on the form.",
        "example": true,
    }))
}

/// The events a webhook subscribes to: one or more of the domain's names.
pub fn webhook_events(_: &mut SchemaGenerator) -> Schema {
    published(serde_json::json!({
        "type": "array", "minItems": 1,
        "items": {"type": "string", "enum": crate::domain::webhook::EVENTS},
        "description": "One or more of `offer.published`, `offer.closed`, `offer.expired`, \
                        `application.created`, `application.stage_changed`, \
                        `application.withdrawn`.",
        "example": ["application.created", "offer.closed"],
    }))
}

/// `schema` with `additionalProperties: false`: the bodies refuse unknown fields, which
/// `deny_unknown_fields` cannot say of a struct with flattened parts.
pub fn no_other_fields(schema: Schema) -> Schema {
    let mut object = schema.into_object();
    object.object().additional_properties = Some(Box::new(Schema::Bool(false)));
    object.into()
}
