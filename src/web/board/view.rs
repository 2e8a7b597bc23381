//! What the board page and offer pages show of the board's filters: skill chips that add a
//! skill, the filter controls, active filters that can be removed, the search form's hidden
//! fields, the sentence for an empty result, and the details a result shows at a glance.

use std::sync::LazyLock;

use serde::Serialize;

use crate::domain::board::SkillFilter;
use crate::domain::iso::{COUNTRIES, CURRENCIES};
use crate::domain::offer::Details;
use crate::domain::posting::{country_name, Amount, EmploymentType, Workplace};
use crate::http::board_links::BoardFilters;

use super::filters::board_href;

/// A skill on a result: a link adding it to the filter, or marked as already filtered on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkillChip {
    pub name: String,
    pub href: Option<String>,
    pub active: bool,
}

/// The chip of `skill`: active when the filter has it already, otherwise a link adding it,
/// unless the filter cannot name it (a comma or edge spaces in it, or no room left).
pub fn chip(filters: &BoardFilters, skill: &str) -> SkillChip {
    if filters.has_skill(skill) {
        return SkillChip {
            name: skill.to_owned(),
            href: None,
            active: true,
        };
    }
    let with = filters.with_skill(skill);
    let nameable = matches!(
        SkillFilter::parse(&with.skills.join(",")),
        Ok(Some(parsed)) if parsed.as_slice() == with.skills.as_slice()
    );
    SkillChip {
        name: skill.to_owned(),
        href: nameable.then(|| board_href(&with, None)),
        active: false,
    }
}

/// The chips of an offer's skills.
pub fn chips(filters: &BoardFilters, skills: &[String]) -> Vec<SkillChip> {
    skills.iter().map(|skill| chip(filters, skill)).collect()
}

/// A filter in force, with the link that drops it.
#[derive(Debug, Serialize)]
pub struct ActiveFilter {
    pub kind: &'static str,
    pub value: String,
    pub href: String,
}

/// The kind of the employer's chip.
const EMPLOYER: &str = "Employer";

/// Names the employer's chip `name` (its display name, else username) instead of the
/// `employer` parameter as the link or the person wrote it.
pub fn name_employer(active: &mut [ActiveFilter], name: &str) {
    for chip in active.iter_mut().filter(|chip| chip.kind == EMPLOYER) {
        chip.value = name.to_owned();
    }
}

