//! Argon2id password hashing, run on blocking threads and bounded so a login flood cannot
//! starve the async workers or exhaust memory. Each hash gets its own 9 MiB of Argon2 memory
//! and gives it back to the kernel when done (see [`Memory::for_one_hash`] for how), so an idle
//! server holds none of it (see BENCHMARKS.md, Tuning log).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
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

/// One of OWASP's equivalent Argon2id configurations: 9 MiB of memory, 4 iterations, 1 lane.
///
/// OWASP lists m=19 MiB/t=2, m=12 MiB/t=3, m=9 MiB/t=4 and m=7 MiB/t=5 as the same defence
/// (memory x passes, hence an attacker's cost, is the same). The 9 MiB one halves the memory a
/// login flood holds (BENCHMARKS.md, Tuning log) and, fitting the caches better, verified more
/// sign-ins per second than 19 MiB/t=2 on the benchmark machine. Hashes stored with other
/// parameters still verify and are replaced at their next sign-in ([`is_current`]).
fn owasp_params() -> Params {
    Params::new(9 * 1024, 4, 1, None).expect("valid Argon2 parameters")
}

/// Whether `stored` is an Argon2id hash made with today's parameters; a stored hash that is
/// not (an older configuration) should be replaced once its password is known to be right.
pub fn is_current(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let current = owasp_params();
    parsed.algorithm == argon2::ARGON2ID_IDENT
        && parsed.version == Some(Version::V0x13.into())
        && Params::try_from(&parsed).is_ok_and(|params| {
            (params.m_cost(), params.t_cost(), params.p_cost())
                == (current.m_cost(), current.t_cost(), current.p_cost())
        })
}

/// Argon2 working memory for one hash.
struct Memory(Vec<Block>);

/// Bytes reserved for each hash's memory: more than glibc's largest dynamic mmap threshold
/// (32 MiB on 64-bit).
///
/// Why more than the 9 MiB a hash touches: glibc serves a large allocation from its own
/// `mmap` and unmaps it on free only while the size is above its mmap threshold, and freeing
/// such a chunk of up to 32 MiB raises the threshold to that size. After the first hash every
/// later hash's block would come from per-thread arenas that glibc keeps: 433 MiB resident
/// after a login flood (BENCHMARKS.md, Tuning log). A reservation above 32 MiB is always
/// mapped on its own and never moves the threshold, and the pages past the ones Argon2 writes
/// are never faulted in, so they cost address space, not memory. (`mallopt` would need
/// `unsafe`, which this crate forbids; an environment variable would be one more thing every
/// launcher must remember.)
const RESERVED_BYTES: usize = 33 * 1024 * 1024;

impl Memory {
    /// Empty memory with room for a hash with OWASP's parameters, returned to the kernel on drop.
    fn for_one_hash() -> Self {
        Self(Vec::with_capacity(
            RESERVED_BYTES / std::mem::size_of::<Block>(),
        ))
    }

    /// The first `blocks` blocks, grown (and zeroed) to that size first.
    fn blocks(&mut self, blocks: usize) -> &mut [Block] {
        if self.0.len() < blocks {
            self.0.resize(blocks, Block::default());
        }
        &mut self.0[..blocks]
    }
}

/// Hashes and verifies passwords with at most `concurrency` computations in flight.
pub struct PasswordHasher {
    slots: Arc<Semaphore>,
    capacity: usize,
    wait: Duration,
}

/// Hashes refused because no slot freed up within the wait (each a 503), since start.
static BUSY: AtomicU64 = AtomicU64::new(0);

impl PasswordHasher {
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(concurrency)),
            capacity: concurrency,
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
        self.run(move |memory| new_phc_hash(password.as_bytes(), memory))
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
        task::spawn_blocking(move || {
            // At most `concurrency` memories exist at once: one per permit, freed before it.
            let mut memory = Memory::for_one_hash();
            let result = work(&mut memory);
            drop(memory);
            drop(permit);
            result
        })
        .await
        .map_err(HashError::failed)?
    }
}

/// The PHC string of an Argon2id hash of `password` with OWASP's parameters and a new salt.
fn new_phc_hash(password: &[u8], memory: &mut Memory) -> Result<String, HashError> {
    let params = owasp_params();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt
        .decode_b64(&mut salt_bytes)
        .map_err(HashError::failed)?;
    let output = compute(&params, password, raw_salt, memory)?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(HashError::failed)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Argon2id of `password` with `params`, in `memory` (grown to the size `params` need).
fn compute(
    params: &Params,
    password: &[u8],
    salt: &[u8],
    memory: &mut Memory,
) -> Result<Output, HashError> {
    let mut output = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(
            password,
            salt,
            &mut output,
            memory.blocks(params.block_count()),
        )
        .map_err(HashError::failed)?;
    Output::new(&output).map_err(HashError::failed)
}

/// A hash of a random password, computed once, that unknown usernames are checked against.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random_password = SaltString::generate(&mut OsRng);
        new_phc_hash(
            random_password.as_str().as_bytes(),
            &mut Memory::for_one_hash(),
        )
        .expect("hashing a random password")
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
        assert!(hash.starts_with("$argon2id$v=19$m=9216,t=4,p=1$"), "{hash}");
        assert!(hasher
            .verify("correct horse", Some(hash.clone()))
            .await
            .unwrap());
        assert!(!hasher
            .verify("wrong horse", Some(hash.clone()))
            .await
            .unwrap());
        assert!(is_current(&hash));
    }

    /// A PHC hash of "correct horse" with `params`, made by the argon2 crate's own hasher.
    fn crate_made_hash(params: Params) -> String {
        use argon2::PasswordHasher as _;
        let salt = SaltString::generate(&mut OsRng);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string()
    }

    #[rocket::async_test]
    async fn hashes_made_by_the_argon2_crate_itself_verify() {
        let stored = crate_made_hash(owasp_params());
        let hasher = hasher();
        assert!(hasher
            .verify("correct horse", Some(stored.clone()))
            .await
            .unwrap());
        assert!(!hasher
            .verify("correct horsf", Some(stored.clone()))
            .await
            .unwrap());
        assert!(is_current(&stored));
    }

    #[rocket::async_test]
    async fn hashes_with_the_former_parameters_verify_but_are_not_current() {
        let stored = crate_made_hash(Params::new(19 * 1024, 2, 1, None).unwrap());
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher()
            .verify("correct horse", Some(stored.clone()))
            .await
            .unwrap());
        assert!(!is_current(&stored));
        assert!(!is_current("not a PHC string"));
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
