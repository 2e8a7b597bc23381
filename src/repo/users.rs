//! Accounts.

use sqlx::postgres::PgRow;
use sqlx::{PgExecutor, Row};

use super::{CallerChecked, RepoError};
use crate::domain::posting::WebAddress;
use crate::domain::user::{Profile, ProfilePatch, User, Username};

/// The Postgres error code for a unique-constraint violation.
const UNIQUE_VIOLATION: &str = "23505";

impl<'r> sqlx::FromRow<'r, PgRow> for User {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
        })
    }
}

/// What sign-in needs: the account and its PHC hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredCredentials {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    /// Read with the hash, before the password is checked: a token won with a password that
    /// changed meanwhile then carries the old version and is refused.
    pub credentials_version: i64,
}

/// Creates an account; `None` when the username is taken in any letter case.
pub async fn insert(
    db: impl PgExecutor<'_>,
    username: &Username,
    password_hash: &str,
) -> Result<Option<User>, RepoError> {
    let inserted = sqlx::query_as::<_, User>(
        "INSERT INTO users (username, password_hash) VALUES ($1, $2) RETURNING id, username",
    )
    .bind(username.as_str())
    .bind(password_hash)
    .fetch_one(db)
    .await;
    match inserted {
        Ok(user) => Ok(Some(user)),
        Err(sqlx::Error::Database(error)) if error.code().as_deref() == Some(UNIQUE_VIOLATION) => {
            Ok(None)
        }
        Err(error) => Err(error.into()),
    }
}

/// The account a sign-in names, matched case-insensitively.
pub async fn find_credentials(
    db: impl PgExecutor<'_>,
    username: &str,
) -> Result<Option<StoredCredentials>, RepoError> {
    Ok(sqlx::query_as::<_, StoredCredentials>(
        "SELECT id, username, password_hash, credentials_version FROM users \
         WHERE lower(username) = lower($1)",
    )
    .bind(username)
    .fetch_optional(db)
    .await?)
}

/// SQL: whether account `$id` exists with its credentials still at `$version` (placeholders
/// given as literals): the check a token costs, alone or inside an endpoint's statement.
macro_rules! holds_credentials {
    ($id:literal, $version:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM users WHERE id = ",
            $id,
            " AND credentials_version = ",
            $version,
            ")"
        )
    };
}
pub(crate) use holds_credentials;

/// Whether the account exists with its credentials still at `version`: the one query a
/// token costs when its endpoint's own statement does not carry the check.
pub async fn check_credentials(
    db: impl PgExecutor<'_>,
    id: i64,
    version: i64,
) -> Result<CallerChecked<()>, RepoError> {
    let held = sqlx::query_scalar::<_, bool>(concat!("SELECT ", holds_credentials!("$1", "$2")))
        .bind(id)
        .bind(version)
        .fetch_one(db)
        .await?;
    Ok(match held {
        true => CallerChecked::Current(()),
        false => CallerChecked::Revoked,
    })
}

/// The account's password hash, if its credentials are still at `version`.
pub async fn password_hash_at_version(
    db: impl PgExecutor<'_>,
    id: i64,
    version: i64,
) -> Result<Option<String>, RepoError> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT password_hash FROM users WHERE id = $1 AND credentials_version = $2",
    )
    .bind(id)
    .bind(version)
    .fetch_optional(db)
    .await?)
}