/// "Remote" for `remote`; the value itself if it is none (links only carry parsed values).
fn workplace_label(value: &'static str) -> &'static str {
    Workplace::parse(value).map_or(value, Workplace::label)
}

/// "Full-time" for `FULL_TIME`.
fn employment_type_label(value: &'static str) -> &'static str {
    EmploymentType::parse(value).map_or(value, EmploymentType::label)
}

/// "Germany" for `DE`.
fn country_label(code: &str) -> &str {
    country_name(code).unwrap_or(code)
}

/// "Last 24 hours", "Last 7 days".
fn posted_within_label(days: u32) -> String {
    match days {
        1 => "Last 24 hours".to_owned(),
        days => format!("Last {days} days"),
    }
}

/// "≥ 60,000 EUR a year", or "Paid in EUR" for a currency alone.
fn pay_label(salary_min: Option<&str>, currency: &str) -> String {
    match salary_min.and_then(|min| Amount::parse(min).ok()) {
        Some(min) => format!("≥ {} {currency} a year", min.display()),
        None => format!("Paid in {currency}"),
    }
}

/// Every filter in force, each with its removal link.
pub fn active(filters: &BoardFilters) -> Vec<ActiveFilter> {
    let mut active = Vec::new();
    if let Some(q) = &filters.q {
        active.push(ActiveFilter {
            kind: "Search",
            value: q.clone(),
            href: board_href(&filters.without_search(), None),
        });
    }
    for (index, skill) in filters.skills.iter().enumerate() {
        active.push(ActiveFilter {
            kind: "Skill",
            value: skill.clone(),
            href: board_href(&filters.without_skill(index), None),
        });
    }
    if let Some(employer) = &filters.employer {
        active.push(ActiveFilter {
            kind: EMPLOYER,
            value: employer.clone(),
            href: board_href(&filters.without_employer(), None),
        });
    }
    for workplace in &filters.workplaces {
        active.push(ActiveFilter {
            kind: "Workplace",
            value: workplace_label(workplace).to_owned(),
            href: board_href(&filters.without_workplace(workplace), None),
        });
    }
    for kind in &filters.employment_types {
        active.push(ActiveFilter {
            kind: "Employment type",
            value: employment_type_label(kind).to_owned(),
            href: board_href(&filters.without_employment_type(kind), None),
        });
    }
    if let Some(country) = &filters.country {
        active.push(ActiveFilter {
            kind: "Country",
            value: country_label(country).to_owned(),
            href: board_href(&filters.without_country(), None),
        });
    }
    if let Some(currency) = &filters.currency {
        active.push(ActiveFilter {
            kind: "Salary",
            value: pay_label(filters.salary_min.as_deref(), currency),
            href: board_href(&filters.without_pay(), None),
        });
    }
    if let Some(days) = filters.posted_within {
        active.push(ActiveFilter {
            kind: "Posted",
            value: posted_within_label(days),
            href: board_href(&filters.without_posted_within(), None),
        });
    }
    active
}

/// How many of the filter controls' values are in force (a chip each).
fn controlled(filters: &BoardFilters) -> usize {
    filters.workplaces.len()
        + filters.employment_types.len()
        + usize::from(filters.country.is_some())
        + usize::from(filters.currency.is_some())
        + usize::from(filters.posted_within.is_some())
}

/// A checkbox or an option: the value it sends, what it says, whether the query has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub chosen: bool,
}

impl Choice {
    fn new(value: impl Into<String>, label: impl Into<String>, chosen: bool) -> Self {
        Self {
            value: value.into(),
            label: label.into(),
            chosen,
        }
    }
}

/// Options under one heading (an `<optgroup>`), or under none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionGroup {
    pub label: Option<&'static str>,
    pub choices: Vec<Choice>,
}

/// The filter controls, set as the query is.
#[derive(Debug, Serialize)]
pub struct Controls {
    /// Shown unfolded: a filter is in force (or, on a problem page, in error).
    pub open: bool,
    /// How many of their values are in force, for the folded heading.
    pub active: usize,
    pub workplaces: Vec<Choice>,
    pub employment_types: Vec<Choice>,
    pub countries: Vec<OptionGroup>,
    /// The minimum as typed, even when it did not parse.
    pub salary_min: String,
    pub currencies: Vec<OptionGroup>,
    pub posted_within: Vec<OptionGroup>,
    /// Only with search words: without them there is nothing to rank, and the newest come
    /// first.
    pub sort: Option<Vec<OptionGroup>>,
}

/// What most offers are paid in: listed before every other currency.
const COMMON_CURRENCIES: [&str; 4] = ["EUR", "USD", "GBP", "CHF"];

/// The windows "Posted within" offers, in days.
const POSTED_WITHIN_DAYS: [u32; 3] = [1, 7, 30];

/// `name` for sorting: the accented Latin letters of ISO country names ("Åland Islands",
/// "Côte d'Ivoire", "Türkiye") with their base letter, so that they sort where a reader
/// looks for them.
fn sort_key(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'À'..='Å' => 'A',
            'Ç' => 'C',
            'È'..='Ë' => 'E',
            'Ì'..='Ï' => 'I',
            'Ò'..='Ö' | 'Ø' => 'O',
            'Ù'..='Ü' => 'U',
            'à'..='å' => 'a',
            'ç' => 'c',
            'è'..='ë' => 'e',
            'ì'..='ï' => 'i',
            'ò'..='ö' | 'ø' => 'o',
            'ù'..='ü' => 'u',
            other => other,
        })
        .collect::<String>()
        .to_lowercase()
}

/// Every country, by name: the board's country filter and the offer form's location and
/// remote-country lists.
pub static COUNTRIES_BY_NAME: LazyLock<Vec<(&str, &str)>> = LazyLock::new(|| {
    let mut countries = COUNTRIES.to_vec();
    countries.sort_by_cached_key(|(_, name)| sort_key(name));
    countries
});

