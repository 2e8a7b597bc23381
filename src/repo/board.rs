//! The public board: every employer's offers, filtered, searched and paged by keyset.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};

use super::offers::{offer_columns, open_offer};
use super::RepoError;
use crate::domain::board::{BoardQuery, Cursor, Direction, Employer, SearchText};
use crate::domain::offer::Offer;

/// An offer with its employer, and its search rank when the listing is ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardOffer {
    pub offer: Offer,
    pub username: String,
    pub display_name: Option<String>,
    pub rank: Option<f32>,
}

impl BoardOffer {
    /// The employer's name as shown: the display name, else the username.
    pub fn employer_name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.username)
    }

    /// Where a page starting or ending at this offer continues: by rank when the listing is
    /// ranked, else by first publication.
    fn cursor(&self, direction: Direction) -> Cursor {
        Cursor {
            direction,
            id: self.offer.id,
            rank: self.rank,
            posted: match self.rank {
                Some(_) => None,
                None => self
                    .offer
                    .first_published_at
                    .map(|posted| posted.timestamp_micros()),
            },
        }
    }
}

/// One page, in display order, and whether more offers lie beyond each end.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardPage {
    pub offers: Vec<BoardOffer>,
    /// How many offers match the query (on every page), at most `COUNT_CAP`.
    pub count: i64,
    /// More than `COUNT_CAP` offers match.
    pub count_capped: bool,
    pub has_next: bool,
    pub has_previous: bool,
}

impl BoardPage {
    /// Continues after the last offer shown, when another page follows.
    pub fn next_cursor(&self) -> Option<Cursor> {
        let last = self.offers.last().filter(|_| self.has_next)?;
        Some(last.cursor(Direction::After))
    }

    /// Goes back before the first offer shown, when an earlier page exists and this one still
    /// has offers (an emptied page can only go back to the start).
    pub fn previous_cursor(&self) -> Option<Cursor> {
        let first = self.offers.first().filter(|_| self.has_previous)?;
        Some(first.cursor(Direction::Before))
    }
}

impl<'r> sqlx::FromRow<'r, PgRow> for BoardOffer {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            offer: Offer::from_row(row)?,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            rank: row.try_get("rank")?,
        })
    }
}

/// Counts are exact up to this many matches; beyond, the count says this many and that it
/// is capped, so that a broad query never counts a whole board.
pub const COUNT_CAP: i64 = 10_000;

/// A search ranks at most this many of its matches, the most recently published: ranking
/// costs a score per match, and a search matching a tenth of a million offers would rank them
/// all for every page. Older matches beyond these are not listed by relevance (sort=newest
/// lists every match); the count still counts them.
pub const RANK_CANDIDATES: i64 = 1_000;

/// The search keys of a query's words, computed by the database with the tokenizer and stemmer
/// that built the index (`offer_search_keys`): one tsquery per word, its stem or its whole
/// word (migration 21).
async fn search_keys(db: &mut PgConnection, text: &SearchText) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT offer_search_keys($1)")
        .bind(text.as_str())
        .fetch_one(db)
        .await
}

const OFFER_COLUMNS: &str = concat!(offer_columns!(), ", u.username, u.display_name");

/// An offer's facets, exactly as the board's GIN index has them (migration 17): its country
/// reach (ISO codes, '*' for anywhere), `w:<workplace>`, `p:<currency>:<pay band>` and
/// `wk:<week of first publication>`. Public so that a test can ask the planner about the very
/// expression the board writes (migration 18's statistics serve only that expression).
pub const FACETS: &str = "offer_board_facets(o.location_countries, o.workplace, \
    o.remote_countries, o.salary_currency, o.salary_max, o.salary_period, o.first_published_at)";

