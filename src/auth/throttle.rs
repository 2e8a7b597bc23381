//! Attempt limits, shared by every replica and kept across restarts through PostgreSQL
//! (`repo::limits`). Keys are digests of fixed size, so no client can grow them; the windows run
//! on the database's clock; expired rows are swept, never the table cleared whole.
//!
//! Sign-in has three limits, checked before any password is hashed:
//! - per client and username (`login_max_failures` in `login_window`): one client guessing one
//!   account; a success clears it;
//! - per client, whatever the usernames (`login_client_max_failures`): one client spraying
//!   guesses over many accounts; a success does not clear it, or an attacker with an account
//!   of their own could reset it between guesses;
//! - per username, from every client: after `login_user_free_failures` failures in the window,
//!   each further attempt waits 1 s, 2 s, 4 s … (at most `login_user_max_delay`) after the
//!   last failure. Growing delays rather than a lockout: many clients together still get only
//!   a trickle of guesses (at the 60 s cap, 60 an hour), while the account's owner, who gets
//!   the same delays, is slowed but never locked out, and a success clears them.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rocket::tokio::sync::{OwnedSemaphorePermit, Semaphore};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

use super::candidate::CandidateLinks;
use super::services::{services_guard, Services};
use super::AuthError;
use crate::config::AppConfig;
use crate::domain::application::NewApplication;
use crate::domain::application::{ApplicationConflict, Submission};
use crate::domain::board::BoardQuery;
use crate::domain::lifecycle::OfferChange;
use crate::domain::mail::MailLinks;
use crate::domain::offer::Offer;
use crate::error::AppError;
use crate::repo;
use crate::repo::applications::{SubmitOutcome, Submitted};
use crate::repo::limits::{self, Counter, Key};
use crate::repo::RepoError;

/// The limit a request was refused by (429), counted since start for `/metrics`
/// (`throttled_requests_total{limit}`): a rising count names which one clients hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    Login,
    Registration,
    Search,
    OfferCreation,
    Application,
}

static THROTTLED: [AtomicU64; 5] = [const { AtomicU64::new(0) }; 5];

impl Throttle {
    pub const ALL: [Self; 5] = [
        Self::Login,
        Self::Registration,
        Self::Search,
        Self::OfferCreation,
        Self::Application,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Registration => "registration",
            Self::Search => "search",
            Self::OfferCreation => "offer_creation",
            Self::Application => "application",
        }
    }

    /// The refusal, counted.
    pub fn refuse(self, retry_after: u64) -> AuthError {
        THROTTLED[self as usize].fetch_add(1, Ordering::Relaxed);
        AuthError::Throttled { retry_after }
    }

    /// Refusals by this limit since the server started.
    pub fn refusals(self) -> u64 {
        THROTTLED[self as usize].load(Ordering::Relaxed)
    }
}

/// At most `max` attempts per key in each window of `length`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub max: u32,
    pub length: Duration,
}

/// After `free` failures in the window, each attempt waits a doubling delay after the last
/// failure, up to `cap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrowingDelay {
    pub free: u32,
    pub window: Duration,
    pub cap: Duration,
}

/// Whole seconds from `now` until `then`, at least 1.
fn seconds_until(now: DateTime<Utc>, then: DateTime<Utc>) -> u64 {
    let millis = (then - now).num_milliseconds().max(0) as u64;
    millis.div_ceil(1000).max(1)
}

impl Window {
    /// The wait `counter` imposes when the window is used up.
    pub fn wait(&self, counter: Option<&Counter>) -> Option<u64> {
        let counter = counter.filter(|counter| counter.count >= self.max)?;
        Some(seconds_until(counter.now, counter.expires_at))
    }

    /// The wait after counting one more attempt (`counter` includes it).
    fn wait_after(&self, counter: &Counter) -> Option<u64> {
        (counter.count > self.max).then(|| seconds_until(counter.now, counter.expires_at))
    }
}

impl GrowingDelay {
    /// The delay owed after `failures` failures: none within the free ones, then 1 s, 2 s, 4 s
    /// … up to the cap.
    pub fn delay(&self, failures: u32) -> Duration {
        match failures.checked_sub(self.free) {
            None => Duration::ZERO,
            Some(beyond) => Duration::from_secs(1u64 << beyond.min(20)).min(self.cap),
        }
    }

    /// The wait `counter` imposes now.
    pub fn wait(&self, counter: Option<&Counter>) -> Option<u64> {
        let counter = counter?;
        let delay = chrono::Duration::from_std(self.delay(counter.count)).ok()?;
        let ready = counter.last_at + delay;
        (delay > chrono::Duration::zero() && ready > counter.now)
            .then(|| seconds_until(counter.now, ready))
    }
}

