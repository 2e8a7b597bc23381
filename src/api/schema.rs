//! JSON schemas for the API's fields, built from the domain's rules so that the published
//! constraints (`minLength`, `maxLength`, `pattern`, `maxItems`) are the enforced ones.

use schemars::gen::SchemaGenerator;
use schemars::schema::{ArrayValidation, InstanceType, Metadata, Schema, SchemaObject};
use serde_json::Value;

use crate::domain::fields::TextRule;
use crate::domain::{offer, user};

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
