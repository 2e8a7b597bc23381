//! Webhooks: the events an endpoint subscribes to, the addresses it may point to (SSRF rules),
//! the body of each event and its signature. No I/O here: resolving host names and sending
//! belong to `crate::webhooks`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use url::{Host, Url};

use super::fields::{collect, optional_string_list, reject_unexpected, required_string, MISSING};
use super::{FieldErrors, JsonObject};

/// The longest endpoint address accepted (the column's limit).
pub const MAX_URL_CHARS: usize = 2000;
/// The last deliveries the owner is shown per endpoint.
pub const DELIVERIES_SHOWN: i64 = 20;
/// The type of the event sent once at registration.
pub const PING: &str = "ping";

/// What an endpoint can subscribe to.
pub const EVENTS: &[&str] = &[
    "offer.published",
    "offer.closed",
    "offer.expired",
    "application.created",
    "application.stage_changed",
    "application.withdrawn",
];

pub const NOT_HTTPS: &str = "Must be an https URL.";
pub const NOT_HTTP: &str = "Must be an http or https URL.";
pub const PRIVATE_TARGET: &str = "Must not point to a private or loopback address.";

/// Where endpoints may point: `https` public addresses only, unless configured otherwise
/// (tests, a private network's own receivers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    pub allow_http: bool,
    pub allow_private: bool,
}

/// A registration as sent: an address that passed the checks that need no DNS, and events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    pub url: Url,
    pub events: Vec<String>,
}

impl NewWebhook {
    /// Reads `{"url", "events"}`; the URL's host name is resolved and checked by the caller.
    pub fn from_json(object: &JsonObject, policy: TargetPolicy) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        reject_unexpected(object, &["url", "events"], &["id", "secret"], &mut errors);
        let url = collect(
            &mut errors,
            "url",
            required_string(object, "url").and_then(|raw| parse_target(raw, policy)),
        );
        let events = collect(
            &mut errors,
            "events",
            optional_string_list(object, "events")
                .and_then(|events| parse_events(&events.ok_or_else(|| MISSING.to_owned())?)),
        );
        match (url, events) {
            (Some(url), Some(events)) if errors.is_empty() => Ok(Self { url, events }),
            _ => Err(errors),
        }
    }
}

/// The subscribed events: known names, at least one, each once (kept in `EVENTS`' order).
pub fn parse_events(names: &[String]) -> Result<Vec<String>, String> {
    if names.is_empty() {
        return Err(format!("Name at least one of: {}.", EVENTS.join(", ")));
    }
    if let Some(unknown) = names.iter().find(|name| !EVENTS.contains(&name.as_str())) {
        return Err(format!(
            "Unknown event `{unknown}`; the events are: {}.",
            EVENTS.join(", ")
        ));
    }
    Ok(EVENTS
        .iter()
        .filter(|event| names.iter().any(|name| name == *event))
        .map(|event| (*event).to_owned())
        .collect())
}

/// An endpoint address: absolute `https` (or `http` when allowed), no credentials, and a host
/// that is not a forbidden literal address. Names are resolved (and their addresses checked)
/// at registration and again at each delivery, by `crate::webhooks`.
pub fn parse_target(raw: &str, policy: TargetPolicy) -> Result<Url, String> {
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(format!("At most {MAX_URL_CHARS} characters."));
    }
    let url = Url::parse(raw).map_err(|_| "Must be an absolute URL.".to_owned())?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        _ if policy.allow_http => return Err(NOT_HTTP.to_owned()),
        _ => return Err(NOT_HTTPS.to_owned()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("Must not hold credentials.".to_owned());
    }
    let address = match url.host() {
        None => return Err("Must name a host.".to_owned()),
        // RFC 6761: these names are loopback whatever a resolver says.
        Some(Host::Domain(name))
            if !policy.allow_private
                && (name.eq_ignore_ascii_case("localhost")
                    || name.to_ascii_lowercase().ends_with(".localhost")) =>
        {
            return Err(PRIVATE_TARGET.to_owned())
        }
        Some(Host::Domain(_)) => None,
        Some(Host::Ipv4(address)) => Some(IpAddr::V4(address)),
        Some(Host::Ipv6(address)) => Some(IpAddr::V6(address)),
    };
    if address.is_some_and(|address| !policy.allow_private && is_forbidden(address)) {
        return Err(PRIVATE_TARGET.to_owned());
    }
    Ok(url)
}

