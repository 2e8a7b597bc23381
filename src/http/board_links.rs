//! The board's links, for both doors: the filters a link carries and the query string that
//! names them. The API's `Link: rel="next"` and every link of the board page are built here.

use crate::domain::board::{same_skill, BoardQuery, RawBoardQuery, Sort};

use super::query::query_string;

/// The filters a board link carries: only parameters that parsed, and skills without
/// case-insensitive repeats. A link that changes them starts again at the first page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoardFilters {
    pub q: Option<String>,
    pub skills: Vec<String>,
    pub employer: Option<String>,
    pub workplaces: Vec<&'static str>,
    pub employment_types: Vec<&'static str>,
    pub country: Option<String>,
    pub salary_min: Option<String>,
    pub currency: Option<String>,
    pub posted_within: Option<u32>,
    /// Only when the request named an order other than the default.
    pub sort: Option<&'static str>,
    /// Only when the request named a page size, so that ordinary links stay short.
    pub limit: Option<u32>,
}

impl BoardFilters {
    /// The filters of a query that parsed, as the request named them.
    pub fn from_query(raw: &RawBoardQuery<'_>, query: &BoardQuery) -> Self {
        Self {
            q: query.text.as_ref().map(|text| text.as_str().to_owned()),
            skills: query
                .skills
                .as_ref()
                .map(|skills| skills.distinct())
                .unwrap_or_default(),
            employer: query.employer.as_ref().and(raw.employer).map(str::to_owned),
            workplaces: query
                .workplaces
                .iter()
                .flatten()
                .map(|workplace| workplace.as_str())
                .collect(),
            employment_types: query
                .employment_types
                .iter()
                .flatten()
                .map(|kind| kind.as_str())
                .collect(),
            country: query
                .country
                .as_ref()
                .map(|country| country.as_str().to_owned()),
            salary_min: query
                .pay
                .as_ref()
                .and_then(|pay| pay.yearly_min)
                .map(|amount| amount.to_plain()),
            currency: query
                .pay
                .as_ref()
                .map(|pay| pay.currency.as_str().to_owned()),
            posted_within: query.posted_within,
            sort: {
                let default = if query.text.is_some() {
                    Sort::Relevance
                } else {
                    Sort::Newest
                };
                (query.sort != default).then(|| query.sort.as_str())
            },
            limit: raw
                .limit
                .filter(|limit| !limit.is_empty())
                .map(|_| query.limit),
        }
    }

    /// What can be kept of a query that did not parse: each parameter that parses on its own
    /// (through the same parser), never the cursor.
    pub fn usable_parts(raw: &RawBoardQuery<'_>) -> Self {
        let alone = |one: RawBoardQuery<'_>| {
            BoardQuery::parse(one)
                .map(|query| Self::from_query(&one, &query))
                .unwrap_or_default()
        };
        let none = RawBoardQuery::default();
        let pay = alone(RawBoardQuery {
            salary_min: raw.salary_min,
            currency: raw.currency,
            ..none
        });
        Self {
            q: alone(RawBoardQuery { q: raw.q, ..none }).q,
            workplaces: alone(RawBoardQuery {
                workplace: raw.workplace,
                ..none
            })
            .workplaces,
            employment_types: alone(RawBoardQuery {
                employment_type: raw.employment_type,
                ..none
            })
            .employment_types,
            country: alone(RawBoardQuery {
                country: raw.country,
                ..none
            })
            .country,
            salary_min: pay.salary_min,
            currency: pay.currency,
            posted_within: alone(RawBoardQuery {
                posted_within: raw.posted_within,
                ..none
            })
            .posted_within,
            sort: alone(RawBoardQuery {
                q: raw.q,
                sort: raw.sort,
                ..none
            })
            .sort,
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

    /// `path`, with these filters and `cursor` as its query string when there are any.
    pub fn link(&self, path: &str, cursor: Option<&str>) -> String {
        let list = |items: &[&str]| (!items.is_empty()).then(|| items.join(","));
        let skills = (!self.skills.is_empty()).then(|| self.skills.join(","));
        let workplaces = list(&self.workplaces);
        let employment_types = list(&self.employment_types);
        let posted_within = self.posted_within.map(|days| days.to_string());
        let limit = self.limit.map(|limit| limit.to_string());
        let query = query_string(&[
            ("q", self.q.as_deref()),
            ("skills", skills.as_deref()),
            ("employer", self.employer.as_deref()),
            ("workplace", workplaces.as_deref()),
            ("employment_type", employment_types.as_deref()),
            ("country", self.country.as_deref()),
            ("salary_min", self.salary_min.as_deref()),
            ("currency", self.currency.as_deref()),
            ("posted_within", posted_within.as_deref()),
            ("sort", self.sort),
            ("limit", limit.as_deref()),
            ("cursor", cursor),
        ]);
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }

    pub fn is_filtering(&self) -> bool {
        self.q.is_some()
            || !self.skills.is_empty()
            || self.employer.is_some()
            || !self.workplaces.is_empty()
            || !self.employment_types.is_empty()
            || self.country.is_some()
            || self.currency.is_some()
            || self.posted_within.is_some()
    }

    /// Whether the filter has `skill` already, in any letter case.
    pub fn has_skill(&self, skill: &str) -> bool {
        self.skills.iter().any(|kept| same_skill(kept, skill))
    }

    /// These filters and `skill` too.
    pub fn with_skill(&self, skill: &str) -> Self {
        let mut skills = self.skills.clone();
        skills.push(skill.to_owned());
        Self {
            skills,
            ..self.clone()
        }
    }

    /// These filters without the search words.
    pub fn without_search(&self) -> Self {
        Self {
            q: None,
            ..self.clone()
        }
    }

    /// These filters without their `index`th skill.
    pub fn without_skill(&self, index: usize) -> Self {
        let mut skills = self.skills.clone();
        skills.remove(index);
        Self {
            skills,
            ..self.clone()
        }
    }

    /// These filters without the employer.
    pub fn without_employer(&self) -> Self {
        Self {
            employer: None,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filters(raw: RawBoardQuery<'_>) -> BoardFilters {
        BoardFilters::from_query(&raw, &BoardQuery::parse(raw).unwrap())
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
            all.link("/", None),
            "/?q=c%2B%2B%20%26%20go&skills=Rust%2Cnode.js&employer=acme"
        );
        assert_eq!(filters(RawBoardQuery::default()).link("/", None), "/");
        let sized = filters(RawBoardQuery {
            limit: Some("5"),
            ..Default::default()
        });
        assert_eq!(
            sized.link("/api/v1/offers", Some("YTE")),
            "/api/v1/offers?limit=5&cursor=YTE"
        );
    }

    #[test]
    fn skills_are_kept_once_whatever_their_case() {
        let rust = filters(RawBoardQuery {
            skills: Some("Rust,rust,RUST"),
            ..Default::default()
        });
        assert_eq!(rust.skills, ["Rust"]);
        assert!(rust.has_skill("rUST"));
        assert_eq!(rust.with_skill("Go").link("/", None), "/?skills=Rust%2CGo");
    }

    #[test]
    fn a_bad_query_keeps_the_parameters_that_parse_on_their_own() {
        let usable = BoardFilters::usable_parts(&RawBoardQuery {
            q: Some("rust"),
            skills: Some("go"),
            employer: Some("not a name"),
            limit: Some("500"),
            cursor: Some("garbage"),
            ..Default::default()
        });
        assert_eq!(usable.link("/", None), "/?q=rust&skills=go");
    }
}
