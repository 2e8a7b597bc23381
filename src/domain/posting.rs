//! What makes an offer something a candidate can act on (contract v2): its lifecycle, how long
//! it stays open, where and how the work is done, what it pays and where to apply. Each value
//! is parsed once into a type that cannot hold anything else; the API's JSON and the pages'
//! forms go through the same `parse` functions.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::fields::{JsonObject, NOT_LIST, NOT_NULL, NOT_STRING, UNKNOWN};
use super::iso::{COUNTRIES, CURRENCIES};

/// Defines an enum whose values travel as fixed strings (JSON, forms, PostgreSQL enums).
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the order the contract lists them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// The value spelled exactly as published; the message lists the choices.
            pub fn parse(raw: &str) -> Result<Self, String> {
                match raw {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(format!(
                        concat!("Must be one of ", $what, ": {}."),
                        Self::ALL.iter().map(|value| value.as_str()).collect::<Vec<_>>().join(", ")
                    )),
                }
            }

            /// Every value as text, for schemas and form choices.
            pub fn names() -> Vec<&'static str> {
                Self::ALL.iter().map(|value| value.as_str()).collect()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// Where an offer is in its life, as stored. `expired` is never stored: it is a published
    /// offer whose `valid_through` has passed, decided when read (`Shown::Expired`).
    OfferStatus, "the statuses", {
        Draft => "draft",
        Published => "published",
        Closed => "closed",
    }
);

text_enum!(
    /// An offer's status as readers see it: its stored status, with `expired` for a published
    /// offer past its `valid_through`.
    ShownStatus, "the statuses", {
        Draft => "draft",
        Published => "published",
        Expired => "expired",
        Closed => "closed",
    }
);

text_enum!(
    /// Why a closed offer was closed.
    CloseReason, "the reasons", {
        Filled => "filled",
        Withdrawn => "withdrawn",
    }
);

text_enum!(
    /// Where the work is done.
    Workplace, "the workplaces", {
        OnSite => "on_site",
        Hybrid => "hybrid",
        Remote => "remote",
    }
);

text_enum!(
    /// schema.org's `employmentType` values, exactly.
    EmploymentType, "the employment types", {
        FullTime => "FULL_TIME",
        PartTime => "PART_TIME",
        Contractor => "CONTRACTOR",
        Temporary => "TEMPORARY",
        Intern => "INTERN",
        Volunteer => "VOLUNTEER",
        PerDiem => "PER_DIEM",
        Other => "OTHER",
    }
);

text_enum!(
    /// What a salary amount is paid per.
    SalaryPeriod, "the periods", {
        Hour => "HOUR",
        Day => "DAY",
        Week => "WEEK",
        Month => "MONTH",
        Year => "YEAR",
    }
);

impl SalaryPeriod {
    /// How many of this period make a year, for comparing pay across periods: a 40-hour week,
    /// 260 working days, 52 weeks, 12 months.
    pub fn per_year(self) -> i64 {
        match self {
            Self::Hour => 2080,
            Self::Day => 260,
            Self::Week => 52,
            Self::Month => 12,
            Self::Year => 1,
        }
    }
}

impl Workplace {
    /// The workplace as people read it ("On-site").
    pub fn label(self) -> &'static str {
        match self {
            Self::OnSite => "On-site",
            Self::Hybrid => "Hybrid",
            Self::Remote => "Remote",
        }
    }
}

impl EmploymentType {
    /// The employment type as people read it ("Full-time").
    pub fn label(self) -> &'static str {
        match self {
            Self::FullTime => "Full-time",
            Self::PartTime => "Part-time",
            Self::Contractor => "Contractor",
            Self::Temporary => "Temporary",
            Self::Intern => "Internship",
            Self::Volunteer => "Volunteer",
            Self::PerDiem => "Per diem",
            Self::Other => "Other",
        }
    }
}

impl ShownStatus {
    /// What readers see of a stored status.
    pub fn of(status: OfferStatus, expired: bool) -> Self {
        match status {
            OfferStatus::Draft => Self::Draft,
            OfferStatus::Published if expired => Self::Expired,
            OfferStatus::Published => Self::Published,
            OfferStatus::Closed => Self::Closed,
        }
    }
}

