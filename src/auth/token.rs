//! HS256 JSON Web Tokens: issued at login, verified on every protected API request. Each
//! token carries the credentials version of its user (`ver`), which the API guard compares
//! with the stored one: a password change or "sign out everywhere" ends every older token.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::AppConfig;

/// The claims of our tokens. `sub` duplicates `id` as a string, as RFC 7519 wants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub id: i64,
    pub username: String,
    pub iat: i64,
    pub exp: i64,
}

/// A token may say it was issued this many seconds in the future (clock skew between
/// replicas), no more.
pub const MAX_CLOCK_SKEW_SECS: i64 = 60;

/// What our tokens carry besides `Claims`: the user's credentials version when it was issued
/// (absent in tokens issued before versions existed, which count as version 0) and, from
/// other issuers' habits, `nbf`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TokenBody {
    #[serde(flatten)]
    claims: Claims,
    #[serde(default)]
    ver: i64,
    /// Checked by jsonwebtoken when present; declared so that a non-numeric one is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nbf: Option<i64>,
}

/// A genuine, current token's claims and the credentials version it was issued at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub claims: Claims,
    pub credentials_version: i64,
}

/// Signing and verification keys with a validation pinned to HS256.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl TokenKeys {
    pub fn new(config: &AppConfig) -> Self {
        Self::from_secret(config.jwt_secret.as_bytes(), config.token_ttl)
    }

    pub fn from_secret(secret: &[u8], ttl: Duration) -> Self {
        // Only HS256 is accepted, whatever the token's header claims (no `none`, no RS/HS
        // confusion); `exp` is required and checked without leeway, and so is `nbf` when a
        // token has one.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        validation.validate_nbf = true;
        validation.leeway = 0;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    /// A token for `user_id`/`username` at credentials `version`, valid from now for the
    /// configured lifetime.
    pub fn issue(&self, user_id: i64, username: &str, version: i64) -> String {
        let now = unix_now();
        let claims = Claims {
            sub: user_id.to_string(),
            id: user_id,
            username: username.to_owned(),
            iat: now,
            exp: now + self.ttl.as_secs() as i64,
        };
        self.encode(&TokenBody {
            claims,
            ver: version,
            nbf: None,
        })
    }

    /// Signs arbitrary claims, without a version (so at version 0); `issue` is the normal way
    /// in.
    pub fn sign(&self, claims: &Claims) -> String {
        self.encode(claims)
    }

    fn encode(&self, body: &impl Serialize) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), body, &self.encoding)
            .expect("HS256 signing of plain claims cannot fail")
    }

    /// The claims of a genuine, unexpired token; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        self.verify_versioned(token).map(|token| token.claims)
    }

    /// The claims and credentials version of a genuine token that is valid now: unexpired,
    /// not before its `nbf`, and not issued (`iat`) more than `MAX_CLOCK_SKEW_SECS` from now;
    /// `None` for anything else. Whether the version is still the user's is the guard's
    /// question.
    pub fn verify_versioned(&self, token: &str) -> Option<VerifiedToken> {
        let body = jsonwebtoken::decode::<TokenBody>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        let claims = body.claims;
        let now = unix_now();
        let genuine = claims.sub == claims.id.to_string()
            && claims.id > 0
            && claims.iat <= now + MAX_CLOCK_SKEW_SECS
            && body.nbf.is_none_or(|nbf| nbf <= now)
            && body.ver >= 0;
        genuine.then_some(VerifiedToken {
            claims,
            credentials_version: body.ver,
        })
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::from_secret(&[7; 32], Duration::from_secs(3600))
    }

    fn claims_at(iat: i64, exp: i64) -> Claims {
        Claims {
            sub: "1".into(),
            id: 1,
            username: "user".into(),
            iat,
            exp,
        }
    }

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let claims = keys().verify(&keys().issue(42, "user", 0)).unwrap();
        assert_eq!((claims.id, claims.sub.as_str()), (42, "42"));
        assert_eq!(claims.username, "user");
        assert_eq!(claims.exp - claims.iat, 3600);
    }

    #[test]
    fn an_issued_token_carries_its_credentials_version() {
        let verified = keys()
            .verify_versioned(&keys().issue(42, "user", 7))
            .unwrap();
        assert_eq!(verified.credentials_version, 7);
        assert_eq!(verified.claims.id, 42);
    }

    #[test]
    fn a_token_without_a_version_counts_as_version_0() {
        let now = unix_now();
        let token = keys().sign(&claims_at(now, now + 60));
        let verified = keys().verify_versioned(&token).unwrap();
        assert_eq!(verified.credentials_version, 0);
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let other = TokenKeys::from_secret(&[8; 32], Duration::from_secs(3600));
        assert!(keys().verify(&other.issue(1, "user", 0)).is_none());
    }

    /// Signs a raw JSON payload with the test key.
    fn raw_token(payload: serde_json::Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &payload,
            &EncodingKey::from_secret(&[7; 32]),
        )
        .unwrap()
    }

    #[test]
    fn a_token_not_valid_before_a_future_nbf_is_refused() {
        let now = unix_now();
        let payload = |nbf: serde_json::Value| {
            serde_json::json!({"sub": "1", "id": 1, "username": "user", "iat": now,
                               "exp": now + 3600, "nbf": nbf})
        };
        assert!(keys().verify(&raw_token(payload(now.into()))).is_some());
        assert!(keys()
            .verify(&raw_token(payload((now - 10).into())))
            .is_some());
        assert!(keys()
            .verify(&raw_token(payload((now + 30).into())))
            .is_none());
        assert!(keys().verify(&raw_token(payload("soon".into()))).is_none());
    }

    #[test]
    fn a_token_issued_in_the_future_is_refused_beyond_the_skew() {
        let keys = keys();
        let now = unix_now();
        let in_skew = claims_at(now + MAX_CLOCK_SKEW_SECS - 5, now + 3600);
        assert!(keys.verify(&keys.sign(&in_skew)).is_some());
        let beyond = claims_at(now + MAX_CLOCK_SKEW_SECS + 5, now + 3600);
        assert!(keys.verify(&keys.sign(&beyond)).is_none());
    }

    #[test]
    fn a_negative_or_malformed_version_is_refused() {
        let now = unix_now();
        let payload = |ver: serde_json::Value| {
            serde_json::json!({"sub": "1", "id": 1, "username": "user", "iat": now,
                               "exp": now + 3600, "ver": ver})
        };
        assert!(keys().verify(&raw_token(payload(3.into()))).is_some());
        assert!(keys().verify(&raw_token(payload((-1).into()))).is_none());
        assert!(keys().verify(&raw_token(payload("3".into()))).is_none());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = keys();
        let now = unix_now();
        assert!(keys
            .verify(&keys.sign(&claims_at(now - 100, now - 1)))
            .is_none());
    }

    #[test]
    fn an_unsigned_none_token_is_refused() {
        use base64_like::encode;
        let header = encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = encode(br#"{"sub":"1","id":1,"username":"u","iat":1,"exp":99999999999}"#);
        assert!(keys().verify(&format!("{header}.{body}.")).is_none());
    }

    #[test]
    fn a_token_whose_sub_disagrees_with_its_id_is_refused() {
        let keys = keys();
        let now = unix_now();
        let claims = Claims {
            sub: "2".into(),
            id: 1,
            username: "user".into(),
            iat: now,
            exp: now + 60,
        };
        assert!(keys.verify(&keys.sign(&claims)).is_none());
    }

    /// Minimal unpadded base64url, enough to forge headers in tests.
    mod base64_like {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        pub fn encode(bytes: &[u8]) -> String {
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
                    << (8 * (3 - chunk.len()));
                for i in 0..=chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        }
    }
}
