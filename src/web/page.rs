//! What every page shares: the layout's context (who is signed in, the CSRF token of the
//! sign-out form, the flash message), the responses of form handlers, and the HTML error pages.

use std::convert::Infallible;

use rocket::http::{Header, Status};
use rocket::request::{FlashMessage, FromRequest, Outcome, Request};
use rocket::response::{self, Flash, Redirect, Responder};
use rocket::{catch, uri};
use rocket_dyn_templates::Template;
use serde::Serialize;
use serde_json::{json, Value};

use super::csrf::CsrfRefused;
use super::session;
use crate::error::{ApiError, RETRY_AFTER_SECONDS};

/// The context of `base.html.tera`, under the key `layout`.
#[derive(Debug, Serialize)]
struct Layout {
    /// The signed-in user's name, for the navigation.
    user: Option<String>,
    csrf_token: String,
    flash: Option<FlashView>,
    /// The request's path, so that the navigation can mark the current page.
    path: String,
}

#[derive(Debug, Serialize)]
struct FlashView {
    kind: &'static str,
    message: String,
}

/// A page being rendered for this request. The flash message is only read (and so consumed)
/// when the page is rendered, so that a handler that redirects passes it on.
pub struct Page<'r> {
    user: Option<String>,
    csrf_token: String,
    flash: Option<FlashMessage<'r>>,
    path: String,
}

impl Page<'_> {
    /// Whether the browser holds a session (the user may since have been deleted).
    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }

    /// Renders `name` with `context` (a JSON object) plus the layout's context.
    pub fn render(self, name: &'static str, mut context: Value) -> Template {
        let flash = self.flash.map(|flash| FlashView {
            kind: match flash.kind() {
                "error" => "error",
                "warning" => "warning",
                _ => "success",
            },
            message: flash.message().to_owned(),
        });
        let layout = Layout {
            user: self.user,
            csrf_token: self.csrf_token,
            flash,
            path: self.path,
        };
        context["layout"] = serde_json::to_value(layout).expect("the layout serializes");
        Template::render(name, context)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Page<'r> {
    type Error = Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let flash = request
            .guard::<Option<FlashMessage<'r>>>()
            .await
            .succeeded()
            .flatten();
        Outcome::Success(Page {
            user: session::current(request).map(|session| session.username),
            csrf_token: session::form_token(request),
            flash,
            // A form shown again after a POST is not the page its address names.
            path: match request.method() {
                rocket::http::Method::Get => request.uri().path().to_string(),
                _ => String::new(),
            },
        })
    }
}

/// What a form handler answers: on success a redirect with a flash message (POST, redirect,
/// GET), otherwise the form again with the person's input and a message beside each field.
#[derive(rocket::Responder)]
pub enum FormReply {
    Done(Flash<Redirect>),
    #[response(status = 422)]
    Invalid(Template),
}

/// An `ApiError` met by a page handler, answered with the HTML error page of its status.
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

impl From<sqlx::Error> for PageError {
    fn from(error: sqlx::Error) -> Self {
        Self(error.into())
    }
}

impl<'r> Responder<'r, 'static> for PageError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        if let ApiError::Internal(detail) = &self.0 {
            rocket::error!("{} {}: {detail}", request.method(), request.uri().path());
        }
        error_page(self.0.status(), request).respond_to(request)
    }
}

/// The error page of `status`, in the site's layout.
pub struct ErrorPage {
    status: Status,
    template: Template,
}

impl<'r> Responder<'r, 'static> for ErrorPage {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let mut response = self.template.respond_to(request)?;
        response.set_status(self.status);
        if matches!(self.status.code, 429 | 503) {
            response.set_header(Header::new("Retry-After", RETRY_AFTER_SECONDS.to_string()));
        }
        Ok(response)
    }
}

/// Renders the error page of `status` for `request`. Error pages hold no form but sign-out,
/// so an anonymous visitor gets no CSRF cookie from them.
pub fn error_page(status: Status, request: &Request<'_>) -> ErrorPage {
    let session = session::current(request);
    let layout = Layout {
        user: session.as_ref().map(|session| session.username.clone()),
        csrf_token: session
            .map(|session| session.csrf_token)
            .unwrap_or_default(),
        flash: None,
        path: String::new(),
    };
    let csrf_refused = request.local_cache(|| CsrfRefused(false)).0;
    let (title, message) = match status.code {
        404 => (
            "Page not found",
            "There is nothing at this address. The offer may have been deleted, or the link may \
             be mistyped.",
        ),
        403 if csrf_refused => (
            "This form has expired",
            "The form was sent without its security token, or from another site. Go back, \
             reload the page and send it again.",
        ),
        403 => (
            "Not allowed",
            "This belongs to another account, so you cannot change it.",
        ),
        413 => (
            "Too much text",
            "What you sent is larger than the site accepts. Shorten it and try again.",
        ),
        429 => (
            "Too many attempts",
            "There were too many attempts from your connection. Wait a minute, then try again.",
        ),
        503 => (
            "Temporarily unavailable",
            "The service is busy or restarting. Please try again in a moment.",
        ),
        500 => (
            "Something went wrong",
            "An unexpected error stopped this page. It has been logged; please try again.",
        ),
        _ => (status.reason_lossy(), "The request could not be handled."),
    };
    let context = json!({
        "layout": layout,
        "status": status.code,
        "title": title,
        "message": message,
    });
    ErrorPage {
        status,
        template: Template::render("errors/error", context),
    }
}

/// Where sign-in sends a person afterwards: a path on this site, never another origin.
/// `//host` and `/\host` are protocol-relative in browsers, so both are refused.
pub fn local_path(next: Option<&str>) -> Option<&str> {
    next.filter(|path| {
        path.starts_with('/')
            && !path.starts_with("//")
            && !path.starts_with("/\\")
            && !path.chars().any(|c| c.is_control() || c.is_whitespace())
    })
}

/// A page needed a signed-in user and had none: on to the sign-in page, then back here.
#[catch(401)]
pub fn sign_in_required(request: &Request<'_>) -> Flash<Redirect> {
    session::discard(request);
    let here = request.uri();
    let next = match (request.method(), here.query()) {
        (rocket::http::Method::Get, Some(query)) => format!("{}?{}", here.path(), query),
        _ => here.path().to_string(),
    };
    let next = local_path(Some(&next)).map(str::to_owned);
    Flash::warning(
        Redirect::to(uri!(super::auth::sign_in_page(next))),
        "Please sign in to continue.",
    )
}

/// Every other error outside `/api` (which has its JSON catchers): an HTML page.
#[catch(default)]
pub fn error(status: Status, request: &Request<'_>) -> ErrorPage {
    error_page(status, request)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        for good in ["/", "/offers", "/offers/3/edit?x=1"] {
            assert_eq!(local_path(Some(good)), Some(good));
        }
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