/// A limit's key: which limit, and whose attempts.
fn key(limit: &str, whose: &[u8]) -> Key {
    let mut digest = Sha256::new();
    digest.update(limit.as_bytes());
    digest.update([0]);
    digest.update(whose);
    digest.finalize().into()
}

/// A client as the limits count it: an IPv4 address, or an IPv6 /64 (one subscriber's
/// network, in which addresses are free to rotate).
fn client_part(client: Option<IpAddr>) -> Vec<u8> {
    match client {
        Some(IpAddr::V4(ip)) => ip.octets().to_vec(),
        Some(IpAddr::V6(ip)) => ip.octets()[..8].to_vec(),
        None => b"unknown".to_vec(),
    }
}

/// A username as sign-in matches it: ASCII letters in lower case, exactly as PostgreSQL's
/// `lower()` treats the ASCII-only usernames that can exist.
fn username_part(username: &str) -> Vec<u8> {
    username.to_ascii_lowercase().into_bytes()
}

/// Every limit, configured once, managed as Rocket state.
#[derive(Debug, Clone)]
pub struct AbuseLimits {
    pub login_pair: Window,
    pub login_client: Window,
    pub login_username: GrowingDelay,
    pub registrations: Window,
    pub searches: Window,
    pub offers: Window,
    pub max_offers: u32,
    /// Applications per client, and per offer.
    pub applications_client: Window,
    pub applications_offer: Window,
    /// Slots for searches: at most this many run at once (PostgreSQL would otherwise spend
    /// every pooled connection on them while a one-row read waits).
    pub search_slots: Arc<Semaphore>,
    /// How long a search waits for one of them before `503`.
    pub search_wait: Duration,
}

/// The keys of one sign-in attempt: (client, username), client, username.
struct LoginKeys([Key; 3]);

impl LoginKeys {
    fn new(client: Option<IpAddr>, username: &str) -> Self {
        let client = client_part(client);
        let username = username_part(username);
        let pair = [client.as_slice(), &[0], username.as_slice()].concat();
        Self([
            key("login-pair", &pair),
            key("login-client", &client),
            key("login-username", &username),
        ])
    }
}

impl AbuseLimits {
    pub fn new(config: &AppConfig) -> Self {
        Self {
            login_pair: Window {
                max: config.login_max_failures,
                length: config.login_window,
            },
            login_client: Window {
                max: config.login_client_max_failures,
                length: config.login_window,
            },
            login_username: GrowingDelay {
                free: config.login_user_free_failures,
                window: config.login_window,
                cap: config.login_user_max_delay,
            },
            registrations: Window {
                max: config.registrations_per_window,
                length: config.registration_window,
            },
            searches: Window {
                max: config.searches_per_window,
                length: config.search_window,
            },
            offers: Window {
                max: config.offers_per_window,
                length: config.offer_window,
            },
            max_offers: config.max_offers_per_user,
            applications_client: Window {
                max: config.applications_per_window,
                length: config.application_window,
            },
            applications_offer: Window {
                max: config.applications_per_offer_window,
                length: config.application_window,
            },
            search_slots: Arc::new(Semaphore::new(config.search_concurrency)),
            search_wait: config.search_wait,
        }
    }

    /// `Some(seconds)` when a sign-in as `username` from `client` must wait: one read of the
    /// three counters, before any hashing.
    pub async fn login_wait(
        &self,
        db: &mut PgConnection,
        client: Option<IpAddr>,
        username: &str,
    ) -> Result<Option<u64>, RepoError> {
        let LoginKeys(keys) = LoginKeys::new(client, username);
        let counters = limits::read(db, &keys).await?;
        let waits = [
            self.login_pair.wait(counters[0].as_ref()),
            self.login_client.wait(counters[1].as_ref()),
            self.login_username.wait(counters[2].as_ref()),
        ];
        Ok(waits.into_iter().flatten().max())
    }

    /// Counts a failed sign-in against its three limits, in one statement.
    pub async fn login_failed(
        &self,
        db: &mut PgConnection,
        client: Option<IpAddr>,
        username: &str,
    ) -> Result<(), RepoError> {
        let LoginKeys([pair, client, username]) = LoginKeys::new(client, username);
        let attempts = [
            (pair, self.login_pair.length.as_secs()),
            (client, self.login_client.length.as_secs()),
            (username, self.login_username.window.as_secs()),
        ];
        limits::record(db, &attempts).await.map(drop)
    }

    /// A success clears the failures of its username (from this client and from all); the
    /// client's budget across usernames stays.
    pub async fn login_succeeded(
        &self,
        db: &mut PgConnection,
        client: Option<IpAddr>,
        username: &str,
    ) -> Result<(), RepoError> {
        let LoginKeys([pair, _, username]) = LoginKeys::new(client, username);
        limits::clear(db, &[pair, username]).await
    }