pub const MAX_EMPLOYMENT_TYPES: usize = 8;
pub const MAX_LOCATIONS: usize = 20;
pub const MAX_CITY_CHARS: usize = 100;
pub const MAX_REGION_CHARS: usize = 100;
pub const MAX_POSTAL_CODE_CHARS: usize = 20;
pub const MAX_APPLY_URL_CHARS: usize = 2000;
pub const MAX_APPLY_EMAIL_CHARS: usize = 254;
/// The largest amount PostgreSQL's `numeric(14, 2)` column holds, in cents.
pub const MAX_AMOUNT_CENTS: i64 = 99_999_999_999_999;

/// 0–8 distinct employment types, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmploymentTypes(Vec<EmploymentType>);

impl EmploymentTypes {
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut types: Vec<EmploymentType> = Vec::new();
        for (index, value) in values.into_iter().enumerate() {
            let parsed = EmploymentType::parse(value)
                .map_err(|problem| format!("Item {index}: {problem}"))?;
            if types.contains(&parsed) {
                return Err(format!("Item {index}: {value} is listed twice."));
            }
            types.push(parsed);
        }
        if types.len() > MAX_EMPLOYMENT_TYPES {
            return Err(format!(
                "Length must be between 0 and {MAX_EMPLOYMENT_TYPES}."
            ));
        }
        Ok(Self(types))
    }

    pub fn from_stored(values: &[String]) -> Self {
        Self(
            values
                .iter()
                .filter_map(|value| EmploymentType::parse(value).ok())
                .collect(),
        )
    }

    pub fn as_slice(&self) -> &[EmploymentType] {
        &self.0
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|value| value.as_str()).collect()
    }
}

/// An ISO 3166-1 alpha-2 code of a real country, upper case (any case accepted).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country(String);

impl Country {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.to_ascii_uppercase();
        match COUNTRIES.binary_search_by(|(known, _)| known.cmp(&code.as_str())) {
            Ok(_) => Ok(Self(code)),
            Err(_) => Err("Not an ISO 3166-1 alpha-2 country code.".to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country's English short name ("Germany").
    pub fn name(&self) -> &'static str {
        country_name(&self.0).unwrap_or("")
    }
}

/// The English short name of the country `code`, if it is one.
pub fn country_name(code: &str) -> Option<&'static str> {
    COUNTRIES
        .binary_search_by(|(known, _)| known.cmp(&code))
        .ok()
        .map(|index| COUNTRIES[index].1)
}

/// An ISO 4217 code of a currency people are paid in, upper case (any case accepted).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Currency(String);

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.to_ascii_uppercase();
        match CURRENCIES.binary_search_by(|(known, _)| known.cmp(&code.as_str())) {
            Ok(_) => Ok(Self(code)),
            Err(_) => Err("Not an ISO 4217 currency code.".to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where the work is: a country, and optionally a city, region and postal code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub country: Country,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
}

const LOCATION_FIELDS: &[&str] = &["city", "region", "country", "postal_code"];

/// An optional text of at most `max` characters: absent, `null` and `""` all mean "not given".
fn optional_text(value: Option<&Value>, max: usize) -> Result<Option<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => optional_typed(text, max),
        Some(_) => Err(NOT_STRING.to_owned()),
    }
}

