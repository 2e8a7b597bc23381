//! Job offers. Every read or write of one offer is scoped to its owner
//! (`WHERE id = $1 AND user_id = $2`); the doors decide who that owner may be.

use sqlx::postgres::PgRow;
use sqlx::{PgExecutor, Row};

use super::RepoError;
use crate::domain::board::{Cursor, Direction, EmployerPage};
use crate::domain::offer::{NewOffer, Offer, OfferPatch};

/// The columns of an offer, in `Offer`'s order; a macro so queries stay `&'static str` and
/// sqlx's prepared-statement cache sees one string per query.
macro_rules! offer_columns {
    () => {
        "id, user_id, title, description, skills_list, creation_date, modification_date"
    };
}

impl<'r> sqlx::FromRow<'r, PgRow> for Offer {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            skills_list: row.try_get("skills_list")?,
            creation_date: row.try_get("creation_date")?,
            modification_date: row.try_get("modification_date")?,
        })
    }
}

/// One page of a user's offers in creation order, with the user's total.
#[derive(Debug, Clone, PartialEq)]
pub struct UserOffers {
    pub offers: Vec<Offer>,
    pub total: i64,
    pub has_next: bool,
}

impl UserOffers {
    /// Continues after the last offer shown, when another page follows.
    pub fn next_cursor(&self) -> Option<Cursor> {
        let last = self.offers.last().filter(|_| self.has_next)?;
        Some(Cursor {
            direction: Direction::After,
            id: last.id,
            rank: None,
        })
    }
}

/// A page of a user's offers after the page's cursor; `None` when the user does not exist.
/// One round trip: the user row is joined so that "no such user" and "no offers" are told
/// apart, and the total comes along.
pub async fn list_for_user(
    db: impl PgExecutor<'_>,
    user_id: i64,
    page: &EmployerPage,
) -> Result<Option<UserOffers>, RepoError> {
    let after = page.cursor.map_or(0, |cursor| cursor.id);
    let rows = sqlx::query(
        // The total is computed once (a lateral join), not once per listed row.
        "SELECT c.total, o.id, o.user_id, o.title, o.description, o.skills_list, \
                o.creation_date, o.modification_date \
         FROM users u \
         CROSS JOIN LATERAL (SELECT count(*) AS total FROM offers WHERE user_id = u.id) c \
         LEFT JOIN LATERAL ( \
             SELECT * FROM offers WHERE user_id = u.id AND id > $2 ORDER BY id LIMIT $3 \
         ) o ON TRUE \
         WHERE u.id = $1 ORDER BY o.id",
    )
    .bind(user_id)
    .bind(after)
    .bind(i64::from(page.limit) + 1)
    .fetch_all(db)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let total: i64 = first.try_get("total")?;
    let mut offers = rows
        .iter()
        .filter(|row| matches!(row.try_get::<Option<i64>, _>("id"), Ok(Some(_))))
        .map(<Offer as sqlx::FromRow<PgRow>>::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let has_next = offers.len() > page.limit as usize;
    offers.truncate(page.limit as usize);
    Ok(Some(UserOffers {
        offers,
        total,
        has_next,
    }))
}

/// Up to `limit` of `owner`'s offers, most recently changed first ("My offers").
pub async fn recently_changed(
    db: impl PgExecutor<'_>,
    owner: i64,
    limit: u32,
) -> Result<Vec<Offer>, RepoError> {
    Ok(sqlx::query_as::<_, Offer>(concat!(
        "SELECT ",
        offer_columns!(),
        " FROM offers WHERE user_id = $1 ORDER BY modification_date DESC, id DESC LIMIT $2"
    ))
    .bind(owner)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?)
}

/// Stores a new offer for `user_id`, unless the account already has `max_offers` offers
/// (`None`). One statement: the count and the insert see the same snapshot, so concurrent
/// creations can overshoot by at most the number of them in flight.
pub async fn insert(
    db: impl PgExecutor<'_>,
    user_id: i64,
    offer: &NewOffer,
    max_offers: u32,
) -> Result<Option<Offer>, RepoError> {
    Ok(sqlx::query_as::<_, Offer>(concat!(
        "INSERT INTO offers (user_id, title, description, skills_list) \
         SELECT $1, $2, $3, $4 \
         WHERE (SELECT count(*) FROM offers WHERE user_id = $1) < $5 RETURNING ",
        offer_columns!()
    ))
    .bind(user_id)
    .bind(offer.title.as_str())
    .bind(offer.description.as_str())
    .bind(offer.skills.as_slice())
    .bind(i64::from(max_offers))
    .fetch_optional(db)
    .await?)
}

/// The offer `id` of `owner`, if both exist.
pub async fn find_owned(
    db: impl PgExecutor<'_>,
    owner: i64,
    id: i64,
) -> Result<Option<Offer>, RepoError> {
    Ok(sqlx::query_as::<_, Offer>(concat!(
        "SELECT ",
        offer_columns!(),
        " FROM offers WHERE id = $1 AND user_id = $2"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await?)
}

/// Who owns the offer `id`, if it exists: tells "not yours" from "no such offer" where an
/// address names no owner (the pages).
pub async fn owner_of(db: impl PgExecutor<'_>, id: i64) -> Result<Option<i64>, RepoError> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT user_id FROM offers WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}

/// Applies `patch` to `owner`'s offer `id` and stamps its modification time; `None` when
/// `owner` has no such offer.
pub async fn update_owned(
    db: impl PgExecutor<'_>,
    owner: i64,
    id: i64,
    patch: &OfferPatch,
) -> Result<Option<Offer>, RepoError> {
    // clock_timestamp(), not now(): now() is the transaction's start and would not advance
    // between two updates inside one transaction.
    Ok(sqlx::query_as::<_, Offer>(concat!(
        "UPDATE offers SET \
             title = COALESCE($3, title), \
             description = COALESCE($4, description), \
             skills_list = COALESCE($5, skills_list), \
             modification_date = clock_timestamp() \
         WHERE id = $1 AND user_id = $2 RETURNING ",
        offer_columns!()
    ))
    .bind(id)
    .bind(owner)
    .bind(patch.title.as_ref().map(|title| title.as_str()))
    .bind(patch.description.as_ref().map(|d| d.as_str()))
    .bind(patch.skills.as_ref().map(|skills| skills.as_slice()))
    .fetch_optional(db)
    .await?)
}

/// Deletes `owner`'s offer `id`; `false` when `owner` has no such offer.
pub async fn delete_owned(db: impl PgExecutor<'_>, owner: i64, id: i64) -> Result<bool, RepoError> {
    let result = sqlx::query("DELETE FROM offers WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(owner)
        .execute(db)
        .await?;
    Ok(result.rows_affected() > 0)
}
