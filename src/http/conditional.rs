//! Conditional GET for both doors: a strong `ETag` from the bytes of a representation and a
//! `Last-Modified` from the newest change it shows; `If-None-Match` (else `If-Modified-Since`)
//! that still matches answers `304 Not Modified` without the body.

use chrono::{DateTime, Utc};
use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};
use sha2::{Digest, Sha256};

/// The validators a client sent.
#[derive(Debug, Default)]
pub struct Validators {
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
}

impl Validators {
    /// The validators `request` carries.
    pub fn of(request: &Request<'_>) -> Self {
        let header = |name| request.headers().get_one(name).map(str::to_owned);
        Self {
            if_none_match: header("If-None-Match"),
            if_modified_since: header("If-Modified-Since"),
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Validators {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(Self::of(request))
    }
}

/// `"<first 32 hex digits of SHA-256 of body>"`.
pub fn entity_tag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("\"{hex}\"")
}

/// An HTTP date (RFC 9110's IMF-fixdate).
pub fn http_date(time: &DateTime<Utc>) -> String {
    time.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

impl Validators {
    /// Whether the client's copy is still current: `If-None-Match` names `etag` (or `*`);
    /// without that header, `If-Modified-Since` is not before `modified` (to the second).
    pub fn still_current(&self, etag: &str, modified: Option<&DateTime<Utc>>) -> bool {
        if let Some(tags) = &self.if_none_match {
            return tags
                .split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag == etag || tag.strip_prefix("W/") == Some(etag));
        }
        match (&self.if_modified_since, modified) {
            (Some(since), Some(modified)) => DateTime::parse_from_rfc2822(since)
                .map(|since| modified.timestamp() <= since.timestamp())
                .unwrap_or(false),
            _ => false,
        }
    }
}

/// A representation answered with its validators: `200` with the body, or `304` without it
/// when the client's copy is current.
pub struct Validated {
    pub content_type: ContentType,
    pub body: Vec<u8>,
    pub modified: Option<DateTime<Utc>>,
    pub not_modified: bool,
    pub etag: String,
}

impl Validated {
    pub fn new(
        content_type: ContentType,
        body: Vec<u8>,
        modified: Option<DateTime<Utc>>,
        validators: &Validators,
    ) -> Self {
        let etag = entity_tag(&body);
        let not_modified = validators.still_current(&etag, modified.as_ref());
        Self {
            content_type,
            body,
            modified,
            not_modified,
            etag,
        }
    }
}

impl<'r> Responder<'r, 'static> for Validated {
    fn respond_to(self, _request: &'r Request<'_>) -> response::Result<'static> {
        let mut response = Response::build();
        response.header(Header::new("ETag", self.etag));
        if let Some(modified) = &self.modified {
            response.header(Header::new("Last-Modified", http_date(modified)));
        }
        // Caches may keep it, but must ask again before each use.
        response.header(Header::new("Cache-Control", "no-cache"));
        if self.not_modified {
            response.status(Status::NotModified);
        } else {
            response
                .header(self.content_type)
                .sized_body(self.body.len(), std::io::Cursor::new(self.body));
        }
        response.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matching_tag_or_a_date_not_before_the_change_means_current() {
        let etag = entity_tag(b"feed");
        assert_eq!(etag.len(), 34);
        let modified: DateTime<Utc> = "2026-12-01T09:30:00Z".parse().unwrap();
        let sent = |tags: Option<&str>, since: Option<&str>| Validators {
            if_none_match: tags.map(str::to_owned),
            if_modified_since: since.map(str::to_owned),
        };
        let same_date = http_date(&modified);
        assert_eq!(same_date, "Tue, 01 Dec 2026 09:30:00 GMT");
        assert!(sent(Some(&etag), None).still_current(&etag, Some(&modified)));
        assert!(sent(Some(&format!("\"x\", W/{etag}")), None).still_current(&etag, None));
        assert!(sent(Some("*"), None).still_current(&etag, None));
        assert!(!sent(Some("\"x\""), Some(&same_date)).still_current(&etag, Some(&modified)));
        assert!(sent(None, Some(&same_date)).still_current(&etag, Some(&modified)));
        let before = "Tue, 01 Dec 2026 09:29:59 GMT";
        assert!(!sent(None, Some(before)).still_current(&etag, Some(&modified)));
        assert!(!sent(None, Some("yesterday")).still_current(&etag, Some(&modified)));
        assert!(!sent(None, None).still_current(&etag, Some(&modified)));
    }
}
