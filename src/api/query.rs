//! The published schemas of the listing routes' query parameters, built from the domain's
//! rules so that the documented constraints are the enforced ones.

use schemars::schema::{InstanceType, Metadata, SchemaObject};

use crate::domain::board::{
    Employer, PageSize, SkillFilter, BOARD_PAGE, EMPLOYER_PAGE, MAX_POSTED_WITHIN_DAYS,
    MAX_QUERY_CHARS,
};
use crate::domain::posting::{EmploymentType, Workplace};
use crate::http::query::ParamSchema;

fn string(description: &str, max_length: Option<u32>, pattern: Option<&str>) -> SchemaObject {
    let mut schema = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        metadata: Some(Box::new(Metadata {
            description: Some(description.to_owned()),
            ..Default::default()
        })),
        ..Default::default()
    };
    schema.string().max_length = max_length;
    schema.string().pattern = pattern.map(str::to_owned);
    schema
}

fn limit(size: PageSize) -> SchemaObject {
    let mut schema = SchemaObject {
        instance_type: Some(InstanceType::Integer.into()),
        metadata: Some(Box::new(Metadata {
            description: Some(format!(
                "Offers per page: 1–{}, {} by default.",
                size.max, size.default
            )),
            ..Default::default()
        })),
        ..Default::default()
    };
    schema.number().minimum = Some(1.0);
    schema.number().maximum = Some(f64::from(size.max));
    schema
}

pub struct SearchSchema;
impl ParamSchema for SearchSchema {
    fn name() -> &'static str {
        "SearchText"
    }
    fn schema() -> SchemaObject {
        string(
            "Words to search for in titles, skills and descriptions; every word must match. \
             Results are ranked: title above skills above description.",
            Some(MAX_QUERY_CHARS as u32),
            Some(r"^[^\u0000]*$"),
        )
    }
}

pub struct SkillsSchema;
impl ParamSchema for SkillsSchema {
    fn name() -> &'static str {
        "SkillFilter"
    }
    fn schema() -> SchemaObject {
        string(
            "Comma-separated skills an offer must all have (case-insensitive), at most 10.",
            None,
            Some(SkillFilter::PATTERN),
        )
    }
}

pub struct EmployerSchema;
impl ParamSchema for EmployerSchema {
    fn name() -> &'static str {
        "EmployerFilter"
    }
    fn schema() -> SchemaObject {
        string(
            "Only this employer's offers: a user id or a username.",
            None,
            Some(Employer::PATTERN),
        )
    }
}

pub struct CursorSchema;
impl ParamSchema for CursorSchema {
    fn name() -> &'static str {
        "Cursor"
    }
    fn schema() -> SchemaObject {
        string(
            "Where the page starts (opaque): from the previous page's `Link: rel=\"next\"` header, \
             or its `next_cursor` where the answer has one.",
            None,
            None,
        )
    }
}

/// The applications list's cursor: that answer carries `next_cursor` and sends no `Link`.
pub struct NextCursorSchema;
impl ParamSchema for NextCursorSchema {
    fn name() -> &'static str {
        "NextCursor"
    }
    fn schema() -> SchemaObject {
        string(
            "Where the page starts (opaque): the previous page's `next_cursor`.",
            None,
            None,
        )
    }
}

pub struct BoardLimitSchema;
impl ParamSchema for BoardLimitSchema {
    fn name() -> &'static str {
        "BoardLimit"
    }
    fn schema() -> SchemaObject {
        limit(BOARD_PAGE)
    }
}

pub struct EmployerLimitSchema;
impl ParamSchema for EmployerLimitSchema {
    fn name() -> &'static str {
        "EmployerLimit"
    }
    fn schema() -> SchemaObject {
        limit(EMPLOYER_PAGE)
    }
}

pub struct StatusFilterSchema;
impl ParamSchema for StatusFilterSchema {
    fn name() -> &'static str {
        "status"
    }
    fn schema() -> SchemaObject {
        string(
            "Only offers with these statuses, comma-separated: draft, published, expired, \
             closed. Others than the owner only ever see published offers.",
            None,
            Some(STATUS_FILTER_PATTERN),
        )
    }
}

/// Comma-separated statuses as shown, each of the four spellings.
const STATUS_FILTER_PATTERN: &str =
    r"^ *((draft|published|expired|closed) *(, *(draft|published|expired|closed) *)*)?,? *$";

/// A comma list of the given names, each any number of times (repeats are ignored).
pub(crate) fn names_pattern(names: &[&str]) -> String {
    let one = format!("({})", names.join("|"));
    format!(r"^ *({one} *(, *{one} *)*)?,? *$")
}

