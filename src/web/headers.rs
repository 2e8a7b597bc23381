//! Security headers on every response outside the JSON API and Swagger UI.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, Cookie, Header, SameSite};
use rocket::{Request, Response};

use crate::auth::session::SessionSettings;

/// The cookie Rocket's `Flash` writes (and removes once the message is shown).
const FLASH_COOKIE: &str = "_flash";

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
        let secure = request
            .rocket()
            .state::<SessionSettings>()
            .is_some_and(|settings| settings.secure);
        harden_flash_cookie(response, secure);
    }
}

/// Rocket's `Flash` sets its cookie without `HttpOnly` and `Secure`; give it the session
/// cookie's attributes, so a script or a plain-HTTP page can read or plant no message.
fn harden_flash_cookie(response: &mut Response<'_>, secure: bool) {
    let cookies: Vec<String> = response
        .headers()
        .get("Set-Cookie")
        .map(str::to_owned)
        .collect();
    if !cookies.iter().any(|cookie| is_flash(cookie)) {
        return;
    }
    response.remove_header("Set-Cookie");
    for value in cookies {
        let value = match Cookie::parse(value.clone()) {
            Ok(mut cookie) if cookie.name() == FLASH_COOKIE => {
                cookie.set_http_only(true);
                cookie.set_secure(secure);
                cookie.set_same_site(SameSite::Lax);
                cookie.set_path("/");
                cookie.to_string()
            }
            _ => value,
        };
        response.adjoin_header(Header::new("Set-Cookie", value));
    }
}

fn is_flash(set_cookie: &str) -> bool {
    set_cookie
        .split_once('=')
        .is_some_and(|(name, _)| name.trim() == FLASH_COOKIE)
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
