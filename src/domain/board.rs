//! The public job board's query: search words, skill filter, employer, page size and cursor.
//! Parsing here, so the API and the pages accept exactly the same queries.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};

use super::fields::{collect, comma_list, FieldErrors, HAS_NUL};
use super::posting::{
    parse_timestamp, Amount, Country, Currency, EmploymentType, ShownStatus, Workplace,
};
use super::user::Username;

pub const MAX_QUERY_CHARS: usize = 200;
/// Every search word is one more index probe and ranking term: a query of dozens of words
/// would cost many times a normal one.
pub const MAX_QUERY_WORDS: usize = 8;
pub const MAX_FILTER_SKILLS: usize = 10;
pub const MAX_FILTER_SKILL_CHARS: usize = 50;
/// `salary_min` without `currency`: an amount means nothing without one.
pub const CURRENCY_REQUIRED: &str =
    "Required with a minimum salary (salary_min): the currency of the amount.";

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

/// What a listing is ordered by, after which its cursors say where they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyset {
    /// Offer ids (an employer's list, in creation order).
    Id,
    /// Search rank, then id (the board by relevance).
    Rank,
    /// First publication, then id (the board by newest).
    Posted,
}

/// A position in a listing: the last (or first) offer shown, with its search rank or its
/// first publication (microseconds since the epoch) when the listing is ordered by them.
/// Opaque to clients: base64url of a small text form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cursor {
    pub direction: Direction,
    pub id: i64,
    pub rank: Option<f32>,
    pub posted: Option<i64>,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let direction = match self.direction {
            Direction::After => 'a',
            Direction::Before => 'b',
        };
        // The rank's bits, so the keyset comparison in SQL sees exactly the same float.
        let text = match (self.rank, self.posted) {
            (Some(rank), _) => format!("{direction}{}.{:08x}", self.id, rank.to_bits()),
            (None, Some(posted)) => format!("{direction}{}@{posted}", self.id),
            (None, None) => format!("{direction}{}", self.id),
        };
        URL_SAFE_NO_PAD.encode(text)
    }

    /// Decodes a cursor of a listing ordered by `keyset`; a cursor of another listing is
    /// refused.
    pub fn decode(raw: &str, keyset: Keyset) -> Result<Self, String> {
        let invalid = || "Not a valid cursor for this listing.".to_owned();
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (direction, rest) = match text.split_at_checked(1) {
            Some(("a", rest)) => (Direction::After, rest),
            Some(("b", rest)) => (Direction::Before, rest),
            _ => return Err(invalid()),
        };
        let (id, rank, posted) = match keyset {
            Keyset::Rank => {
                let (id, bits) = rest.split_once('.').ok_or_else(invalid)?;
                let bits = u32::from_str_radix(bits, 16).map_err(|_| invalid())?;
                let rank = f32::from_bits(bits);
                if !rank.is_finite() {
                    return Err(invalid());
                }
                (id, Some(rank), None)
            }
            Keyset::Posted => {
                let (id, posted) = rest.split_once('@').ok_or_else(invalid)?;
                let posted = posted.parse::<i64>().map_err(|_| invalid())?;
                (id, None, Some(posted))
            }
            Keyset::Id => (rest, None, None),
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
            posted,
        })
    }
}

/// A validated board query.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardQuery {
    pub text: Option<SearchText>,
    pub skills: Option<SkillFilter>,
    pub employer: Option<Employer>,
    /// Any of these workplaces.
    pub workplaces: Option<Vec<Workplace>>,
    /// Any of these employment types.
    pub employment_types: Option<Vec<EmploymentType>>,
    /// Offers with a location there, and remote or hybrid offers open to candidates there.
    pub country: Option<Country>,
    pub pay: Option<PayFloor>,
    /// Published at most this many days ago.
    pub posted_within: Option<u32>,
    /// Changed (created, edited, published, closed…) at or after this time: an aggregator's
    /// incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Also offers that left the board (closed, expired) and, see `lists_removed`, deleted
    /// ones: what an aggregator needs to take them down (`include=closed`, API only).
    pub include_closed: bool,
    pub sort: Sort,
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

/// Offers paid in `currency`, whose maximum, turned yearly, is at least `yearly_min` (when
/// given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayFloor {
    pub currency: Currency,
    pub yearly_min: Option<Amount>,
}

/// The board's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Best match first (search words), then newest.
    Relevance,
    /// Most recently first published first.
    Newest,
}

