//! Security headers on every response outside the JSON API and Swagger UI.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, Header};
use rocket::{Request, Response};

/// No inline script or style anywhere on the pages, no framing, forms post only to this site.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; object-src 'none'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// Adds the pages' security headers. `/api` answers JSON and keeps its own headers; `/docs`
/// (Swagger UI, served by rocket_okapi) is left as it is so that its bundle keeps working.
pub struct SecurityHeaders;

fn is_excluded(path: &str) -> bool {
    ["/api", "/docs"]
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
}

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info {
            name: "Page security headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        if is_excluded(request.uri().path().as_str()) {
            return;
        }
        response.set_header(Header::new(
            "Content-Security-Policy",
            CONTENT_SECURITY_POLICY,
        ));
        response.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        response.set_header(Header::new("X-Frame-Options", "DENY"));
        response.set_header(Header::new("Referrer-Policy", "same-origin"));
        // Pages show private data: never keep them in a cache, nor show them again with the
        // back button after signing out.
        if response.content_type() == Some(ContentType::HTML) {
            response.set_header(Header::new("Cache-Control", "no-store"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_excluded;

    #[test]
    fn only_the_api_and_swagger_ui_are_excluded() {
        assert!(is_excluded("/api"));
        assert!(is_excluded("/api/v1/users/login"));
        assert!(is_excluded("/docs/index.html"));
        assert!(!is_excluded("/apiary"));
        assert!(!is_excluded("/offers"));
        assert!(!is_excluded("/"));
    }
}
