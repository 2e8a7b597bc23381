//! The offer form of the pages (new and edit): every field of an offer, read into the same
//! JSON object the API receives and parsed by the same functions (`NewOffer::from_json`,
//! `OfferPatch::from_json`), so the limits and messages are the API's, field for field.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rocket::form::FromForm;
use serde::Serialize;
use serde_json::{Map, Value};

use super::board::view::COUNTRIES_BY_NAME;
use crate::domain::fields::MISSING;
use crate::domain::iso::CURRENCIES;
use crate::domain::lifecycle::PublishingRules;
use crate::domain::offer::{Offer, Skills, MAX_SKILLS};
use crate::domain::posting::{EmploymentType, SalaryPeriod, Workplace, MAX_LOCATIONS};
use crate::domain::{FieldErrors, JsonObject};
use crate::web::paths;

/// Empty location rows the form offers beyond those filled in; "Add another location" brings
/// one more, without JavaScript.
const BLANK_LOCATIONS: usize = 1;
/// Currencies listed first in the form, before the others in code order.
const COMMON_CURRENCIES: &[&str] = &[
    "EUR", "USD", "GBP", "CHF", "CAD", "AUD", "SEK", "PLN", "INR",
];

/// One location row as posted.
#[derive(Debug, Clone, Default, FromForm, Serialize)]
pub struct LocationRow {
    #[field(default = String::new())]
    pub country: String,
    #[field(default = String::new())]
    pub city: String,
    #[field(default = String::new())]
    pub region: String,
    #[field(default = String::new())]
    pub postal_code: String,
}

impl LocationRow {
    fn is_blank(&self) -> bool {
        [&self.country, &self.city, &self.region, &self.postal_code]
            .iter()
            .all(|part| part.trim().is_empty())
    }
}

/// What the offer form posts; every field defaults to empty so that a missing one is reported
/// beside its input like an empty one.
#[derive(Debug, Default, FromForm)]
pub struct OfferForm {
    #[field(default = String::new())]
    pub title: String,
    #[field(default = String::new())]
    pub description: String,
    #[field(default = String::new())]
    pub skills_list: String,
    pub employment_types: Vec<String>,
    #[field(default = String::new())]
    pub workplace: String,
    pub locations: Vec<LocationRow>,
    pub remote_countries: Vec<String>,
    #[field(default = String::new())]
    pub salary_currency: String,
    #[field(default = String::new())]
    pub salary_min: String,
    #[field(default = String::new())]
    pub salary_max: String,
    #[field(default = String::new())]
    pub salary_period: String,
    #[field(default = String::new())]
    pub apply_url: String,
    #[field(default = String::new())]
    pub apply_email: String,
    /// The "take applications here" checkbox (absent when unticked).
    pub apply_native: bool,
    /// `YYYY-MM-DD` (a date input): open until the end of that day, UTC.
    #[field(default = String::new())]
    pub valid_through: String,
    /// Which button: `draft` (save as draft), `publish`, or `save` (keep the status).
    #[field(default = String::new())]
    pub intent: String,
}

/// A typed amount as the JSON number a client would send, or as text when it is none (the
/// parser then says it is not a number). Spaces and commas that group thousands (`85 000`,
/// `85,000`) are dropped; any other comma stays, so that a decimal comma (`12,50`) is refused
/// rather than read as 1250.
fn amount(typed: &str) -> Value {
    let typed = typed.trim().replace(' ', "");
    let typed = match groups_thousands(&typed) {
        true => typed.replace(',', ""),
        false => typed,
    };
    match serde_json::from_str::<serde_json::Number>(&typed) {
        Ok(number) if !typed.starts_with(['+', '-']) => Value::Number(number),
        _ => Value::String(typed),
    }
}

/// `85,000` or `1,250,000.50`: commas between groups of three digits, then any decimals.
fn groups_thousands(typed: &str) -> bool {
    let whole = typed.split('.').next().unwrap_or_default();
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or_default();
    whole.contains(',')
        && (1..=3).contains(&first.len())
        && first.bytes().all(|byte| byte.is_ascii_digit())
        && groups.all(|group| group.len() == 3 && group.bytes().all(|byte| byte.is_ascii_digit()))
}

