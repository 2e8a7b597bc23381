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
    /// RFC 3339, in UTC to the microsecond, as the query parsed it.
    pub updated_since: Option<String>,
    /// `include=closed` (the API's; the pages never send it).
    pub include_closed: bool,
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
            updated_since: query
                .updated_since
                .map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            include_closed: query.include_closed,
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
            updated_since: alone(RawBoardQuery {
                updated_since: raw.updated_since,
                ..none
            })
            .updated_since,
            include_closed: alone(RawBoardQuery {
                include: raw.include,
                ..none
            })
            .include_closed,
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
            ("updated_since", self.updated_since.as_deref()),
            ("include", self.include_closed.then_some("closed")),
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
            || self.updated_since.is_some()
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

    /// These filters without the search words, and without an order: only search words can
    /// be ranked, so without them every order is the newest first.
    pub fn without_search(&self) -> Self {
        Self {
            q: None,
            sort: None,
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

    /// These filters without one of their workplaces (the others still match).
    pub fn without_workplace(&self, workplace: &str) -> Self {
        Self {
            workplaces: without(&self.workplaces, workplace),
            ..self.clone()
        }
    }

    /// These filters without one of their employment types (the others still match).
    pub fn without_employment_type(&self, kind: &str) -> Self {
        Self {
            employment_types: without(&self.employment_types, kind),
            ..self.clone()
        }
    }

    /// These filters without the country.
    pub fn without_country(&self) -> Self {
        Self {
            country: None,
            ..self.clone()
        }
    }

    /// These filters without the pay floor: the minimum and its currency go together, since a
    /// minimum without its currency is no query.
    pub fn without_pay(&self) -> Self {
        Self {
            salary_min: None,
            currency: None,
            ..self.clone()
        }
    }

    /// These filters without the publication window.
    pub fn without_posted_within(&self) -> Self {
        Self {
            posted_within: None,
            ..self.clone()
        }
    }
}

/// `values` without `value`.
fn without(values: &[&'static str], value: &str) -> Vec<&'static str> {
    values
        .iter()
        .copied()
        .filter(|kept| *kept != value)
        .collect()
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
    fn each_removal_drops_only_its_own_value() {
        let all = filters(RawBoardQuery {
            q: Some("rust"),
            workplace: Some("remote,hybrid"),
            employment_type: Some("FULL_TIME,CONTRACTOR"),
            country: Some("de"),
            salary_min: Some("60000"),
            currency: Some("eur"),
            posted_within: Some("7"),
            sort: Some("newest"),
            ..Default::default()
        });
        let rest = "employment_type=FULL_TIME%2CCONTRACTOR&country=DE&salary_min=60000\
                    &currency=EUR&posted_within=7&sort=newest";
        assert_eq!(
            all.link("/", None),
            format!("/?q=rust&workplace=remote%2Chybrid&{rest}")
        );
        assert_eq!(
            all.without_workplace("remote").link("/", None),
            format!("/?q=rust&workplace=hybrid&{rest}")
        );
        assert_eq!(
            all.without_workplace("remote")
                .without_workplace("hybrid")
                .link("/", None),
            format!("/?q=rust&{rest}")
        );
        assert_eq!(
            all.without_employment_type("CONTRACTOR").link("/", None),
            "/?q=rust&workplace=remote%2Chybrid&employment_type=FULL_TIME&country=DE\
             &salary_min=60000&currency=EUR&posted_within=7&sort=newest"
        );
        assert_eq!(
            all.without_country().link("/", None),
            "/?q=rust&workplace=remote%2Chybrid&employment_type=FULL_TIME%2CCONTRACTOR\
             &salary_min=60000&currency=EUR&posted_within=7&sort=newest"
        );
        assert_eq!(
            all.without_pay().link("/", None),
            "/?q=rust&workplace=remote%2Chybrid&employment_type=FULL_TIME%2CCONTRACTOR\
             &country=DE&posted_within=7&sort=newest"
        );
        assert_eq!(
            all.without_posted_within().link("/", None),
            "/?q=rust&workplace=remote%2Chybrid&employment_type=FULL_TIME%2CCONTRACTOR\
             &country=DE&salary_min=60000&currency=EUR&sort=newest"
        );
        // Without words there is nothing to rank: the order goes with them.
        assert_eq!(
            all.without_search().link("/", None),
            "/?workplace=remote%2Chybrid&employment_type=FULL_TIME%2CCONTRACTOR&country=DE\
             &salary_min=60000&currency=EUR&posted_within=7"
        );
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
        // A minimum without its currency cannot stand alone; the good filters beside it stay.
        let usable = BoardFilters::usable_parts(&RawBoardQuery {
            workplace: Some("remote"),
            country: Some("XX"),
            salary_min: Some("5"),
            posted_within: Some("7"),
            ..Default::default()
        });
        assert_eq!(usable.link("/", None), "/?workplace=remote&posted_within=7");
    }
}