pub struct WorkplaceFilterSchema;
impl ParamSchema for WorkplaceFilterSchema {
    fn name() -> &'static str {
        "WorkplaceFilter"
    }
    fn schema() -> SchemaObject {
        string(
            "Offers with any of these workplaces, comma-separated: on_site, hybrid, remote.",
            None,
            Some(&names_pattern(&Workplace::names())),
        )
    }
}

pub struct EmploymentTypeFilterSchema;
impl ParamSchema for EmploymentTypeFilterSchema {
    fn name() -> &'static str {
        "EmploymentTypeFilter"
    }
    fn schema() -> SchemaObject {
        string(
            "Offers with any of these employment types, comma-separated (schema.org values).",
            None,
            Some(&names_pattern(&EmploymentType::names())),
        )
    }
}

pub struct CountryFilterSchema;
impl ParamSchema for CountryFilterSchema {
    fn name() -> &'static str {
        "CountryFilter"
    }
    fn schema() -> SchemaObject {
        string(
            "ISO 3166-1 alpha-2 code: offers with a location there, and remote or hybrid \
             offers open to candidates living there (remote_countries empty or naming it).",
            Some(2),
            Some("^([A-Za-z]{2})?$"),
        )
    }
}

pub struct SalaryMinSchema;
impl ParamSchema for SalaryMinSchema {
    fn name() -> &'static str {
        "SalaryMin"
    }
    fn schema() -> SchemaObject {
        string(
            "A yearly amount (with currency): offers paid in that currency whose maximum, \
             turned yearly (HOUR × 2080, DAY × 260, WEEK × 52, MONTH × 12), is at least this.",
            None,
            Some(r"^ *([0-9]{1,12}(\.[0-9]{1,2})?)? *$"),
        )
    }
}

pub struct CurrencyFilterSchema;
impl ParamSchema for CurrencyFilterSchema {
    fn name() -> &'static str {
        "CurrencyFilter"
    }
    fn schema() -> SchemaObject {
        string(
            "ISO 4217 code: offers paid in this currency (required with salary_min).",
            Some(3),
            Some("^([A-Za-z]{3})?$"),
        )
    }
}

pub struct PostedWithinSchema;
impl ParamSchema for PostedWithinSchema {
    fn name() -> &'static str {
        "PostedWithin"
    }
    fn schema() -> SchemaObject {
        let mut schema = SchemaObject {
            instance_type: Some(InstanceType::Integer.into()),
            metadata: Some(Box::new(Metadata {
                description: Some("Offers first published at most this many days ago.".to_owned()),
                ..Default::default()
            })),
            ..Default::default()
        };
        schema.number().minimum = Some(1.0);
        schema.number().maximum = Some(f64::from(MAX_POSTED_WITHIN_DAYS));
        schema
    }
}

pub struct UpdatedSinceSchema;
impl ParamSchema for UpdatedSinceSchema {
    fn name() -> &'static str {
        "UpdatedSince"
    }
    fn schema() -> SchemaObject {
        // A pattern rather than `format: date-time`: an empty value means "not given", as for
        // every board parameter (forms send empty fields).
        string(
            "Offers changed (created, edited, published, closed) at or after this RFC 3339 \
             time, e.g. 2026-12-01T09:30:00Z: pass the newest modification_date seen to sync \
             incrementally.",
            None,
            Some(
                "^$|^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?\
                 ([Zz]|[+ -][0-9]{2}:[0-9]{2})$",
            ),
        )
    }
}

pub struct IncludeSchema;
impl ParamSchema for IncludeSchema {
    fn name() -> &'static str {
        "Include"
    }
    fn schema() -> SchemaObject {
        let mut schema = string(
            "closed: also list the offers that left the board, closed and expired ones with \
             their status, and (on the first page, when only updated_since filters) the \
             deleted ones as {\"id\", \"status\": \"deleted\"}, for aggregators that sync.",
            None,
            None,
        );
        // Empty is not given, as for every filter.
        schema.enum_values = Some(vec!["closed".into(), "".into()]);
        schema
    }
}

pub struct SortSchema;
impl ParamSchema for SortSchema {
    fn name() -> &'static str {
        "Sort"
    }
    fn schema() -> SchemaObject {
        let mut schema = string(
            "relevance (the default with q) or newest (the default otherwise).",
            None,
            None,
        );
        // Empty is no choice (the default order), as for every filter.
        schema.enum_values = Some(vec!["relevance".into(), "newest".into(), "".into()]);
        schema
    }
}