fn text_or_null(typed: &str) -> Value {
    match typed.trim() {
        "" => Value::Null,
        text => Value::String(text.to_owned()),
    }
}

/// `YYYY-MM-DD` as the end of that day in UTC (RFC 3339), or the text as typed for the parser
/// to refuse.
fn end_of_day(typed: &str) -> Value {
    let typed = typed.trim();
    match NaiveDate::parse_from_str(typed, "%Y-%m-%d") {
        Ok(date) => Value::String(format!("{date}T23:59:59Z")),
        Err(_) => Value::String(typed.to_owned()),
    }
}

/// The last date whose end of day (23:59:59, as `end_of_day` sends it) is not after `latest`.
fn last_whole_day(latest: DateTime<Utc>) -> String {
    date_of(&(latest - chrono::Duration::seconds(86_399)))
}

/// The date a date input shows for `time`.
fn date_of(time: &DateTime<Utc>) -> String {
    time.format("%Y-%m-%d").to_string()
}

impl OfferForm {
    /// Browsers send a textarea's line breaks as CRLF (HTML's form encoding); stored text uses
    /// LF like the API's, and lengths are counted the same way for both.
    pub fn normalized(mut self) -> Self {
        self.description = self.description.replace("\r\n", "\n");
        self.skills_list = self.skills_list.replace("\r\n", "\n");
        self
    }

    /// The body the API would receive for this form. Editing (`stored`), skills left as the
    /// form showed them stay exactly as stored (a skill written through the API may hold a
    /// comma, which typed text cannot express), and an unchanged date keeps its exact time.
    pub fn to_json(&self, stored: Option<&Offer>) -> JsonObject {
        let mut body = Map::new();
        body.insert("title".into(), Value::String(self.title.clone()));
        body.insert(
            "description".into(),
            Value::String(self.description.clone()),
        );
        let skills_kept =
            stored.is_some_and(|offer| Skills::unchanged(&self.skills_list, &offer.skills_list));
        if !skills_kept {
            let skills = Skills::split_typed(&self.skills_list);
            body.insert("skills_list".into(), Value::from(skills));
        }
        body.insert(
            "employment_types".into(),
            Value::from(self.employment_types.clone()),
        );
        body.insert("workplace".into(), text_or_null(&self.workplace));
        let locations: Vec<Value> = self
            .locations
            .iter()
            .filter(|row| !row.is_blank())
            .map(|row| {
                serde_json::json!({
                    "country": row.country.trim(),
                    "city": text_or_null(&row.city),
                    "region": text_or_null(&row.region),
                    "postal_code": text_or_null(&row.postal_code),
                })
            })
            .collect();
        body.insert("locations".into(), Value::Array(locations));
        let remote: Vec<&str> = self
            .remote_countries
            .iter()
            .map(|code| code.trim())
            .filter(|code| !code.is_empty())
            .collect();
        body.insert("remote_countries".into(), Value::from(remote));
        // The period always has a value (a select): a salary is given by its amounts or
        // currency.
        let salary_parts = [&self.salary_currency, &self.salary_min, &self.salary_max];
        let salary = if salary_parts.iter().all(|part| part.trim().is_empty()) {
            Value::Null
        } else {
            let mut salary = Map::new();
            for (name, typed) in [
                ("currency", &self.salary_currency),
                ("period", &self.salary_period),
            ] {
                if !typed.trim().is_empty() {
                    salary.insert(name.into(), Value::String(typed.trim().to_owned()));
                }
            }
            // A single amount is a fixed pay: both ends of the range.
            let (min, max) = match (self.salary_min.trim(), self.salary_max.trim()) {
                ("", "") => ("", ""),
                ("", max) => (max, max),
                (min, "") => (min, min),
                (min, max) => (min, max),
            };
            if !min.is_empty() {
                salary.insert("min".into(), amount(min));
                salary.insert("max".into(), amount(max));
            }
            Value::Object(salary)
        };
        body.insert("salary".into(), salary);
        body.insert("apply_url".into(), text_or_null(&self.apply_url));
        body.insert("apply_email".into(), text_or_null(&self.apply_email));
        body.insert("apply_native".into(), Value::Bool(self.apply_native));
        let stored_date = stored.and_then(|offer| offer.valid_through.as_ref().map(date_of));
        let typed_date = self.valid_through.trim();
        match (typed_date, stored_date.as_deref()) {
            // Emptied: the default again, as the hint says (`null`, as an API client sends).
            ("", Some(_)) => {
                body.insert("valid_through".into(), Value::Null);
            }
            ("", None) => {}
            (typed, stored) if stored != Some(typed) => {
                body.insert("valid_through".into(), end_of_day(typed));
            }
            _ => {}
        }
        match self.intent.as_str() {
            "draft" if stored.is_none() => {
                body.insert("status".into(), Value::from("draft"));
            }
            "publish" => {
                body.insert("status".into(), Value::from("published"));
            }
            _ => {}
        }
        body
    }

