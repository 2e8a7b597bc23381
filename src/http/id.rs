//! `PathId`: an id segment of an address, read by the domain's rule, kept as written so that a
//! 404 can name what was asked for.

use std::borrow::Cow;
use std::convert::Infallible;

use rocket::request::FromParam;
use schemars::gen::SchemaGenerator;
use schemars::schema::{InstanceType, Schema, SchemaObject};
use schemars::JsonSchema;

use crate::domain::parse_id;
use crate::error::{AppError, Missing};

/// A path id that must be a canonical positive 64-bit integer; anything else is the caller's
/// 404. Always succeeds as a guard, so the handler answers in its door's format.
pub struct PathId<'a> {
    raw: &'a str,
    value: Option<i64>,
}

impl PathId<'_> {
    /// The user id, or `404 user not found <raw>`.
    pub fn user(&self) -> Result<i64, AppError> {
        self.value
            .ok_or_else(|| AppError::NotFound(Missing::User(self.raw.to_owned())))
    }

    /// The offer id, or `404 offer not found <raw>`.
    pub fn offer(&self) -> Result<i64, AppError> {
        self.value
            .ok_or_else(|| AppError::NotFound(Missing::Offer(self.raw.to_owned())))
    }
}

impl<'a> FromParam<'a> for PathId<'a> {
    type Error = Infallible;

    fn from_param(raw: &'a str) -> Result<Self, Self::Error> {
        Ok(Self {
            raw,
            value: parse_id(raw),
        })
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
