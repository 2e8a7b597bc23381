//! The public board: every employer's offers, filtered, searched and paged by keyset.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};

use crate::domain::board::{BoardQuery, Cursor, Direction, Employer};
use crate::domain::offer::Offer;

/// An offer with its employer, and its search rank when the listing is ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardOffer {
    pub offer: Offer,
    pub username: String,
    pub rank: Option<f32>,
}

/// One page, in display order, and whether more offers lie beyond each end.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardPage {
    pub offers: Vec<BoardOffer>,
    pub has_next: bool,
    pub has_previous: bool,
}

impl BoardPage {
    /// Continues after the last offer shown, when another page follows.
    pub fn next_cursor(&self) -> Option<Cursor> {
        let last = self.offers.last().filter(|_| self.has_next)?;
        Some(Cursor {
            direction: Direction::After,
            id: last.offer.id,
            rank: last.rank,
        })
    }

    /// Goes back before the first offer shown, when an earlier page exists and this one still
    /// has offers (an emptied page can only go back to the start).
    pub fn previous_cursor(&self) -> Option<Cursor> {
        let first = self.offers.first().filter(|_| self.has_previous)?;
        Some(Cursor {
            direction: Direction::Before,
            id: first.offer.id,
            rank: first.rank,
        })
    }
}

impl<'r> sqlx::FromRow<'r, PgRow> for BoardOffer {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            offer: Offer::from_row(row)?,
            username: row.try_get("username")?,
            rank: row.try_get("rank")?,
        })
    }
}

/// FROM and WHERE shared by the page and its count: the filters, never the cursor. The page
/// joins the employer (`with_employer`); the count has no use for it.
fn push_filters(sql: &mut QueryBuilder<'_, Postgres>, query: &BoardQuery, with_employer: bool) {
    let offers = if with_employer {
        "offers o JOIN users u ON u.id = o.user_id"
    } else {
        "offers o"
    };
    // The search query is computed once per statement (a function in FROM), from the same
    // tokenizer that built the index, so the GIN index answers `@@`.
    if let Some(text) = &query.text {
        sql.push(" FROM offer_search_query(offer_words(")
            .push_bind(text.as_str().to_owned())
            .push(")) AS query, ")
            .push(offers)
            .push(" WHERE o.search_vector @@ query");
    } else {
        sql.push(" FROM ").push(offers).push(" WHERE TRUE");
    }
    if let Some(skills) = &query.skills {
        sql.push(" AND o.skill_keys @> offer_skill_keys(")
            .push_bind(skills.as_slice().to_vec())
            .push(")");
    }
    match &query.employer {
        Some(Employer::Id(id)) => {
            sql.push(" AND o.user_id = ").push_bind(*id);
        }
        Some(Employer::Username(username)) => {
            sql.push(" AND o.user_id = (SELECT id FROM users WHERE lower(username) = lower(")
                .push_bind(username.clone())
                .push("))");
        }
        None => {}
    }
}

/// A page of the board: newest first, or by rank then newest when searching.
pub async fn page(db: &mut PgConnection, query: &BoardQuery) -> Result<BoardPage, sqlx::Error> {
    let ranked = query.text.is_some();
    let rank = if ranked {
        "ts_rank(o.search_vector, query)"
    } else {
        "NULL::real"
    };
    let mut sql = QueryBuilder::<Postgres>::new(
        "SELECT o.id, o.user_id, o.title, o.description, o.skills_list, o.creation_date, \
         o.modification_date, u.username, ",
    );
    sql.push(rank).push(" AS rank");
    push_filters(&mut sql, query, true);
    let backwards = matches!(
        query.cursor,
        Some(Cursor {
            direction: Direction::Before,
            ..
        })
    );
    if let Some(cursor) = &query.cursor {
        // Display order is descending; "after" a cursor means smaller keys.
        let comparison = if backwards { " > " } else { " < " };
        match cursor.rank {
            Some(cursor_rank) => {
                sql.push(" AND (")
                    .push(rank)
                    .push(", o.id)")
                    .push(comparison)
                    .push("(")
                    .push_bind(cursor_rank)
                    .push("::real, ")
                    .push_bind(cursor.id)
                    .push(")");
            }
            None => {
                sql.push(" AND o.id").push(comparison).push_bind(cursor.id);
            }
        }
    }
    let order = match (ranked, backwards) {
        (true, false) => " ORDER BY rank DESC, o.id DESC",
        (true, true) => " ORDER BY rank ASC, o.id ASC",
        (false, false) => " ORDER BY o.id DESC",
        (false, true) => " ORDER BY o.id ASC",
    };
    // One extra row tells whether another page follows.
    sql.push(order)
        .push(" LIMIT ")
        .push_bind(i64::from(query.limit) + 1);
    let mut offers: Vec<BoardOffer> = sql.build_query_as().fetch_all(&mut *db).await?;
    let more = offers.len() > query.limit as usize;
    offers.truncate(query.limit as usize);
    if backwards {
        offers.reverse();
    }
    Ok(BoardPage {
        offers,
        has_next: if backwards { true } else { more },
        has_previous: if backwards {
            more
        } else {
            query.cursor.is_some()
        },
    })
}

/// How many offers match the query's filters (all pages). Unfiltered, the running total kept
/// by triggers (`offer_totals`) answers without counting every row.
pub async fn count(db: &mut PgConnection, query: &BoardQuery) -> Result<i64, sqlx::Error> {
    if query.text.is_none() && query.skills.is_none() && query.employer.is_none() {
        return sqlx::query_scalar("SELECT coalesce(sum(total), 0)::bigint FROM offer_totals")
            .fetch_one(db)
            .await;
    }
    let mut sql = QueryBuilder::<Postgres>::new("SELECT count(*)");
    push_filters(&mut sql, query, false);
    sql.build_query_scalar().fetch_one(db).await
}

/// One offer with its employer, for anyone.
pub async fn find(db: &mut PgConnection, id: i64) -> Result<Option<BoardOffer>, sqlx::Error> {
    sqlx::query_as::<_, BoardOffer>(
        "SELECT o.id, o.user_id, o.title, o.description, o.skills_list, o.creation_date, \
                o.modification_date, u.username, NULL::real AS rank \
         FROM offers o JOIN users u ON u.id = o.user_id WHERE o.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}
