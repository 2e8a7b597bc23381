//! The browser session: a private (encrypted and authenticated) cookie naming the signed-in user
//! and holding the CSRF token of their forms, and the `PageUser` guard built on it. The JSON API
//! never reads this cookie; it only accepts the `Authorization` header.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rocket::figment::Figment;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::time::OffsetDateTime;
use rocket_db_pools::Database;
use serde::{Deserialize, Serialize};

use super::AuthError;
use crate::db::Db;
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

/// What the session cookie holds. Its issue time is checked on every request, so a cookie kept
/// past its `Max-Age` is refused too.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub user_id: i64,
    pub username: String,
    pub csrf_token: String,
    pub issued_at: u64,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
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

struct CachedSession(Option<Session>);

fn read_session(request: &Request<'_>) -> Option<Session> {
    let settings = settings(request)?;
    let cookie = request
        .cookies()
        .get_private(settings.session_cookie_name())?;
    let session: Session = serde_json::from_str(cookie.value()).ok()?;
    let now = unix_now();
    let fresh = session.issued_at <= now + 60 && now < session.issued_at + settings.ttl.as_secs();
    fresh.then_some(session)
}

/// The request's session, when its cookie is genuine and unexpired. The user may since have
/// been deleted: `PageUser` checks that.
pub fn current(request: &Request<'_>) -> Option<Session> {
    request
        .local_cache(|| CachedSession(read_session(request)))
        .0
        .clone()
}

/// Signs `user` in: a new session with a new CSRF token replaces whatever the browser held.
pub fn start(cookies: &CookieJar<'_>, settings: &SessionSettings, user: &User) {
    let session = Session {
        user_id: user.id,
        username: user.username.clone(),
        csrf_token: random_token(),
        issued_at: unix_now(),
    };
    let value = serde_json::to_string(&session).expect("a session serializes");
    cookies.add_private(settings.cookie(settings.session_cookie_name(), value));
    cookies.remove_private(settings.removal(settings.csrf_cookie_name()));
}

/// Signs the browser out.
pub fn end(cookies: &CookieJar<'_>, settings: &SessionSettings) {
    cookies.remove_private(settings.removal(settings.session_cookie_name()));
}

/// Forgets a session cookie that no longer names a usable session (expired, user deleted).
pub fn discard(request: &Request<'_>) {
    if let Some(settings) = settings(request) {
        if request
            .cookies()
            .get_private(settings.session_cookie_name())
            .is_some()
        {
            end(request.cookies(), settings);
        }
    }
}

struct CreatedCsrfToken(Option<String>);

/// The token the forms of this page must carry: the session's, or before sign-in the one in
/// the pre-session cookie, which is created here on first use. Sign-in and sign-up forms are
/// thus protected too (no login CSRF).
pub fn form_token(request: &Request<'_>) -> String {
    if let Some(token) = expected_token(request) {
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

/// The token a form sent with this request must match, if the browser has one.
pub fn expected_token(request: &Request<'_>) -> Option<String> {
    if let Some(session) = current(request) {
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

/// The signed-in user of a page, who still exists. Without one the request fails with 401,
/// which the pages' catcher turns into a redirect to the sign-in page and back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUser {
    pub id: i64,
    pub username: String,
}

async fn page_user(request: &Request<'_>) -> Result<PageUser, AuthError> {
    let session = current(request).ok_or(AuthError::NotSignedIn)?;
    let db = Db::fetch(request.rocket()).ok_or(AuthError::NotConfigured("the database"))?;
    if !repo::users::exists(&mut *db.acquire().await?, session.user_id).await? {
        return Err(AuthError::NotSignedIn);
    }
    Ok(PageUser {
        id: session.user_id,
        username: session.username,
    })
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