    /// Counts one attempt of `what` under `window`; `Some(seconds)` when over the limit.
    async fn hit(
        &self,
        db: &mut PgConnection,
        window: &Window,
        what: &str,
        whose: &[u8],
    ) -> Result<Option<u64>, RepoError> {
        let attempt = [(key(what, whose), window.length.as_secs())];
        let counters = limits::record(db, &attempt).await?;
        Ok(counters
            .first()
            .and_then(|counter| window.wait_after(counter)))
    }

    /// A registration from `client`.
    pub async fn registration(
        &self,
        db: &mut PgConnection,
        client: Option<IpAddr>,
    ) -> Result<Option<u64>, RepoError> {
        self.hit(db, &self.registrations, "register", &client_part(client))
            .await
    }

    /// A board search (words or skills) from `client`.
    pub async fn search(
        &self,
        db: &mut PgConnection,
        client: Option<IpAddr>,
    ) -> Result<Option<u64>, RepoError> {
        self.hit(db, &self.searches, "search", &client_part(client))
            .await
    }

    /// A new offer by the account `user_id`.
    pub async fn offer_creation(
        &self,
        db: &mut PgConnection,
        user_id: i64,
    ) -> Result<Option<u64>, RepoError> {
        self.hit(db, &self.offers, "create-offer", &user_id.to_be_bytes())
            .await
    }
}

impl AbuseLimits {
    /// An application from `client` to the offer `offer_id`, counted against both limits in
    /// one statement; `Some(seconds)` when over either.
    pub async fn application(
        &self,
        db: &mut PgConnection,
        client: Option<IpAddr>,
        offer_id: i64,
    ) -> Result<Option<u64>, RepoError> {
        let attempts = [
            (
                key("apply-client", &client_part(client)),
                self.applications_client.length.as_secs(),
            ),
            (
                key("apply-offer", &offer_id.to_be_bytes()),
                self.applications_offer.length.as_secs(),
            ),
        ];
        let counters = limits::record(db, &attempts).await?;
        let waits = [
            counters
                .first()
                .and_then(|counter| self.applications_client.wait_after(counter)),
            counters
                .get(1)
                .and_then(|counter| self.applications_offer.wait_after(counter)),
        ];
        Ok(waits.into_iter().flatten().max())
    }
}

/// Who is asking and the limits that apply: the guard of every limited route.
pub struct Limiter<'r>(Services<'r>);

services_guard!(Limiter, "the attempt limits");

impl Limiter<'_> {
    /// Counts a board search against the client's limit: `Throttled` past it.
    async fn count_search(&self) -> Result<(), AuthError> {
        let wait = self
            .limits
            .search(&mut *self.db.acquire().await?, self.client)
            .await?;
        match wait {
            Some(retry_after) => Err(Throttle::Search.refuse(retry_after)),
            None => Ok(()),
        }
    }

    /// Takes one of the search slots, held until the permit is dropped: `SearchesBusy` when
    /// none frees up within `search_wait`.
    async fn search_slot(&self) -> Result<OwnedSemaphorePermit, AuthError> {
        let slot = self.limits.search_slots.clone().acquire_owned();
        match rocket::tokio::time::timeout(self.limits.search_wait, slot).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AuthError::SearchesBusy),
        }
    }

    /// Stores `offer` for `user_id` within the account's limits, for both doors: `Throttled`
    /// past its rate, `OfferQuota` when it has as many offers as an account may have.
    pub async fn create_offer(
        &self,
        user_id: i64,
        offer: &OfferChange,
    ) -> Result<Offer, AuthError> {
        let mut db = self.connection().await?;
        if let Some(retry_after) = self.limits.offer_creation(&mut db, user_id).await? {
            return Err(Throttle::OfferCreation.refuse(retry_after));
        }
        let max = self.limits.max_offers;
        repo::offers::insert(&mut db, user_id, offer, max)
            .await?
            .ok_or(AuthError::OfferQuota(max))
    }

    /// Stores a candidate's application within the limits, with its Idempotency-Key if sent:
    /// what both the API and the offer page's form do. `Throttled` past the client's rate or
    /// the offer's; 404 for an offer nobody may know of; 409 for an offer that does not
    /// accept, an e-mail that already applied, or a key used for another application. A
    /// retry with the same key answers the first application again (with its token's salt).
    pub async fn apply(
        &self,
        links: &CandidateLinks,
        offer_id: i64,
        application: &NewApplication,
        key: Option<&str>,
        mail: Option<&dyn MailLinks>,
    ) -> Result<Submitted, AppError> {
        let submission = key.map(|key| Submission::of(offer_id, key, application));
        let (token, _) = links.issue();
        let mut db = self.connection().await?;
        // A retry answers what the first request made before it counts as an attempt: a
        // client retrying a lost answer is not throttled into a 429 for it.
        let remembered = match &submission {
            Some(submission) => repo::applications::remembered(&mut *db, submission)
                .await
                .map_err(RepoError::from)?,
            None => None,
        };
        if let Some(outcome) = remembered {
            return answer(offer_id, outcome);
        }
        if let Some(retry_after) = self
            .limits
            .application(&mut db, self.client, offer_id)
            .await?
        {
            return Err(Throttle::Application.refuse(retry_after).into());
        }
        let outcome = repo::applications::submit(
            &mut db,
            offer_id,
            application,
            &token,
            submission.as_ref(),
            mail,
        )
        .await?;
        answer(offer_id, outcome)
    }

    /// For a board query that searches, counts it against the client's limit; for one that
    /// reads its matches (`BoardQuery::reads_its_matches`, every search among them), takes a
    /// search slot, held while the returned permit lives. The newest page and a single
    /// ordered filter pass freely (`None`).
    pub async fn board_search(
        &self,
        query: &BoardQuery,
    ) -> Result<Option<OwnedSemaphorePermit>, AuthError> {
        if query.is_search() {
            self.count_search().await?;
        }
        if query.reads_its_matches() {
            self.search_slot().await.map(Some)
        } else {
            Ok(None)
        }
    }
}

