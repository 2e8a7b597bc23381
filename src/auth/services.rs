//! What the account guards share, gathered from the request in one place: the database, the
//! hasher, the attempt limits, and who is asking (the client address behind any trusted
//! proxy). `Accounts`, `CredentialStore` and `Limiter` are request guards over it.

use std::net::IpAddr;

use rocket::Request;
use rocket_db_pools::Database;

use sqlx::pool::PoolConnection;
use sqlx::Postgres;

use super::password::PasswordHasher;
use super::throttle::AbuseLimits;
use crate::config::AppConfig;
use crate::db::{Db, Parked};
use crate::domain::user::PasswordPolicy;
use crate::network::client_address;
use crate::repo::RepoError;

/// The services of one request.
pub struct Services<'r> {
    pub db: &'r Db,
    /// The connection the request's auth guard left, if any.
    parked: &'r Parked,
    pub hasher: &'r PasswordHasher,
    pub limits: &'r AbuseLimits,
    pub client: Option<IpAddr>,
    /// What a new password must withstand.
    pub password_policy: PasswordPolicy,
}

impl<'r> Services<'r> {
    /// `None` when a service was not built (a wiring bug).
    pub fn of(request: &'r Request<'_>) -> Option<Self> {
        let rocket = request.rocket();
        let config = rocket.state::<AppConfig>()?;
        Some(Self {
            db: Db::fetch(rocket)?,
            parked: Parked::of(request),
            hasher: rocket.state::<PasswordHasher>()?,
            limits: rocket.state::<AbuseLimits>()?,
            client: client_address(request, &config.trusted_proxies),
            password_policy: config.password_policy,
        })
    }
}

impl Services<'_> {
    /// The connection the request's auth guard checked the caller on, else a new one: one
    /// acquire for an authenticated request that writes through a service.
    pub async fn connection(&self) -> Result<PoolConnection<Postgres>, RepoError> {
        self.parked.take_or_acquire(self.db).await
    }
}

/// Makes `$guard<'r>` (a newtype over `Services<'r>`) a request guard that documents nothing
/// in the OpenAPI document, and lets it read the services' fields directly.
macro_rules! services_guard {
    ($guard:ident, $what:literal) => {
        impl<'r> std::ops::Deref for $guard<'r> {
            type Target = $crate::auth::services::Services<'r>;

            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }

        #[rocket::async_trait]
        impl<'r> rocket::request::FromRequest<'r> for $guard<'r> {
            type Error = $crate::auth::AuthError;

            async fn from_request(
                request: &'r rocket::Request<'_>,
            ) -> rocket::request::Outcome<Self, Self::Error> {
                match $crate::auth::services::Services::of(request) {
                    Some(services) => rocket::request::Outcome::Success(Self(services)),
                    None => $crate::auth::AuthError::NotConfigured($what).fail(request),
                }
            }
        }

        impl<'r> rocket_okapi::request::OpenApiFromRequest<'r> for $guard<'r> {
            fn from_request_input(
                _gen: &mut rocket_okapi::gen::OpenApiGenerator,
                _name: String,
                _required: bool,
            ) -> rocket_okapi::Result<rocket_okapi::request::RequestHeaderInput> {
                Ok(rocket_okapi::request::RequestHeaderInput::None)
            }
        }
    };
}

pub(crate) use services_guard;
