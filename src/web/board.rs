//! `/`: the public job board, for everyone. The same query parser and queries as
//! `GET /api/v1/offers`, shown as a page: a search box, skill chips that filter, and Next and
//! Previous links that keep the query in the address.

use chrono::Utc;
use rocket::http::Status;
use rocket::{get, State};
use rocket_dyn_templates::Template;
use serde::Serialize;
use serde_json::{json, Value};

use super::page::{Page, PageError};
use super::time::{age, Timestamp};
use crate::api::query::query_string;
use crate::db::Db;
use crate::domain::board::{BoardQuery, RawBoardQuery, SkillFilter};
use crate::domain::FieldErrors;
use crate::repo;
use crate::repo::board::{BoardOffer, BoardPage};

/// The filters a board link carries: only parameters that parsed, and skills without
/// case-insensitive repeats. A link that changes them starts again at the first page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    q: Option<String>,
    skills: Vec<String>,
    employer: Option<String>,
    /// Only when the address named a page size, so that ordinary links stay short.
    limit: Option<u32>,
}

/// A skill on a result: a link adding it to the filter, or marked as already filtered on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkillChip {
    name: String,
    href: Option<String>,
    active: bool,
}

/// A filter in force, with the link that drops it.
#[derive(Debug, Serialize)]
struct ActiveFilter {
    kind: &'static str,
    value: String,
    href: String,
}

#[derive(Debug, Serialize)]
struct HiddenField {
    name: &'static str,
    value: String,
}

fn same_skill(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

impl Filters {
    fn from_query(raw: &RawBoardQuery<'_>, query: &BoardQuery) -> Self {
        let mut skills: Vec<String> = Vec::new();
        for skill in query.skills.iter().flat_map(SkillFilter::as_slice) {
            if !skills.iter().any(|kept| same_skill(kept, skill)) {
                skills.push(skill.clone());
            }
        }
        Self {
            q: query.text.as_ref().map(|text| text.as_str().to_owned()),
            skills,
            employer: query.employer.as_ref().and(raw.employer).map(str::to_owned),
            limit: raw
                .limit
                .filter(|limit| !limit.is_empty())
                .map(|_| query.limit),
        }
    }

    /// What can be kept of a query that did not parse: each parameter that parses on its own
    /// (through the same parser), never the cursor.
    fn usable_parts(raw: &RawBoardQuery<'_>) -> Self {
        let alone = |one: RawBoardQuery<'_>| {
            BoardQuery::parse(one)
                .map(|query| Self::from_query(&one, &query))
                .unwrap_or_default()
        };
        let none = RawBoardQuery::default();
        Self {
            q: alone(RawBoardQuery { q: raw.q, ..none }).q,
            skills: alone(RawBoardQuery {
                skills: raw.skills,
                ..none
            })
            .skills,
            employer: alone(RawBoardQuery {
                employer: raw.employer,
                ..none
            })
            .employer,
            limit: alone(RawBoardQuery {
                limit: raw.limit,
                ..none
            })
            .limit,
        }
    }

    /// Only `employer`'s offers.
    pub fn employer(username: &str) -> Self {
        Self {
            employer: Some(username.to_owned()),
            ..Self::default()
        }
    }

    /// The first page of the board with these filters.
    pub fn href(&self) -> String {
        self.href_at(None)
    }

    fn href_at(&self, cursor: Option<&str>) -> String {
        let skills = (!self.skills.is_empty()).then(|| self.skills.join(","));
        let limit = self.limit.map(|limit| limit.to_string());
        let query = query_string(&[
            ("q", self.q.as_deref()),
            ("skills", skills.as_deref()),
            ("employer", self.employer.as_deref()),
            ("limit", limit.as_deref()),
            ("cursor", cursor),
        ]);
        if query.is_empty() {
            "/".to_owned()
        } else {
            format!("/?{query}")
        }
    }

    fn is_filtering(&self) -> bool {
        self.q.is_some() || !self.skills.is_empty() || self.employer.is_some()
    }

    /// The chip of `skill`: active when the filter has it already, otherwise a link adding
    /// it, unless the filter cannot name it (a comma or edge spaces in it, or no room left).
    pub fn chip(&self, skill: &str) -> SkillChip {
        if self.skills.iter().any(|kept| same_skill(kept, skill)) {
            return SkillChip {
                name: skill.to_owned(),
                href: None,
                active: true,
            };
        }
        let mut skills = self.skills.clone();
        skills.push(skill.to_owned());
        let nameable = matches!(
            SkillFilter::parse(&skills.join(",")),
            Ok(Some(parsed)) if parsed.as_slice() == skills.as_slice()
        );
        SkillChip {
            name: skill.to_owned(),
            href: nameable.then(|| {
                Self {
                    skills,
                    ..self.clone()
                }
                .href()
            }),
            active: false,
        }
    }

    fn active(&self) -> Vec<ActiveFilter> {
        let mut active = Vec::new();
        if let Some(q) = &self.q {
            active.push(ActiveFilter {
                kind: "Search",
                value: q.clone(),
                href: Self {
                    q: None,
                    ..self.clone()
                }
                .href(),
            });
        }
        for (index, skill) in self.skills.iter().enumerate() {
            let mut skills = self.skills.clone();
            skills.remove(index);
            active.push(ActiveFilter {
                kind: "Skill",
                value: skill.clone(),
                href: Self {
                    skills,
                    ..self.clone()
                }
                .href(),
            });
        }
        if let Some(employer) = &self.employer {
            active.push(ActiveFilter {
                kind: "Employer",
                value: employer.clone(),
                href: Self {
                    employer: None,
                    ..self.clone()
                }
                .href(),
            });
        }
        active
    }

    /// The search form sends these along with the words typed.
    fn hidden_fields(&self) -> Vec<HiddenField> {
        let mut fields = Vec::new();
        if !self.skills.is_empty() {
            fields.push(HiddenField {
                name: "skills",
                value: self.skills.join(","),
            });
        }
        if let Some(employer) = &self.employer {
            fields.push(HiddenField {
                name: "employer",
                value: employer.clone(),
            });
        }
        if let Some(limit) = self.limit {
            fields.push(HiddenField {
                name: "limit",
                value: limit.to_string(),
            });
        }
        fields
    }

    /// Says in words that nothing matches these filters.
    fn no_match(&self) -> String {
        let mut text = "No offers".to_owned();
        if let Some(q) = &self.q {
            text.push_str(&format!(" match “{q}”"));
        }
        let quoted: Vec<String> = self
            .skills
            .iter()
            .map(|skill| format!("“{skill}”"))
            .collect();
        if !quoted.is_empty() {
            text.push_str(if self.q.is_some() { " with" } else { " have" });
            match quoted.as_slice() {
                [one] => text.push_str(&format!(" the skill {one}")),
                all => text.push_str(&format!(" all of the skills {}", all.join(", "))),
            }
        }
        if let Some(employer) = &self.employer {
            text.push_str(&format!(" from {employer}"));
        }
        text
    }
}

