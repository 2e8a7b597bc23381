//! Registration and sign-in, shared by the API and the pages, with the abuse limits of both:
//! failed sign-ins per (client, username) and registrations per client.

use std::net::IpAddr;

use rocket::request::{FromRequest, Outcome, Request};
use rocket_db_pools::Database;
use rocket_okapi::gen::OpenApiGenerator;
use rocket_okapi::request::{OpenApiFromRequest, RequestHeaderInput};

use super::password::PasswordHasher;
use super::throttle::{login_key, registration_key, AbuseLimits};
use super::AuthError;
use crate::db::Db;
use crate::domain::user::{Credentials, NewUser, User};
use crate::repo;

/// What registration and sign-in need, gathered from the request: the database, the hasher,
/// the limits, and who is asking (`Request::client_ip`, which honours the configured
/// `ip_header` behind a proxy).
pub struct Accounts<'r> {
    db: &'r Db,
    hasher: &'r PasswordHasher,
    limits: &'r AbuseLimits,
    client: Option<IpAddr>,
}

impl Accounts<'_> {
    /// Creates the account: `UsernameTaken` when the name exists in any letter case,
    /// `Throttled` when this client registered too often.
    pub async fn register(&self, new_user: &NewUser) -> Result<User, AuthError> {
        let key = registration_key(self.client);
        self.limits
            .registrations
            .check(&key)
            .map_err(|retry_after| AuthError::Throttled { retry_after })?;
        self.limits.registrations.record(&key);
        let hash = self.hasher.hash(&new_user.password).await?;
        repo::users::insert(&mut *self.db.acquire().await?, &new_user.username, &hash)
            .await?
            .ok_or(AuthError::UsernameTaken)
    }

    /// The account whose username (any case) and password match; `BadCredentials`
    /// otherwise. Unknown users cost one dummy verification, so both failures take the same
    /// time. After too many failures for one username from one client, `Throttled` until the
    /// window ends; other clients (the real user) are not affected.
    pub async fn sign_in(&self, credentials: &Credentials) -> Result<User, AuthError> {
        let key = login_key(self.client, &credentials.username);
        self.limits
            .failed_logins
            .check(&key)
            .map_err(|retry_after| AuthError::Throttled { retry_after })?;
        let stored =
            repo::users::find_credentials(&mut *self.db.acquire().await?, &credentials.username)
                .await?;
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
        let verified = self.hasher.verify(&credentials.password, hash).await?;
        match account.filter(|_| verified) {
            Some(user) => {
                self.limits.failed_logins.clear(&key);
                Ok(user)
            }
            None => {
                self.limits.failed_logins.record(&key);
                Err(AuthError::BadCredentials)
            }
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Accounts<'r> {
    type Error = AuthError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let rocket = request.rocket();
        match (
            Db::fetch(rocket),
            rocket.state::<PasswordHasher>(),
            rocket.state::<AbuseLimits>(),
        ) {
            (Some(db), Some(hasher), Some(limits)) => Outcome::Success(Self {
                db,
                hasher,
                limits,
                client: request.client_ip(),
            }),
            _ => AuthError::NotConfigured("the account services").fail(request),
        }
    }
}

impl<'r> OpenApiFromRequest<'r> for Accounts<'r> {
    fn from_request_input(
        _gen: &mut OpenApiGenerator,
        _name: String,
        _required: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        Ok(RequestHeaderInput::None)
    }
}
