//! What the board page and offer pages show of the board's filters: skill chips that add a
//! skill, active filters that can be removed, the search form's hidden fields, and the
//! sentence for an empty result.

use serde::Serialize;

use crate::domain::board::SkillFilter;
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
            kind: "Employer",
            value: employer.clone(),
            href: board_href(&filters.without_employer(), None),
        });
    }
    active
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

/// Says in words that nothing matches `filters`.
pub fn no_match(filters: &BoardFilters) -> String {
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
    if let Some(employer) = &filters.employer {
        text.push_str(&format!(" from {employer}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::board::{BoardQuery, RawBoardQuery};

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
            no_match(&all),
            "No offers match “engineer” with all of the skills “rust”, “go” from acme"
        );
        let skill = filters(RawBoardQuery {
            skills: Some("rust"),
            ..Default::default()
        });
        assert_eq!(no_match(&skill), "No offers have the skill “rust”");
    }
}