/// ` WHERE …` of the offers table `o`: what everyone may see, then each filter of the query,
/// each added here and nowhere else. Shared by the page, its ranking candidates and its count,
/// never the cursor.
fn push_offer_filters(
    sql: &mut QueryBuilder<'_, Postgres>,
    query: &BoardQuery,
    keys: Option<&Vec<String>>,
) {
    if query.include_closed {
        // Every offer that has been on the board: published (expired or not) and closed.
        sql.push(" WHERE o.status <> 'draft'");
    } else {
        sql.push(concat!(" WHERE ", open_offer!()));
    }
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
    // Workplace, pay and posting age are also written as facets of the board's GIN index
    // (migration 17) when the query reads its matches through that index anyway: then the
    // index intersects them with the words, skills, types and country, and the heap is
    // visited for little more than the matches. Alone (or with each other) they are read from
    // their ordered B-trees, where a facets condition would be evaluated on every row.
    let through_gin = !query.include_closed
        && (keys.is_some()
            || query.skills.is_some()
            || query.employment_types.is_some()
            || query.country.is_some());
    if let Some(workplaces) = &query.workplaces {
        let names: Vec<&str> = workplaces
            .iter()
            .map(|workplace| workplace.as_str())
            .collect();
        if through_gin {
            let tokens: Vec<String> = names.iter().map(|name| format!("w:{name}")).collect();
            sql.push(format_args!(" AND {FACETS} && "))
                .push_bind(tokens)
                .push("::text[]");
        }
        sql.push(" AND o.workplace = ANY (")
            .push_bind(names)
            .push("::offer_workplace[])");
    }
    match query.employment_types.as_deref() {
        Some([kind]) => {
            // One type: a constant, so that even a generic plan proves the predicate of that
            // type's ordered index (migration 16) and counts from it alone. One of eight fixed
            // names, never the client's text.
            sql.push(format_args!(
                " AND o.employment_types @> '{{{}}}'::offer_employment_type[]",
                kind.as_str()
            ));
        }
        Some(types) => {
            let names: Vec<&str> = types.iter().map(|kind| kind.as_str()).collect();
            sql.push(" AND o.employment_types && ")
                .push_bind(names)
                .push("::offer_employment_type[]");
        }
        None => {}
    }
    if let Some(country) = &query.country {
        // Located there, or remote/hybrid and open to people there ('*': anywhere), as one
        // condition its GIN index answers exactly (migrations 9 and 17).
        sql.push(format_args!(" AND {FACETS} && "))
            .push_bind(vec![country.as_str().to_owned(), "*".to_owned()])
            .push("::text[]");
    }
    if let Some(pay) = &query.pay {
        if through_gin {
            // The bands at or above the floor's (every band without one): an offer whose pay
            // reaches the floor is in one of them; the exact comparison follows.
            sql.push(format_args!(" AND {FACETS} && offer_pay_bands_from("))
                .push_bind(pay.currency.as_str().to_owned())
                .push(", ")
                .push_bind(pay.yearly_min.map(|floor| floor.to_decimal()))
                .push("::numeric)");
        }
        sql.push(" AND o.salary_currency = ")
            .push_bind(pay.currency.as_str().to_owned());
        if let Some(yearly_min) = pay.yearly_min {
            sql.push(" AND offer_yearly(o.salary_max, o.salary_period) >= ")
                .push_bind(yearly_min.to_decimal())
                .push("::numeric");
        }
    }
    if let Some(since) = query.updated_since {
        sql.push(" AND (o.modification_date >= ")
            .push_bind(since)
            .push("::timestamptz");
        if query.include_closed {
            // Expiring changes nothing in the row, yet takes the offer off the board: to a
            // sync, an offer that expired since then has changed too.
            sql.push(
                " OR (o.status = 'published' AND o.valid_through <= now() \
                 AND o.valid_through >= ",
            )
            .push_bind(since)
            .push("::timestamptz)");
        }
        sql.push(")");
    }
    if let Some(days) = query.posted_within {
        let days = i32::try_from(days).unwrap_or(i32::MAX);
        if through_gin {
            sql.push(format_args!(
                " AND {FACETS} && offer_weeks_between(now() - make_interval(days => "
            ))
            .push_bind(days)
            .push("), now())");
        }
        sql.push(" AND o.first_published_at >= now() - make_interval(days => ")
            .push_bind(days)
            .push(")");
    }
}

