//! The pages' own addresses that other pages send people to, and where a person may be sent
//! back to after signing in.

/// The job board.
pub const BOARD: &str = "/";
/// The sign-in page; `?next=` says where to go afterwards.
pub const SIGN_IN: &str = "/login";
/// Where a signed-in person lands by default: "My offers".
pub const MY_OFFERS: &str = "/offers";
/// The employer's applications, across their offers.
pub const APPLICATIONS: &str = "/applications";

/// Where sign-in sends a person afterwards: a path on this site, never another origin, and
/// always a valid address (characters outside ASCII percent-encoded, as browsers send them).
/// `//host` and `/\host` are protocol-relative in browsers, so both are refused.
pub fn local_path(next: Option<&str>) -> Option<String> {
    let path = next.filter(|path| {
        path.starts_with('/')
            && !path.starts_with("//")
            && !path.starts_with("/\\")
            && !path.chars().any(|c| c.is_control() || c.is_whitespace())
    })?;
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii() {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    rocket::http::uri::Origin::parse(&encoded)
        .is_ok()
        .then_some(encoded)
}

/// `path` with the query of the `params` that have a value (none: the bare path).
pub fn with_query(path: &str, params: &[(&str, Option<&str>)]) -> String {
    let query = crate::http::query::query_string(params);
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// The offer's public page by its id alone, which redirects to its canonical address: for
/// when the title is not at hand.
pub fn offer_by_id(id: i64) -> String {
    format!("/offers/{id}")
}

/// The offer's public page, at its canonical address.
pub fn offer(id: i64, title: &str) -> String {
    crate::domain::job_posting::canonical_path(id, title)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        for good in ["/", "/offers", "/offers/3/edit?x=1", "/%C3%A9"] {
            assert_eq!(local_path(Some(good)).as_deref(), Some(good));
        }
        assert_eq!(local_path(Some("/é")).as_deref(), Some("/%C3%A9"));
        assert_eq!(local_path(Some("/a\"b")), None);
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "offers",
            "/a\nb",
            "",
        ] {
            assert_eq!(local_path(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(local_path(None), None);
    }
}