/// An offer as the board lists it.
#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    title: String,
    employer: String,
    employer_href: String,
    skills: Vec<SkillChip>,
    age: String,
    created: Timestamp,
}

fn row(listed: &BoardOffer, filters: &Filters, now: chrono::DateTime<Utc>) -> Row {
    let offer = &listed.offer;
    Row {
        id: offer.id,
        title: offer.title.clone(),
        employer: listed.username.clone(),
        employer_href: Filters::employer(&listed.username).href(),
        skills: offer
            .skills_list
            .iter()
            .map(|skill| filters.chip(skill))
            .collect(),
        age: age(offer.creation_date, now),
        created: Timestamp::of(&offer.creation_date),
    }
}

/// The page before this one: keyed on its first offer, or the first page when this one has
/// emptied since (its offers deleted).
fn previous_href(filters: &Filters, results: &BoardPage) -> Option<String> {
    if !results.has_previous {
        return None;
    }
    Some(match results.previous_cursor() {
        Some(cursor) => filters.href_at(Some(&cursor.encode())),
        None => filters.href(),
    })
}

/// Each bad parameter in words a visitor can act on.
fn problems(errors: &FieldErrors) -> Vec<String> {
    errors
        .first_per_field()
        .into_iter()
        .map(|(field, problem)| match field.as_str() {
            "q" => format!("Search: {problem}"),
            "skills" => format!("Skills: {problem}"),
            "employer" => format!("Employer: {problem}"),
            "limit" => format!("Results per page: {problem}"),
            "cursor" => "Page link: it does not belong to this search, or it was cut short. \
                         Start again from the first page."
                .to_owned(),
            other => format!("{other}: {problem}"),
        })
        .collect()
}

/// What every state of the board shows: the introduction, the search form, the filters.
fn frame(page: &Page<'_>, typed: Option<&str>, filters: &Filters) -> Value {
    let signed_in = page.signed_in();
    json!({
        "intro": !signed_in,
        "post_href": if signed_in { "/offers/new" } else { "/register" },
        "q": typed.unwrap_or_default(),
        "hidden": filters.hidden_fields(),
        "active": filters.active(),
        "filtering": filters.is_filtering(),
    })
}

