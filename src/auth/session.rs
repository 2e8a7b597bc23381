//! The browser session: a row in `sessions` per sign-in, named by a private (encrypted and
//! authenticated) cookie that also holds the CSRF token of its forms, and the `PageUser` guard
//! built on it. Signing out deletes the row, so a copied cookie is worthless afterwards; a
//! password change or "sign out everywhere" ends every session of the user. The JSON API never
//! reads this cookie; it only accepts the `Authorization` header.

use std::time::Duration;

use rocket::figment::Figment;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::time::OffsetDateTime;
use rocket_db_pools::Database;
use serde::{Deserialize, Serialize};

use super::AuthError;
use crate::db::{Db, Parked};
use crate::domain::user::User;
use crate::repo;

/// How long a sign-in lasts, unless `session_ttl_hours` says otherwise.
pub const DEFAULT_SESSION_TTL_HOURS: u64 = 12;

#[derive(Debug, Deserialize)]
struct RawSettings {
    session_ttl_hours: Option<u64>,
    cookie_secure: Option<bool>,
}

/// How the pages' cookies are issued, read once from the figment at ignite.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    pub ttl: Duration,
    pub secure: bool,
}

impl SessionSettings {
    pub fn from_figment(figment: &Figment) -> Result<Self, String> {
        let raw: RawSettings = figment
            .extract()
            .map_err(|error| format!("invalid session configuration: {error}"))?;
        let hours = raw.session_ttl_hours.unwrap_or(DEFAULT_SESSION_TTL_HOURS);
        if hours == 0 {
            return Err("ROCKET_SESSION_TTL_HOURS must be at least 1".to_owned());
        }
        // The development profiles (debug, test) serve plain HTTP, where `Secure` cookies
        // would not be sent back; every other profile marks them `Secure` unless told not to.
        let development = crate::config::is_development_profile(figment);
        Ok(Self {
            ttl: Duration::from_secs(hours * 3600),
            secure: raw.cookie_secure.unwrap_or(!development),
        })
    }

