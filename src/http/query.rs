//! Query parameters as both doors read them. Each is taken as sent, every occurrence kept, and
//! parsed by the domain, so a bad or repeated value is a 400 naming the parameter (never
//! Rocket's generic failure, nor a silently dropped repeat); and query strings written back
//! into links, percent-encoded.

use std::marker::PhantomData;

use rocket::form::{self, DataField, FromForm, ValueField};
use rocket_okapi::gen::OpenApiGenerator;
use rocket_okapi::okapi::openapi3::{Parameter, ParameterValue};
use rocket_okapi::request::OpenApiFromForm;
use schemars::schema::SchemaObject;

use crate::domain::FieldErrors;
use crate::error::AppError;

/// What a parameter's published schema is (the API documents its parameters with it).
pub trait ParamSchema {
    fn name() -> &'static str;
    fn schema() -> SchemaObject;
}

/// A parameter the OpenAPI document does not describe (the pages' parameters).
pub struct Undocumented;

/// A query parameter's raw values, documented by `S`. Every occurrence is kept, so a repeated
/// parameter is refused instead of silently losing all but one.
pub struct Param<'r, S = Undocumented> {
    values: Vec<&'r str>,
    documented_as: PhantomData<fn() -> S>,
}

impl<'r, S> Param<'r, S> {
    /// The value when given once, `None` when absent; a problem when repeated.
    fn single(&self) -> Result<Option<&'r str>, String> {
        match self.values.as_slice() {
            [] => Ok(None),
            [value] => Ok(Some(value)),
            _ => Err("Give this parameter at most once.".to_owned()),
        }
    }
}

/// Each parameter's single value (`None` for a repeated one), and the problem of each
/// repeated one, until `parse` reads them.
pub struct SingleValues<'r, const N: usize> {
    values: [Option<&'r str>; N],
    repeated: FieldErrors,
}

/// Reads each parameter's single value, keeping a problem for every repeated one.
pub fn single_values<'r, const N: usize>(
    params: [(&str, Result<Option<&'r str>, String>); N],
) -> SingleValues<'r, N> {
    let mut repeated = FieldErrors::default();
    let values = params.map(|(name, value)| {
        value
            .map_err(|problem| repeated.add(name, problem))
            .ok()
            .flatten()
    });
    SingleValues { values, repeated }
}

impl<'r, const N: usize> SingleValues<'r, N> {
    /// The single values, `None` for the absent and the repeated.
    pub fn values(&self) -> [Option<&'r str>; N] {
        self.values
    }

    /// The values as `parse` reads them; a `400` naming every repeated parameter and every
    /// problem `parse` found in the others, all at once.
    pub fn parse<T>(
        self,
        parse: impl FnOnce([Option<&'r str>; N]) -> Result<T, FieldErrors>,
    ) -> Result<T, AppError> {
        let mut errors = self.repeated;
        match parse(self.values) {
            Ok(parsed) if errors.is_empty() => Ok(parsed),
            Ok(_) => Err(AppError::InvalidQuery(errors)),
            Err(problems) => {
                errors.merge(problems);
                Err(AppError::InvalidQuery(errors))
            }
        }
    }
}

impl<'r, S> Param<'r, S> {
    /// The first value, whether or not the parameter was repeated.
    pub fn first(&self) -> Option<&'r str> {
        self.values.first().copied()
    }

    /// Whether it was sent empty (or blank), as a form sends a control left unset.
    pub fn is_blank(&self) -> bool {
        self.values.iter().any(|value| value.trim().is_empty())
    }

    /// The name and single value of this parameter, for `single_values`.
    pub fn named(&self, name: &'static str) -> (&'static str, Result<Option<&'r str>, String>) {
        (name, self.single())
    }
}

#[rocket::async_trait]
impl<'r, S: Send> FromForm<'r> for Param<'r, S> {
    type Context = Vec<&'r str>;

    fn init(_options: form::Options) -> Self::Context {
        Vec::new()
    }

    fn push_value(values: &mut Self::Context, field: ValueField<'r>) {
        values.push(field.value);
    }

    async fn push_data(_values: &mut Self::Context, _field: DataField<'r, '_>) {}

    fn finalize(values: Self::Context) -> form::Result<'r, Self> {
        Ok(Self {
            values,
            documented_as: PhantomData,
        })
    }
}

/// A list parameter as an HTML form sends it: one occurrence per ticked box
/// (`workplace=remote&workplace=hybrid`), read as the comma list the domain parses
/// (`remote,hybrid`). Only the pages take lists this way: without script a form cannot join
/// them, while the API's clients write the comma list and a repeat stays a mistake there.
pub struct FormList {
    joined: Option<String>,
    fields: usize,
}

impl FormList {
    /// Every occurrence, comma-joined; `None` when there was none.
    pub fn value(&self) -> Option<&str> {
        self.joined.as_deref()
    }

    /// Sent as a form sends it: in more than one field.
    pub fn is_split(&self) -> bool {
        self.fields > 1
    }
}

#[rocket::async_trait]
impl<'r> FromForm<'r> for FormList {
    type Context = Vec<&'r str>;

    fn init(_options: form::Options) -> Self::Context {
        Vec::new()
    }

    fn push_value(values: &mut Self::Context, field: ValueField<'r>) {
        values.push(field.value);
    }

    async fn push_data(_values: &mut Self::Context, _field: DataField<'r, '_>) {}

    fn finalize(values: Self::Context) -> form::Result<'r, Self> {
        Ok(Self {
            joined: (!values.is_empty()).then(|| values.join(",")),
            fields: values.len(),
        })
    }
}

impl<'r, S: ParamSchema + Send> OpenApiFromForm<'r> for Param<'r, S> {
    fn form_multi_parameter(
        _gen: &mut OpenApiGenerator,
        name: String,
        _required: bool,
    ) -> rocket_okapi::Result<Vec<Parameter>> {
        let schema = S::schema();
        Ok(vec![Parameter {
            name,
            location: "query".to_owned(),
            description: schema.metadata.as_ref().and_then(|m| m.description.clone()),
            required: false,
            deprecated: false,
            allow_empty_value: false,
            value: plain_value(schema),
            extensions: Default::default(),
        }])
    }
}

/// A parameter's or header's value as the OpenAPI document gives it: `schema`, with no style,
/// example or encoding of its own.
pub fn plain_value(schema: SchemaObject) -> ParameterValue {
    ParameterValue::Schema {
        style: None,
        explode: None,
        allow_reserved: false,
        schema,
        example: None,
        examples: None,
    }
}

/// `name=value&…` for the parameters that are set, percent-encoding everything but RFC 3986's
/// unreserved characters.
pub fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    pairs
        .iter()
        .filter_map(|(name, value)| value.map(|value| format!("{name}={}", encode(value))))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::query_string;

    #[test]
    fn only_set_parameters_appear_and_values_are_encoded() {
        assert_eq!(
            query_string(&[
                ("q", Some("c++ & go")),
                ("skills", None),
                ("limit", Some("5"))
            ]),
            "q=c%2B%2B%20%26%20go&limit=5"
        );
    }
}
