//! Requests under `/api` that no route takes: `405` with `Allow` when the path exists for other
//! methods (RFC 9110 §15.5.6), otherwise the JSON `404`.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Method;
use rocket::route::{Handler, Outcome, Route};
use rocket::{Data, Request};

use super::error::ApiError;
use crate::error::{AppError, Missing};

/// Methods a client may try. Not HEAD: Rocket answers HEAD through the GET routes, and a HEAD
/// fallback here would stop it from trying them.
const METHODS: &[Method] = &[
    Method::Get,
    Method::Post,
    Method::Put,
    Method::Delete,
    Method::Patch,
    Method::Options,
    Method::Trace,
    Method::Connect,
];

/// Below every real route.
const RANK: isize = 1_000;

#[derive(Clone)]
struct MethodNotAllowed;

#[rocket::async_trait]
impl Handler for MethodNotAllowed {
    async fn handle<'r>(&self, request: &'r Request<'_>, _: Data<'r>) -> Outcome<'r> {
        let allowed = allowed_methods(request);
        if allowed.is_empty() {
            return Outcome::from(request, ApiError::new(AppError::NotFound(Missing::Route)));
        }
        Outcome::from(request, ApiError::new(AppError::MethodNotAllowed(allowed)))
    }
}

/// The methods that some route serves at the request's path, sorted.
pub fn allowed_methods(request: &Request<'_>) -> Vec<Method> {
    let path = request.uri().path().as_str();
    let matching: Vec<&Route> = request
        .rocket()
        .routes()
        .filter(|route| route.rank < RANK && path_matches(route.uri.path(), path))
        .collect();
    // A path that a route names exactly (`/users/login`) is that resource, not a value of a
    // sibling's parameter (`/users/<user_id>`), which refuses it.
    let exact: Vec<&Route> = matching
        .iter()
        .copied()
        .filter(|route| !route.uri.path().contains('<'))
        .collect();
    let chosen = if exact.is_empty() { matching } else { exact };
    let mut allowed: Vec<Method> = chosen.iter().map(|route| route.method).collect();
    allowed.sort_by_key(|method| method.as_str());
    allowed.dedup();
    allowed
}

/// Whether a route path template (`/a/<id>/b`) matches a request path, ignoring a trailing
/// slash as Rocket does.
fn path_matches(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if let Some(last) = template.last() {
        if last.ends_with("..>") {
            return path.len() + 1 >= template.len()
                && segments_match(&template[..template.len() - 1], &path[..template.len() - 1]);
        }
    }
    template.len() == path.len() && segments_match(&template, &path)
}

fn segments_match(template: &[&str], path: &[&str]) -> bool {
    template.iter().zip(path).all(|(expected, actual)| {
        (expected.starts_with('<') && expected.ends_with('>') && !actual.is_empty())
            || expected == actual
    })
}

/// Undoes Rocket's `_method` override under `/api`: an HTML form (a POST with a `_method=DELETE`
/// field, which any site can make a browser send) must never reach the API as another
/// method. The request stays the POST it was, which the API routes answer as such.
pub struct NoMethodOverride;

#[rocket::async_trait]
impl Fairing for NoMethodOverride {
    fn info(&self) -> Info {
        Info {
            name: "No method override under /api",
            kind: Kind::Request,
        }
    }

    async fn on_request(&self, request: &mut Request<'_>, data: &mut Data<'_>) {
        let is_api = request.uri().path().starts_with("/api/");
        let is_form = request.content_type().is_some_and(|ct| ct.is_form());
        if !is_api || !is_form || request.method() == Method::Post {
            return;
        }
        // The same look Rocket took: the body's first field names the method.
        let overridden = std::str::from_utf8(data.peek("_method=delete".len()).await)
            .is_ok_and(|start| start.to_ascii_lowercase().starts_with("_method="));
        if overridden {
            request.set_method(Method::Post);
        }
    }
}

/// One fallback route per method.
pub fn routes() -> Vec<Route> {
    METHODS
        .iter()
        .map(|method| Route::ranked(RANK, *method, "/<path..>", MethodNotAllowed))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::path_matches;

    #[test]
    fn templates_match_paths_segment_by_segment() {
        let template = "/api/v1/users/<user_id>/offers";
        assert!(path_matches(template, "/api/v1/users/1/offers"));
        assert!(path_matches(template, "/api/v1/users/1/offers/"));
        assert!(!path_matches(template, "/api/v1/users/1/offers/2"));
        assert!(!path_matches(template, "/api/v1/users//offers"));
        assert!(path_matches("/docs/<file..>", "/docs/a/b"));
    }
}
