//! Why a public offer address finds nothing: deleted a short while ago (`410 Gone`, so that
//! search engines and aggregators drop it at once) or never there (`404`). Both doors ask here.

use sqlx::PgConnection;

use crate::config::SiteSettings;
use crate::error::AppError;
use crate::repo;

/// `410 offer removed {id}` while the offer's tombstone is kept, else `404 offer not found {id}`;
/// a failed lookup is that failure.
pub async fn gone_or_missing(db: &mut PgConnection, id: i64, site: &SiteSettings) -> AppError {
    match repo::offers::removed(db, id, site.tombstone_days).await {
        Ok(true) => AppError::OfferRemoved(id),
        Ok(false) => AppError::offer_not_found(id),
        Err(error) => error.into(),
    }
}