    /// The "Add another location" button: the form comes back with one more empty row and
    /// nothing is saved.
    pub fn wants_another_location(&self) -> bool {
        self.intent == "add_location"
    }

    /// What the form shows again after a refused post.
    pub fn values(&self) -> FormValues {
        FormValues {
            title: self.title.clone(),
            description: self.description.clone(),
            skills_list: self.skills_list.clone(),
            employment_types: self.employment_types.clone(),
            workplace: self.workplace.clone(),
            // "Add another location" keeps every row it was sent, so one more appears even
            // when the last was still empty; otherwise the empty rows close up.
            locations: with_blank_rows(
                self.locations
                    .iter()
                    .filter(|row| self.wants_another_location() || !row.is_blank())
                    .cloned()
                    .collect(),
            ),
            remote_countries: self.remote_countries.clone(),
            salary_currency: self.salary_currency.clone(),
            salary_min: self.salary_min.clone(),
            salary_max: self.salary_max.clone(),
            salary_period: self.salary_period.clone(),
            apply_url: self.apply_url.clone(),
            apply_email: self.apply_email.clone(),
            apply_native: self.apply_native,
            valid_through: self.valid_through.clone(),
        }
    }
}

/// `rows` and the empty rows to type into, never more rows than an offer takes locations
/// (`MAX_LOCATIONS`; then the form offers no "Add another location").
fn with_blank_rows(mut rows: Vec<LocationRow>) -> Vec<LocationRow> {
    let room = MAX_LOCATIONS
        .saturating_sub(rows.len())
        .min(BLANK_LOCATIONS);
    rows.extend(std::iter::repeat_n(
        <LocationRow as Default>::default(),
        room,
    ));
    rows
}

/// What the offer form shows in its fields.
#[derive(Debug, Default, Serialize)]
pub struct FormValues {
    pub title: String,
    pub description: String,
    pub skills_list: String,
    pub employment_types: Vec<String>,
    pub workplace: String,
    pub locations: Vec<LocationRow>,
    pub remote_countries: Vec<String>,
    pub salary_currency: String,
    pub salary_min: String,
    pub salary_max: String,
    pub salary_period: String,
    pub apply_url: String,
    pub apply_email: String,
    pub apply_native: bool,
    pub valid_through: String,
}

impl FormValues {
    /// An empty form: one blank location row more than usual, EUR a year preselected.
    pub fn blank() -> Self {
        Self {
            locations: with_blank_rows(vec![<LocationRow as Default>::default()]),
            salary_period: SalaryPeriod::Year.as_str().to_owned(),
            ..Self::default()
        }
    }

    /// The form of a stored offer.
    pub fn of(offer: &Offer) -> Self {
        let details = &offer.details;
        let salary = details.salary.as_ref();
        Self {
            title: offer.title.clone(),
            description: offer.description.clone(),
            skills_list: Skills::typed(&offer.skills_list),
            employment_types: details
                .employment_types
                .names()
                .iter()
                .map(|name| (*name).to_owned())
                .collect(),
            workplace: details
                .workplace
                .map(|workplace| workplace.as_str().to_owned())
                .unwrap_or_default(),
            locations: with_blank_rows(
                details
                    .locations
                    .as_slice()
                    .iter()
                    .map(|location| LocationRow {
                        country: location.country.as_str().to_owned(),
                        city: location.city.clone().unwrap_or_default(),
                        region: location.region.clone().unwrap_or_default(),
                        postal_code: location.postal_code.clone().unwrap_or_default(),
                    })
                    .collect(),
            ),
            remote_countries: details.remote_countries.codes(),
            salary_currency: salary
                .map(|s| s.currency.as_str().to_owned())
                .unwrap_or_default(),
            salary_min: salary.map(|s| s.min.to_plain()).unwrap_or_default(),
            salary_max: salary.map(|s| s.max.to_plain()).unwrap_or_default(),
            salary_period: salary
                .map(|s| s.period.as_str())
                .unwrap_or(SalaryPeriod::Year.as_str())
                .to_owned(),
            apply_url: details
                .apply_url
                .as_ref()
                .map(|url| url.as_str().to_owned())
                .unwrap_or_default(),
            apply_email: details
                .apply_email
                .as_ref()
                .map(|email| email.as_str().to_owned())
                .unwrap_or_default(),
            apply_native: details.apply_native,
            valid_through: offer
                .valid_through
                .as_ref()
                .map(date_of)
                .unwrap_or_default(),
        }
    }
}

