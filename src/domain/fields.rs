//! Field-level parsing shared by every JSON body and form: the error messages clients see, and
//! the length/character rules that the OpenAPI schemas publish as constraints.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// A parsed JSON request body: always an object at the top level.
pub type JsonObject = serde_json::Map<String, Value>;

pub const MISSING: &str = "Missing data for required field.";
pub const UNKNOWN: &str = "Unknown field.";
pub const READ_ONLY: &str = "Read-only field: it is set by the server.";
pub const NOT_NULL: &str = "Field may not be null.";
pub const NOT_STRING: &str = "Not a valid string.";
pub const NOT_LIST: &str = "Not a valid list.";
pub const NOT_BOOLEAN: &str = "Not a valid boolean.";
pub const HAS_NUL: &str = "Must not contain NUL characters.";
pub const BLANK: &str = "Must not be blank.";

/// Characters that count as blank: exactly Unicode `White_Space`, which is what `char::is_whitespace`
/// tests. Spelled out so that the OpenAPI `pattern` and this code agree character for character
/// (regex `\s` means different sets in ECMAScript, Python and Rust).
pub const BLANK_CLASS: &str =
    r"\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// Problems per field, serialized as `{"field": ["problem", ...]}`.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, problem: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(problem.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `other`'s problems after this one's, field by field.
    pub fn merge(&mut self, other: FieldErrors) {
        for (field, problems) in other.0 {
            self.0.entry(field).or_default().extend(problems);
        }
    }

    /// The fields with problems, in name order.
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The problems reported for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&[String]> {
        self.0.get(field).map(Vec::as_slice)
    }

    /// The first problem of each field, for forms that show one message beside each input.
    pub fn first_per_field(&self) -> BTreeMap<String, String> {
        self.0
            .iter()
            .filter_map(|(field, problems)| Some((field.clone(), problems.first()?.clone())))
            .collect()
    }
}

/// Why a request body could not become a domain value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// Nothing usable was sent (no body, or nothing to change).
    Empty,
    /// Fields were present but wrong; each problem is named.
    Invalid(FieldErrors),
}

/// Length bounds and blank rule of one text field; the single source for checks and schemas.
#[derive(Debug, Clone, Copy)]
pub struct TextRule {
    pub min_chars: usize,
    pub max_chars: usize,
    pub not_blank: bool,
}

impl TextRule {
    /// Checks `value` against the rule, returning the first problem a person should fix.
    pub fn check(&self, value: &str) -> Result<(), String> {
        // Postgres `text` cannot hold NUL, and no person means to type one.
        if value.contains('\0') {
            return Err(HAS_NUL.to_owned());
        }
        let chars = value.chars().count();
        if chars < self.min_chars || chars > self.max_chars {
            return Err(format!(
                "Length must be between {} and {}.",
                self.min_chars, self.max_chars
            ));
        }
        if self.not_blank && value.chars().all(char::is_whitespace) {
            return Err(BLANK.to_owned());
        }
        Ok(())
    }

    /// The ECMAScript regular expression that accepts exactly the strings `check` accepts
    /// (lengths aside, which are `minLength`/`maxLength`).
    pub fn pattern(&self) -> String {
        if self.not_blank {
            format!(r"^[^\u0000]*[^\u0000{BLANK_CLASS}][^\u0000]*$")
        } else {
            r"^[^\u0000]*$".to_owned()
        }
    }
}

/// Records the problem of one field and hands back its value when it parsed.
pub fn collect<T>(errors: &mut FieldErrors, field: &str, parsed: Result<T, String>) -> Option<T> {
    parsed.map_err(|problem| errors.add(field, problem)).ok()
}

/// Rejects every key not in `writable`, naming read-only ones distinctly so a client that echoes
/// a fetched offer back learns why.
pub fn reject_unexpected(
    object: &JsonObject,
    writable: &[&str],
    read_only: &[&str],
    errors: &mut FieldErrors,
) {
    for key in object.keys() {
        if writable.contains(&key.as_str()) {
            continue;
        }
        let problem = if read_only.contains(&key.as_str()) {
            READ_ONLY
        } else {
            UNKNOWN
        };
        errors.add(key, problem);
    }
}

