//! Job offers. Every read or write of one offer is scoped to its owner
//! (`WHERE id = $1 AND user_id = $2`); the doors decide who that owner may be.

use chrono::Utc;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::QueryAs;
use sqlx::{Connection, PgConnection, PgExecutor, Postgres, Row};

use super::users::holds_credentials;
use super::webhooks;
use super::{CallerChecked, RepoError};
use crate::domain::board::{Cursor, Direction, EmployerPage};
use crate::domain::lifecycle::{self, ChangeError, OfferChange, PublishingRules};
use crate::domain::offer::{Details, Offer, OfferPatch};
use crate::domain::posting::{
    Amount, CloseReason, Currency, EmailAddress, EmploymentTypes, Locations, OfferStatus,
    RemoteCountries, Salary, SalaryPeriod, ShownStatus, WebAddress, Workplace,
};
use crate::domain::webhook;

/// The columns of an offer `o`, as `Offer::from_row` reads them; a macro so queries stay
/// `&'static str` and sqlx's prepared-statement cache sees one string per query. `expired` is
/// decided here, by the database's clock, whenever an offer is read: no job has to run for an
/// offer to stop showing the moment its date passes.
macro_rules! offer_columns {
    () => {
        "o.id, o.user_id, o.title, o.description, o.skills_list, o.creation_date, \
         o.modification_date, o.status::text AS status, \
         (o.status = 'published' AND o.valid_through <= now()) AS expired, \
         o.close_reason::text AS close_reason, o.first_published_at, o.valid_through, \
         o.employment_types::text[] AS employment_types, o.workplace::text AS workplace, \
         o.locations::text AS locations, o.remote_countries, o.salary_currency, \
         o.salary_min::text AS salary_min, o.salary_max::text AS salary_max, \
         o.salary_period::text AS salary_period, o.apply_url, o.apply_email, o.apply_native"
    };
}
pub(crate) use offer_columns;

/// Whether `o` is visible to everyone: published and not past its date.
macro_rules! open_offer {
    () => {
        "(o.status = 'published' AND o.valid_through > now())"
    };
}
pub(crate) use open_offer;

/// The status of `o` as readers see it (`expired` for a published offer past its date).
macro_rules! shown_status {
    () => {
        "(CASE WHEN o.status = 'published' AND o.valid_through <= now() THEN 'expired' \
         ELSE o.status::text END)"
    };
}

/// A stored value that does not parse: the database holds what the domain would refuse.
fn corrupt(column: &str, problem: String) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: problem.into(),
    }
}

fn parsed<T>(
    row: &PgRow,
    column: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, sqlx::Error> {
    row.try_get::<Option<String>, _>(column)?
        .map(|text| parse(&text).map_err(|problem| corrupt(column, problem)))
        .transpose()
}

impl<'r> sqlx::FromRow<'r, PgRow> for Offer {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        let salary = match (
            parsed(row, "salary_currency", Currency::parse)?,
            parsed(row, "salary_min", Amount::parse)?,
            parsed(row, "salary_max", Amount::parse)?,
            parsed(row, "salary_period", SalaryPeriod::parse)?,
        ) {
            (Some(currency), Some(min), Some(max), Some(period)) => Some(
                Salary::new(currency, min, max, period)
                    .map_err(|problem| corrupt("salary_min", problem))?,
            ),
            _ => None,
        };
        let locations: String = row.try_get("locations")?;
        let locations = serde_json::from_str(&locations)
            .map_err(|error| corrupt("locations", error.to_string()))?;
        Ok(Self {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            skills_list: row.try_get("skills_list")?,
            creation_date: row.try_get("creation_date")?,
            modification_date: row.try_get("modification_date")?,
            status: parsed(row, "status", OfferStatus::parse)?
                .ok_or_else(|| corrupt("status", "null".to_owned()))?,
            expired: row.try_get("expired")?,
            close_reason: parsed(row, "close_reason", CloseReason::parse)?,
            first_published_at: row.try_get("first_published_at")?,
            valid_through: row.try_get("valid_through")?,
            details: Details {
                employment_types: EmploymentTypes::from_stored(
                    &row.try_get::<Vec<String>, _>("employment_types")?,
                ),
                workplace: parsed(row, "workplace", Workplace::parse)?,
                locations: Locations::from_stored(&locations),
                remote_countries: RemoteCountries::from_stored(
                    &row.try_get::<Vec<String>, _>("remote_countries")?,
                ),
                salary,
                apply_url: parsed(row, "apply_url", WebAddress::from_stored)?,
                apply_email: parsed(row, "apply_email", EmailAddress::parse)?,
                apply_native: row.try_get("apply_native")?,
            },
        })
    }
}

