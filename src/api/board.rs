//! The public job board: every employer's offers, searchable, filterable and paged. No token.

use rocket::{get, State};
use rocket_okapi::openapi;
use schemars::JsonSchema;
use serde::Serialize;

use super::error::ApiError;
use super::offers::OfferBody;
use super::query::{
    BoardLimitSchema, CountryFilterSchema, CurrencyFilterSchema, CursorSchema, EmployerSchema,
    EmploymentTypeFilterSchema, IncludeSchema, PostedWithinSchema, SalaryMinSchema, SearchSchema,
    SkillsSchema, SortSchema, UpdatedSinceSchema, WorkplaceFilterSchema,
};
use super::responses::{Paged, Success};
use super::schema;
use super::BASE;
use crate::auth::throttle::Limiter;
use crate::config::AppConfig;
use crate::db::Db;
use crate::domain::board::{BoardQuery, RawBoardQuery};
use crate::error::AppError;
use crate::http::board_links::BoardFilters;
use crate::http::gone::gone_or_missing;
use crate::http::query::{single_values, Param};
use crate::http::PathId;
use crate::repo;
use crate::repo::board::{BoardOffer, BoardPage};

/// An offer on the board, with its employer.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardOfferBody {
    #[serde(flatten)]
    pub offer: OfferBody,
    /// The employer's user id.
    pub user_id: i64,
    /// The employer's username.
    #[schemars(example = "example_employer")]
    pub username: String,
    /// The employer's display name, if they set one (`PUT /users/{id}`); show it, else the
    /// username.
    #[schemars(
        schema_with = "schema::always_sent_nullable_string",
        example = "example_display_name"
    )]
    pub display_name: Option<String>,
}

fn example_display_name() -> &'static str {
    "ACME Robotics GmbH"
}

fn example_employer() -> &'static str {
    "acme"
}

impl From<BoardOffer> for BoardOfferBody {
    fn from(listed: BoardOffer) -> Self {
        Self {
            user_id: listed.offer.user_id,
            username: listed.username,
            display_name: listed.display_name,
            offer: listed.offer.into(),
        }
    }
}

/// An offer that was deleted, listed with `include=closed` so that a copy of it can be taken
/// down. Nothing else of it is kept.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DeletedOffer {
    /// The deleted offer's id.
    pub id: i64,
    #[schemars(schema_with = "schema::deleted_status")]
    pub status: &'static str,
}

/// One entry of a board page: an offer, or (with `include=closed`) a deleted one.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum BoardEntry {
    Offer(Box<BoardOfferBody>),
    Deleted(DeletedOffer),
}

/// A page of the board.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardList {
    /// The offers of the page, in order; with `include=closed`, the first page starts with
    /// the offers deleted since `updated_since` (not counted in `count` or `limit`).
    pub offers: Vec<BoardEntry>,
    /// How many offers match (on all pages); exact up to 10 000, then 10 000.
    pub count: i64,
    /// More than 10 000 offers match: `count` is a floor.
    pub count_capped: bool,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[schemars(schema_with = "schema::always_sent_nullable_string")]
    pub next_cursor: Option<String>,
}

impl BoardList {
    fn new(removed: Vec<i64>, page: BoardPage, next_cursor: Option<String>) -> Self {
        let removed = removed.into_iter().map(|id| {
            BoardEntry::Deleted(DeletedOffer {
                id,
                status: "deleted",
            })
        });
        let offers = page
            .offers
            .into_iter()
            .map(|offer| BoardEntry::Offer(Box::new(offer.into())));
        Self {
            offers: removed.chain(offers).collect(),
            count: page.count,
            count_capped: page.count_capped,
            next_cursor,
        }
    }
}