/// What a submit to `offer_id` answers.
fn answer(offer_id: i64, outcome: SubmitOutcome) -> Result<Submitted, AppError> {
    match outcome {
        SubmitOutcome::Created(submitted) | SubmitOutcome::Replayed(submitted) => Ok(submitted),
        SubmitOutcome::OfferMissing => Err(AppError::offer_not_found(offer_id)),
        SubmitOutcome::KeyReused => Err(ApplicationConflict::KeyReused.into()),
        SubmitOutcome::NotAccepting => Err(ApplicationConflict::NotAccepting.into()),
        SubmitOutcome::AlreadyApplied => Err(ApplicationConflict::AlreadyApplied.into()),
    }
}

/// Sweeps ended windows every minute, in batches, for as long as the server runs. Any replica
/// may sweep; they skip each other's locked rows.
pub async fn sweep_forever(db: sqlx::PgPool) {
    let mut ticks = rocket::tokio::time::interval(Duration::from_secs(60));
    loop {
        ticks.tick().await;
        loop {
            match limits::sweep(&db, 10_000).await {
                Ok(10_000) => continue,
                Ok(_) => break,
                Err(error) => {
                    rocket::warn!("sweeping attempt limits failed: {error}");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + seconds, 0).unwrap()
    }

    fn counter(count: u32, last: i64, expires: i64, now: i64) -> Counter {
        Counter {
            count,
            last_at: at(last),
            expires_at: at(expires),
            now: at(now),
        }
    }

    #[test]
    fn a_window_holds_off_until_it_ends() {
        let window = Window {
            max: 3,
            length: Duration::from_secs(300),
        };
        assert_eq!(window.wait(None), None);
        assert_eq!(window.wait(Some(&counter(2, 0, 300, 10))), None);
        assert_eq!(window.wait(Some(&counter(3, 0, 300, 10))), Some(290));
        assert_eq!(window.wait_after(&counter(3, 0, 300, 10)), None);
        assert_eq!(window.wait_after(&counter(4, 0, 300, 10)), Some(290));
    }

    #[test]
    fn delays_double_after_the_free_failures_up_to_the_cap() {
        let delay = GrowingDelay {
            free: 10,
            window: Duration::from_secs(300),
            cap: Duration::from_secs(60),
        };
        let secs = |failures| delay.delay(failures).as_secs();
        assert_eq!((secs(9), secs(10), secs(11), secs(13)), (0, 1, 2, 8));
        assert_eq!((secs(16), secs(17), secs(u32::MAX)), (60, 60, 60));
        assert_eq!(delay.wait(Some(&counter(9, 100, 300, 100))), None);
        assert_eq!(delay.wait(Some(&counter(13, 100, 300, 103))), Some(5));
        assert_eq!(delay.wait(Some(&counter(13, 100, 300, 108))), None);
    }

    #[test]
    fn keys_have_one_size_and_ignore_what_sign_in_ignores() {
        let long = "x".repeat(100_000);
        assert_eq!(key("login-username", long.as_bytes()).len(), 32);
        let a = LoginKeys::new(None, "Alice").0;
        let b = LoginKeys::new(None, "aLICE").0;
        assert_eq!(a, b);
        // Only ASCII is folded: a dotted capital I is not an `i` (it cannot be in a username).
        assert_ne!(
            LoginKeys::new(None, "İ").0[2],
            LoginKeys::new(None, "i").0[2]
        );
    }

    #[test]
    fn an_ipv6_client_is_its_64_bit_network() {
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let elsewhere: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_part(Some(one)), client_part(Some(other)));
        assert_ne!(client_part(Some(one)), client_part(Some(elsewhere)));
    }
}
