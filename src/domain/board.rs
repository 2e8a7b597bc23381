//! The public job board's query: search words, skill filter, employer, page size and cursor.
//! Parsing here, so the API and the pages accept exactly the same queries.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::fields::{collect, FieldErrors, HAS_NUL};
use super::user::Username;

pub const MAX_QUERY_CHARS: usize = 200;
/// Every search word is one more index probe and ranking term: a query of dozens of words
/// would cost many times a normal one.
pub const MAX_QUERY_WORDS: usize = 8;
pub const MAX_FILTER_SKILLS: usize = 10;
pub const MAX_FILTER_SKILL_CHARS: usize = 50;

/// Page sizes: the board's, and the per-employer list's (which kept the original's default of
/// "everything", now capped).
#[derive(Debug, Clone, Copy)]
pub struct PageSize {
    pub default: u32,
    pub max: u32,
}

pub const BOARD_PAGE: PageSize = PageSize {
    default: 20,
    max: 100,
};
/// At most 100 offers per page: a page of offers of 10 000 characters each is already a few
/// megabytes.
pub const EMPLOYER_PAGE: PageSize = PageSize {
    default: 100,
    max: 100,
};

/// Free-text search of at most 200 characters; tokenized by Postgres (`offer_words`), the same
/// way offers are indexed. Checked as sent (no trimming), so the published schema and this
/// parser accept exactly the same strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText(String);