/// Stores a new hash of the same password (made with today's parameters) when the account
/// still holds `former`: a password changed meanwhile is never overwritten, and the
/// credentials version stays, so no token or session ends.
pub async fn upgrade_password_hash(
    db: impl PgExecutor<'_>,
    id: i64,
    former: &str,
    password_hash: &str,
) -> Result<(), RepoError> {
    sqlx::query("UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2")
        .bind(id)
        .bind(former)
        .bind(password_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Replaces the password of an account whose credentials are still at `version`, moves them
/// to the next version and deletes every browser session of the account, in one statement;
/// `false` (and nothing changed) when the version had already moved on.
pub async fn replace_password(
    db: impl PgExecutor<'_>,
    id: i64,
    version: i64,
    password_hash: &str,
) -> Result<bool, RepoError> {
    Ok(sqlx::query_scalar::<_, bool>(
        "WITH changed AS (
             UPDATE users SET password_hash = $3, credentials_version = credentials_version + 1
             WHERE id = $1 AND credentials_version = $2
             RETURNING id
         ), ended AS (
             DELETE FROM sessions WHERE user_id IN (SELECT id FROM changed)
         )
         SELECT EXISTS (SELECT 1 FROM changed)",
    )
    .bind(id)
    .bind(version)
    .bind(password_hash)
    .fetch_one(db)
    .await?)
}

/// Moves the account's credentials to the next version and deletes every browser session of
/// the account, in one statement: every token and session issued before stops working.
/// `false` when there is no such account.
pub async fn end_every_credential(db: impl PgExecutor<'_>, id: i64) -> Result<bool, RepoError> {
    Ok(sqlx::query_scalar::<_, bool>(
        "WITH bumped AS (
             UPDATE users SET credentials_version = credentials_version + 1
             WHERE id = $1
             RETURNING id
         ), ended AS (
             DELETE FROM sessions WHERE user_id IN (SELECT id FROM bumped)
         )
         SELECT EXISTS (SELECT 1 FROM bumped)",
    )
    .bind(id)
    .fetch_one(db)
    .await?)
}

/// An account as others see it: its name and profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employer {
    pub user: User,
    pub profile: Profile,
}

impl<'r> sqlx::FromRow<'r, PgRow> for Employer {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        let website: Option<String> = row.try_get("website")?;
        Ok(Self {
            user: User::from_row(row)?,
            profile: Profile {
                display_name: row.try_get("display_name")?,
                // Stored only after parsing; an address that no longer parses is not shown.
                website: website.and_then(|site| WebAddress::from_stored(&site).ok()),
                about: row.try_get("about")?,
            },
        })
    }
}

/// The account `id` with its profile.
pub async fn employer(db: impl PgExecutor<'_>, id: i64) -> Result<Option<Employer>, RepoError> {
    Ok(sqlx::query_as::<_, Employer>(
        "SELECT id, username, display_name, website, about FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// The name the pages give the employer a board filter names (display name, else username),
/// or `None` for an account that does not exist.
pub async fn shown_name(
    db: impl PgExecutor<'_>,
    employer: &crate::domain::board::Employer,
) -> Result<Option<String>, RepoError> {
    use crate::domain::board::Employer;
    let (id, username) = match employer {
        Employer::Id(id) => (Some(*id), None),
        Employer::Username(username) => (None, Some(username.as_str())),
    };
    Ok(sqlx::query_scalar(
        "SELECT coalesce(display_name, username) FROM users \
         WHERE id = $1 OR lower(username) = lower($2)",
    )
    .bind(id)
    .bind(username)
    .fetch_optional(db)
    .await?)
}

/// Applies `patch` to the profile of `id`; `None` when the account is gone.
pub async fn update_profile(
    db: impl PgExecutor<'_>,
    id: i64,
    patch: &ProfilePatch,
) -> Result<Option<Employer>, RepoError> {
    // Each field: $n "changes" and $n+1 its new value (NULL clears).
    Ok(sqlx::query_as::<_, Employer>(
        "UPDATE users SET \
             display_name = CASE WHEN $2 THEN $3 ELSE display_name END, \
             website = CASE WHEN $4 THEN $5 ELSE website END, \
             about = CASE WHEN $6 THEN $7 ELSE about END \
         WHERE id = $1 RETURNING id, username, display_name, website, about",
    )
    .bind(id)
    .bind(patch.display_name.is_some())
    .bind(patch.display_name.clone().flatten())
    .bind(patch.website.is_some())
    .bind(
        patch
            .website
            .clone()
            .flatten()
            .map(|site| site.as_str().to_owned()),
    )
    .bind(patch.about.is_some())
    .bind(patch.about.clone().flatten())
    .fetch_optional(db)
    .await?)
}
