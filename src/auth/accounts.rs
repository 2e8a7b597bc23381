//! Registration and sign-in, shared by the API and the pages.

use super::password::PasswordHasher;
use crate::db::Db;
use crate::domain::user::{Credentials, NewUser};
use crate::error::ApiError;
use crate::repo;
use crate::repo::users::User;

/// Creates the account; `409 Username already taken` when the name exists in any case.
pub async fn register(
    db: &Db,
    hasher: &PasswordHasher,
    new_user: &NewUser,
) -> Result<User, ApiError> {
    let hash = hasher.hash(&new_user.password).await?;
    repo::users::insert(&mut *db.acquire().await?, &new_user.username, &hash)
        .await?
        .ok_or_else(|| ApiError::Conflict("Username already taken".to_owned()))
}

/// The account whose username (any case) and password match; `None` otherwise. Unknown users
/// cost one dummy verification, so the two failures take the same time.
pub async fn sign_in(
    db: &Db,
    hasher: &PasswordHasher,
    credentials: &Credentials,
) -> Result<Option<User>, ApiError> {
    let stored =
        repo::users::find_credentials(&mut *db.acquire().await?, &credentials.username).await?;
    let (account, hash) = match stored {
        Some(stored) => (
            Some(User {
                id: stored.id,
                username: stored.username,
            }),
            Some(stored.password_hash),
        ),
        None => (None, None),
    };
    let verified = hasher.verify(&credentials.password, hash).await?;
    Ok(account.filter(|_| verified))
}
