//! Job offers as clients write them: titles, descriptions, skills, the details of contract v2
//! (`posting`), and partial updates. What a write does to an offer's lifecycle is decided in
//! `lifecycle`.

use chrono::{DateTime, Utc};

use super::fields::{
    collect, optional_bool, optional_string, optional_string_list, reject_unexpected,
    required_string, FieldErrors, InputError, JsonObject, TextRule,
};
use super::posting::{
    nullable, parse_timestamp, string_items, CloseReason, EmailAddress, EmploymentTypes, Locations,
    OfferStatus, RemoteCountries, Salary, ShownStatus, WebAddress, Workplace,
};

pub const TITLE: TextRule = TextRule {
    min_chars: 1,
    max_chars: 200,
    not_blank: true,
};
pub const DESCRIPTION: TextRule = TextRule {
    min_chars: 1,
    max_chars: 10_000,
    not_blank: false,
};
pub const SKILL: TextRule = TextRule {
    min_chars: 1,
    max_chars: 50,
    not_blank: false,
};
/// At most this many skills per offer.
pub const MAX_SKILLS: usize = 50;

/// A stored offer, as every reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub id: i64,
    pub user_id: i64,
    pub title: String,
    pub description: String,
    pub skills_list: Vec<String>,
    pub creation_date: DateTime<Utc>,
    pub modification_date: DateTime<Utc>,
    pub status: OfferStatus,
    /// Published, and `valid_through` had passed by the database's clock when it was read.
    pub expired: bool,
    pub close_reason: Option<CloseReason>,
    pub first_published_at: Option<DateTime<Utc>>,
    pub valid_through: Option<DateTime<Utc>>,
    pub details: Details,
}

impl Offer {
    /// The status readers see: `expired` for a published offer past its date.
    pub fn shown_status(&self) -> ShownStatus {
        ShownStatus::of(self.status, self.expired)
    }

    /// Published and not expired: on the board, and taking applications.
    pub fn is_open(&self) -> bool {
        self.shown_status() == ShownStatus::Published
    }

    /// Open and taking applications here (`apply_native`): where the application form shows
    /// and a submit is accepted (the submit checks it again on the row it locks).
    pub fn takes_applications(&self) -> bool {
        self.is_open() && self.details.apply_native
    }
}

/// What a candidate acts on besides the text: contract type, place, pay, where to apply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Details {
    pub employment_types: EmploymentTypes,
    pub workplace: Option<Workplace>,
    pub locations: Locations,
    pub remote_countries: RemoteCountries,
    pub salary: Option<Salary>,
    pub apply_url: Option<WebAddress>,
    pub apply_email: Option<EmailAddress>,
    /// Candidates may apply here, through the offer's own application form.
    pub apply_native: bool,
}

/// A change to some of the details; `Some(None)` clears a field that may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DetailsPatch {
    pub employment_types: Option<EmploymentTypes>,
    pub workplace: Option<Option<Workplace>>,
    pub locations: Option<Locations>,
    pub remote_countries: Option<RemoteCountries>,
    pub salary: Option<Option<Salary>>,
    pub apply_url: Option<Option<WebAddress>>,
    pub apply_email: Option<Option<EmailAddress>>,
    pub apply_native: Option<bool>,
}

