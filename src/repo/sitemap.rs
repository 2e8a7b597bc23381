//! What the sitemaps list: every open offer (published, not expired), read in id ranges so
//! that no file needs more than one index range scan and none is held in memory whole.

use chrono::{DateTime, Utc};
use rocket::futures::stream::BoxStream;
use rocket::futures::StreamExt;
use sqlx::{PgConnection, Row};

use super::offers::open_offer;
use super::RepoError;

/// An offer as a sitemap lists it.
#[derive(Debug, Clone)]
pub struct SitemapEntry {
    pub id: i64,
    pub title: String,
    pub modification_date: DateTime<Utc>,
}

/// How many offers are open, counted up to `cap`.
pub async fn open_offers_up_to(db: &mut PgConnection, cap: usize) -> Result<usize, RepoError> {
    let counted: i64 = sqlx::query_scalar(concat!(
        "SELECT count(*) FROM (SELECT 1 FROM offers o WHERE ",
        open_offer!(),
        " LIMIT $1) AS open_offers"
    ))
    .bind(i64::try_from(cap).unwrap_or(i64::MAX))
    .fetch_one(db)
    .await?;
    Ok(usize::try_from(counted).unwrap_or(0))
}

/// The highest offer id there is (0 without offers): the sitemap index covers ids up to it.
pub async fn last_offer_id(db: &mut PgConnection) -> Result<i64, RepoError> {
    Ok(
        sqlx::query_scalar("SELECT coalesce(max(id), 0)::bigint FROM offers")
            .fetch_one(db)
            .await?,
    )
}

/// The open offers with `after < id <= through`, by id, as the rows come.
pub fn open_offers_between(
    db: &mut PgConnection,
    after: i64,
    through: i64,
) -> BoxStream<'_, Result<SitemapEntry, RepoError>> {
    sqlx::query(concat!(
        "SELECT o.id, o.title, o.modification_date FROM offers o WHERE ",
        open_offer!(),
        " AND o.id > $1 AND o.id <= $2 ORDER BY o.id"
    ))
    .bind(after)
    .bind(through)
    .fetch(db)
    .map(|row| {
        let row = row?;
        Ok(SitemapEntry {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            modification_date: row.try_get("modification_date")?,
        })
    })
    .boxed()
}
