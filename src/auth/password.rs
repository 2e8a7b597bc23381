//! Argon2id password hashing, run on blocking threads and bounded so a login flood cannot
//! starve the async workers or exhaust memory. Each hashing slot owns its 19 MiB of Argon2
//! memory for the life of the process: allocating and freeing it per hash left glibc holding
//! hundreds of MiB after a flood (see BENCHMARKS.md, Tuning log).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rocket::tokio::sync::Semaphore;
use rocket::tokio::task;

use crate::domain::user::Password;

/// Why no hash could be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// Every hashing slot stayed busy for the configured wait: the client should retry.
    #[error("every password hashing slot is busy")]
    Busy,
    /// The hasher itself failed (a bug or a corrupt stored hash), with what went wrong.
    #[error("password hashing failed: {0}")]
    Failed(String),
}

impl HashError {
    fn failed(cause: impl std::fmt::Display) -> Self {
        Self::Failed(cause.to_string())
    }
}

/// OWASP's Argon2id recommendation: 19 MiB of memory, 2 iterations, 1 lane.
fn owasp_params() -> Params {
    Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters")
}

/// Argon2 working memory for one hash at a time.
type Memory = Vec<Block>;

/// Hashes and verifies passwords with at most `concurrency` computations in flight, each on
/// memory allocated once.
pub struct PasswordHasher {
    slots: Arc<Semaphore>,
    capacity: usize,
    memories: Arc<Mutex<Vec<Memory>>>,
    wait: Duration,
}

/// Hashes refused because no slot freed up within the wait (each a 503), since start.
static BUSY: AtomicU64 = AtomicU64::new(0);

impl PasswordHasher {
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(concurrency)),
            capacity: concurrency,
            memories: Arc::new(Mutex::new(Vec::with_capacity(concurrency))),
            wait,
        }
    }

    /// How many hashes may run at once (`password_hash_concurrency`).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many hashes are running now.
    pub fn slots_in_use(&self) -> usize {
        self.capacity.saturating_sub(self.slots.available_permits())
    }

    /// How many hashes were refused as busy since the server started.
    pub fn busy_refusals() -> u64 {
        BUSY.load(Ordering::Relaxed)
    }

    /// The PHC string of a new Argon2id hash of `password`.
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.expose().to_owned();
        self.run(move |memory| {
            let params = owasp_params();
            let salt = SaltString::generate(&mut OsRng);
            let mut salt_bytes = [0u8; 64];
            let raw_salt = salt
                .decode_b64(&mut salt_bytes)
                .map_err(HashError::failed)?;
            let output = compute(&params, password.as_bytes(), raw_salt, memory)?;
            let phc = PasswordHash {
                algorithm: argon2::ARGON2ID_IDENT,
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(&params).map_err(HashError::failed)?,
                salt: Some(salt.as_salt()),
                hash: Some(output),
            };
            Ok(phc.to_string())
        })
        .await
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown user) a dummy hash is
    /// verified instead, so both cases cost the same time and cannot be told apart.
    pub async fn verify(&self, password: &str, stored: Option<String>) -> Result<bool, HashError> {
        let password = password.to_owned();
        self.run(move |memory| {
            let known_user = stored.is_some();
            let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
            let parsed = PasswordHash::new(&stored).map_err(HashError::failed)?;
            let params = Params::try_from(&parsed).map_err(HashError::failed)?;
            let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
                return Err(HashError::failed("the stored hash has no salt or output"));
            };
            let mut salt_bytes = [0u8; 64];
            let raw_salt = salt
                .decode_b64(&mut salt_bytes)
                .map_err(HashError::failed)?;
            let output = compute(&params, password.as_bytes(), raw_salt, memory)?;
            // `Output` compares in constant time.
            Ok(known_user && output == expected)
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Memory) -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let permit = rocket::tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| {
                BUSY.fetch_add(1, Ordering::Relaxed);
                HashError::Busy
            })?
            .map_err(HashError::failed)?;
        let memories = self.memories.clone();
        task::spawn_blocking(move || {
            // At most `concurrency` memories ever exist: one per permit.
            let mut memory = memories
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop()
                .unwrap_or_default();
            let result = work(&mut memory);
            memories
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(memory);
            drop(permit);
            result
        })
        .await
        .map_err(HashError::failed)?
    }
}

/// Argon2id of `password` with `params`, in `memory` (grown once to the size `params` need).
fn compute(
    params: &Params,
    password: &[u8],
    salt: &[u8],
    memory: &mut Memory,
) -> Result<Output, HashError> {
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut output = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, salt, &mut output, &mut memory[..blocks])
        .map_err(HashError::failed)?;
    Output::new(&output).map_err(HashError::failed)
}

/// A hash of a random password, computed once, that unknown usernames are checked against.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        use argon2::PasswordHasher as _;
        let salt = SaltString::generate(&mut OsRng);
        let random_password = SaltString::generate(&mut OsRng);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, owasp_params())
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
    async fn hashes_made_by_the_argon2_crate_itself_verify() {
        use argon2::PasswordHasher as _;
        let salt = SaltString::generate(&mut OsRng);
        let stored = Argon2::new(Algorithm::Argon2id, Version::V0x13, owasp_params())
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        let hasher = hasher();
        assert!(hasher
            .verify("correct horse", Some(stored.clone()))
            .await
            .unwrap());
        assert!(!hasher.verify("correct horsf", Some(stored)).await.unwrap());
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
