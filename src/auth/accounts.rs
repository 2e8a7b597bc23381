//! Registration and sign-in, shared by the API and the pages, with the attempt limits of both
//! (`throttle`): registrations per client; failed sign-ins per client and username, per
//! client, and per username, all checked before any password is hashed.

use super::password;
use super::services::{services_guard, Services};
use super::throttle::Throttle;
use super::AuthError;
use crate::domain::user::{Credentials, NewUser, Password, User, Username};
use crate::repo;

/// What registration and sign-in need, gathered from the request: the database, the hasher,
/// the limits, and who is asking (the client address behind any trusted proxy).
pub struct Accounts<'r>(Services<'r>);

/// A successful sign-in: the account, and the credentials version its token or session carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub user: User,
    pub credentials_version: i64,
}

services_guard!(Accounts, "the account services");

impl Accounts<'_> {
    /// Creates the account (its password already judged by `NewUser`'s parsing, with this
    /// service's `password_policy`): `UsernameTaken` when the name exists in any letter case,
    /// `Throttled` when this client registered too often.
    pub async fn register(&self, new_user: &NewUser) -> Result<User, AuthError> {
        let wait = self
            .limits
            .registration(&mut *self.db.acquire().await?, self.client)
            .await?;
        if let Some(retry_after) = wait {
            return Err(Throttle::Registration.refuse(retry_after));
        }
        let hash = self.hasher.hash(&new_user.password).await?;
        repo::users::insert(&mut *self.db.acquire().await?, &new_user.username, &hash)
            .await?
            .ok_or(AuthError::UsernameTaken)
    }

    /// The account whose username (any case) and password match; `BadCredentials`
    /// otherwise. A username or password that no account can have is refused at once, before
    /// any hashing and without counting it anywhere. Unknown users cost one dummy
    /// verification, so an unknown name and a wrong password take the same time. Past a
    /// limit, `Throttled`, decided before hashing.
    pub async fn sign_in(&self, credentials: &Credentials) -> Result<SignedIn, AuthError> {
        let name = &credentials.username;
        let (Ok(_), Ok(password)) = (
            Username::parse(name),
            Password::parse(&credentials.password),
        ) else {
            return Err(AuthError::BadCredentials);
        };
        let stored = {
            let mut db = self.db.acquire().await?;
            if let Some(retry_after) = self.limits.login_wait(&mut db, self.client, name).await? {
                return Err(Throttle::Login.refuse(retry_after));
            }
            repo::users::find_credentials(&mut *db, name).await?
        };
        let (account, hash) = match stored {
            Some(stored) => (
                Some(SignedIn {
                    user: User {
                        id: stored.id,
                        username: stored.username,
                    },
                    credentials_version: stored.credentials_version,
                }),
                Some(stored.password_hash),
            ),
            None => (None, None),
        };
        let verified = self
            .hasher
            .verify(&credentials.password, hash.clone())
            .await?;
        let mut db = self.db.acquire().await?;
        match account.filter(|_| verified) {
            Some(signed_in) => {
                self.limits
                    .login_succeeded(&mut db, self.client, name)
                    .await?;
                drop(db);
                if let Some(former) = hash.filter(|stored| !password::is_current(stored)) {
                    self.upgrade_hash(signed_in.user.id, &former, &password)
                        .await;
                }
                Ok(signed_in)
            }
            None => {
                self.limits.login_failed(&mut db, self.client, name).await?;
                Err(AuthError::BadCredentials)
            }
        }
    }

    /// Replaces a hash made with older parameters by one made with today's, now that the
    /// password is known. Best effort: a sign-in that succeeded never fails because of it (a
    /// busy hasher or a database error just leaves the old hash for the next sign-in).
    async fn upgrade_hash(&self, user_id: i64, former: &str, password: &Password) {
        let upgraded = async {
            let hash = self
                .hasher
                .hash(password)
                .await
                .map_err(|e| e.to_string())?;
            let mut db = self.db.acquire().await.map_err(|e| e.to_string())?;
            repo::users::upgrade_password_hash(&mut *db, user_id, former, &hash)
                .await
                .map_err(|e| e.to_string())
        };
        if let Err(error) = upgraded.await {
            rocket::warn!("keeping user {user_id}'s older password hash: {error}");
        }
    }
}