/// Reads an optional string field; `Ok(None)` when absent.
pub fn optional_string<'a>(object: &'a JsonObject, field: &str) -> Result<Option<&'a str>, String> {
    match object.get(field) {
        None => Ok(None),
        Some(Value::Null) => Err(NOT_NULL.to_owned()),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(NOT_STRING.to_owned()),
    }
}

/// Reads an optional boolean field; `Ok(None)` when absent.
pub fn optional_bool(object: &JsonObject, field: &str) -> Result<Option<bool>, String> {
    match object.get(field) {
        None => Ok(None),
        Some(Value::Null) => Err(NOT_NULL.to_owned()),
        Some(Value::Bool(value)) => Ok(Some(*value)),
        Some(_) => Err(NOT_BOOLEAN.to_owned()),
    }
}

/// Reads a required string field.
pub fn required_string<'a>(object: &'a JsonObject, field: &str) -> Result<&'a str, String> {
    optional_string(object, field)?.ok_or_else(|| MISSING.to_owned())
}

/// Reads a comma list of names of one kind (`draft,closed`, `new,reviewing`): blanks skipped,
/// each kept once in the order given; `None` when it names none. The first name `parse`
/// refuses is the problem.
pub fn comma_list<T: PartialEq>(
    raw: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<Vec<T>>, String> {
    let mut items = Vec::new();
    for name in raw
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let item = parse(name)?;
        if !items.contains(&item) {
            items.push(item);
        }
    }
    Ok((!items.is_empty()).then_some(items))
}

/// Reads an optional list of strings; `Ok(None)` when absent. Element problems name the index.
pub fn optional_string_list(
    object: &JsonObject,
    field: &str,
) -> Result<Option<Vec<String>>, String> {
    match object.get(field) {
        None => Ok(None),
        Some(Value::Null) => Err(NOT_NULL.to_owned()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| match item {
                Value::String(text) => Ok(text.clone()),
                _ => Err(format!("Item {index}: {NOT_STRING}")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(NOT_LIST.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TITLE_LIKE: TextRule = TextRule {
        min_chars: 1,
        max_chars: 5,
        not_blank: true,
    };

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert!(TITLE_LIKE.check("ééééé").is_ok());
        assert!(TITLE_LIKE.check("éééééé").is_err());
    }

    #[test]
    fn blank_and_nul_are_rejected_with_their_own_messages() {
        assert_eq!(TITLE_LIKE.check(" \u{3000}\t").unwrap_err(), BLANK);
        assert_eq!(TITLE_LIKE.check("a\0b").unwrap_err(), HAS_NUL);
        assert_eq!(
            TITLE_LIKE.check("").unwrap_err(),
            "Length must be between 1 and 5."
        );
    }

    #[test]
    fn unexpected_keys_are_named_and_read_only_ones_explained() {
        let object = json!({"title": "x", "id": 3, "titel": "typo"});
        let mut errors = FieldErrors::default();
        reject_unexpected(
            object.as_object().unwrap(),
            &["title"],
            &["id"],
            &mut errors,
        );
        assert_eq!(errors.get("id").unwrap(), [READ_ONLY]);
        assert_eq!(errors.get("titel").unwrap(), [UNKNOWN]);
        assert!(errors.get("title").is_none());
    }

    #[test]
    fn wrong_types_are_reported() {
        let object = json!({"a": 1, "b": null, "c": ["x", 2], "d": "s"});
        let object = object.as_object().unwrap();
        assert_eq!(required_string(object, "a").unwrap_err(), NOT_STRING);
        assert_eq!(required_string(object, "b").unwrap_err(), NOT_NULL);
        assert_eq!(required_string(object, "zz").unwrap_err(), MISSING);
        assert_eq!(
            optional_string_list(object, "c").unwrap_err(),
            "Item 1: Not a valid string."
        );
        assert_eq!(optional_string_list(object, "d").unwrap_err(), NOT_LIST);
        assert_eq!(optional_bool(object, "d").unwrap_err(), NOT_BOOLEAN);
        assert_eq!(optional_bool(object, "b").unwrap_err(), NOT_NULL);
        assert_eq!(optional_bool(object, "zz"), Ok(None));
        let flag = json!({"on": true});
        assert_eq!(
            optional_bool(flag.as_object().unwrap(), "on"),
            Ok(Some(true))
        );
    }
}
