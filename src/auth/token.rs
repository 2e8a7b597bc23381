//! HS256 JSON Web Tokens: issued at login, verified on every protected API request.

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
        // confusion); `exp` is required and checked without leeway.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        validation.leeway = 0;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    /// A token for `user_id`/`username`, valid from now for the configured lifetime.
    pub fn issue(&self, user_id: i64, username: &str) -> String {
        let now = unix_now();
        let claims = Claims {
            sub: user_id.to_string(),
            id: user_id,
            username: username.to_owned(),
            iat: now,
            exp: now + self.ttl.as_secs() as i64,
        };
        self.sign(&claims)
    }

    /// Signs arbitrary claims; `issue` is the normal way in.
    pub fn sign(&self, claims: &Claims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .expect("HS256 signing of plain claims cannot fail")
    }

    /// The claims of a genuine, unexpired token; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        (claims.sub == claims.id.to_string() && claims.id > 0).then_some(claims)
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

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let claims = keys().verify(&keys().issue(42, "user")).unwrap();
        assert_eq!((claims.id, claims.sub.as_str()), (42, "42"));
        assert_eq!(claims.username, "user");
        assert_eq!(claims.exp - claims.iat, 3600);
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let other = TokenKeys::from_secret(&[8; 32], Duration::from_secs(3600));
        assert!(keys().verify(&other.issue(1, "user")).is_none());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = keys();
        let now = unix_now();
        let claims = Claims {
            sub: "1".into(),
            id: 1,
            username: "user".into(),
            iat: now - 100,
            exp: now - 1,
        };
        assert!(keys.verify(&keys.sign(&claims)).is_none());
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