pub const MAX_POSTED_WITHIN_DAYS: u32 = 365;

/// The board's query parameters as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawBoardQuery<'a> {
    pub q: Option<&'a str>,
    pub skills: Option<&'a str>,
    pub employer: Option<&'a str>,
    pub workplace: Option<&'a str>,
    pub employment_type: Option<&'a str>,
    pub country: Option<&'a str>,
    pub salary_min: Option<&'a str>,
    pub currency: Option<&'a str>,
    pub posted_within: Option<&'a str>,
    pub updated_since: Option<&'a str>,
    pub include: Option<&'a str>,
    pub sort: Option<&'a str>,
    pub limit: Option<&'a str>,
    pub cursor: Option<&'a str>,
}

impl<'a> From<[Option<&'a str>; 14]> for RawBoardQuery<'a> {
    /// The parameters in the order of the struct's fields (`q` … `cursor`), as links name them.
    fn from(
        [q, skills, employer, workplace, employment_type, country, salary_min, currency, posted_within, updated_since, include, sort, limit, cursor]: [Option<&'a str>; 14],
    ) -> Self {
        Self {
            q,
            skills,
            employer,
            workplace,
            employment_type,
            country,
            salary_min,
            currency,
            posted_within,
            updated_since,
            include,
            sort,
            limit,
            cursor,
        }
    }
}

/// `include`: `closed` (empty is not given).
fn parse_include(raw: &str) -> Result<bool, String> {
    match raw {
        "closed" => Ok(true),
        _ => Err("Must be closed: also list offers that left the board.".to_owned()),
    }
}

/// An RFC 3339 time in a query string, where an unencoded `+` of the offset arrives as a space
/// (`2026-12-01T10:00:00+01:00` sent as is): read as the `+` it was.
fn parse_query_timestamp(raw: &str) -> Result<DateTime<Utc>, String> {
    parse_timestamp(raw)
        .or_else(|problem| parse_timestamp(&raw.replace(' ', "+")).map_err(|_| problem))
}

fn optional<T>(
    raw: Option<&str>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    raw.map(str::trim)
        .filter(|raw| !raw.is_empty())
        .map(parse)
        .transpose()
}

fn parse_days(raw: &str) -> Result<u32, String> {
    raw.parse::<u32>()
        .ok()
        .filter(|days| (1..=MAX_POSTED_WITHIN_DAYS).contains(days))
        .ok_or_else(|| format!("Must be a number of days from 1 to {MAX_POSTED_WITHIN_DAYS}."))
}

fn parse_sort(raw: &str) -> Result<Sort, String> {
    match raw {
        "relevance" => Ok(Sort::Relevance),
        "newest" => Ok(Sort::Newest),
        _ => Err("Must be relevance or newest.".to_owned()),
    }
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::Newest => "newest",
        }
    }
}

impl BoardQuery {
    /// Whether the query searches (words or skills): what counts against a client's search
    /// limit.
    pub fn is_search(&self) -> bool {
        self.text.is_some() || self.skills.is_some()
    }

    /// Whether the query costs the database work in proportion to its matches, so that it
    /// runs in one of the few search slots rather than in as many pooled connections as
    /// clients ask at once (src/repo/board.rs): a search, a filter of the board's GIN index
    /// (several employment types, a country), or several filters together. Alone, a
    /// workplace, a pay floor, a posting age, an employer or one employment type is read from
    /// its own ordered index, as cheaply as the newest page.
    pub fn reads_its_matches(&self) -> bool {
        let one_type = matches!(self.employment_types.as_deref(), Some([_]));
        let ordered_filters = [
            self.workplaces.is_some(),
            self.pay.is_some(),
            self.posted_within.is_some(),
            self.employer.is_some(),
            one_type,
        ];
        self.is_search()
            || (self.employment_types.is_some() && !one_type)
            || self.country.is_some()
            || ordered_filters.iter().filter(|given| **given).count() > 1
    }

    /// Whether the listing is ranked by relevance: words to rank by, and no other order asked.
    pub fn is_ranked(&self) -> bool {
        self.text.is_some() && self.sort == Sort::Relevance
    }