impl SearchText {
    /// `Ok(None)` for a query with no word in it (blank, or punctuation only).
    pub fn parse(raw: &str) -> Result<Option<Self>, String> {
        if raw.contains('\0') {
            return Err(HAS_NUL.to_owned());
        }
        if raw.chars().count() > MAX_QUERY_CHARS {
            return Err(format!("At most {MAX_QUERY_CHARS} characters."));
        }
        let words = raw
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .count();
        if words > MAX_QUERY_WORDS {
            return Err(format!("At most {MAX_QUERY_WORDS} words."));
        }
        Ok((words > 0).then(|| Self(raw.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Skills an offer must all have, comma-separated; compared case-insensitively by Postgres
/// (`offer_skill_keys`, the function that builds the indexed keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillFilter(Vec<String>);

impl SkillFilter {
    /// The OpenAPI pattern: at most 10 comma-separated items of at most 50 characters.
    pub const PATTERN: &'static str = r"^[^,\u0000]{0,50}(,[^,\u0000]{0,50}){0,9}$";

    /// `Ok(None)` when no skill is named. Items are limited as sent (so the published pattern
    /// and this parser agree), then trimmed, and empty ones dropped.
    pub fn parse(raw: &str) -> Result<Option<Self>, String> {
        if raw.contains('\0') {
            return Err(HAS_NUL.to_owned());
        }
        let items: Vec<&str> = raw.split(',').collect();
        if items.len() > MAX_FILTER_SKILLS {
            return Err(format!("At most {MAX_FILTER_SKILLS} skills."));
        }
        if items
            .iter()
            .any(|item| item.chars().count() > MAX_FILTER_SKILL_CHARS)
        {
            return Err(format!(
                "Each skill has at most {MAX_FILTER_SKILL_CHARS} characters."
            ));
        }
        let skills: Vec<String> = items
            .iter()
            .map(|item| item.trim())
            .filter(|skill| !skill.is_empty())
            .map(str::to_owned)
            .collect();
        Ok((!skills.is_empty()).then_some(Self(skills)))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// The skills named, each once: the first spelling of each is kept.
    pub fn distinct(&self) -> Vec<String> {
        let mut skills: Vec<String> = Vec::new();
        for skill in &self.0 {
            if !skills.iter().any(|kept| same_skill(kept, skill)) {
                skills.push(skill.clone());
            }
        }
        skills
    }
}

/// Whether two skills are one to the board's filter: letter case aside, as the database's
/// `offer_skill_keys` compares them.
pub fn same_skill(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// An employer named by user id or by username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Employer {
    Id(i64),
    Username(String),
}

impl Employer {
    /// The OpenAPI pattern: a positive id, or a username.
    pub const PATTERN: &'static str = r"^([1-9][0-9]{0,18}|[A-Za-z0-9_.\-]{3,32})?$";

    /// Digits are an id when they fit one; otherwise the text must be a username.
    pub fn parse(raw: &str) -> Result<Option<Self>, String> {
        if raw.is_empty() {
            return Ok(None);
        }
        if raw.bytes().all(|b| b.is_ascii_digit()) {
            if let Some(id) = raw.parse::<i64>().ok().filter(|id| *id > 0) {
                return Ok(Some(Self::Id(id)));
            }
        }
        Username::parse(raw)
            .map(|username| Some(Self::Username(username.as_str().to_owned())))
            .map_err(|_| "Not a user id or username.".to_owned())
    }
}

/// Reads a page size: an integer from 1 to `size.max`, `size.default` when absent.
pub fn parse_limit(raw: Option<&str>, size: PageSize) -> Result<u32, String> {
    match raw {
        None => Ok(size.default),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|limit| (1..=size.max).contains(limit))
            .ok_or_else(|| format!("Must be an integer from 1 to {}.", size.max)),
    }
}

/// Which way a page goes from its cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The page after the cursor (the `next_cursor` of the previous page).
    After,
    /// The page before it (the pages' "Previous" link).
    Before,
}

/// A position in a listing: the last (or first) offer shown, with its search rank when the
/// listing is ranked. Opaque to clients: base64url of a small text form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cursor {
    pub direction: Direction,
    pub id: i64,
    pub rank: Option<f32>,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let direction = match self.direction {
            Direction::After => 'a',
            Direction::Before => 'b',
        };
        // The rank's bits, so the keyset comparison in SQL sees exactly the same float.
        let text = match self.rank {
            Some(rank) => format!("{direction}{}.{:08x}", self.id, rank.to_bits()),
            None => format!("{direction}{}", self.id),
        };
        URL_SAFE_NO_PAD.encode(text)
    }

    /// Decodes a cursor; `ranked` says whether the listing it is used on is ranked.
    pub fn decode(raw: &str, ranked: bool) -> Result<Self, String> {
        let invalid = || "Not a valid cursor for this listing.".to_owned();
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (direction, rest) = match text.split_at_checked(1) {
            Some(("a", rest)) => (Direction::After, rest),
            Some(("b", rest)) => (Direction::Before, rest),
            _ => return Err(invalid()),
        };
        let (id, rank) = match rest.split_once('.') {
            Some((id, bits)) if ranked => {
                let bits = u32::from_str_radix(bits, 16).map_err(|_| invalid())?;
                let rank = f32::from_bits(bits);
                if !rank.is_finite() {
                    return Err(invalid());
                }
                (id, Some(rank))
            }
            None if !ranked => (rest, None),
            _ => return Err(invalid()),
        };
        let id = id
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(invalid)?;
        Ok(Self {
            direction,
            id,
            rank,
        })
    }
}

/// A validated board query.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardQuery {
    pub text: Option<SearchText>,
    pub skills: Option<SkillFilter>,
    pub employer: Option<Employer>,
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

/// The board's query parameters as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawBoardQuery<'a> {
    pub q: Option<&'a str>,
    pub skills: Option<&'a str>,
    pub employer: Option<&'a str>,
    pub limit: Option<&'a str>,
    pub cursor: Option<&'a str>,
}

impl<'a> From<[Option<&'a str>; 5]> for RawBoardQuery<'a> {
    /// The parameters in the order `q`, `skills`, `employer`, `limit`, `cursor`.
    fn from([q, skills, employer, limit, cursor]: [Option<&'a str>; 5]) -> Self {
        Self {
            q,
            skills,
            employer,
            limit,
            cursor,
        }
    }
}

impl BoardQuery {
    /// Whether the query searches (words or skills): the queries that cost the database
    /// work in proportion to their matches, and count against a client's search limit.
    pub fn is_search(&self) -> bool {
        self.text.is_some() || self.skills.is_some()
    }

    /// Parses every parameter, naming each bad one.
    pub fn parse(raw: RawBoardQuery<'_>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let e = &mut errors;
        let text = collect(e, "q", raw.q.map_or(Ok(None), SearchText::parse)).flatten();
        let skills =
            collect(e, "skills", raw.skills.map_or(Ok(None), SkillFilter::parse)).flatten();
        let employer = collect(
            e,
            "employer",
            raw.employer.map_or(Ok(None), Employer::parse),
        )
        .flatten();
        let limit = collect(e, "limit", parse_limit(raw.limit, BOARD_PAGE));
        let ranked = text.is_some();
        let cursor = collect(
            e,
            "cursor",
            raw.cursor
                .filter(|cursor| !cursor.trim().is_empty())
                .map(|cursor| Cursor::decode(cursor, ranked))
                .transpose(),
        )
        .flatten();
        match limit {
            Some(limit) if errors.is_empty() => Ok(Self {
                text,
                skills,
                employer,
                limit,
                cursor,
            }),
            _ => Err(errors),
        }
    }
}