/// An address a webhook must not reach (unless private targets are allowed): loopback,
/// private, link-local, unique-local, unspecified, multicast, broadcast, documentation,
/// benchmarking, shared (CGNAT), reserved, and the IPv6 forms that embed such an IPv4 address.
pub fn is_forbidden(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => is_forbidden_v6(v6),
    }
}

fn is_forbidden_v4(address: Ipv4Addr) -> bool {
    let [a, b, c, _] = address.octets();
    address.is_loopback()
        || address.is_private()
        || address.is_link_local()
        || address.is_unspecified()
        || address.is_multicast()
        || address.is_broadcast()
        || address.is_documentation()
        || a == 0
        // 100.64.0.0/10, shared address space (RFC 6598).
        || (a == 100 && (64..128).contains(&b))
        // 192.0.0.0/24, IETF protocol assignments (RFC 6890).
        || (a == 192 && b == 0 && c == 0)
        // 198.18.0.0/15, benchmarking (RFC 2544).
        || (a == 198 && (b == 18 || b == 19))
        // 240.0.0.0/4, reserved.
        || a >= 240
}

fn is_forbidden_v6(address: Ipv6Addr) -> bool {
    if let Some(v4) = address.to_ipv4_mapped() {
        return is_forbidden_v4(v4);
    }
    let segments = address.segments();
    address.is_loopback()
        || address.is_unspecified()
        || address.is_multicast()
        // fc00::/7, unique local (RFC 4193).
        || (segments[0] & 0xfe00) == 0xfc00
        // fe80::/10, link-local.
        || (segments[0] & 0xffc0) == 0xfe80
        // fec0::/10, the deprecated site-local.
        || (segments[0] & 0xffc0) == 0xfec0
        // 2001:db8::/32, documentation.
        || (segments[0] == 0x2001 && segments[1] == 0x0db8)
        // 64:ff9b::/96 (NAT64) and ::/96 (IPv4-compatible) carry an IPv4 address.
        || (segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
            && is_forbidden_v4(Ipv4Addr::from(address.to_bits() as u32)))
        || (segments[..6] == [0; 6])
        // 2002::/16, 6to4: the IPv4 address follows the prefix.
        || (segments[0] == 0x2002
            && is_forbidden_v4(Ipv4Addr::new(
                (segments[1] >> 8) as u8,
                segments[1] as u8,
                (segments[2] >> 8) as u8,
                segments[2] as u8,
            )))
}

/// A new endpoint secret: 32 random bytes, hex.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The `X-Signature` value of `body` sent at `timestamp` (unix seconds): `sha256=` and the hex
/// HMAC-SHA256, keyed with the endpoint's secret, of `"<timestamp>.<body>"`. The timestamp is
/// signed so that a receiver can refuse a replayed delivery as too old.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

/// The body of an event of `kind`, as every subscribed endpoint receives it:
/// `{"id", "type", "created_at", "data"}`. Built once, when the event happens, and stored as
/// text, so that every attempt sends (and signs) the same bytes.
pub fn event_body(id: uuid::Uuid, kind: &str, created_at: DateTime<Utc>, data: Value) -> String {
    json!({
        "id": id.to_string(),
        "type": kind,
        "created_at": created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "data": data,
    })
    .to_string()
}

/// An offer's state in an event. No description or details: the receiver reads the offer
/// through the API when it needs more.
pub fn offer_data(
    id: i64,
    title: &str,
    status: &str,
    valid_through: Option<DateTime<Utc>>,
) -> Value {
    json!({
        "id": id,
        "title": title,
        "status": status,
        "valid_through": valid_through.map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true)),
    })
}

/// An application's state in an event. No personal data (name, e-mail, phone, cover letter):
/// webhook receivers are third-party services that log bodies, outside the retention the
/// candidate was told of; the owner reads the application through the API with its token.
pub fn application_data(id: i64, offer_id: i64, stage: &str, created_at: DateTime<Utc>) -> Value {
    json!({
        "id": id,
        "offer_id": offer_id,
        "stage": stage,
        "created_at": created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
    })
}