/// # Search the job board
///
/// Every employer's offers, newest first. `q` searches titles, skills and descriptions (every
/// word must match; results ranked title > skills > description, then newest); `skills`
/// keeps offers having all the listed skills (case-insensitive); `employer` keeps one
/// employer's. Pages of `limit` offers (20 by default, up to 100); pass `next_cursor` as
/// `cursor` for the next page, also given as `Link: <…>; rel="next"`. No token needed.
/// Searches (`q` or `skills`) are limited per client (`searches_per_window`, then 429).
/// `updated_since` keeps offers changed at or after a time, for incremental syncs, and
/// `include=closed` adds the offers that left the board (closed and expired ones, with their
/// status; on the first page of a query filtered by nothing but `updated_since`, the deleted
/// ones as `{"id", "status": "deleted"}`); answers carry an `ETag`, and `If-None-Match` with it
/// gets `304` while nothing changed.
#[openapi(tag = "Board")]
#[get(
    "/offers?<q>&<skills>&<employer>&<workplace>&<employment_type>&<country>&<salary_min>\
     &<currency>&<posted_within>&<updated_since>&<include>&<sort>&<limit>&<cursor>"
)]
#[allow(clippy::too_many_arguments)] // One argument per documented query parameter.
pub async fn search_board(
    q: Param<'_, SearchSchema>,
    skills: Param<'_, SkillsSchema>,
    employer: Param<'_, EmployerSchema>,
    workplace: Param<'_, WorkplaceFilterSchema>,
    employment_type: Param<'_, EmploymentTypeFilterSchema>,
    country: Param<'_, CountryFilterSchema>,
    salary_min: Param<'_, SalaryMinSchema>,
    currency: Param<'_, CurrencyFilterSchema>,
    posted_within: Param<'_, PostedWithinSchema>,
    updated_since: Param<'_, UpdatedSinceSchema>,
    include: Param<'_, IncludeSchema>,
    sort: Param<'_, SortSchema>,
    limit: Param<'_, BoardLimitSchema>,
    cursor: Param<'_, CursorSchema>,
    limiter: Limiter<'_>,
    db: &State<Db>,
    config: &State<AppConfig>,
) -> Result<Paged<BoardList>, ApiError> {
    let sent = single_values([
        q.named("q"),
        skills.named("skills"),
        employer.named("employer"),
        workplace.named("workplace"),
        employment_type.named("employment_type"),
        country.named("country"),
        salary_min.named("salary_min"),
        currency.named("currency"),
        posted_within.named("posted_within"),
        updated_since.named("updated_since"),
        include.named("include"),
        sort.named("sort"),
        limit.named("limit"),
        cursor.named("cursor"),
    ]);
    let raw = RawBoardQuery::from(sent.values());
    let query = sent.parse(|_| BoardQuery::parse(raw))?;
    // Held while the search runs: searches take at most their share of the pool.
    let _slot = limiter.board_search(&query).await?;
    let mut connection = db.acquire().await?;
    let removed = match query.lists_removed() {
        true => {
            repo::board::removed_since(
                &mut connection,
                query.updated_since,
                config.site.tombstone_days,
            )
            .await?
        }
        false => Vec::new(),
    };
    let page = repo::board::page(&mut connection, &query).await?;
    let next_cursor = page.next_cursor().map(|cursor| cursor.encode());
    let next = next_cursor.as_deref().map(|cursor| {
        BoardFilters::from_query(&raw, &query).link(&format!("{BASE}/offers"), Some(cursor))
    });
    Ok(Paged {
        body: BoardList::new(removed, page, next_cursor),
        next,
    })
}

/// # Get a published offer
///
/// One published offer that has not expired, with its employer, for anyone (drafts, closed
/// and expired offers are 404 here; a deleted one is 410 for `tombstone_days`). No token
/// needed.
#[openapi(tag = "Board")]
#[get("/offers/<id>")]
pub async fn public_offer(
    id: PathId<'_>,
    db: &State<Db>,
    config: &State<AppConfig>,
) -> Result<Success<BoardOfferBody>, ApiError> {
    let id = id.offer()?;
    let mut connection = db.acquire().await?;
    let Some(offer) = repo::board::find(&mut connection, id, None).await? else {
        return Err(gone_or_missing(&mut connection, id, &config.site)
            .await
            .into());
    };
    if !offer.offer.is_open() {
        return Err(AppError::offer_not_found(id).into());
    }
    Ok(Success(offer.into()))
}
