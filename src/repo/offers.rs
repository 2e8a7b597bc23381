//! Job offers.

use sqlx::postgres::PgRow;
use sqlx::{PgExecutor, Row};

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
) -> Result<Option<UserOffers>, sqlx::Error> {
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

/// Stores a new offer for `user_id`.
pub async fn insert(
    db: impl PgExecutor<'_>,
    user_id: i64,
    offer: &NewOffer,
) -> Result<Offer, sqlx::Error> {
    sqlx::query_as::<_, Offer>(concat!(
        "INSERT INTO offers (user_id, title, description, skills_list) \
         VALUES ($1, $2, $3, $4) RETURNING ",
        offer_columns!()
    ))
    .bind(user_id)
    .bind(offer.title.as_str())
    .bind(offer.description.as_str())
    .bind(offer.skills.as_slice())
    .fetch_one(db)
    .await
}

/// The offer `id` of `user_id`, if both exist.
pub async fn find(
    db: impl PgExecutor<'_>,
    user_id: i64,
    id: i64,
) -> Result<Option<Offer>, sqlx::Error> {
    sqlx::query_as::<_, Offer>(concat!(
        "SELECT ",
        offer_columns!(),
        " FROM offers WHERE id = $1 AND user_id = $2"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(db)
    .await
}

/// The offer `id`, whoever owns it: the pages tell "no such offer" (404) from "not yours" (403).
pub async fn find_by_id(db: impl PgExecutor<'_>, id: i64) -> Result<Option<Offer>, sqlx::Error> {
    sqlx::query_as::<_, Offer>(concat!(
        "SELECT ",
        offer_columns!(),
        " FROM offers WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Applies `patch` to the offer and stamps its modification time; `None` when it is not there.
pub async fn update(
    db: impl PgExecutor<'_>,
    user_id: i64,
    id: i64,
    patch: &OfferPatch,
) -> Result<Option<Offer>, sqlx::Error> {
    // clock_timestamp(), not now(): now() is the transaction's start and would not advance
    // between two updates inside one transaction.
    sqlx::query_as::<_, Offer>(concat!(
        "UPDATE offers SET \
             title = COALESCE($3, title), \
             description = COALESCE($4, description), \
             skills_list = COALESCE($5, skills_list), \
             modification_date = clock_timestamp() \
         WHERE id = $1 AND user_id = $2 RETURNING ",
        offer_columns!()
    ))
    .bind(id)
    .bind(user_id)
    .bind(patch.title.as_ref().map(|title| title.as_str()))
    .bind(patch.description.as_ref().map(|d| d.as_str()))
    .bind(patch.skills.as_ref().map(|skills| skills.as_slice()))
    .fetch_optional(db)
    .await
}

/// Deletes the offer; `false` when it was not there.
pub async fn delete(db: impl PgExecutor<'_>, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("DELETE FROM offers WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() > 0)
}