/// An optional text typed in a form: empty (after trimming) means "not given".
pub fn optional_typed(text: &str, max: usize) -> Result<Option<String>, String> {
    if text.contains('\0') {
        return Err(super::fields::HAS_NUL.to_owned());
    }
    let text = text.trim();
    if text.chars().count() > max {
        return Err(format!("At most {max} characters."));
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

impl Location {
    /// One location from its parts as typed (a form) or sent (JSON strings).
    pub fn from_parts(
        country: &str,
        city: Option<&str>,
        region: Option<&str>,
        postal_code: Option<&str>,
    ) -> Result<Self, String> {
        let country =
            Country::parse(country.trim()).map_err(|problem| format!("country: {problem}"))?;
        let part = |value: Option<&str>, max: usize, name: &str| {
            optional_typed(value.unwrap_or(""), max).map_err(|problem| format!("{name}: {problem}"))
        };
        Ok(Self {
            country,
            city: part(city, MAX_CITY_CHARS, "city")?,
            region: part(region, MAX_REGION_CHARS, "region")?,
            postal_code: part(postal_code, MAX_POSTAL_CODE_CHARS, "postal_code")?,
        })
    }

    fn from_json(value: &Value) -> Result<Self, String> {
        let Value::Object(object) = value else {
            return Err("Not a valid location object.".to_owned());
        };
        if let Some(unknown) = object
            .keys()
            .find(|key| !LOCATION_FIELDS.contains(&key.as_str()))
        {
            return Err(format!("{unknown}: {UNKNOWN}"));
        }
        let country = match object.get("country") {
            Some(Value::String(code)) => code,
            None | Some(Value::Null) => {
                return Err(format!("country: {}", super::fields::MISSING));
            }
            Some(_) => return Err(format!("country: {NOT_STRING}")),
        };
        let part = |name: &str, max: usize| {
            optional_text(object.get(name), max).map_err(|problem| format!("{name}: {problem}"))
        };
        let (city, region, postal_code) = (
            part("city", MAX_CITY_CHARS)?,
            part("region", MAX_REGION_CHARS)?,
            part("postal_code", MAX_POSTAL_CODE_CHARS)?,
        );
        Ok(Self {
            country: Country::parse(country).map_err(|problem| format!("country: {problem}"))?,
            city,
            region,
            postal_code,
        })
    }

    /// The JSON form: every key present, `null` when not given.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "city": self.city, "region": self.region,
            "country": self.country.as_str(), "postal_code": self.postal_code,
        })
    }

    /// Every part given, as an address line: "10115 Berlin, Germany", "Munich, Bavaria,
    /// Germany", "75001, Île-de-France, France". A region that repeats the city is said once.
    pub fn address(&self) -> String {
        let locality = [&self.postal_code, &self.city]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        let region = self.region.as_deref().filter(|region| {
            self.city.as_deref().map(str::to_lowercase) != Some(region.to_lowercase())
        });
        [Some(locality.as_str()), region, Some(self.country.name())]
            .into_iter()
            .flatten()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// "Berlin, Germany", "Bavaria, Germany" or "Germany".
    pub fn label(&self) -> String {
        let place = self.city.as_ref().or(self.region.as_ref());
        match place {
            Some(place) => format!("{place}, {}", self.country.name()),
            None => self.country.name().to_owned(),
        }
    }
}

/// 0–20 locations, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Locations(Vec<Location>);

impl Locations {
    pub fn new(locations: Vec<Location>) -> Result<Self, String> {
        if locations.len() > MAX_LOCATIONS {
            return Err(format!("Length must be between 0 and {MAX_LOCATIONS}."));
        }
        Ok(Self(locations))
    }