    /// Whether the page also lists the offers deleted since `updated_since` (or within the
    /// tombstones' days), as `{id, status: deleted}`: with `include=closed`, on the first page,
    /// when nothing but the time filters the offers. A tombstone keeps only an id and a time,
    /// so whether a deleted offer matched words, skills, an employer or a place is unknown.
    pub fn lists_removed(&self) -> bool {
        self.include_closed
            && self.cursor.is_none()
            && self.text.is_none()
            && self.skills.is_none()
            && self.employer.is_none()
            && self.workplaces.is_none()
            && self.employment_types.is_none()
            && self.country.is_none()
            && self.pay.is_none()
            && self.posted_within.is_none()
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
        let workplaces = collect(
            e,
            "workplace",
            raw.workplace
                .map_or(Ok(None), |raw| comma_list(raw, Workplace::parse)),
        )
        .flatten();
        let employment_types = collect(
            e,
            "employment_type",
            raw.employment_type
                .map_or(Ok(None), |raw| comma_list(raw, EmploymentType::parse)),
        )
        .flatten();
        let country = collect(e, "country", optional(raw.country, Country::parse)).flatten();
        let yearly_min =
            collect(e, "salary_min", optional(raw.salary_min, Amount::parse)).flatten();
        let currency = collect(e, "currency", optional(raw.currency, Currency::parse)).flatten();
        let pay = match (currency, yearly_min) {
            (Some(currency), yearly_min) => Some(PayFloor {
                currency,
                yearly_min,
            }),
            (None, Some(_)) => {
                e.add("currency", CURRENCY_REQUIRED);
                None
            }
            (None, None) => None,
        };
        let posted_within =
            collect(e, "posted_within", optional(raw.posted_within, parse_days)).flatten();
        // Only an empty value means "not given": a time is machine-written, and " " is no time.
        let updated_since = collect(
            e,
            "updated_since",
            raw.updated_since
                .filter(|raw| !raw.is_empty())
                .map(parse_query_timestamp)
                .transpose(),
        )
        .flatten();
        let include_closed = collect(e, "include", optional(raw.include, parse_include))
            .flatten()
            .unwrap_or(false);
        let sort = collect(e, "sort", optional(raw.sort, parse_sort))
            .flatten()
            .unwrap_or(if text.is_some() {
                Sort::Relevance
            } else {
                Sort::Newest
            });
        let limit = collect(e, "limit", parse_limit(raw.limit, BOARD_PAGE));
        let keyset = if text.is_some() && sort == Sort::Relevance {
            Keyset::Rank
        } else {
            Keyset::Posted
        };
        let cursor = collect(
            e,
            "cursor",
            raw.cursor
                .filter(|cursor| !cursor.trim().is_empty())
                .map(|cursor| Cursor::decode(cursor, keyset))
                .transpose(),
        )
        .flatten();
        match limit {
            Some(limit) if errors.is_empty() => Ok(Self {
                text,
                skills,
                employer,
                workplaces,
                employment_types,
                country,
                pay,
                posted_within,
                updated_since,
                include_closed,
                sort,
                limit,
                cursor,
            }),
            _ => Err(errors),
        }
    }
}

/// A page of one employer's offers: size, cursor, and the statuses wanted (`None`: all the
/// viewer may see).
#[derive(Debug, Clone, PartialEq)]
pub struct EmployerPage {
    pub limit: u32,
    pub cursor: Option<Cursor>,
    pub statuses: Option<Vec<ShownStatus>>,
}

/// Reads `draft,closed,…`: a comma list of statuses as shown (`expired` included), each once.
pub fn parse_statuses(raw: &str) -> Result<Option<Vec<ShownStatus>>, String> {
    comma_list(raw, ShownStatus::parse)
}

/// Reads the cursor of a list that pages forwards by id (a user's offers, an employer's
/// applications): blank is none; anything but one of ours is refused.
pub fn forward_id_cursor(raw: Option<&str>) -> Result<Option<Cursor>, String> {
    raw.filter(|cursor| !cursor.trim().is_empty())
        .map(|cursor| {
            Cursor::decode(cursor, Keyset::Id)
                .ok()
                .filter(|cursor| cursor.direction == Direction::After)
                .ok_or_else(|| "Not a valid cursor for this listing.".to_owned())
        })
        .transpose()
}