impl DetailsPatch {
    /// Reads every detail field present in `object`, recording problems in `errors`.
    fn from_json(object: &JsonObject, errors: &mut FieldErrors) -> Self {
        let list = |field: &str| object.get(field).map(string_items);
        Self {
            employment_types: collect(
                errors,
                "employment_types",
                list("employment_types")
                    .transpose()
                    .and_then(|items| items.map(EmploymentTypes::parse).transpose()),
            )
            .flatten(),
            workplace: collect(
                errors,
                "workplace",
                nullable(object, "workplace", Workplace::parse),
            )
            .flatten(),
            locations: collect(
                errors,
                "locations",
                object
                    .get("locations")
                    .map(Locations::from_json)
                    .transpose(),
            )
            .flatten(),
            remote_countries: collect(
                errors,
                "remote_countries",
                list("remote_countries")
                    .transpose()
                    .and_then(|items| items.map(RemoteCountries::parse).transpose()),
            )
            .flatten(),
            salary: collect(
                errors,
                "salary",
                object.get("salary").map(Salary::from_json).transpose(),
            )
            .flatten(),
            apply_url: collect(
                errors,
                "apply_url",
                nullable(object, "apply_url", WebAddress::parse),
            )
            .flatten(),
            apply_email: collect(
                errors,
                "apply_email",
                nullable(object, "apply_email", EmailAddress::parse),
            )
            .flatten(),
            apply_native: collect(
                errors,
                "apply_native",
                optional_bool(object, "apply_native"),
            )
            .flatten(),
        }
    }

    /// The details after this change.
    pub fn applied_to(&self, details: &Details) -> Details {
        Details {
            employment_types: self
                .employment_types
                .clone()
                .unwrap_or_else(|| details.employment_types.clone()),
            workplace: self.workplace.unwrap_or(details.workplace),
            locations: self
                .locations
                .clone()
                .unwrap_or_else(|| details.locations.clone()),
            remote_countries: self
                .remote_countries
                .clone()
                .unwrap_or_else(|| details.remote_countries.clone()),
            salary: self
                .salary
                .clone()
                .unwrap_or_else(|| details.salary.clone()),
            apply_url: self
                .apply_url
                .clone()
                .unwrap_or_else(|| details.apply_url.clone()),
            apply_email: self
                .apply_email
                .clone()
                .unwrap_or_else(|| details.apply_email.clone()),
            apply_native: self.apply_native.unwrap_or(details.apply_native),
        }
    }

    fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The lifecycle fields a write may send: the status wanted, why it closes, until when it is
/// open. `status` is read as shown (so that asking for `expired` is a refused transition,
/// not an unknown value).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LifecyclePatch {
    pub status: Option<ShownStatus>,
    pub close_reason: Option<Option<CloseReason>>,
    pub valid_through: Option<Option<DateTime<Utc>>>,
}

impl LifecyclePatch {
    fn from_json(object: &JsonObject, errors: &mut FieldErrors) -> Self {
        Self {
            status: collect(
                errors,
                "status",
                optional_string(object, "status")
                    .and_then(|status| status.map(ShownStatus::parse).transpose()),
            )
            .flatten(),
            close_reason: collect(
                errors,
                "close_reason",
                nullable(object, "close_reason", CloseReason::parse),
            )
            .flatten(),
            valid_through: collect(
                errors,
                "valid_through",
                nullable(object, "valid_through", parse_timestamp),
            )
            .flatten(),
        }
    }
}

const WRITABLE: &[&str] = &[
    "title",
    "description",
    "skills_list",
    "status",
    "close_reason",
    "valid_through",
    "employment_types",
    "workplace",
    "locations",
    "remote_countries",
    "salary",
    "apply_url",
    "apply_email",
    "apply_native",
];
const READ_ONLY: &[&str] = &[
    "id",
    "creation_date",
    "modification_date",
    "first_published_at",
];

/// A title of 1–200 characters that is not only whitespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferTitle(String);