/// Binds every field of `change` as `$3`…`$20`, in the order both the insert and the update
/// name them.
fn bind_change<'q>(
    query: QueryAs<'q, Postgres, Offer, PgArguments>,
    change: &'q OfferChange,
) -> QueryAs<'q, Postgres, Offer, PgArguments> {
    let details = &change.details;
    let salary = details.salary.as_ref();
    query
        .bind(change.title.as_str())
        .bind(change.description.as_str())
        .bind(change.skills.as_slice())
        .bind(change.lifecycle.status.as_str())
        .bind(change.lifecycle.close_reason.map(CloseReason::as_str))
        .bind(change.lifecycle.first_publication)
        .bind(change.lifecycle.valid_through)
        .bind(details.employment_types.names())
        .bind(details.workplace.map(Workplace::as_str))
        .bind(details.locations.to_json().to_string())
        .bind(details.remote_countries.codes())
        .bind(salary.map(|salary| salary.currency.as_str().to_owned()))
        .bind(salary.map(|salary| salary.min.to_decimal()))
        .bind(salary.map(|salary| salary.max.to_decimal()))
        .bind(salary.map(|salary| salary.period.as_str()))
        .bind(
            details
                .apply_url
                .as_ref()
                .map(|url| url.as_str().to_owned()),
        )
        .bind(
            details
                .apply_email
                .as_ref()
                .map(|email| email.as_str().to_owned()),
        )
        .bind(details.apply_native)
        .bind(
            change
                .lifecycle
                .default_days
                .map(|days| i32::try_from(days).unwrap_or(i32::MAX)),
        )
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
            posted: None,
        })
    }
}

/// A page of a user's offers after the page's cursor, as `viewer` may see them (the owner:
/// all, with the page's status filter; anyone else: open offers only); `None` when the user
/// does not exist. One round trip: the user row is joined so that "no such user" and "no
/// offers" are told apart, and the total of what the viewer sees comes along.
pub async fn list_for_user(
    db: impl PgExecutor<'_>,
    user_id: i64,
    viewer: i64,
    page: &EmployerPage,
) -> Result<Option<UserOffers>, RepoError> {
    let after = page.cursor.map_or(0, |cursor| cursor.id);
    let statuses: Option<Vec<&str>> = page
        .statuses
        .as_ref()
        .map(|statuses| statuses.iter().map(|status| status.as_str()).collect());
    let rows = sqlx::query(concat!(
        // The total is computed once (a lateral join), not once per listed row.
        "WITH seen AS MATERIALIZED (SELECT o.id FROM offers o WHERE o.user_id = $1 \
             AND ($4 = $1 OR ",
        open_offer!(),
        ") AND ($5::text[] IS NULL OR CASE WHEN o.status = 'published' \
                 AND o.valid_through <= now() THEN 'expired' ELSE o.status::text END = ANY ($5))) \
         SELECT c.total, ",
        offer_columns!(),
        " FROM users u \
         CROSS JOIN LATERAL (SELECT count(*) AS total FROM seen) c \
         LEFT JOIN LATERAL ( \
             SELECT * FROM offers WHERE id IN (SELECT id FROM seen) AND id > $2 \
             ORDER BY id LIMIT $3 \
         ) o ON TRUE \
         WHERE u.id = $1 ORDER BY o.id"
    ))
    .bind(user_id)
    .bind(after)
    .bind(i64::from(page.limit) + 1)
    .bind(viewer)
    .bind(statuses)
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

/// Where a page of an owner's offers starts, by id (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerPageFrom {
    Newest,
    /// The offers older than this one: the next page.
    Before(i64),
    /// The offers newer than this one: the previous page.
    After(i64),
}