/// A choice of a select or a checkbox group.
#[derive(Debug, Serialize)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

/// The choices the form offers, from the domain's lists.
#[derive(Debug, Serialize)]
pub struct Choices {
    pub employment_types: Vec<Choice>,
    pub workplaces: Vec<Choice>,
    pub periods: Vec<Choice>,
    pub countries: Vec<Choice>,
    pub currencies: Vec<Choice>,
}

fn period_label(period: SalaryPeriod) -> &'static str {
    match period {
        SalaryPeriod::Hour => "per hour",
        SalaryPeriod::Day => "per day",
        SalaryPeriod::Week => "per week",
        SalaryPeriod::Month => "per month",
        SalaryPeriod::Year => "per year",
    }
}

impl Choices {
    pub fn of_domain() -> Self {
        let common = COMMON_CURRENCIES
            .iter()
            .filter_map(|code| CURRENCIES.iter().find(|(known, _)| known == code).copied());
        let others = CURRENCIES
            .iter()
            .filter(|(code, _)| !COMMON_CURRENCIES.contains(code))
            .copied();
        Self {
            employment_types: EmploymentType::ALL
                .iter()
                .map(|kind| Choice {
                    value: kind.as_str(),
                    label: kind.label(),
                })
                .collect(),
            workplaces: Workplace::ALL
                .iter()
                .map(|workplace| Choice {
                    value: workplace.as_str(),
                    label: workplace.label(),
                })
                .collect(),
            periods: SalaryPeriod::ALL
                .iter()
                .map(|period| Choice {
                    value: period.as_str(),
                    label: period_label(*period),
                })
                .collect(),
            countries: COUNTRIES_BY_NAME
                .iter()
                .map(|(code, name)| Choice {
                    value: code,
                    label: name,
                })
                .collect(),
            currencies: common
                .chain(others)
                .map(|(code, name)| Choice {
                    value: code,
                    label: name,
                })
                .collect(),
        }
    }
}

/// The new/edit form.
#[derive(Debug, Serialize)]
pub struct FormView {
    heading: &'static str,
    action: String,
    offer_id: Option<i64>,
    offer_title: Option<String>,
    /// The offer's canonical page, when editing one.
    offer_href: Option<String>,
    /// The offer's status when editing (`draft` gets "Save draft" and "Publish").
    status: Option<&'static str>,
    values: FormValues,
    errors: BTreeMap<String, String>,
    choices: Choices,
    /// "Open until" when left empty: this many days after publishing (`offer_default_days`).
    default_days: u32,
    /// The latest date "Open until" takes: the last day whose end (`end_of_day`) the
    /// lifecycle still accepts.
    last_date: String,
}

impl FormView {
    /// The form for a new offer, or for editing `offer`, under the service's publishing rules.
    pub fn new(
        offer: Option<&Offer>,
        values: FormValues,
        errors: &FieldErrors,
        rules: &PublishingRules,
    ) -> Self {
        let (heading, action) = match offer {
            Some(offer) => ("Edit offer", format!("/offers/{}/edit", offer.id)),
            None => ("New offer", paths::MY_OFFERS.to_owned()),
        };
        Self {
            heading,
            action,
            offer_id: offer.map(|offer| offer.id),
            offer_title: offer.map(|offer| offer.title.clone()),
            offer_href: offer.map(|offer| super::paths::offer(offer.id, &offer.title)),
            status: offer.map(|offer| offer.shown_status().as_str()),
            values,
            errors: errors
                .first_per_field()
                .into_iter()
                .map(|(field, problem)| {
                    let worded = for_people(&field, &problem).unwrap_or(problem);
                    (field, worded)
                })
                .collect(),
            choices: Choices::of_domain(),
            default_days: rules.default_days,
            last_date: last_whole_day(rules.latest_valid_through(Utc::now())),
        }
    }
}