impl OfferTitle {
    pub fn parse(value: &str) -> Result<Self, String> {
        TITLE.check(value).map(|()| Self(value.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A description of 1–10 000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferDescription(String);

impl OfferDescription {
    pub fn parse(value: &str) -> Result<Self, String> {
        DESCRIPTION.check(value).map(|()| Self(value.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Up to 50 skills of 1–50 characters each, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Skills(Vec<String>);

impl Skills {
    pub fn parse(values: Vec<String>) -> Result<Self, String> {
        if values.len() > MAX_SKILLS {
            return Err(format!("Length must be between 0 and {MAX_SKILLS}."));
        }
        for (index, skill) in values.iter().enumerate() {
            SKILL
                .check(skill)
                .map_err(|problem| format!("Item {index}: {problem}"))?;
        }
        Ok(Self(values))
    }

    /// Splits skills typed by a person: separated by commas or line breaks, surrounding
    /// spaces and empty entries dropped.
    pub fn split_typed(text: &str) -> Vec<String> {
        split_typed(text)
    }

    /// The text a form shows for stored skills, in the form `split_typed` reads.
    pub fn typed(skills: &[String]) -> String {
        skills.join(", ")
    }

    /// Whether `typed` is what the form showed for `stored`, unchanged: then the stored skills
    /// stay exactly as they are (a skill written through the API may itself hold a comma,
    /// which typed text cannot express).
    pub fn unchanged(typed: &str, stored: &[String]) -> bool {
        split_typed(typed) == split_typed(&Self::typed(stored))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// Everything needed to create an offer: its text, its details, and the lifecycle fields sent
/// (a create is a patch of an offer that does not exist yet, `lifecycle::create` decides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOffer {
    pub title: OfferTitle,
    pub description: OfferDescription,
    pub skills: Skills,
    pub details: Details,
    pub lifecycle: LifecyclePatch,
}

impl NewOffer {
    /// Parses a create body: title and description required, skills_list optional (empty).
    pub fn from_json(object: &JsonObject) -> Result<Self, InputError> {
        let mut errors = FieldErrors::default();
        reject_unexpected(object, WRITABLE, READ_ONLY, &mut errors);
        let title = collect(
            &mut errors,
            "title",
            required_string(object, "title").and_then(OfferTitle::parse),
        );
        let description = collect(
            &mut errors,
            "description",
            required_string(object, "description").and_then(OfferDescription::parse),
        );
        let skills = collect(
            &mut errors,
            "skills_list",
            optional_string_list(object, "skills_list")
                .and_then(|list| Skills::parse(list.unwrap_or_default())),
        );
        let details = DetailsPatch::from_json(object, &mut errors).applied_to(&Details::default());
        let lifecycle = LifecyclePatch::from_json(object, &mut errors);
        match (title, description, skills) {
            (Some(title), Some(description), Some(skills)) if errors.is_empty() => Ok(Self {
                title,
                description,
                skills,
                details,
                lifecycle,
            }),
            _ => Err(InputError::Invalid(errors)),
        }
    }
}

/// A partial update: only the fields present change. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferPatch {
    pub title: Option<OfferTitle>,
    pub description: Option<OfferDescription>,
    pub skills: Option<Skills>,
    pub details: DetailsPatch,
    pub lifecycle: LifecyclePatch,
}

impl OfferPatch {
    /// Parses an update body; `{}` is `InputError::Empty` since it would change nothing.
    pub fn from_json(object: &JsonObject) -> Result<Self, InputError> {
        if object.is_empty() {
            return Err(InputError::Empty);
        }
        let mut errors = FieldErrors::default();
        reject_unexpected(object, WRITABLE, READ_ONLY, &mut errors);
        let title = collect(
            &mut errors,
            "title",
            optional_string(object, "title").and_then(|v| v.map(OfferTitle::parse).transpose()),
        );
        let description = collect(
            &mut errors,
            "description",
            optional_string(object, "description")
                .and_then(|v| v.map(OfferDescription::parse).transpose()),
        );
        let skills = collect(
            &mut errors,
            "skills_list",
            optional_string_list(object, "skills_list")
                .and_then(|v| v.map(Skills::parse).transpose()),
        );
        let details = DetailsPatch::from_json(object, &mut errors);
        let lifecycle = LifecyclePatch::from_json(object, &mut errors);
        if !errors.is_empty() {
            return Err(InputError::Invalid(errors));
        }
        Ok(Self {
            title: title.flatten(),
            description: description.flatten(),
            skills: skills.flatten(),
            details,
            lifecycle,
        })
    }

    /// Whether the patch changes only the lifecycle (publish, close, reopen).
    pub fn only_lifecycle(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.skills.is_none()
            && self.details.is_empty()
    }
}

/// Splits typed skills on commas and line breaks, dropping surrounding spaces and empty entries.
fn split_typed(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|skill| !skill.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fields::{MISSING, READ_ONLY as READ_ONLY_MESSAGE, UNKNOWN};
    use serde_json::{json, Value};

    fn object(value: Value) -> JsonObject {
        value.as_object().unwrap().clone()
    }

    fn invalid(result: Result<impl std::fmt::Debug, InputError>) -> FieldErrors {
        match result {
            Err(InputError::Invalid(errors)) => errors,
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_offer_parses_and_keeps_skill_order() {
        let offer = NewOffer::from_json(&object(json!({
            "title": "Backend Engineer", "description": "Build a RESTful API",
            "skills_list": ["python", "flask", "DevOps"]
        })))
        .unwrap();
        assert_eq!(offer.title.as_str(), "Backend Engineer");
        assert_eq!(offer.skills.as_slice(), ["python", "flask", "DevOps"]);
    }

    #[test]
    fn skills_are_optional_on_create() {
        let offer =
            NewOffer::from_json(&object(json!({"title": "t", "description": "d"}))).unwrap();
        assert!(offer.skills.as_slice().is_empty());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errors = invalid(NewOffer::from_json(&object(json!({
            "description": "", "skills_list": ["ok", ""], "id": 4, "bonus": 1
        }))));
        assert_eq!(errors.get("title").unwrap(), [MISSING]);
        assert_eq!(
            errors.get("description").unwrap(),
            ["Length must be between 1 and 10000."]
        );
        assert_eq!(
            errors.get("skills_list").unwrap(),
            ["Item 1: Length must be between 1 and 50."]
        );
        assert_eq!(errors.get("id").unwrap(), [READ_ONLY_MESSAGE]);
        assert_eq!(errors.get("bonus").unwrap(), [UNKNOWN]);
    }

    #[test]
    fn titles_at_the_limits() {
        assert!(OfferTitle::parse(&"x".repeat(200)).is_ok());
        assert!(OfferTitle::parse(&"x".repeat(201)).is_err());
        assert!(OfferTitle::parse("   ").is_err());
    }

    #[test]
    fn more_than_fifty_skills_are_refused() {
        assert!(Skills::parse(vec!["s".into(); 50]).is_ok());
        assert_eq!(
            Skills::parse(vec!["s".into(); 51]).unwrap_err(),
            "Length must be between 0 and 50."
        );
    }

    #[test]
    fn typed_skills_split_on_commas_and_lines_and_untouched_ones_are_kept() {
        assert_eq!(
            Skills::split_typed("rust, c++ ,\nnode.js\n\n, "),
            ["rust", "c++", "node.js"]
        );
        let stored = vec!["CI/CD, GitOps".to_owned(), "rust".to_owned()];
        let shown = Skills::typed(&stored);
        assert!(Skills::unchanged(&shown.replace(", ", ",\n"), &stored));
        assert!(!Skills::unchanged("rust, sql", &stored));
    }

    #[test]
    fn an_empty_patch_is_empty_input() {
        assert_eq!(
            OfferPatch::from_json(&JsonObject::new()),
            Err(InputError::Empty)
        );
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let patch = OfferPatch::from_json(&object(json!({"title": "DevOps Engineer"}))).unwrap();
        assert_eq!(patch.title.unwrap().as_str(), "DevOps Engineer");
        assert!(patch.description.is_none() && patch.skills.is_none());
    }

    #[test]
    fn a_patch_refuses_nulls_and_read_only_fields() {
        let errors = invalid(OfferPatch::from_json(&object(
            json!({"title": null, "creation_date": "2020-01-01"}),
        )));
        assert!(errors.get("title").is_some());
        assert!(errors.get("creation_date").is_some());
    }
}