impl EmployerPage {
    pub fn parse(
        limit: Option<&str>,
        cursor: Option<&str>,
        status: Option<&str>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let limit = collect(&mut errors, "limit", parse_limit(limit, EMPLOYER_PAGE));
        let statuses = collect(
            &mut errors,
            "status",
            status.map(parse_statuses).transpose(),
        )
        .flatten()
        .flatten();
        let cursor = collect(&mut errors, "cursor", forward_id_cursor(cursor)).flatten();
        match limit {
            Some(limit) if errors.is_empty() => Ok(Self {
                limit,
                cursor,
                statuses,
            }),
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
    fn only_the_newest_page_and_a_single_ordered_filter_run_outside_the_search_slots() {
        let reads = |raw: RawBoardQuery<'_>| BoardQuery::parse(raw).unwrap().reads_its_matches();
        assert!(!reads(RawBoardQuery::default()));
        assert!(!reads(RawBoardQuery {
            workplace: Some("remote,hybrid"),
            ..Default::default()
        }));
        assert!(!reads(RawBoardQuery {
            salary_min: Some("50000"),
            currency: Some("EUR"),
            ..Default::default()
        }));
        assert!(!reads(RawBoardQuery {
            posted_within: Some("7"),
            ..Default::default()
        }));
        assert!(!reads(RawBoardQuery {
            employer: Some("acme"),
            ..Default::default()
        }));
        assert!(reads(RawBoardQuery {
            q: Some("python"),
            ..Default::default()
        }));
        assert!(reads(RawBoardQuery {
            skills: Some("rust"),
            ..Default::default()
        }));
        assert!(reads(RawBoardQuery {
            country: Some("DE"),
            ..Default::default()
        }));
        assert!(!reads(RawBoardQuery {
            employment_type: Some("PART_TIME"),
            ..Default::default()
        }));
        assert!(!reads(RawBoardQuery {
            employment_type: Some("PART_TIME,PART_TIME"),
            ..Default::default()
        }));
        assert!(reads(RawBoardQuery {
            employment_type: Some("PART_TIME,INTERN"),
            ..Default::default()
        }));
        assert!(reads(RawBoardQuery {
            employment_type: Some("PART_TIME"),
            workplace: Some("remote"),
            ..Default::default()
        }));
        assert!(reads(RawBoardQuery {
            workplace: Some("remote"),
            posted_within: Some("7"),
            ..Default::default()
        }));
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
            posted: None,
        };
        assert_eq!(Cursor::decode(&ranked.encode(), Keyset::Rank), Ok(ranked));
        assert!(Cursor::decode(&ranked.encode(), Keyset::Id).is_err());
        assert!(Cursor::decode(&ranked.encode(), Keyset::Posted).is_err());
        let plain = Cursor {
            direction: Direction::Before,
            id: 5,
            rank: None,
            posted: None,
        };
        assert_eq!(Cursor::decode(&plain.encode(), Keyset::Id), Ok(plain));
        assert!(Cursor::decode(&plain.encode(), Keyset::Rank).is_err());
        let newest = Cursor {
            direction: Direction::After,
            id: 9,
            rank: None,
            posted: Some(1_790_000_000_123_456),
        };
        assert_eq!(Cursor::decode(&newest.encode(), Keyset::Posted), Ok(newest));
        assert!(Cursor::decode(&newest.encode(), Keyset::Id).is_err());
        for garbage in ["", "???", "YQ", "eDEy", "YS0x"] {
            assert!(Cursor::decode(garbage, Keyset::Id).is_err(), "{garbage}");
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

    #[test]
    fn deleted_offers_are_listed_only_by_unfiltered_syncs_on_their_first_page() {
        let parse = |raw: RawBoardQuery<'_>| BoardQuery::parse(raw).unwrap();
        let sync = RawBoardQuery {
            include: Some("closed"),
            updated_since: Some("2026-12-01T09:30:00Z"),
            ..Default::default()
        };
        assert!(parse(sync).include_closed);
        assert!(parse(sync).lists_removed());
        assert!(!parse(RawBoardQuery {
            include: None,
            ..sync
        })
        .lists_removed());
        assert!(!parse(RawBoardQuery {
            skills: Some("rust"),
            ..sync
        })
        .lists_removed());
        assert!(!parse(RawBoardQuery {
            country: Some("DE"),
            ..sync
        })
        .lists_removed());
        let cursor = Cursor {
            direction: Direction::After,
            id: 3,
            rank: None,
            posted: Some(1),
        }
        .encode();
        assert!(!parse(RawBoardQuery {
            cursor: Some(&cursor),
            ..sync
        })
        .lists_removed());
        // Empty is not given; any other value than closed is named.
        assert!(
            !parse(RawBoardQuery {
                include: Some(""),
                ..sync
            })
            .include_closed
        );
        let errors = BoardQuery::parse(RawBoardQuery {
            include: Some("drafts"),
            ..sync
        })
        .unwrap_err();
        assert!(errors.get("include").is_some());
    }
}