/// ` AND (<key>, <id>) < (cursor)` (or `>` going backwards): display order is descending, and
/// "after" a cursor means smaller keys.
fn push_cursor(sql: &mut QueryBuilder<'_, Postgres>, cursor: &Cursor, key: &str, id: &str) {
    let comparison = match cursor.direction {
        Direction::After => " < ",
        Direction::Before => " > ",
    };
    sql.push(format_args!(" AND ({key}, {id})"))
        .push(comparison)
        .push("(");
    match (cursor.rank, cursor.posted) {
        (Some(rank), _) => {
            sql.push_bind(rank).push("::real");
        }
        (None, posted) => {
            let posted = posted.and_then(DateTime::<Utc>::from_timestamp_micros);
            sql.push_bind(posted).push("::timestamptz");
        }
    }
    sql.push(", ").push_bind(cursor.id).push(")");
}

/// ` ORDER BY <key>, <id>` in display order (descending), or reversed to read a page backwards
/// from a cursor.
fn push_order(sql: &mut QueryBuilder<'_, Postgres>, key: &str, backwards: bool, id: &str) {
    let direction = if backwards { "ASC" } else { "DESC" };
    sql.push(format_args!(
        " ORDER BY {key} {direction}, {id} {direction}"
    ));
}

/// ` LIMIT <n>`: written into the statement, not bound. PostgreSQL plans a bound LIMIT as 10%
/// of the rows, so at 100 000 offers it never settled on a generic plan for a page and planned
/// it again on every request (0.56 ms, measured with EXPLAIN EXECUTE; 0.005 ms with the
/// literal). A validated number, so few distinct statements per connection.
fn push_limit(sql: &mut QueryBuilder<'_, Postgres>, limit: i64) {
    sql.push(format_args!(" LIMIT {limit}"));
}

/// ` WITH matches AS (…)`: one row, the count of the offers the query matches (up to one
/// more than `COUNT_CAP`) and the ids and first publications of those matches as two arrays,
/// in whatever order the plan found them (a bitmap scan of the GIN indexes, for most
/// filters). One pass over the matches gives the count and, when they are all there, the page
/// (`unnested`): a narrow query reads each match once. Arrays rather than a materialized set of
/// rows: collecting 10 001 rows into a CTE cost ~1.2 ms more than counting them, the arrays
/// ~0.5 ms (at 100 000 offers), which a broad query pays for nothing.
fn push_matches(
    sql: &mut QueryBuilder<'_, Postgres>,
    query: &BoardQuery,
    keys: Option<&Vec<String>>,
) {
    sql.push(
        "WITH matches AS (SELECT count(*) AS total, array_agg(found.id) AS ids, \
         array_agg(found.first_published_at) AS posted \
         FROM (SELECT o.id, o.first_published_at FROM offers o",
    );
    push_offer_filters(sql, query, keys);
    push_limit(sql, COUNT_CAP + 1);
    sql.push(") AS found)");
}

/// ` WITH matches AS (…)`: one row, the count of the offers the query matches (up to one
/// more than `COUNT_CAP`) and nothing else, for a query read from an ordered index
/// (`BoardQuery::reads_its_matches` is false): its page is walked from that index
/// (`push_walked`) whatever the count, so collecting the matches would be wasted. The arrays
/// of `push_matches` cost 2 ms of the newest page's 4 ms at 100 000 offers (psql: count 2.1 ms,
/// with the arrays 4.0-4.4 ms).
fn push_count(sql: &mut QueryBuilder<'_, Postgres>, query: &BoardQuery) {
    sql.push("WITH matches AS (SELECT count(*) AS total FROM (SELECT 1 FROM offers o");
    push_offer_filters(sql, query, None);
    push_limit(sql, COUNT_CAP + 1);
    sql.push(") AS found)");
}

/// ` WHERE … ORDER BY … LIMIT …` of a walk over the offers `o` the query matches: newest
/// first from the cursor on (reversed going backwards), one more than a page.
fn push_newest_walk(
    sql: &mut QueryBuilder<'_, Postgres>,
    query: &BoardQuery,
    keys: Option<&Vec<String>>,
) {
    push_offer_filters(sql, query, keys);
    if let Some(cursor) = &query.cursor {
        push_cursor(sql, cursor, "o.first_published_at", "o.id");
    }
    push_order(sql, "o.first_published_at", reads_backwards(query), "o.id");
    push_limit(sql, one_more(query));
}

