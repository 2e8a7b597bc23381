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

    /// The application id, or `404 application not found <raw>`.
    pub fn application(&self) -> Result<i64, AppError> {
        self.value
            .ok_or_else(|| AppError::NotFound(Missing::Application(self.raw.to_owned())))
    }

    /// The webhook id, or `404 webhook not found <raw>`.
    pub fn webhook(&self) -> Result<i64, AppError> {
        self.value
            .ok_or_else(|| AppError::NotFound(Missing::Webhook(self.raw.to_owned())))
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

/// The names of the static routes beside `/users/<user_id>` (`POST /users/login`,
/// `POST /users/register`).
const STATIC_USER_SEGMENTS: &[&str] = &["login", "register"];

/// The `<user_id>` of `/users/<user_id>` itself, where the segment may also be one of the
/// static routes beside it: those names forward, so that `GET /users/login` is answered as that
/// route's `405` (with `Allow: POST`) rather than "user not found login". Any other segment is
/// a `PathId`.
pub struct UserPathId<'a>(PathId<'a>);

impl<'a> std::ops::Deref for UserPathId<'a> {
    type Target = PathId<'a>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'a> FromParam<'a> for UserPathId<'a> {
    type Error = &'a str;

    fn from_param(raw: &'a str) -> Result<Self, Self::Error> {
        if STATIC_USER_SEGMENTS.contains(&raw) {
            return Err(raw);
        }
        let Ok(id) = PathId::from_param(raw);
        Ok(Self(id))
    }
}

impl JsonSchema for UserPathId<'_> {
    fn schema_name() -> String {
        PathId::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        PathId::schema_id()
    }

    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        PathId::json_schema(gen)
    }
}
