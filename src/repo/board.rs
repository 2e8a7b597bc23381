//! The public board: every employer's offers, filtered, searched and paged by keyset.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};

use super::RepoError;
use crate::domain::board::{BoardQuery, Cursor, Direction, Employer, SearchText};
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
    /// How many offers match the query (on every page).
    pub count: i64,
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

/// Where a query's offers are read from.
///
/// One search word, or one skill, with no other filter is the board's common case (the search
/// box, a skill chip): it has a list of its own kept in display order by triggers
/// (`offer_terms`, `offer_skills`, migration 4), so a page is a short range of one index and
/// the count a sum of running totals, whatever the size of the board. Any other filter reads
/// `offers` through its GIN indexes, which intersect several words and skills well; its cost
/// grows with the offers matching every filter.
enum Source<'q> {
    /// Offers newest first, filtered or not, without search words: the planner walks the
    /// primary key backwards and stops at the page's end when matches are dense, or gathers
    /// the few matches from the GIN indexes when they are rare.
    Newest,
    /// Offers listed under one search key, best score first.
    TermList { key: String },
    /// Offers having one skill, newest first.
    SkillList { skill: &'q str },
    /// Offers matching several search words, or words and other filters: every match must be
    /// ranked before the first page is known, so one pass serves both the page and the count.
    Ranked { keys: Vec<String> },
}

impl<'q> Source<'q> {
    fn choose(query: &'q BoardQuery, keys: Option<Vec<String>>) -> Self {
        let skills = query.skills.as_ref().map(|skills| skills.as_slice());
        match (keys, skills, &query.employer) {
            (Some(mut keys), None, None) if keys.len() == 1 => Self::TermList {
                key: keys.remove(0),
            },
            (Some(keys), _, _) => Self::Ranked { keys },
            (None, Some([skill]), None) => Self::SkillList { skill },
            (None, _, _) => Self::Newest,
        }
    }
}

/// The search keys of a query's words, computed by the database with the tokenizer and stemmer
/// that built the index (`offer_search_keys`).
async fn search_keys(db: &mut PgConnection, text: &SearchText) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT offer_search_keys($1)")
        .bind(text.as_str())
        .fetch_one(db)
        .await
}

const OFFER_COLUMNS: &str = "o.id, o.user_id, o.title, o.description, o.skills_list, \
     o.creation_date, o.modification_date, u.username";