#[get("/?<q>&<skills>&<employer>&<limit>&<cursor>")]
pub async fn board(
    q: Option<&str>,
    skills: Option<&str>,
    employer: Option<&str>,
    limit: Option<&str>,
    cursor: Option<&str>,
    page: Page<'_>,
    db: &State<Db>,
) -> Result<(Status, Template), PageError> {
    let raw = RawBoardQuery {
        q,
        skills,
        employer,
        limit,
        cursor,
    };
    let query = match BoardQuery::parse(raw) {
        Ok(query) => query,
        Err(errors) => {
            let usable = Filters::usable_parts(&raw);
            let mut context = frame(&page, q, &usable);
            context["problems"] = json!(problems(&errors));
            context["usable_href"] = json!(usable.href());
            return Ok((Status::BadRequest, page.render("board", context)));
        }
    };
    let mut connection = db.acquire().await?;
    let results = repo::board::page(&mut connection, &query).await?;
    drop(connection);

    let filters = Filters::from_query(&raw, &query);
    let now = Utc::now();
    let rows: Vec<Row> = results
        .offers
        .iter()
        .map(|listed| row(listed, &filters, now))
        .collect();
    let mut context = frame(&page, q, &filters);
    context["count"] = json!(results.count);
    context["offers"] = json!(rows);
    context["no_match"] = json!(filters.no_match());
    context["first_href"] = json!(filters.href());
    context["previous_href"] = json!(previous_href(&filters, &results));
    context["next_href"] = json!(results
        .next_cursor()
        .map(|next| filters.href_at(Some(&next.encode()))));
    Ok((Status::Ok, page.render("board", context)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filters(raw: RawBoardQuery<'_>) -> Filters {
        Filters::from_query(&raw, &BoardQuery::parse(raw).unwrap())
    }

    #[test]
    fn links_keep_the_filters_percent_encoded_and_only_name_a_page_size_when_asked() {
        let all = filters(RawBoardQuery {
            q: Some("c++ & go"),
            skills: Some(" Rust ,node.js"),
            employer: Some("acme"),
            ..Default::default()
        });
        assert_eq!(
            all.href(),
            "/?q=c%2B%2B%20%26%20go&skills=Rust%2Cnode.js&employer=acme"
        );
        assert_eq!(filters(RawBoardQuery::default()).href(), "/");
        let sized = filters(RawBoardQuery {
            limit: Some("5"),
            ..Default::default()
        });
        assert_eq!(sized.href_at(Some("YTE")), "/?limit=5&cursor=YTE");
    }

    #[test]
    fn a_chip_adds_its_skill_once_whatever_its_case() {
        let rust = filters(RawBoardQuery {
            skills: Some("Rust,rust,RUST"),
            ..Default::default()
        });
        assert_eq!(rust.skills, ["Rust"]);
        let go = rust.chip("Go");
        assert_eq!(go.href.as_deref(), Some("/?skills=Rust%2CGo"));
        assert!(!go.active);
        let again = rust.chip("rust");
        assert!(again.active && again.href.is_none());
    }

    #[test]
    fn a_skill_the_filter_cannot_name_is_no_link() {
        let none = Filters::default();
        assert!(none.chip("CI/CD, GitOps").href.is_none());
        assert!(none.chip(" padded").href.is_none());
        let full = filters(RawBoardQuery {
            skills: Some("a,b,c,d,e,f,g,h,i,j"),
            ..Default::default()
        });
        assert!(full.chip("k").href.is_none());
        assert!(full.chip("A").active);
    }

    #[test]
    fn each_active_filter_links_to_the_board_without_it() {
        let all = filters(RawBoardQuery {
            q: Some("engineer"),
            skills: Some("rust,go"),
            employer: Some("acme"),
            limit: Some("10"),
            cursor: None,
        });
        let removals: Vec<(&str, String, String)> = all
            .active()
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
            all.no_match(),
            "No offers match “engineer” with all of the skills “rust”, “go” from acme"
        );
        let skill = filters(RawBoardQuery {
            skills: Some("rust"),
            ..Default::default()
        });
        assert_eq!(skill.no_match(), "No offers have the skill “rust”");
    }

    #[test]
    fn a_bad_query_keeps_the_parameters_that_parse_on_their_own() {
        let usable = Filters::usable_parts(&RawBoardQuery {
            q: Some("rust"),
            skills: Some("go"),
            employer: Some("not a name"),
            limit: Some("500"),
            cursor: Some("garbage"),
        });
        assert_eq!(usable.href(), "/?q=rust&skills=go");
    }
}