/// The form's words for a problem the API words for its clients. The API names a list's item
/// by its JSON index, a part by its key and a list's size as a length ("Item 0: postal_code:
/// …", "Length must be between 0 and 50."); the form counts the skills it was typed and the
/// location rows it shows again from 1, names each part as its label does ("Location 1,
/// postal code: …", "From", "To") and asks for what a select left at "—". `None`: the
/// problem is worded for both.
fn for_people(field: &str, problem: &str) -> Option<String> {
    match (field, problem) {
        ("skills_list", _) if problem.starts_with("Length must be") => {
            return Some(format!("At most {MAX_SKILLS} skills."));
        }
        ("locations", _) if problem.starts_with("Length must be") => {
            return Some(format!("At most {MAX_LOCATIONS} locations."));
        }
        ("salary", "min must not be above max.") => {
            return Some("“From” must not be above “To”.".to_owned());
        }
        ("salary", _) => {
            let (part, detail) = problem.split_once(": ")?;
            return Some(match part {
                "currency" if detail == MISSING => "Choose a currency.".to_owned(),
                "min" => format!("From: {detail}"),
                "max" => format!("To: {detail}"),
                other => format!("{}: {detail}", capitalized(other)),
            });
        }
        _ => {}
    }
    let noun = match field {
        "skills_list" => "Skill",
        "locations" => "Location",
        _ => return None,
    };
    let (index, detail) = problem.strip_prefix("Item ")?.split_once(": ")?;
    let number = index.parse::<usize>().ok()? + 1;
    Some(match detail.split_once(": ") {
        // The form's country is a list: a row without one left it at "—".
        Some(("country", _)) if field == "locations" => {
            format!("{noun} {number}: choose a country.")
        }
        Some((part, detail)) if field == "locations" => {
            format!("{noun} {number}, {}: {detail}", part.replace('_', " "))
        }
        _ => format!("{noun} {number}: {detail}"),
    })
}

