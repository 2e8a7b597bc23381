//! The candidate's private link to an application: an unguessable token, derived from a random
//! salt and the server's secret, of which only the SHA-256 is stored. Derived rather than only
//! random so that a retried submit (same Idempotency-Key) can answer with the same link again
//! without the link ever being stored; a copy of the database alone yields no link.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::repo::applications::StoredToken;

/// Bytes of randomness behind each link.
const SALT_BYTES: usize = 32;

/// Issues and recognises candidates' links with one key.
#[derive(Clone)]
pub struct CandidateLinks {
    key: Vec<u8>,
}

impl std::fmt::Debug for CandidateLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CandidateLinks { key: <secret> }")
    }
}

impl CandidateLinks {
    /// Links keyed by `secret` (the JWT secret), under a purpose of their own so that no token
    /// of one kind can ever stand for the other.
    pub fn new(secret: &str) -> Self {
        let key = Sha256::new()
            .chain_update(b"job-offers candidate link\0")
            .chain_update(secret.as_bytes())
            .finalize()
            .to_vec();
        Self { key }
    }

    /// A new link: what to store, and the token to hand the candidate.
    pub fn issue(&self) -> (StoredToken, String) {
        let mut salt = vec![0; SALT_BYTES];
        rand::thread_rng().fill_bytes(&mut salt);
        let token = self.token(&salt);
        (
            StoredToken {
                hash: token_hash(&token),
                salt,
            },
            token,
        )
    }

    /// The token a stored salt stands for.
    pub fn token(&self, salt: &[u8]) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        mac.update(salt);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// What is stored of a token, and what a token sent back is looked up by.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_derived_again_from_its_salt_and_differs_per_salt_and_key() {
        let links = CandidateLinks::new("a secret of enough length for the test");
        let (stored, token) = links.issue();
        assert_eq!(links.token(&stored.salt), token);
        assert_eq!(stored.hash, token_hash(&token));
        let (other, other_token) = links.issue();
        assert_ne!(other.salt, stored.salt);
        assert_ne!(other_token, token);
        let elsewhere = CandidateLinks::new("another secret of enough length");
        assert_ne!(elsewhere.token(&stored.salt), token);
        // 32 bytes, URL-safe base64 without padding: fits a path segment as it is.
        assert_eq!(token.len(), 43);
        assert!(token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