/// One page of `owner`'s offers ("My offers") in `status` (every status without one), newest
/// first, and one
/// more offer beyond the page's far end (older for `Newest`/`Before`, newer for `After`) when
/// there is one: the caller pages by whether it came.
pub async fn owner_page(
    db: impl PgExecutor<'_>,
    owner: i64,
    status: Option<ShownStatus>,
    from: OwnerPageFrom,
    limit: u32,
) -> Result<Vec<Offer>, RepoError> {
    let (sql, id) = match from {
        OwnerPageFrom::Newest => (OWNER_PAGE_OLDER, i64::MAX),
        OwnerPageFrom::Before(id) => (OWNER_PAGE_OLDER, id),
        OwnerPageFrom::After(id) => (OWNER_PAGE_NEWER, id),
    };
    let mut offers = sqlx::query_as::<_, Offer>(sql)
        .bind(owner)
        .bind(id)
        .bind(status.map(ShownStatus::as_str))
        .bind(i64::from(limit) + 1)
        .fetch_all(db)
        .await?;
    if matches!(from, OwnerPageFrom::After(_)) {
        // Read oldest first from the cursor so that the page is the nearest newer offers.
        offers.reverse();
    }
    Ok(offers)
}

const OWNER_PAGE_OLDER: &str = concat!(
    "SELECT ",
    offer_columns!(),
    " FROM offers o WHERE o.user_id = $1 AND o.id < $2 AND ($3::text IS NULL OR ",
    shown_status!(),
    " = $3) ORDER BY o.id DESC LIMIT $4"
);

const OWNER_PAGE_NEWER: &str = concat!(
    "SELECT ",
    offer_columns!(),
    " FROM offers o WHERE o.user_id = $1 AND o.id > $2 AND ($3::text IS NULL OR ",
    shown_status!(),
    " = $3) ORDER BY o.id ASC LIMIT $4"
);

/// How many offers `owner` has in each status as shown (statuses without any are left out).
pub async fn status_counts(
    db: impl PgExecutor<'_>,
    owner: i64,
) -> Result<Vec<(ShownStatus, i64)>, RepoError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(concat!(
        "SELECT ",
        shown_status!(),
        " AS status, count(*) FROM offers o WHERE o.user_id = $1 GROUP BY 1"
    ))
    .bind(owner)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(status, count)| {
            ShownStatus::parse(&status)
                .map(|status| (status, count))
                .map_err(|problem| RepoError::from(corrupt("status", problem)))
        })
        .collect()
}

/// Stores a new offer for `user_id`, unless the account already has `max_offers` offers
/// (`None`). One statement: the count and the insert see the same snapshot, so concurrent
/// creations can overshoot by at most the number of them in flight. Created, changed and (when
/// published) first published at the same instant. The count stops at `max_offers`, so its
/// cost is bounded by the quota, not by how many offers a large account already has.
pub async fn insert(
    db: &mut PgConnection,
    user_id: i64,
    offer: &OfferChange,
    max_offers: u32,
) -> Result<Option<Offer>, RepoError> {
    let query = sqlx::query_as::<_, Offer>(concat!(
        "WITH clock AS (SELECT clock_timestamp() AS now) \
         INSERT INTO offers AS o (user_id, title, description, skills_list, creation_date, \
             modification_date, status, close_reason, first_published_at, valid_through, \
             employment_types, workplace, locations, remote_countries, salary_currency, \
             salary_min, salary_max, salary_period, apply_url, apply_email, apply_native) \
         SELECT $1, $3, $4, $5, clock.now, clock.now, $6::offer_status, \
             $7::offer_close_reason, CASE WHEN $8 THEN clock.now END, \
             coalesce(clock.now + make_interval(days => $21), $9), \
             $10::offer_employment_type[], $11::offer_workplace, $12::jsonb, $13, $14, \
             $15::numeric, $16::numeric, $17::offer_salary_period, $18, $19, $20 \
         FROM clock WHERE (SELECT count(*) FROM \
             (SELECT FROM offers WHERE user_id = $1 LIMIT $2) AS held) < $2 RETURNING ",
        offer_columns!()
    ))
    .bind(user_id)
    .bind(i64::from(max_offers));
    let mut transaction = db.begin().await?;
    let created = bind_change(query, offer)
        .fetch_optional(&mut *transaction)
        .await?;
    if let Some(created) = created.as_ref().filter(|created| created.is_open()) {
        let data = event_data(created);
        webhooks::enqueue_event(&mut transaction, user_id, "offer.published", data).await?;
    }
    transaction.commit().await?;
    Ok(created)
}