    pub fn from_json(value: &Value) -> Result<Self, String> {
        let Value::Array(items) = value else {
            return Err(if value.is_null() { NOT_NULL } else { NOT_LIST }.to_owned());
        };
        let locations = items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                Location::from_json(item).map_err(|problem| format!("Item {index}: {problem}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(locations)
    }

    /// Reads the stored JSON (written by `to_json`); anything unreadable is left out.
    pub fn from_stored(value: &Value) -> Self {
        match value {
            Value::Array(items) => Self(
                items
                    .iter()
                    .filter_map(|item| Location::from_json(item).ok())
                    .collect(),
            ),
            _ => Self::default(),
        }
    }

    pub fn as_slice(&self) -> &[Location] {
        &self.0
    }

    pub fn to_json(&self) -> Value {
        Value::Array(self.0.iter().map(Location::to_json).collect())
    }
}

/// Countries where remote candidates may live, each once, in the order given; empty means
/// anywhere.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteCountries(Vec<Country>);

impl RemoteCountries {
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut countries: Vec<Country> = Vec::new();
        for (index, value) in values.into_iter().enumerate() {
            let country =
                Country::parse(value).map_err(|problem| format!("Item {index}: {problem}"))?;
            if !countries.contains(&country) {
                countries.push(country);
            }
        }
        Ok(Self(countries))
    }

    pub fn from_stored(values: &[String]) -> Self {
        Self(
            values
                .iter()
                .filter_map(|value| Country::parse(value).ok())
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_slice(&self) -> &[Country] {
        &self.0
    }

    pub fn codes(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|country| country.as_str().to_owned())
            .collect()
    }
}

/// A positive amount of money with at most two decimals, held in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(i64);

impl Amount {
    /// Reads `85000`, `85000.5` or `85000.50` (a JSON number's text, or typed in a form).
    pub fn parse(text: &str) -> Result<Self, String> {
        let invalid = || "Must be a positive amount with at most two decimals.".to_owned();
        let text = text.trim();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty()
            || whole.len() > 12
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || fraction.len() > 2
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || (text.contains('.') && fraction.is_empty())
        {
            return Err(invalid());
        }
        let whole: i64 = whole.parse().map_err(|_| invalid())?;
        let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
        let cents = whole * 100 + fraction;
        if cents <= 0 || cents > MAX_AMOUNT_CENTS {
            return Err(invalid());
        }
        Ok(Self(cents))
    }

    fn from_json(value: &Value) -> Result<Self, String> {
        match value {
            // serde_json prints a number the shortest way that reads back the same, so the
            // decimals counted are the ones the client wrote (2.50 is 2.5: one decimal).
            Value::Number(number) if !number.to_string().contains(['e', 'E']) => {
                Self::parse(&number.to_string())
            }
            Value::Number(_) => Self::parse("x"),
            Value::Null => Err(NOT_NULL.to_owned()),
            _ => Err("Not a valid number.".to_owned()),
        }
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    /// The amount as typed: "85000", or "85000.5" with its decimals.
    pub fn to_plain(self) -> String {
        match self.0 % 100 {
            0 => (self.0 / 100).to_string(),
            cents if cents % 10 == 0 => format!("{}.{}", self.0 / 100, cents / 10),
            cents => format!("{}.{cents:02}", self.0 / 100),
        }
    }

    /// The amount as PostgreSQL's `numeric` reads it ("85000.50").
    pub fn to_decimal(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }

    /// The amount as a JSON number: whole amounts without decimals.
    pub fn to_json(self) -> Value {
        if self.0 % 100 == 0 {
            Value::from(self.0 / 100)
        } else {
            serde_json::Number::from_f64(self.0 as f64 / 100.0).map_or(Value::Null, Value::Number)
        }
    }

    /// "85,000" or "85,000.50", for people.
    pub fn display(self) -> String {
        let whole = (self.0 / 100).to_string();
        let mut grouped = String::new();
        for (index, digit) in whole.chars().enumerate() {
            if index > 0 && (whole.len() - index) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        match self.0 % 100 {
            0 => grouped,
            cents => format!("{grouped}.{cents:02}"),
        }
    }
}

/// What an offer pays: `min` to `max` of `currency` per `period`, `0 < min ≤ max`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Salary {
    pub currency: Currency,
    pub min: Amount,
    pub max: Amount,
    pub period: SalaryPeriod,
}

const SALARY_FIELDS: &[&str] = &["currency", "min", "max", "period"];

impl Salary {
    /// From its four parts, each already read: the range is checked here.
    pub fn new(
        currency: Currency,
        min: Amount,
        max: Amount,
        period: SalaryPeriod,
    ) -> Result<Self, String> {
        if min > max {
            return Err("min must not be above max.".to_owned());
        }
        Ok(Self {
            currency,
            min,
            max,
            period,
        })
    }

    /// `null` (no salary) or `{"currency", "min", "max", "period"}`.
    pub fn from_json(value: &Value) -> Result<Option<Self>, String> {
        let object = match value {
            Value::Null => return Ok(None),
            Value::Object(object) => object,
            _ => return Err("Not a valid salary object.".to_owned()),
        };
        if let Some(unknown) = object
            .keys()
            .find(|key| !SALARY_FIELDS.contains(&key.as_str()))
        {
            return Err(format!("{unknown}: {UNKNOWN}"));
        }
        let required = |name: &str| {
            object
                .get(name)
                .filter(|value| !value.is_null())
                .ok_or_else(|| format!("{name}: {}", super::fields::MISSING))
        };
        let text = |name: &str| match required(name)? {
            Value::String(text) => Ok(text.as_str()),
            _ => Err(format!("{name}: {NOT_STRING}")),
        };
        let currency =
            Currency::parse(text("currency")?).map_err(|problem| format!("currency: {problem}"))?;
        let min =
            Amount::from_json(required("min")?).map_err(|problem| format!("min: {problem}"))?;
        let max =
            Amount::from_json(required("max")?).map_err(|problem| format!("max: {problem}"))?;
        let period =
            SalaryPeriod::parse(text("period")?).map_err(|problem| format!("period: {problem}"))?;
        Self::new(currency, min, max, period).map(Some)
    }

    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "currency": self.currency.as_str(), "min": self.min.to_json(),
            "max": self.max.to_json(), "period": self.period.as_str(),
        })
    }