/// A page of one employer's offers: size and cursor only.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmployerPage {
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

impl EmployerPage {
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let limit = collect(&mut errors, "limit", parse_limit(limit, EMPLOYER_PAGE));
        let cursor = collect(
            &mut errors,
            "cursor",
            cursor
                .filter(|cursor| !cursor.trim().is_empty())
                .map(|cursor| {
                    // These lists only page forwards.
                    Cursor::decode(cursor, false)
                        .ok()
                        .filter(|cursor| cursor.direction == Direction::After)
                        .ok_or_else(|| "Not a valid cursor for this listing.".to_owned())
                })
                .transpose(),
        )
        .flatten();
        match limit {
            Some(limit) if errors.is_empty() => Ok(Self { limit, cursor }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_without_words_is_no_search() {
        assert_eq!(SearchText::parse("   ").unwrap(), None);
        assert_eq!(SearchText::parse("!!! ,").unwrap(), None);
        assert!(SearchText::parse(" c++ ").unwrap().is_some());
        assert!(SearchText::parse(&"x".repeat(201)).is_err());
        assert!(SearchText::parse("a\0").is_err());
    }

    #[test]
    fn a_search_has_at_most_eight_words() {
        assert!(SearchText::parse("one two three four five six seven eight")
            .unwrap()
            .is_some());
        assert_eq!(
            SearchText::parse("one two three four five six seven eight nine"),
            Err("At most 8 words.".to_owned())
        );
    }

    #[test]
    fn skill_filters_are_trimmed_and_bounded() {
        let skills = SkillFilter::parse(" Rust, c++ ,,node.js ")
            .unwrap()
            .unwrap();
        assert_eq!(skills.as_slice(), ["Rust", "c++", "node.js"]);
        assert_eq!(SkillFilter::parse(" , ").unwrap(), None);
        assert!(SkillFilter::parse(&"s,".repeat(11)).is_err());
        assert!(SkillFilter::parse(&"x".repeat(51)).is_err());
    }

    #[test]
    fn employers_are_ids_or_usernames() {
        assert_eq!(Employer::parse("42").unwrap(), Some(Employer::Id(42)));
        assert_eq!(
            Employer::parse("acme.jobs").unwrap(),
            Some(Employer::Username("acme.jobs".into()))
        );
        assert!(Employer::parse("0").is_err());
        assert!(Employer::parse(" 42").is_err());
        assert!(Employer::parse("not a name").is_err());
        assert_eq!(
            Employer::parse("99999999999999999999").unwrap(),
            Some(Employer::Username("99999999999999999999".into()))
        );
    }

    #[test]
    fn limits_default_and_stay_in_range() {
        assert_eq!(parse_limit(None, BOARD_PAGE), Ok(20));
        assert_eq!(parse_limit(Some("100"), BOARD_PAGE), Ok(100));
        assert!(parse_limit(Some("101"), BOARD_PAGE).is_err());
        assert!(parse_limit(Some("0"), BOARD_PAGE).is_err());
        assert!(parse_limit(Some("-1"), BOARD_PAGE).is_err());
        assert!(parse_limit(Some("ten"), BOARD_PAGE).is_err());
        assert_eq!(parse_limit(Some("100"), EMPLOYER_PAGE), Ok(100));
        assert!(parse_limit(Some("101"), EMPLOYER_PAGE).is_err());
    }

    #[test]
    fn cursors_round_trip_and_belong_to_their_listing() {
        let ranked = Cursor {
            direction: Direction::After,
            id: 17,
            rank: Some(0.607_927_1),
        };
        assert_eq!(Cursor::decode(&ranked.encode(), true), Ok(ranked));
        assert!(Cursor::decode(&ranked.encode(), false).is_err());
        let plain = Cursor {
            direction: Direction::Before,
            id: 5,
            rank: None,
        };
        assert_eq!(Cursor::decode(&plain.encode(), false), Ok(plain));
        assert!(Cursor::decode(&plain.encode(), true).is_err());
        for garbage in ["", "???", "YQ", "eDEy", "YS0x"] {
            assert!(Cursor::decode(garbage, false).is_err(), "{garbage}");
        }
    }

    #[test]
    fn every_bad_parameter_is_named() {
        let errors = BoardQuery::parse(RawBoardQuery {
            limit: Some("500"),
            cursor: Some("nope"),
            employer: Some("bad name"),
            ..Default::default()
        })
        .unwrap_err();
        for name in ["limit", "cursor", "employer"] {
            assert!(errors.get(name).is_some(), "{name}");
        }
    }
}
