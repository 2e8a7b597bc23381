//! The published schemas of the listing routes' query parameters, built from the domain's
//! rules so that the documented constraints are the enforced ones.

use schemars::schema::{InstanceType, Metadata, SchemaObject};

use crate::domain::board::{
    Employer, PageSize, SkillFilter, BOARD_PAGE, EMPLOYER_PAGE, MAX_QUERY_CHARS,
};
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
            "Where the page starts: the `next_cursor` of the previous page (opaque).",
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