/// The controls of `filters`; `typed_salary` is the minimum as sent.
pub fn controls(filters: &BoardFilters, typed_salary: Option<&str>) -> Controls {
    let one = |choices| {
        vec![OptionGroup {
            label: None,
            choices,
        }]
    };
    let country = filters.country.as_deref();
    let currency = filters.currency.as_deref();
    let currency_choice = |(code, name): &(&str, &str)| {
        Choice::new(*code, format!("{code} — {name}"), currency == Some(*code))
    };
    let mut windows: Vec<u32> = POSTED_WITHIN_DAYS.to_vec();
    // A window the form does not offer (a link's `posted_within=14`) is shown as chosen too.
    if let Some(days) = filters.posted_within.filter(|days| !windows.contains(days)) {
        windows.push(days);
        windows.sort_unstable();
    }
    let mut posted_within = vec![Choice::new("", "Any time", filters.posted_within.is_none())];
    posted_within.extend(windows.into_iter().map(|days| {
        Choice::new(
            days.to_string(),
            posted_within_label(days),
            filters.posted_within == Some(days),
        )
    }));
    let ranked = filters.sort != Some("newest");
    let active = controlled(filters);
    Controls {
        open: active > 0 || (filters.q.is_some() && filters.sort.is_some()),
        active,
        workplaces: Workplace::ALL
            .iter()
            .map(|workplace| {
                Choice::new(
                    workplace.as_str(),
                    workplace.label(),
                    filters.workplaces.contains(&workplace.as_str()),
                )
            })
            .collect(),
        employment_types: EmploymentType::ALL
            .iter()
            .map(|kind| {
                Choice::new(
                    kind.as_str(),
                    kind.label(),
                    filters.employment_types.contains(&kind.as_str()),
                )
            })
            .collect(),
        countries: vec![
            OptionGroup {
                label: None,
                choices: vec![Choice::new("", "Any country", country.is_none())],
            },
            OptionGroup {
                label: None,
                choices: COUNTRIES_BY_NAME
                    .iter()
                    .map(|(code, name)| Choice::new(*code, *name, country == Some(*code)))
                    .collect(),
            },
        ],
        salary_min: typed_salary.unwrap_or_default().trim().to_owned(),
        currencies: vec![
            OptionGroup {
                label: None,
                choices: vec![Choice::new("", "Any currency", currency.is_none())],
            },
            OptionGroup {
                label: Some("Common"),
                choices: COMMON_CURRENCIES
                    .iter()
                    .filter_map(|common| CURRENCIES.iter().find(|(code, _)| code == common))
                    .map(currency_choice)
                    .collect(),
            },
            OptionGroup {
                label: Some("All currencies"),
                choices: CURRENCIES
                    .iter()
                    .filter(|(code, _)| !COMMON_CURRENCIES.contains(code))
                    .map(currency_choice)
                    .collect(),
            },
        ],
        posted_within: one(posted_within),
        sort: filters.q.is_some().then(|| {
            one(vec![
                Choice::new("relevance", "Relevance", ranked),
                Choice::new("newest", "Newest", !ranked),
            ])
        }),
    }
}

/// What a result says of an offer besides its title, employer and skills, each when given.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// "On-site", "Hybrid", "Remote", or "Remote from Germany +1" when remote work is open
    /// to some countries only.
    pub workplace: Option<String>,
    /// The first location, and how many more: "Berlin, Germany +1".
    pub place: Option<String>,
    /// "EUR 60,000–80,000 a year".
    pub salary: Option<String>,
    /// "Full-time, Contractor".
    pub employment: Option<String>,
}

/// The first of `labels`, and how many more there are.
fn first_and_more(labels: &[String]) -> Option<String> {
    match labels {
        [] => None,
        [one] => Some(one.clone()),
        [first, rest @ ..] => Some(format!("{first} +{}", rest.len())),
    }
}