/// "Currency" for `currency`.
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::offer::NewOffer;
    use serde_json::json;

    fn form() -> OfferForm {
        OfferForm {
            title: "Backend Engineer".into(),
            description: "Build it".into(),
            skills_list: "rust, sql".into(),
            ..<OfferForm as Default>::default()
        }
    }

    #[test]
    fn list_problems_count_items_from_one_and_name_parts_as_labelled() {
        assert_eq!(
            for_people("locations", "Item 1: postal_code: At most 20 characters.").as_deref(),
            Some("Location 2, postal code: At most 20 characters.")
        );
        assert_eq!(
            for_people("skills_list", "Item 0: Length must be between 1 and 50.").as_deref(),
            Some("Skill 1: Length must be between 1 and 50.")
        );
        assert_eq!(for_people("title", "Item 0: x"), None);
        let worded = |field: &str, problem: &str| for_people(field, problem).unwrap();
        assert_eq!(
            worded(
                "locations",
                "Item 0: country: Not an ISO 3166-1 alpha-2 country code."
            ),
            "Location 1: choose a country."
        );
        assert_eq!(
            worded("skills_list", "Length must be between 0 and 50."),
            "At most 50 skills."
        );
        assert_eq!(
            worded("locations", "Length must be between 0 and 20."),
            "At most 20 locations."
        );
        assert_eq!(
            worded("salary", "currency: Missing data for required field."),
            "Choose a currency."
        );
        assert_eq!(
            worded("salary", "min must not be above max."),
            "“From” must not be above “To”."
        );
        assert_eq!(
            worded("salary", "max: At most two decimals."),
            "To: At most two decimals."
        );
    }

    #[test]
    fn the_form_never_shows_more_rows_than_an_offer_takes_locations() {
        let full = vec![
            LocationRow {
                country: "DE".into(),
                ..<LocationRow as Default>::default()
            };
            MAX_LOCATIONS
        ];
        let adding = OfferForm {
            locations: full,
            intent: "add_location".into(),
            ..form()
        };
        assert_eq!(adding.values().locations.len(), MAX_LOCATIONS);
    }

    #[test]
    fn another_location_adds_a_row_to_those_shown() {
        let berlin = LocationRow {
            country: "DE".into(),
            city: "Berlin".into(),
            ..<LocationRow as Default>::default()
        };
        let shown = vec![berlin, <LocationRow as Default>::default()];
        let adding = OfferForm {
            locations: shown.clone(),
            intent: "add_location".into(),
            ..form()
        };
        assert_eq!(adding.values().locations.len(), 3);
        let refused = OfferForm {
            locations: shown,
            intent: "publish".into(),
            ..form()
        };
        assert_eq!(
            refused.values().locations.len(),
            2,
            "filled rows and one empty"
        );
    }

    #[test]
    fn the_last_day_offered_ends_within_the_latest_date() {
        let at = |time: &str| {
            DateTime::parse_from_rfc3339(time)
                .unwrap()
                .with_timezone(&Utc)
        };
        assert_eq!(last_whole_day(at("2027-12-31T10:00:00Z")), "2027-12-30");
        assert_eq!(last_whole_day(at("2027-12-31T23:59:59Z")), "2027-12-31");
    }

    #[test]
    fn thousands_separators_go_and_a_decimal_comma_is_refused() {
        assert_eq!(amount("85 000"), json!(85000));
        assert_eq!(amount("85,000"), json!(85000));
        assert_eq!(amount("1,250,000.50"), json!(1250000.50));
        assert_eq!(amount("12.50"), json!(12.50));
        // Read as 1250 before: now text, which the salary parser refuses.
        assert_eq!(amount("12,50"), json!("12,50"));
        assert_eq!(amount("1.250,50"), json!("1.250,50"));
        assert_eq!(amount("85,00,000"), json!("85,00,000"));
    }

    #[test]
    fn a_filled_form_reads_as_the_api_body_would() {
        let filled = OfferForm {
            employment_types: vec!["FULL_TIME".into()],
            workplace: "hybrid".into(),
            locations: vec![
                LocationRow {
                    country: "DE".into(),
                    city: "Berlin".into(),
                    ..<LocationRow as Default>::default()
                },
                <LocationRow as Default>::default(),
            ],
            remote_countries: vec!["AT".into()],
            salary_currency: "EUR".into(),
            salary_min: "85,000".into(),
            salary_max: "105000".into(),
            salary_period: "YEAR".into(),
            apply_email: "jobs@example.com".into(),
            valid_through: "2099-01-31".into(),
            intent: "draft".into(),
            ..form()
        };
        let body = filled.to_json(None);
        assert_eq!(
            body["locations"],
            serde_json::json!([{"country": "DE", "city": "Berlin", "region": null, "postal_code": null}])
        );
        assert_eq!(
            body["salary"],
            serde_json::json!({"currency": "EUR", "min": 85000, "max": 105000, "period": "YEAR"})
        );
        assert_eq!(body["valid_through"], "2099-01-31T23:59:59Z");
        assert_eq!(body["status"], "draft");
        assert_eq!(body["apply_url"], Value::Null);
        assert!(NewOffer::from_json(&body).is_ok());
    }

    #[test]
    fn an_empty_salary_is_none_and_one_amount_is_a_fixed_pay() {
        assert_eq!(form().to_json(None)["salary"], Value::Null);
        let period_only = OfferForm {
            salary_period: "YEAR".into(),
            ..form()
        };
        assert_eq!(period_only.to_json(None)["salary"], Value::Null);
        let fixed = OfferForm {
            salary_currency: "USD".into(),
            salary_min: "50".into(),
            salary_period: "HOUR".into(),
            ..form()
        };
        assert_eq!(fixed.to_json(None)["salary"]["max"], 50);
        let typo = OfferForm {
            salary_currency: "USD".into(),
            salary_min: "fifty".into(),
            ..form()
        };
        assert!(NewOffer::from_json(&typo.to_json(None)).is_err());
    }
}