/// `offer`'s state in its webhook events.
fn event_data(offer: &Offer) -> serde_json::Value {
    webhook::offer_data(
        offer.id,
        &offer.title,
        offer.shown_status().as_str(),
        offer.valid_through,
    )
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
        " FROM offers o WHERE o.id = $1 AND o.user_id = $2"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await?)
}

/// The offer `id` of `owner` as a signed-in caller (user id, credentials version of their
/// token) may see it: the owner whatever its status, anyone else only while it is open. The
/// caller's credentials check (what the API's auth guard would ask first) is in the same
/// statement: one statement per request. The check comes back on the one row there always is; the offer's columns are NULL when there is no
/// such offer, or when the check failed (then the offer is not even looked at).
pub async fn find_visible_checked(
    db: &mut PgConnection,
    owner: i64,
    id: i64,
    (caller, credentials_version): (i64, i64),
) -> Result<CallerChecked<Option<Offer>>, RepoError> {
    let row = sqlx::query(concat!(
        "SELECT caller.current, ",
        offer_columns!(),
        " FROM (SELECT ",
        holds_credentials!("$3", "$4"),
        " AS current) AS caller \
         LEFT JOIN offers o ON caller.current AND o.id = $1 AND o.user_id = $2 AND ($3 = $2 OR ",
        open_offer!(),
        ")"
    ))
    .bind(id)
    .bind(owner)
    .bind(caller)
    .bind(credentials_version)
    .fetch_one(db)
    .await?;
    if !row.try_get::<bool, _>("current")? {
        return Ok(CallerChecked::Revoked);
    }
    Ok(CallerChecked::Current(
        match row.try_get::<Option<i64>, _>("id")? {
            Some(_) => Some(<Offer as sqlx::FromRow<PgRow>>::from_row(&row)?),
            None => None,
        },
    ))
}