impl Facts {
    pub fn of(details: &Details) -> Self {
        let remote_from: Vec<String> = details
            .remote_countries
            .as_slice()
            .iter()
            .map(|country| country.name().to_owned())
            .collect();
        let workplace =
            details.workplace.map(
                |workplace| match (workplace, first_and_more(&remote_from)) {
                    (Workplace::Remote, Some(countries)) => format!("Remote from {countries}"),
                    (workplace, _) => workplace.label().to_owned(),
                },
            );
        let places: Vec<String> = details
            .locations
            .as_slice()
            .iter()
            .map(|location| location.label())
            .collect();
        let kinds: Vec<&str> = details
            .employment_types
            .as_slice()
            .iter()
            .map(|kind| kind.label())
            .collect();
        Self {
            workplace,
            place: first_and_more(&places),
            salary: details.salary.as_ref().map(|salary| salary.display()),
            employment: (!kinds.is_empty()).then(|| kinds.join(", ")),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct HiddenField {
    name: &'static str,
    value: String,
}

/// What the search form sends along with the words typed.
pub fn hidden_fields(filters: &BoardFilters) -> Vec<HiddenField> {
    let mut fields = Vec::new();
    if !filters.skills.is_empty() {
        fields.push(HiddenField {
            name: "skills",
            value: filters.skills.join(","),
        });
    }
    if let Some(employer) = &filters.employer {
        fields.push(HiddenField {
            name: "employer",
            value: employer.clone(),
        });
    }
    if let Some(limit) = filters.limit {
        fields.push(HiddenField {
            name: "limit",
            value: limit.to_string(),
        });
    }
    fields
}

/// Says in words that nothing matches `filters`, naming the employer filtered on as
/// `employer_name` when it is known (else as the filter has it).
pub fn no_match(filters: &BoardFilters, employer_name: Option<&str>) -> String {
    let mut text = "No offers".to_owned();
    if let Some(q) = &filters.q {
        text.push_str(&format!(" match “{q}”"));
    }
    let quoted: Vec<String> = filters
        .skills
        .iter()
        .map(|skill| format!("“{skill}”"))
        .collect();
    if !quoted.is_empty() {
        text.push_str(if filters.q.is_some() {
            " with"
        } else {
            " have"
        });
        match quoted.as_slice() {
            [one] => text.push_str(&format!(" the skill {one}")),
            all => text.push_str(&format!(" all of the skills {}", all.join(", "))),
        }
    }
    if let Some(employer) = employer_name.or(filters.employer.as_deref()) {
        text.push_str(&format!(" from {employer}"));
    }
    if controlled(filters) > 0 {
        text.push_str(if text == "No offers" {
            " match the filters chosen"
        } else {
            " with the filters chosen"
        });
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::board::{BoardQuery, RawBoardQuery};
    use crate::domain::posting::{
        Currency, EmploymentTypes, Location, Locations, RemoteCountries, Salary, SalaryPeriod,
    };

    fn filters(raw: RawBoardQuery<'_>) -> BoardFilters {
        BoardFilters::from_query(&raw, &BoardQuery::parse(raw).unwrap())
    }

    #[test]
    fn a_chip_adds_its_skill_once_whatever_its_case() {
        let rust = filters(RawBoardQuery {
            skills: Some("Rust,rust,RUST"),
            ..Default::default()
        });
        let go = chip(&rust, "Go");
        assert_eq!(go.href.as_deref(), Some("/?skills=Rust%2CGo"));
        assert!(!go.active);
        let again = chip(&rust, "rust");
        assert!(again.active && again.href.is_none());
    }

    #[test]
    fn a_skill_the_filter_cannot_name_is_no_link() {
        let none = BoardFilters::default();
        assert!(chip(&none, "CI/CD, GitOps").href.is_none());
        assert!(chip(&none, " padded").href.is_none());
        let full = filters(RawBoardQuery {
            skills: Some("a,b,c,d,e,f,g,h,i,j"),
            ..Default::default()
        });
        assert!(chip(&full, "k").href.is_none());
        assert!(chip(&full, "A").active);
    }

    #[test]
    fn each_active_filter_links_to_the_board_without_it() {
        let all = filters(RawBoardQuery {
            q: Some("engineer"),
            skills: Some("rust,go"),
            employer: Some("acme"),
            limit: Some("10"),
            ..Default::default()
        });
        let removals: Vec<(&str, String, String)> = active(&all)
            .into_iter()
            .map(|filter| (filter.kind, filter.value, filter.href))
            .collect();
        assert_eq!(
            removals,
            [
                (
                    "Search",
                    "engineer".to_owned(),
                    "/?skills=rust%2Cgo&employer=acme&limit=10".to_owned()
                ),
                (
                    "Skill",
                    "rust".to_owned(),
                    "/?q=engineer&skills=go&employer=acme&limit=10".to_owned()
                ),
                (
                    "Skill",
                    "go".to_owned(),
                    "/?q=engineer&skills=rust&employer=acme&limit=10".to_owned()
                ),
                (
                    "Employer",
                    "acme".to_owned(),
                    "/?q=engineer&skills=rust%2Cgo&limit=10".to_owned()
                ),
            ]
        );
        assert_eq!(
            no_match(&all, None),
            "No offers match “engineer” with all of the skills “rust”, “go” from acme"
        );
        let skill = filters(RawBoardQuery {
            skills: Some("rust"),
            ..Default::default()
        });
        assert_eq!(no_match(&skill, None), "No offers have the skill “rust”");
    }

    #[test]
    fn each_contract_filter_is_a_readable_chip_that_removes_only_itself() {
        let all = filters(RawBoardQuery {
            workplace: Some("remote,hybrid"),
            employment_type: Some("FULL_TIME,INTERN"),
            country: Some("de"),
            salary_min: Some("60000"),
            currency: Some("EUR"),
            posted_within: Some("7"),
            ..Default::default()
        });
        let chips: Vec<(&str, String, String)> = active(&all)
            .into_iter()
            .map(|filter| (filter.kind, filter.value, filter.href))
            .collect();
        let chip =
            |kind: &'static str, value: &str, href: &str| (kind, value.to_owned(), href.to_owned());
        assert_eq!(
            chips,
            [
                chip(
                    "Workplace",
                    "Remote",
                    "/?workplace=hybrid&employment_type=FULL_TIME%2CINTERN&country=DE\
                     &salary_min=60000&currency=EUR&posted_within=7"
                ),
                chip(
                    "Workplace",
                    "Hybrid",
                    "/?workplace=remote&employment_type=FULL_TIME%2CINTERN&country=DE\
                     &salary_min=60000&currency=EUR&posted_within=7"
                ),
                chip(
                    "Employment type",
                    "Full-time",
                    "/?workplace=remote%2Chybrid&employment_type=INTERN&country=DE\
                     &salary_min=60000&currency=EUR&posted_within=7"
                ),
                chip(
                    "Employment type",
                    "Internship",
                    "/?workplace=remote%2Chybrid&employment_type=FULL_TIME&country=DE\
                     &salary_min=60000&currency=EUR&posted_within=7"
                ),
                chip(
                    "Country",
                    "Germany",
                    "/?workplace=remote%2Chybrid&employment_type=FULL_TIME%2CINTERN\
                     &salary_min=60000&currency=EUR&posted_within=7"
                ),
                chip(
                    "Salary",
                    "≥ 60,000 EUR a year",
                    "/?workplace=remote%2Chybrid&employment_type=FULL_TIME%2CINTERN&country=DE\
                     &posted_within=7"
                ),
                chip(
                    "Posted",
                    "Last 7 days",
                    "/?workplace=remote%2Chybrid&employment_type=FULL_TIME%2CINTERN&country=DE\
                     &salary_min=60000&currency=EUR"
                ),
            ]
        );
        assert_eq!(
            no_match(&all, None),
            "No offers match the filters chosen",
            "the filters are in the chips; the sentence does not repeat them"
        );

        let currency_only = filters(RawBoardQuery {
            q: Some("rust"),
            currency: Some("usd"),
            posted_within: Some("1"),
            ..Default::default()
        });
        let values: Vec<String> = active(&currency_only)
            .into_iter()
            .map(|filter| filter.value)
            .collect();
        assert_eq!(values, ["rust", "Paid in USD", "Last 24 hours"]);
        assert_eq!(
            no_match(&currency_only, None),
            "No offers match “rust” with the filters chosen"
        );
    }

    #[test]
    fn the_controls_show_the_query() {
        let none = controls(&BoardFilters::default(), None);
        assert!(!none.open && none.active == 0);
        assert!(none.workplaces.iter().all(|choice| !choice.chosen));
        assert!(none.sort.is_none(), "no order to choose without words");
        let chosen = |groups: &[OptionGroup]| -> Vec<String> {
            groups
                .iter()
                .flat_map(|group| &group.choices)
                .filter(|choice| choice.chosen)
                .map(|choice| choice.label.clone())
                .collect()
        };
        assert_eq!(chosen(&none.countries), ["Any country"]);
        assert_eq!(chosen(&none.currencies), ["Any currency"]);
        assert_eq!(chosen(&none.posted_within), ["Any time"]);
        // Countries by name as a reader looks for them, accents aside; common currencies
        // first, in the order people use them.
        let countries: Vec<&str> = none.countries[1].choices[..3]
            .iter()
            .map(|choice| choice.label.as_str())
            .collect();
        assert_eq!(countries, ["Afghanistan", "Åland Islands", "Albania"]);
        assert_eq!(none.countries[1].choices.len(), COUNTRIES.len());
        let common: Vec<&str> = none.currencies[1]
            .choices
            .iter()
            .map(|choice| choice.value.as_str())
            .collect();
        assert_eq!(common, COMMON_CURRENCIES);
        assert_eq!(
            none.currencies[2].choices.len(),
            CURRENCIES.len() - COMMON_CURRENCIES.len(),
            "every other currency, once"
        );

        let some = controls(
            &filters(RawBoardQuery {
                q: Some("rust"),
                workplace: Some("remote"),
                country: Some("fr"),
                salary_min: Some("50000"),
                currency: Some("chf"),
                posted_within: Some("14"),
                sort: Some("newest"),
                ..Default::default()
            }),
            Some(" 50000"),
        );
        assert!(some.open);
        assert_eq!(some.active, 4);
        let ticked: Vec<&str> = some
            .workplaces
            .iter()
            .filter(|choice| choice.chosen)
            .map(|choice| choice.label.as_str())
            .collect();
        assert_eq!(ticked, ["Remote"]);
        assert_eq!(chosen(&some.countries), ["France"]);
        assert_eq!(chosen(&some.currencies), ["CHF — Swiss Franc"]);
        assert_eq!(some.salary_min, "50000");
        assert_eq!(
            chosen(&some.posted_within),
            ["Last 14 days"],
            "a window the form does not list is still shown"
        );
        assert_eq!(chosen(some.sort.as_deref().unwrap()), ["Newest"]);
    }

    #[test]
    fn a_result_says_where_what_and_how_much_in_a_few_words() {
        let place = |city: Option<&str>, country: &str| {
            Location::from_parts(country, city, None, None).unwrap()
        };
        let details = Details {
            employment_types: EmploymentTypes::parse(["FULL_TIME", "CONTRACTOR"]).unwrap(),
            workplace: Some(Workplace::OnSite),
            locations: Locations::new(vec![
                place(Some("Berlin"), "DE"),
                place(None, "AT"),
                place(Some("Zürich"), "CH"),
            ])
            .unwrap(),
            salary: Some(
                Salary::new(
                    Currency::parse("EUR").unwrap(),
                    Amount::parse("85000").unwrap(),
                    Amount::parse("105000").unwrap(),
                    SalaryPeriod::Year,
                )
                .unwrap(),
            ),
            ..Details::default()
        };
        assert_eq!(
            Facts::of(&details),
            Facts {
                workplace: Some("On-site".to_owned()),
                place: Some("Berlin, Germany +2".to_owned()),
                salary: Some("EUR 85,000–105,000 a year".to_owned()),
                employment: Some("Full-time, Contractor".to_owned()),
            }
        );
        let remote = Details {
            workplace: Some(Workplace::Remote),
            remote_countries: RemoteCountries::parse(["US", "CA"]).unwrap(),
            ..Details::default()
        };
        assert_eq!(
            Facts::of(&remote),
            Facts {
                workplace: Some("Remote from United States +1".to_owned()),
                ..Facts::default()
            }
        );
        assert_eq!(Facts::of(&Details::default()), Facts::default());
    }
}