    /// "EUR 85,000–105,000 a year", for people.
    pub fn display(&self) -> String {
        let per = match self.period {
            SalaryPeriod::Hour => "an hour",
            SalaryPeriod::Day => "a day",
            SalaryPeriod::Week => "a week",
            SalaryPeriod::Month => "a month",
            SalaryPeriod::Year => "a year",
        };
        let range = if self.min == self.max {
            self.min.display()
        } else {
            format!("{}–{}", self.min.display(), self.max.display())
        };
        format!("{} {range} {per}", self.currency.as_str())
    }
}

/// An absolute `http` or `https` URL of at most 2 000 characters, with a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebAddress(String);

impl WebAddress {
    /// An address a client sends: `from_stored`'s shape, and no credentials.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let address = Self::from_stored(raw)?;
        let url = url::Url::parse(raw).map_err(|problem| problem.to_string())?;
        // Shown to everyone and followed by candidates' browsers: credentials in it would be
        // published, and `https://trusted.example@evil.example/` reads as a trusted address.
        if !url.username().is_empty() || url.password().is_some() {
            return Err("Must not contain a user name or password.".to_owned());
        }
        Ok(address)
    }

    /// An address as stored: its shape only. Rules added since it was written (no
    /// credentials) judge what clients send, not the rows they already hold, which must still
    /// read.
    pub fn from_stored(raw: &str) -> Result<Self, String> {
        let invalid = || "Must be an absolute http or https URL.".to_owned();
        if raw.chars().count() > MAX_APPLY_URL_CHARS {
            return Err(format!("At most {MAX_APPLY_URL_CHARS} characters."));
        }
        if raw.trim() != raw || raw.chars().any(char::is_control) {
            return Err(invalid());
        }
        let url = url::Url::parse(raw).map_err(|_| invalid())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(invalid());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address of at most 254 characters: one `@`, a local part, and a domain with a dot
/// and no spaces. Deliberately loose beyond that: only delivery proves an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let invalid = || "Must be an e-mail address such as jobs@example.com.".to_owned();
        if raw.chars().count() > MAX_APPLY_EMAIL_CHARS {
            return Err(format!("At most {MAX_APPLY_EMAIL_CHARS} characters."));
        }
        let (local, domain) = raw.rsplit_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-'));
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';')
            });
        if !(domain_ok && local_ok) {
            return Err(invalid());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An RFC 3339 timestamp (`2027-01-31T23:59:59Z`), as UTC.
pub fn parse_timestamp(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| "Must be an RFC 3339 timestamp such as 2027-01-31T23:59:59Z.".to_owned())
}

/// Reads a JSON list of strings for a field of enum values or codes, naming the bad item.
pub fn string_items(value: &Value) -> Result<Vec<&str>, String> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                item.as_str()
                    .ok_or_else(|| format!("Item {index}: {NOT_STRING}"))
            })
            .collect(),
        Value::Null => Err(NOT_NULL.to_owned()),
        _ => Err(NOT_LIST.to_owned()),
    }
}

