//! The public job board: every employer's offers, searchable, filterable and paged. No token.

use rocket::{get, State};
use rocket_okapi::openapi;
use schemars::JsonSchema;
use serde::Serialize;

use super::error::ApiError;
use super::offers::OfferBody;
use super::query::{BoardLimitSchema, CursorSchema, EmployerSchema, SearchSchema, SkillsSchema};
use super::responses::{Paged, Success};
use super::BASE;
use crate::auth::throttle::Limiter;
use crate::db::Db;
use crate::domain::board::{BoardQuery, RawBoardQuery};
use crate::error::AppError;
use crate::http::board_links::BoardFilters;
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
}

fn example_employer() -> &'static str {
    "acme"
}

impl From<BoardOffer> for BoardOfferBody {
    fn from(listed: BoardOffer) -> Self {
        Self {
            user_id: listed.offer.user_id,
            username: listed.username,
            offer: listed.offer.into(),
        }
    }
}

/// A page of the board.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardList {
    pub offers: Vec<BoardOfferBody>,
    /// How many offers match (on all pages).
    pub count: i64,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl BoardList {
    fn new(page: BoardPage, next_cursor: Option<String>) -> Self {
        Self {
            offers: page.offers.into_iter().map(BoardOfferBody::from).collect(),
            count: page.count,
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
#[openapi(tag = "Board")]
#[get("/offers?<q>&<skills>&<employer>&<limit>&<cursor>")]
pub async fn search_board(
    q: Param<'_, SearchSchema>,
    skills: Param<'_, SkillsSchema>,
    employer: Param<'_, EmployerSchema>,
    limit: Param<'_, BoardLimitSchema>,
    cursor: Param<'_, CursorSchema>,
    limiter: Limiter<'_>,
    db: &State<Db>,
) -> Result<Paged<BoardList>, ApiError> {
    let raw = RawBoardQuery::from(single_values([
        q.named("q"),
        skills.named("skills"),
        employer.named("employer"),
        limit.named("limit"),
        cursor.named("cursor"),
    ])?);
    let query = BoardQuery::parse(raw).map_err(AppError::InvalidQuery)?;
    // Held while the search runs: searches take at most their share of the pool.
    let _slot = limiter.board_search(&query).await?;
    let page = repo::board::page(&mut *db.acquire().await?, &query).await?;
    let next_cursor = page.next_cursor().map(|cursor| cursor.encode());
    let next = next_cursor.as_deref().map(|cursor| {
        BoardFilters::from_query(&raw, &query).link(&format!("{BASE}/offers"), Some(cursor))
    });
    Ok(Paged {
        body: BoardList::new(page, next_cursor),
        next,
    })
}

/// # Get a published offer
///
/// One offer with its employer, for anyone. No token needed.
#[openapi(tag = "Board")]
#[get("/offers/<id>")]
pub async fn public_offer(
    id: PathId<'_>,
    db: &State<Db>,
) -> Result<Success<BoardOfferBody>, ApiError> {
    let id = id.offer()?;
    let offer = repo::board::find(&mut *db.acquire().await?, id)
        .await?
        .ok_or_else(|| AppError::offer_not_found(id))?;
    Ok(Success(offer.into()))
}