/// `SELECT o.id AS offer_id, …`: the page walked over the offers the query matches, for
/// `push_listing`.
fn push_walked(sql: &mut QueryBuilder<'_, Postgres>, query: &BoardQuery) {
    sql.push("SELECT o.id AS offer_id, o.first_published_at, NULL::real AS rank FROM offers o");
    push_newest_walk(sql, query, None);
}

/// `LATERAL (…) AS m (id, first_published_at)`: the matches as rows again, none when they are more
/// than `COUNT_CAP` (then they are not all there, and the page is walked instead).
fn push_unnested(sql: &mut QueryBuilder<'_, Postgres>) {
    sql.push(format_args!(
        "LATERAL (SELECT unnested.* FROM unnest(matches.ids, matches.posted) \
         AS unnested (id, first_published_at) WHERE matches.total <= {COUNT_CAP}) AS m"
    ));
}

/// `, ranked AS (…)`: each candidate (a CTE of `id` and `search_vector`) scored once against
/// the search keys, several words by the sum of their scores.
fn push_ranked(sql: &mut QueryBuilder<'_, Postgres>, keys: &[String]) {
    sql.push(", ranked AS (SELECT c.id AS offer_id, ");
    for (index, key) in keys.iter().enumerate() {
        if index > 0 {
            sql.push(" + ");
        }
        push_key_score(sql, key);
    }
    sql.push(" AS rank FROM candidates c)");
}

/// How `offer_search_keys` (migration 21) writes the two forms of one key: `'stem' | 'word'`.
const KEY_FORMS: &str = " | ";

/// One key's score for the candidate `c`: ts_rank with the default weights (title 1.0, skills
/// 0.4, description 0.2). A key of two forms scores its better one, as `offer_key_score` does:
/// a description holds both the stem and the whole word, and summing them would rank it above
/// a skill, which holds the whole word only. Written inline, one `ts_rank` per form: 0.6 µs per
/// candidate and form, where the function call or a subquery over the forms cost 1.6-3.8 µs
/// (psql, 20 000 vectors).
fn push_key_score(sql: &mut QueryBuilder<'_, Postgres>, key: &str) {
    let forms: Vec<&str> = key.split(KEY_FORMS).collect();
    if forms.len() > 1 {
        sql.push("greatest(");
    }
    for (index, form) in forms.into_iter().enumerate() {
        if index > 0 {
            sql.push(", ");
        }
        sql.push("ts_rank(c.search_vector, ")
            .push_bind(form.to_owned())
            .push("::tsquery)");
    }
    if key.contains(KEY_FORMS) {
        sql.push(")");
    }
}

/// `SELECT r.offer_id, r.rank FROM ranked r …`: a page of the ranked candidates by (rank, id),
/// from the cursor on, one more than a page.
fn push_ranked_page(sql: &mut QueryBuilder<'_, Postgres>, query: &BoardQuery) {
    sql.push("SELECT r.offer_id, r.rank FROM ranked r WHERE TRUE");
    if let Some(cursor) = &query.cursor {
        push_cursor(sql, cursor, "r.rank", "r.offer_id");
    }
    push_order(sql, "r.rank", reads_backwards(query), "r.offer_id");
    push_limit(sql, one_more(query));
}

/// Whether the page is read backwards from its cursor (then in reverse display order).
fn reads_backwards(query: &BoardQuery) -> bool {
    matches!(
        query.cursor,
        Some(Cursor {
            direction: Direction::Before,
            ..
        })
    )
}

/// A page and one more offer, which tells whether another page follows.
fn one_more(query: &BoardQuery) -> i64 {
    i64::from(query.limit) + 1
}

