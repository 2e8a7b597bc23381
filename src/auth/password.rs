//! Argon2id password hashing, run on blocking threads and bounded so a login flood cannot
//! starve the async workers or exhaust memory.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordVerifier, Version};
use rocket::tokio::sync::Semaphore;
use rocket::tokio::task;

use crate::domain::user::Password;

/// Why no hash could be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashError {
    /// Every hashing slot stayed busy for the configured wait: the client should retry.
    Busy,
    /// The hasher itself failed (a bug or a corrupt stored hash).
    Failed,
}

/// OWASP's Argon2id recommendation: 19 MiB of memory, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes and verifies passwords with at most `concurrency` computations in flight.
pub struct PasswordHasher {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl PasswordHasher {
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(concurrency)),
            wait,
        }
    }

    /// The PHC string of a new Argon2id hash of `password`.
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.expose().to_owned();
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|_| HashError::Failed)
        })
        .await
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown user) a dummy hash is
    /// verified instead, so both cases cost the same time and cannot be told apart.
    pub async fn verify(&self, password: &str, stored: Option<String>) -> Result<bool, HashError> {
        let password = password.to_owned();
        self.run(move || {
            let known_user = stored.is_some();
            let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return Err(HashError::Failed);
            };
            let matches = argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            Ok(known_user && matches)
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let permit = rocket::tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| HashError::Busy)?
            .map_err(|_| HashError::Failed)?;
        task::spawn_blocking(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .map_err(|_| HashError::Failed)?
    }
}

/// A hash of a random password, computed once, that unknown usernames are checked against.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        let random_password = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(random_password.as_str().as_bytes(), &salt)
            .expect("hashing a random password")
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> PasswordHasher {
        PasswordHasher::new(2, Duration::from_secs(5))
    }

    #[rocket::async_test]
    async fn a_hash_is_argon2id_phc_and_verifies_only_the_right_password() {
        let hasher = hasher();
        let password = Password::parse("correct horse").unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(hasher
            .verify("correct horse", Some(hash.clone()))
            .await
            .unwrap());
        assert!(!hasher.verify("wrong horse", Some(hash)).await.unwrap());
    }

    #[rocket::async_test]
    async fn an_unknown_user_never_verifies() {
        assert!(!hasher().verify("anything", None).await.unwrap());
    }

    #[rocket::async_test]
    async fn a_busy_hasher_answers_busy_instead_of_waiting_forever() {
        let hasher = PasswordHasher::new(1, Duration::from_millis(1));
        let _held = hasher.slots.clone().acquire_owned().await.unwrap();
        assert_eq!(hasher.verify("x", None).await.unwrap_err(), HashError::Busy);
    }
}