/// The event an offer's change tells of, from its shown status before and after (`draft`,
/// `published`, `expired`, `closed`): `offer.published` when it opens (first publication, a
/// reopening, a renewal past its expiry), `offer.closed` when it closes.
pub fn offer_change_event(before: &str, after: &str) -> Option<&'static str> {
    match (before, after) {
        (before, "published") if before != "published" => Some("offer.published"),
        (before, "closed") if before != "closed" => Some("offer.closed"),
        _ => None,
    }
}

/// The notice shown on an endpoint disabled after `failures` failed attempts in a row.
pub fn disabled_notice(failures: i32, last_error: &str) -> String {
    format!(
        "Disabled after {failures} failed deliveries in a row (last: {last_error}). \
         Register the endpoint again once it answers 2xx."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: TargetPolicy = TargetPolicy {
        allow_http: false,
        allow_private: false,
    };

    fn forbidden(raw: &str) -> bool {
        is_forbidden(raw.parse().unwrap())
    }

    #[test]
    fn internal_addresses_are_forbidden() {
        for raw in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "100.127.255.254",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "198.51.100.1",
            "203.0.113.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "::127.0.0.1",
        ] {
            assert!(forbidden(raw), "{raw} should be forbidden");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for raw in [
            "93.184.215.14",
            "1.1.1.1",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(!forbidden(raw), "{raw} should be allowed");
        }
    }

    #[test]
    fn targets_must_be_https_and_public_unless_configured() {
        assert_eq!(
            parse_target("http://example.com/hook", STRICT).unwrap_err(),
            NOT_HTTPS
        );
        assert_eq!(
            parse_target("ftp://example.com/", STRICT).unwrap_err(),
            NOT_HTTPS
        );
        for raw in [
            "https://127.0.0.1/",
            "https://10.0.0.1/",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]:8443/x",
            "https://0x7f000001/",
            "https://localhost/",
            "https://api.LOCALHOST:8443/",
        ] {
            assert_eq!(
                parse_target(raw, STRICT).unwrap_err(),
                PRIVATE_TARGET,
                "{raw}"
            );
        }
        assert!(parse_target("https://user:pw@example.com/", STRICT).is_err());
        assert!(parse_target("not a url", STRICT).is_err());
        assert!(parse_target("https://example.com/hook", STRICT).is_ok());
        let open = TargetPolicy {
            allow_http: true,
            allow_private: true,
        };
        assert!(parse_target("http://127.0.0.1:8080/hook", open).is_ok());
        assert_eq!(
            parse_target("ftp://127.0.0.1/", open).unwrap_err(),
            NOT_HTTP
        );
    }

    #[test]
    fn events_are_known_names_kept_once_in_order() {
        let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            parse_events(&names(&["offer.closed", "offer.published", "offer.closed"])).unwrap(),
            names(&["offer.published", "offer.closed"])
        );
        assert!(parse_events(&names(&["offer.deleted"]))
            .unwrap_err()
            .contains("offer.deleted"));
        assert!(parse_events(&[]).is_err());
        assert!(parse_events(&names(&["ping"])).is_err());
    }

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // python3 -c 'import hmac, hashlib; print(hmac.new(b"secret",
        //     b"1700000000.{\"a\":1}", hashlib.sha256).hexdigest())'
        assert_eq!(
            signature("secret", 1_700_000_000, r#"{"a":1}"#),
            "sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
        assert_ne!(
            signature("secret", 1_700_000_000, r#"{"a":1}"#),
            signature("secret", 1_700_000_001, r#"{"a":1}"#)
        );
    }

    #[test]
    fn an_offer_event_follows_its_shown_status() {
        assert_eq!(
            offer_change_event("draft", "published"),
            Some("offer.published")
        );
        assert_eq!(
            offer_change_event("expired", "published"),
            Some("offer.published")
        );
        assert_eq!(
            offer_change_event("closed", "published"),
            Some("offer.published")
        );
        assert_eq!(
            offer_change_event("published", "closed"),
            Some("offer.closed")
        );
        assert_eq!(offer_change_event("published", "published"), None);
        assert_eq!(offer_change_event("draft", "draft"), None);
    }

    #[test]
    fn secrets_are_32_random_bytes_in_hex() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