/// ` SELECT … FROM matches LEFT JOIN LATERAL (<listed>) …`: the page's offers with the count
/// of `matches` on each row, and one row without an offer when the page is empty, so
/// that the count always comes back. `listed` yields `offer_id` and `rank`, in display order.
fn push_listing(
    sql: &mut QueryBuilder<'_, Postgres>,
    listed: impl FnOnce(&mut QueryBuilder<'_, Postgres>),
    order_key: &str,
    backwards: bool,
) {
    sql.push(format_args!(
        " SELECT matches.total, {OFFER_COLUMNS}, listed.rank \
         FROM matches LEFT JOIN LATERAL ("
    ));
    listed(sql);
    sql.push(
        ") AS listed ON TRUE LEFT JOIN offers o ON o.id = listed.offer_id \
         LEFT JOIN users u ON u.id = o.user_id",
    );
    push_order(sql, order_key, backwards, "o.id");
}

/// The page's offers, read from `rows` (each with the count; an empty page has one row
/// without an offer).
fn listed_offers(rows: &[PgRow]) -> Result<(i64, Vec<BoardOffer>), sqlx::Error> {
    let mut total = 0;
    let mut offers = Vec::with_capacity(rows.len());
    for row in rows {
        total = row.try_get("total")?;
        if row.try_get::<Option<i64>, _>("id")?.is_some() {
            offers.push(<BoardOffer as sqlx::FromRow<PgRow>>::from_row(row)?);
        }
    }
    Ok((total, offers))
}

/// A page of the board, newest first or by relevance (search words, `sort=relevance`), with
/// the count of every matching offer (capped at `COUNT_CAP`). One query builder: every filter
/// is added by `push_offer_filters`, for the matches and for the walk alike.
///
/// A query read from an ordered index (the newest page, or one ordered filter alone) counts
/// its matches and walks its page from that index in one statement: the walk takes few rows
/// however many offers match.
///
/// Any other query's first statement collects the matches (up to the cap) and counts them;
/// when they are all there, the page is read from them in the same statement, so a narrow
/// query reads each match once. When there are more than the cap, the matches are as dense as
/// a tenth of the board, and a second statement walks the offers newest first until it has
/// the page (or the ranking's candidates), which at that density takes few rows. Both ways
/// list the same offers: the newest first, or the `RANK_CANDIDATES` newest matches by rank.
pub async fn page(db: &mut PgConnection, query: &BoardQuery) -> Result<BoardPage, RepoError> {
    let keys = match &query.text {
        Some(text) => Some(search_keys(db, text).await?),
        None => None,
    };
    let ranked = keys.as_ref().filter(|_| query.is_ranked());
    let backwards = reads_backwards(query);

    let ordered = !query.reads_its_matches();
    let mut sql = QueryBuilder::<Postgres>::new("");
    if ordered {
        push_count(&mut sql, query);
    } else {
        push_matches(&mut sql, query, keys.as_ref());
    }
    if let Some(keys) = ranked {
        sql.push(
            ", candidates AS MATERIALIZED (SELECT s.id, s.search_vector FROM (SELECT m.id \
             FROM matches, ",
        );
        push_unnested(&mut sql);
        sql.push(" ORDER BY m.first_published_at DESC, m.id DESC");
        push_limit(&mut sql, RANK_CANDIDATES);
        sql.push(") AS newest JOIN offers s ON s.id = newest.id)");
        push_ranked(&mut sql, keys);
    }
    push_listing(
        &mut sql,
        |sql| {
            if ranked.is_some() {
                return push_ranked_page(sql, query);
            }
            if ordered {
                return push_walked(sql, query);
            }
            sql.push("SELECT m.id AS offer_id, m.first_published_at, NULL::real AS rank FROM ");
            push_unnested(sql);
            sql.push(" WHERE TRUE");
            if let Some(cursor) = &query.cursor {
                push_cursor(sql, cursor, "m.first_published_at", "m.id");
            }
            push_order(sql, "m.first_published_at", backwards, "m.id");
            push_limit(sql, one_more(query));
        },
        match ranked {
            Some(_) => "listed.rank",
            None => "o.first_published_at",
        },
        backwards,
    );
    let rows = sql.build().fetch_all(&mut *db).await?;
    let (counted, mut offers) = listed_offers(&rows)?;

    if counted > COUNT_CAP && !ordered {
        offers = walk(db, query, keys.as_ref()).await?;
    }
    let more = offers.len() > query.limit as usize;
    offers.truncate(query.limit as usize);
    if backwards {
        offers.reverse();
    }
    Ok(BoardPage {
        offers,
        count: counted.min(COUNT_CAP),
        count_capped: counted > COUNT_CAP,
        has_next: if backwards { true } else { more },
        has_previous: if backwards {
            more
        } else {
            query.cursor.is_some()
        },
    })
}

/// The page (or, ranked, the ranking's candidates and then the page) walked from the newest
/// offer down, for a query with more matches than the count reads: the offers of one more
/// than a page, in display order (reversed going backwards).
async fn walk(
    db: &mut PgConnection,
    query: &BoardQuery,
    keys: Option<&Vec<String>>,
) -> Result<Vec<BoardOffer>, RepoError> {
    let backwards = reads_backwards(query);
    let mut sql = QueryBuilder::<Postgres>::new("");
    match keys.filter(|_| query.is_ranked()) {
        None => {
            sql.push(format_args!("SELECT {OFFER_COLUMNS}, NULL::real AS rank"));
            sql.push(" FROM offers o JOIN users u ON u.id = o.user_id");
            push_newest_walk(&mut sql, query, keys);
        }
        Some(keys) => {
            sql.push("WITH candidates AS MATERIALIZED (SELECT o.id, o.search_vector FROM offers o");
            push_offer_filters(&mut sql, query, Some(keys));
            push_order(&mut sql, "o.first_published_at", false, "o.id");
            push_limit(&mut sql, RANK_CANDIDATES);
            sql.push(")");
            push_ranked(&mut sql, keys);
            sql.push(format_args!(" SELECT {OFFER_COLUMNS}, listed.rank FROM ("));
            push_ranked_page(&mut sql, query);
            sql.push(
                ") AS listed JOIN offers o ON o.id = listed.offer_id \
                 JOIN users u ON u.id = o.user_id",
            );
            push_order(&mut sql, "listed.rank", backwards, "o.id");
        }
    }
    // Planned for its values on every request, never from the connection's cached generic
    // plan: a generic plan cannot read the facets' statistics (migration 18) for a bound
    // `facets && $n`, guesses a handful of matches where there are more than COUNT_CAP, and
    // reads and sorts all of them instead of walking the newest offers
    // (`country=DE&workplace=remote`: 108-140 ms instead of under 2 ms at 100 000 offers, from
    // the sixth request of a connection on). Planning it costs about a millisecond.
    let rows = sql.build().persistent(false).fetch_all(&mut *db).await?;
    Ok(rows
        .iter()
        .map(<BoardOffer as sqlx::FromRow<PgRow>>::from_row)
        .collect::<Result<Vec<_>, _>>()?)
}

/// One offer with its employer, in any status but draft (a draft only for its owner,
/// `viewer`): the API shows only open ones (`Offer::is_open`); the offer's page also says
/// when one has closed or expired.
pub async fn find(
    db: &mut PgConnection,
    id: i64,
    viewer: Option<i64>,
) -> Result<Option<BoardOffer>, RepoError> {
    Ok(sqlx::query_as::<_, BoardOffer>(concat!(
        "SELECT ",
        offer_columns!(),
        ", u.username, u.display_name, NULL::real AS rank \
         FROM offers o JOIN users u ON u.id = o.user_id \
         WHERE o.id = $1 AND (o.status <> 'draft' OR o.user_id = $2)"
    ))
    .bind(id)
    .bind(viewer)
    .fetch_optional(db)
    .await?)
}

/// The offers deleted at or after `since` (any time, without it) whose tombstones are still
/// kept, newest deletion first, at most `COUNT_CAP` of them: what an aggregator syncing
/// with `include=closed` takes down.
pub async fn removed_since(
    db: &mut PgConnection,
    since: Option<DateTime<Utc>>,
    tombstone_days: u32,
) -> Result<Vec<i64>, RepoError> {
    Ok(sqlx::query_scalar(
        "SELECT offer_id FROM offer_tombstones \
         WHERE deleted_at >= now() - make_interval(days => $1) \
         AND ($2::timestamptz IS NULL OR deleted_at >= $2) \
         ORDER BY deleted_at DESC, offer_id DESC LIMIT $3",
    )
    .bind(i32::try_from(tombstone_days).unwrap_or(i32::MAX))
    .bind(since)
    .bind(COUNT_CAP)
    .fetch_all(db)
    .await?)
}