/// Who owns the offer `id`, if it exists, and whether it is a draft: tells "not yours" from
/// "no such offer" where an address names no owner (the pages), and nobody but its owner may
/// learn that a draft exists.
pub async fn owner_of(db: impl PgExecutor<'_>, id: i64) -> Result<Option<(i64, bool)>, RepoError> {
    Ok(sqlx::query_as::<_, (i64, bool)>(
        "SELECT user_id, status = 'draft' FROM offers WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// Applies `patch` to `owner`'s offer `id` as the lifecycle decides from the offer as stored
/// (`lifecycle::update`, for both doors), and stamps its modification time; `None` when `owner`
/// has no such offer, `Some(Err)` when the lifecycle refused. The offer is locked from the read
/// to the write, so two concurrent changes (say, two status changes) each decide from what the
/// other left.
pub async fn change_owned(
    db: &mut PgConnection,
    owner: i64,
    id: i64,
    patch: &OfferPatch,
    rules: &PublishingRules,
) -> Result<Option<Result<Offer, ChangeError>>, RepoError> {
    let mut transaction = db.begin().await?;
    let stored = sqlx::query_as::<_, Offer>(concat!(
        "SELECT ",
        offer_columns!(),
        " FROM offers o WHERE o.id = $1 AND o.user_id = $2 FOR UPDATE"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(&mut *transaction)
    .await?;
    let Some(stored) = stored else {
        return Ok(None);
    };
    let change = match lifecycle::update(&stored, patch, Utc::now(), rules) {
        Ok(change) => change,
        Err(refused) => return Ok(Some(Err(refused))),
    };
    // clock_timestamp(), not now(): now() is the transaction's start and would not advance
    // between two updates inside one transaction. Read once (`clock`), so that a publication's
    // default `valid_through` is exactly its `first_published_at` plus the default days. `closed_at` is when the offer last became
    // closed (its applications' retention counts from it): kept while it stays closed, cleared
    // when it is published again.
    let query = sqlx::query_as::<_, Offer>(concat!(
        "UPDATE offers AS o SET title = $3, description = $4, skills_list = $5, \
             status = $6::offer_status, close_reason = $7::offer_close_reason, \
             first_published_at = CASE WHEN $8 THEN clock.now ELSE o.first_published_at END, \
             valid_through = coalesce(clock.now + make_interval(days => $21), $9), \
             employment_types = $10::offer_employment_type[], \
             workplace = $11::offer_workplace, locations = $12::jsonb, remote_countries = $13, \
             salary_currency = $14, salary_min = $15::numeric, salary_max = $16::numeric, \
             salary_period = $17::offer_salary_period, apply_url = $18, apply_email = $19, \
             apply_native = $20, \
             closed_at = CASE WHEN $6::offer_status <> 'closed' THEN NULL \
                 WHEN o.status = 'closed' THEN COALESCE(o.closed_at, clock.now) \
                 ELSE clock.now END, \
             modification_date = clock.now, \
             expiry_notified_at = CASE WHEN $21 IS NOT NULL \
                     OR $9 IS DISTINCT FROM o.valid_through THEN NULL \
                 ELSE o.expiry_notified_at END \
         FROM (SELECT clock_timestamp() AS now) AS clock \
         WHERE o.id = $1 AND o.user_id = $2 RETURNING ",
        offer_columns!()
    ))
    .bind(id)
    .bind(owner);
    let offer = bind_change(query, &change)
        .fetch_one(&mut *transaction)
        .await?;
    let before = stored.shown_status().as_str();
    if let Some(event) = webhook::offer_change_event(before, offer.shown_status().as_str()) {
        webhooks::enqueue_event(&mut transaction, owner, event, event_data(&offer)).await?;
    }
    transaction.commit().await?;
    Ok(Some(Ok(offer)))
}

/// Deletes `owner`'s offer `id`, leaving a tombstone when it had been published (and purging
/// tombstones older than `tombstone_days`); `false` when `owner` has no such offer.
pub async fn delete_owned(
    db: impl PgExecutor<'_>,
    owner: i64,
    id: i64,
    tombstone_days: u32,
) -> Result<bool, RepoError> {
    let deleted: i64 = sqlx::query_scalar(
        "WITH gone AS (DELETE FROM offers WHERE id = $1 AND user_id = $2 \
             RETURNING id, first_published_at), \
         buried AS (INSERT INTO offer_tombstones (offer_id) \
             SELECT id FROM gone WHERE first_published_at IS NOT NULL \
             ON CONFLICT (offer_id) DO UPDATE SET deleted_at = now()), \
         purged AS (DELETE FROM offer_tombstones \
             WHERE deleted_at < now() - make_interval(days => $3)) \
         SELECT count(*) FROM gone",
    )
    .bind(id)
    .bind(owner)
    .bind(i32::try_from(tombstone_days).unwrap_or(i32::MAX))
    .fetch_one(db)
    .await?;
    Ok(deleted > 0)
}

/// Whether offer `id` was deleted less than `tombstone_days` ago (its address is gone, not
/// unknown).
pub async fn removed(
    db: impl PgExecutor<'_>,
    id: i64,
    tombstone_days: u32,
) -> Result<bool, RepoError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM offer_tombstones WHERE offer_id = $1 \
         AND deleted_at >= now() - make_interval(days => $2))",
    )
    .bind(id)
    .bind(i32::try_from(tombstone_days).unwrap_or(i32::MAX))
    .fetch_one(db)
    .await?)
}