/// Reads an optional JSON value that may be `null`: `None` when absent, `Some(None)` for
/// `null`, `Some(Some(parsed))` otherwise.
pub fn nullable<T>(
    object: &JsonObject,
    field: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<Option<T>>, String> {
    match object.get(field) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(text)) => parse(text).map(|value| Some(Some(value))),
        Some(_) => Err(NOT_STRING.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn enums_take_exactly_the_published_spellings() {
        assert_eq!(
            EmploymentType::parse("FULL_TIME"),
            Ok(EmploymentType::FullTime)
        );
        assert!(EmploymentType::parse("full_time").is_err());
        assert_eq!(
            Workplace::parse("office").unwrap_err(),
            "Must be one of the workplaces: on_site, hybrid, remote."
        );
        assert_eq!(OfferStatus::parse("closed"), Ok(OfferStatus::Closed));
        assert!(
            OfferStatus::parse("expired").is_err(),
            "never sent by a client"
        );
    }

    #[test]
    fn employment_types_are_distinct_and_at_most_eight() {
        let types = EmploymentTypes::parse(["FULL_TIME", "CONTRACTOR"]).unwrap();
        assert_eq!(types.names(), ["FULL_TIME", "CONTRACTOR"]);
        assert!(EmploymentTypes::parse(["FULL_TIME", "FULL_TIME"])
            .unwrap_err()
            .contains("twice"));
        assert!(EmploymentTypes::parse(["PERMANENT"])
            .unwrap_err()
            .starts_with("Item 0: "));
        assert!(EmploymentTypes::parse(EmploymentType::names()).is_ok());
    }

    #[test]
    fn countries_and_currencies_are_real_iso_codes_in_any_case() {
        assert_eq!(Country::parse("de").unwrap().as_str(), "DE");
        assert_eq!(Country::parse("DE").unwrap().name(), "Germany");
        for bad in ["XX", "EU", "UK", "D", "DEU", ""] {
            assert!(Country::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Currency::parse("eur").unwrap().as_str(), "EUR");
        for bad in ["EURO", "XXX", "XAU", "ABC", "€"] {
            assert!(Currency::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_iso_lists_are_complete_and_sorted_for_binary_search() {
        assert_eq!(COUNTRIES.len(), 249);
        assert!(COUNTRIES.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert!(CURRENCIES.windows(2).all(|pair| pair[0].0 < pair[1].0));
        for code in ["USD", "JPY", "CHF", "INR", "BRL", "XOF"] {
            assert!(Currency::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn locations_need_a_country_and_bound_their_parts() {
        let parsed = Locations::from_json(&json!([
            {"city": "Berlin", "country": "de"},
            {"country": "FR", "region": "Île-de-France", "postal_code": "75001", "city": null}
        ]))
        .unwrap();
        assert_eq!(parsed.as_slice()[0].label(), "Berlin, Germany");
        assert_eq!(parsed.as_slice()[0].address(), "Berlin, Germany");
        assert_eq!(parsed.as_slice()[1].label(), "Île-de-France, France");
        assert_eq!(
            parsed.as_slice()[1].address(),
            "75001, Île-de-France, France"
        );
        let full = Location::from_parts("DE", Some("Berlin"), Some("berlin"), Some("10115"));
        assert_eq!(full.unwrap().address(), "10115 Berlin, Germany");
        let full = Location::from_parts("DE", Some("Munich"), Some("Bavaria"), None);
        assert_eq!(full.unwrap().address(), "Munich, Bavaria, Germany");
        assert_eq!(
            parsed.to_json()[0],
            json!({"city": "Berlin", "region": null, "country": "DE", "postal_code": null})
        );
        let problem = |value: Value| Locations::from_json(&value).unwrap_err();
        assert_eq!(
            problem(json!([{"city": "Berlin"}])),
            "Item 0: country: Missing data for required field."
        );
        assert_eq!(
            problem(json!([{"country": "ZZ"}])),
            "Item 0: country: Not an ISO 3166-1 alpha-2 country code."
        );
        assert_eq!(
            problem(json!([{"country": "DE", "street": "x"}])),
            "Item 0: street: Unknown field."
        );
        assert_eq!(
            problem(json!([{"country": "DE", "city": "x".repeat(101)}])),
            "Item 0: city: At most 100 characters."
        );
        assert_eq!(problem(json!("DE")), "Not a valid list.");
        let many: Vec<Value> = (0..21).map(|_| json!({"country": "DE"})).collect();
        assert_eq!(
            problem(Value::Array(many)),
            "Length must be between 0 and 20."
        );
    }

    #[test]
    fn amounts_have_at_most_two_decimals_and_are_positive() {
        assert_eq!(Amount::parse("85000").unwrap().cents(), 8_500_000);
        assert_eq!(Amount::parse("85000.5").unwrap().to_decimal(), "85000.50");
        assert_eq!(Amount::parse("0.01").unwrap().cents(), 1);
        for bad in [
            "0",
            "0.00",
            "-5",
            "1.234",
            "1e5",
            "",
            ".5",
            "5.",
            "abc",
            "1000000000000",
        ] {
            assert!(Amount::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Amount::parse("85000").unwrap().to_json(), json!(85000));
        assert_eq!(Amount::parse("12.5").unwrap().to_json(), json!(12.5));
        assert_eq!(
            Amount::parse("1234567.5").unwrap().display(),
            "1,234,567.50"
        );
    }

    #[test]
    fn a_salary_is_whole_and_its_range_ordered() {
        let salary = Salary::from_json(
            &json!({"currency": "eur", "min": 85000, "max": 105000, "period": "YEAR"}),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            salary.to_json(),
            json!({"currency": "EUR", "min": 85000, "max": 105000, "period": "YEAR"})
        );
        assert_eq!(salary.display(), "EUR 85,000–105,000 a year");
        assert_eq!(Salary::from_json(&Value::Null), Ok(None));
        let problem = |value: Value| Salary::from_json(&value).unwrap_err();
        assert_eq!(
            problem(json!({"currency": "EUR", "min": 2, "max": 1, "period": "YEAR"})),
            "min must not be above max."
        );
        assert_eq!(
            problem(json!({"currency": "EUR", "min": 1, "period": "YEAR"})),
            "max: Missing data for required field."
        );
        assert_eq!(
            problem(json!({"currency": "EUR", "min": 1.005, "max": 2, "period": "YEAR"})),
            "min: Must be a positive amount with at most two decimals."
        );
        assert_eq!(
            problem(json!({"currency": "EUR", "min": "1", "max": 2, "period": "YEAR"})),
            "min: Not a valid number."
        );
        assert!(
            problem(json!({"currency": "EUR", "min": 1, "max": 2, "period": "ANNUAL"}))
                .starts_with("period: ")
        );
        assert_eq!(SalaryPeriod::Hour.per_year(), 2080);
    }

    #[test]
    fn apply_addresses_are_absolute_web_urls_and_plausible_emails() {
        assert!(WebAddress::parse("https://jobs.example.com/apply?id=3").is_ok());
        for bad in [
            "ftp://x.org",
            "/apply",
            "https://",
            "javascript:alert(1)",
            " https://x.org",
            "mailto:a@b.c",
        ] {
            assert!(WebAddress::parse(bad).is_err(), "{bad}");
        }
        assert!(WebAddress::parse(&format!("https://x.org/{}", "a".repeat(2000))).is_err());
        for credentials in [
            "https://user:secret@example.com/apply",
            "https://jobs.example.com@evil.example/",
        ] {
            assert_eq!(
                WebAddress::parse(credentials).unwrap_err(),
                "Must not contain a user name or password.",
                "{credentials}"
            );
            // Written before the rule: still read.
            assert!(
                WebAddress::from_stored(credentials).is_ok(),
                "{credentials}"
            );
        }
        assert!(EmailAddress::parse("jobs@example.com").is_ok());
        for bad in [
            "jobs",
            "@example.com",
            "jobs@example",
            "jo bs@example.com",
            "a@b..c",
            "<a@b.c>",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timestamps_are_rfc_3339() {
        assert!(parse_timestamp("2027-01-31T23:59:59Z").is_ok());
        assert!(parse_timestamp("2027-01-31T23:59:59+02:00").is_ok());
        assert!(parse_timestamp("2027-01-31").is_err());
    }
}