/// WHERE of the offers table: the filters, never the cursor. Shared by the page and its count.
fn push_offer_filters(
    sql: &mut QueryBuilder<'_, Postgres>,
    query: &BoardQuery,
    keys: Option<&Vec<String>>,
) {
    sql.push(" WHERE TRUE");
    if let Some(keys) = keys {
        sql.push(" AND o.search_vector @@ offer_keys_query(")
            .push_bind(keys.clone())
            .push(")");
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

/// ` AND (<rank>, <id>) < (cursor)` (or `>` going backwards): display order is descending, and
/// "after" a cursor means smaller keys. A ranked listing's cursors carry a rank (checked when
/// decoded), an unranked one's do not.
fn push_cursor(
    sql: &mut QueryBuilder<'_, Postgres>,
    cursor: &Cursor,
    rank: Option<&str>,
    id: &str,
) {
    let comparison = match cursor.direction {
        Direction::After => " < ",
        Direction::Before => " > ",
    };
    match (cursor.rank, rank) {
        (Some(cursor_rank), Some(rank)) => {
            sql.push(format_args!(" AND ({rank}, {id})"))
                .push(comparison)
                .push("(")
                .push_bind(cursor_rank)
                .push("::real, ")
                .push_bind(cursor.id)
                .push(")");
        }
        _ => {
            sql.push(format_args!(" AND {id}"))
                .push(comparison)
                .push_bind(cursor.id);
        }
    }
}

/// ` ORDER BY …` in display order (rank, when ranked, then id; descending), or reversed to read
/// a page backwards from a cursor.
fn push_order(sql: &mut QueryBuilder<'_, Postgres>, rank: Option<&str>, backwards: bool, id: &str) {
    let direction = if backwards { "ASC" } else { "DESC" };
    match rank {
        Some(rank) => sql.push(format_args!(
            " ORDER BY {rank} {direction}, {id} {direction}"
        )),
        None => sql.push(format_args!(" ORDER BY {id} {direction}")),
    };
}

/// ` LIMIT <page size + 1>`: one extra row tells whether another page follows. Written into
/// the statement, not bound: PostgreSQL plans a bound LIMIT as 10% of the rows, so at 100 000
/// offers it never settled on a generic plan for the lists' pages and planned them again on
/// every request (0.56 ms, measured with EXPLAIN EXECUTE; 0.005 ms with the literal). A
/// validated number, and at most 100 distinct statements per connection.
fn push_limit(sql: &mut QueryBuilder<'_, Postgres>, query: &BoardQuery) {
    sql.push(format_args!(" LIMIT {}", u64::from(query.limit) + 1));
}

/// The end of a page read from a list, after the list's own WHERE: the cursor, order and limit
/// inside it, so that only the page's ids leave the list (the planner cannot wander off into a
/// walk of the whole offers table), then their offers and employers in the same order.
fn push_list_page(
    sql: &mut QueryBuilder<'_, Postgres>,
    query: &BoardQuery,
    backwards: bool,
    rank: Option<&str>,
    id: &str,
) {
    if let Some(cursor) = &query.cursor {
        push_cursor(sql, cursor, rank, id);
    }
    push_order(sql, rank, backwards, id);
    push_limit(sql, query);
    sql.push(
        ") AS listed JOIN offers o ON o.id = listed.offer_id \
         JOIN users u ON u.id = o.user_id",
    );
    push_order(sql, rank.map(|_| "listed.rank"), backwards, "o.id");
}

/// A page of the board: newest first, or by rank then newest when searching; with the count
/// of every matching offer.
pub async fn page(db: &mut PgConnection, query: &BoardQuery) -> Result<BoardPage, RepoError> {
    let keys = match &query.text {
        Some(text) => Some(search_keys(db, text).await?),
        None => None,
    };
    let source = Source::choose(query, keys);
    let backwards = matches!(
        query.cursor,
        Some(Cursor {
            direction: Direction::Before,
            ..
        })
    );
    let mut sql = QueryBuilder::<Postgres>::new("");
    match &source {
        Source::Newest => {
            sql.push(format_args!("SELECT {OFFER_COLUMNS}, NULL::real AS rank, "));
            push_total(&mut sql, query, &source);
            sql.push(" FROM offers o JOIN users u ON u.id = o.user_id");
            push_offer_filters(&mut sql, query, None);
            if let Some(cursor) = &query.cursor {
                push_cursor(&mut sql, cursor, None, "o.id");
            }
            push_order(&mut sql, None, backwards, "o.id");
            push_limit(&mut sql, query);
        }
        Source::TermList { key } => {
            sql.push(format_args!("SELECT {OFFER_COLUMNS}, listed.rank, "));
            push_total(&mut sql, query, &source);
            sql.push(
                " FROM (SELECT t.offer_id, t.score AS rank FROM offer_terms t WHERE t.term = ",
            )
            .push_bind(key.clone());
            push_list_page(&mut sql, query, backwards, Some("t.score"), "t.offer_id");
        }
        Source::SkillList { skill } => {
            sql.push(format_args!("SELECT {OFFER_COLUMNS}, NULL::real AS rank, "));
            push_total(&mut sql, query, &source);
            sql.push(
                " FROM (SELECT s.offer_id FROM offer_skills s WHERE s.skill = (offer_skill_keys(",
            )
            .push_bind(vec![skill.to_string()])
            .push("))[1]");
            push_list_page(&mut sql, query, backwards, None, "s.offer_id");
        }
        Source::Ranked { keys } => {
            // Every match once with its rank, then the page and the count from them. Several
            // words rank by the sum of their scores, as the lists store them.
            sql.push(
                "WITH matches AS MATERIALIZED (SELECT o.id AS offer_id, \
                 (SELECT sum(offer_key_score(o.search_vector, key)) FROM unnest(",
            )
            .push_bind(keys.clone())
            .push("::text[]) AS key) AS rank FROM offers o");
            push_offer_filters(&mut sql, query, Some(keys));
            sql.push(format_args!(") SELECT {OFFER_COLUMNS}, listed.rank, "));
            push_total(&mut sql, query, &source);
            sql.push(" FROM (SELECT m.offer_id, m.rank FROM matches m WHERE TRUE");
            push_list_page(&mut sql, query, backwards, Some("m.rank"), "m.offer_id");
        }
    }
    let rows = sql.build().fetch_all(&mut *db).await?;
    let total: Option<i64> = rows.first().map(|row| row.try_get("total")).transpose()?;
    let mut offers = rows
        .iter()
        .map(<BoardOffer as sqlx::FromRow<PgRow>>::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let more = offers.len() > query.limit as usize;
    offers.truncate(query.limit as usize);
    if backwards {
        offers.reverse();
    }
    // An empty page cannot carry the count: nothing matches, or the cursor is past the end.
    let count = match total {
        Some(total) => total,
        None => {
            let mut sql = QueryBuilder::<Postgres>::new("");
            push_count(&mut sql, query, &source);
            sql.build_query_scalar().fetch_one(&mut *db).await?
        }
    };
    Ok(BoardPage {
        offers,
        count,
        has_next: if backwards { true } else { more },
        has_previous: if backwards {
            more
        } else {
            query.cursor.is_some()
        },
    })
}

/// ` (<count>) AS total`: each page carries the count of every match, so that a board
/// request makes one round trip for both. A ranked query counts the matches it has already
/// gathered.
fn push_total(sql: &mut QueryBuilder<'_, Postgres>, query: &BoardQuery, source: &Source<'_>) {
    if let Source::Ranked { .. } = source {
        sql.push("(SELECT count(*) FROM matches) AS total");
        return;
    }
    sql.push("(");
    push_count(sql, query, source);
    sql.push(") AS total");
}

/// `SELECT <how many offers match the query's filters>` (all pages). Every offer, or one word or
/// one skill alone: running totals kept by triggers (`offer_totals`, `offer_term_totals`,
/// `offer_skill_totals`), a few rows however many offers match; otherwise counted through the
/// GIN indexes.
fn push_count(sql: &mut QueryBuilder<'_, Postgres>, query: &BoardQuery, source: &Source<'_>) {
    match source {
        Source::Newest if query.skills.is_none() && query.employer.is_none() => {
            sql.push("SELECT coalesce(sum(total), 0)::bigint FROM offer_totals");
        }
        Source::Newest => {
            sql.push("SELECT count(*) FROM offers o");
            push_offer_filters(sql, query, None);
        }
        Source::TermList { key } => {
            sql.push("SELECT coalesce(sum(total), 0)::bigint FROM offer_term_totals WHERE term = ")
                .push_bind(key.clone());
        }
        Source::SkillList { skill } => {
            sql.push(
                "SELECT coalesce(sum(total), 0)::bigint FROM offer_skill_totals \
                 WHERE skill = (offer_skill_keys(",
            )
            .push_bind(vec![skill.to_string()])
            .push("))[1]");
        }
        Source::Ranked { keys } => {
            sql.push("SELECT count(*) FROM offers o");
            push_offer_filters(sql, query, Some(keys));
        }
    }
}

/// One offer with its employer, for anyone.
pub async fn find(db: &mut PgConnection, id: i64) -> Result<Option<BoardOffer>, RepoError> {
    Ok(sqlx::query_as::<_, BoardOffer>(
        "SELECT o.id, o.user_id, o.title, o.description, o.skills_list, o.creation_date, \
                o.modification_date, u.username, NULL::real AS rank \
         FROM offers o JOIN users u ON u.id = o.user_id WHERE o.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?)
}