    /// `__Host-` cookies must be `Secure`, host-only and on `/`; browsers then refuse any
    /// attempt by a sibling subdomain or a plain-HTTP page to overwrite them.
    fn session_cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-session"
        } else {
            "session"
        }
    }

    fn csrf_cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-csrf"
        } else {
            "csrf"
        }
    }

    fn cookie(&self, name: &'static str, value: String) -> Cookie<'static> {
        let ttl = rocket::time::Duration::seconds(self.ttl.as_secs() as i64);
        Cookie::build((name, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .max_age(ttl)
            .expires(OffsetDateTime::now_utc() + ttl)
            .build()
    }

    fn removal(&self, name: &'static str) -> Cookie<'static> {
        Cookie::build((name, ""))
            .path("/")
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .build()
    }
}

/// What the session cookie holds: the secret that names the server-side session (only its
/// SHA-256 is stored), and the CSRF token of the session's forms. Both are new at every
/// sign-in, so a sign-in never keeps a session id an attacker may have planted or seen.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionCookie {
    secret: String,
    csrf_token: String,
}

/// A live browser session: its row exists, has not expired, and was opened at its user's
/// current credentials version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: i64,
    pub username: String,
    pub credentials_version: i64,
    pub csrf_token: String,
}

fn settings<'r>(request: &'r Request<'_>) -> Option<&'r SessionSettings> {
    request.rocket().state::<SessionSettings>()
}

/// 32 random bytes from the operating system, hex-encoded.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The stored id of the session a cookie's secret names.
fn session_id(secret: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(secret.as_bytes()).into()
}

/// The session cookie of `cookies`, when it is genuine (decrypts and authenticates) and has
/// the shape this version writes.
fn read_cookie(cookies: &CookieJar<'_>, settings: &SessionSettings) -> Option<SessionCookie> {
    let cookie = cookies.get_private(settings.session_cookie_name())?;
    let session: SessionCookie = serde_json::from_str(cookie.value()).ok()?;
    (session.secret.len() == 64 && session.csrf_token.len() == 64).then_some(session)
}

/// The answer of the session lookup, made at most once per request.
struct CheckedSession(Result<Option<Session>, AuthError>);

async fn look_up(request: &Request<'_>) -> Result<Option<Session>, AuthError> {
    let Some(cookie) = settings(request).and_then(|s| read_cookie(request.cookies(), s)) else {
        return Ok(None);
    };
    let db = Db::fetch(request.rocket()).ok_or(AuthError::NotConfigured("the database"))?;
    // On the connection the page's handler then uses (`DbConn`): one acquire per request.
    let parked = Parked::of(request);
    let mut connection = parked.take_or_acquire(db).await?;
    let found = repo::sessions::find_live(&mut *connection, &session_id(&cookie.secret)).await?;
    parked.park(connection);
    Ok(found.map(|user| Session {
        user_id: user.user_id,
        username: user.username,
        credentials_version: user.credentials_version,
        csrf_token: cookie.csrf_token,
    }))
}

/// The request's session, checked against the database once per request (one query, only
/// when the browser sends a session cookie): `Ok(None)` without a cookie, or when its session
/// expired, was signed out, or was ended by a password change or "sign out everywhere".
pub async fn check<'r>(request: &'r Request<'_>) -> &'r Result<Option<Session>, AuthError> {
    &request
        .local_cache_async(async { CheckedSession(look_up(request).await) })
        .await
        .0
}

/// The request's live session, if any; a failed lookup counts as none (the layout of a page
/// then shows nobody signed in; `PageUser` answers the failure itself).
pub async fn current(request: &Request<'_>) -> Option<Session> {
    check(request).await.as_ref().ok().cloned().flatten()
}

/// The session found by an earlier `check` of this request, for code that cannot wait (the
/// layout of an error page). When nothing checked it, nobody counts as signed in.
pub fn checked(request: &Request<'_>) -> Option<Session> {
    request
        .local_cache(|| CheckedSession(Ok(None)))
        .0
        .as_ref()
        .ok()
        .cloned()
        .flatten()
}

/// Signs `user` in at credentials `version`: a new session, with a new secret and a new CSRF
/// token, replaces whatever the browser held (whose own session, if any, ends). Sweeps a batch
/// of expired sessions on the way.
pub async fn start(
    db: &Db,
    cookies: &CookieJar<'_>,
    settings: &SessionSettings,
    user: &User,
    version: i64,
) -> Result<(), AuthError> {
    let mut connection = db.acquire().await?;
    if let Some(previous) = read_cookie(cookies, settings) {
        repo::sessions::delete(&mut *connection, &session_id(&previous.secret)).await?;
    }
    repo::sessions::sweep_expired(&mut *connection).await?;
    let cookie = SessionCookie {
        secret: random_token(),
        csrf_token: random_token(),
    };
    let id = session_id(&cookie.secret);
    repo::sessions::insert(&mut *connection, &id, user.id, version, settings.ttl).await?;
    let value = serde_json::to_string(&cookie).expect("a session cookie serializes");
    cookies.add_private(settings.cookie(settings.session_cookie_name(), value));
    cookies.remove_private(settings.removal(settings.csrf_cookie_name()));
    Ok(())
}

/// Signs the browser out: its session ends on the server (a copy of the cookie, replayed, is
/// refused), then the cookie goes. When the database cannot be reached the cookie stays, so
/// that signing out can be tried again.
pub async fn end(
    db: &Db,
    cookies: &CookieJar<'_>,
    settings: &SessionSettings,
) -> Result<(), AuthError> {
    if let Some(cookie) = read_cookie(cookies, settings) {
        repo::sessions::delete(&mut *db.acquire().await?, &session_id(&cookie.secret)).await?;
    }
    forget(cookies, settings);
    Ok(())
}

/// Removes the session cookie from the browser, leaving the server's session as it is (for
/// sessions already ended there).
pub fn forget(cookies: &CookieJar<'_>, settings: &SessionSettings) {
    cookies.remove_private(settings.removal(settings.session_cookie_name()));
}

/// Forgets a session cookie that no longer names a usable session (expired, signed out,
/// credentials changed, user deleted).
pub fn discard(request: &Request<'_>) {
    if let Some(settings) = settings(request) {
        if request
            .cookies()
            .get_private(settings.session_cookie_name())
            .is_some()
        {
            forget(request.cookies(), settings);
        }
    }
}

struct CreatedCsrfToken(Option<String>);

/// The token the forms of this page must carry: the session's, or before sign-in the one in
/// the pre-session cookie, which is created here on first use. Sign-in and sign-up forms are
/// thus protected too (no login CSRF).
pub async fn form_token(request: &Request<'_>) -> String {
    if let Some(token) = expected_token(request).await {
        return token;
    }
    let created = request.local_cache(|| {
        CreatedCsrfToken(settings(request).map(|settings| {
            let token = random_token();
            request
                .cookies()
                .add_private(settings.cookie(settings.csrf_cookie_name(), token.clone()));
            token
        }))
    });
    created.0.clone().unwrap_or_default()
}

/// The token a form sent with this request must match, if the browser has one: its live
/// session's, else its pre-session cookie's.
pub async fn expected_token(request: &Request<'_>) -> Option<String> {
    if let Some(session) = current(request).await {
        return Some(session.csrf_token);
    }
    let settings = settings(request)?;
    let cookie = request.cookies().get_private(settings.csrf_cookie_name())?;
    let token = cookie.value();
    (token.len() == 64).then(|| token.to_owned())
}

/// Compares two tokens in time independent of where they differ.
pub fn tokens_match(sent: &str, expected: &str) -> bool {
    sent.len() == expected.len()
        && sent
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// The signed-in user of a page, whose session is live. Without one the request fails with
/// 401, which the pages' catcher turns into a redirect to the sign-in page and back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUser {
    pub id: i64,
    pub username: String,
    /// The credentials version the session was opened at, which is still the user's.
    pub credentials_version: i64,
}

async fn page_user(request: &Request<'_>) -> Result<PageUser, AuthError> {
    match check(request).await {
        Ok(Some(session)) => Ok(PageUser {
            id: session.user_id,
            username: session.username.clone(),
            credentials_version: session.credentials_version,
        }),
        Ok(None) => Err(AuthError::NotSignedIn),
        Err(error) => Err(error.clone()),
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for PageUser {
    type Error = AuthError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match page_user(request).await {
            Ok(user) => Outcome::Success(user),
            Err(error) => error.fail(request),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rocket::figment::providers::Serialized;
    use rocket::figment::Profile;

    fn settings_for(profile: &str, secure: Option<bool>) -> SessionSettings {
        let mut figment = Figment::new().select(Profile::new(profile));
        if let Some(secure) = secure {
            figment = figment.merge(Serialized::global("cookie_secure", secure));
        }
        SessionSettings::from_figment(&figment).unwrap()
    }

    #[test]
    fn cookies_are_secure_except_on_the_plain_http_profiles() {
        assert!(settings_for("release", None).secure);
        assert!(!settings_for("debug", None).secure);
        assert!(!settings_for("test", None).secure);
        assert!(!settings_for("release", Some(false)).secure);
    }

    #[test]
    fn secure_cookies_use_the_host_prefix() {
        let settings = settings_for("release", None);
        let cookie = settings.cookie(settings.session_cookie_name(), "v".to_owned());
        assert_eq!(cookie.name(), "__Host-session");
        assert_eq!(cookie.secure(), Some(true));
        assert_eq!(cookie.http_only(), Some(true));
        assert_eq!(cookie.same_site(), Some(SameSite::Lax));
        assert_eq!(
            cookie.max_age(),
            Some(rocket::time::Duration::hours(
                DEFAULT_SESSION_TTL_HOURS as i64
            ))
        );
    }

    #[test]
    fn a_session_is_stored_under_the_sha256_of_its_secret() {
        let id = session_id("abc");
        assert_eq!(
            id.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(session_id(&random_token()), session_id(&random_token()));
    }

    #[test]
    fn tokens_are_random_and_compared_whole() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(tokens_match(&a, &a.clone()));
        assert!(!tokens_match(&a, &b));
        assert!(!tokens_match(&a, &a[..63]));
        assert!(!tokens_match("", &a));
    }
}
