//! Errors on the pages: an `AppError` answered as an HTML page in the site's layout, with the
//! same status and `Retry-After` as the API would give, and the pages' catchers.

use rocket::http::{Header, Method, Status};
use rocket::response::{self, Flash, Redirect, Responder};
use rocket::{catch, Request};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::csrf::CsrfRefused;
use super::page::{render, Layout};
use super::paths;
use crate::auth::{session, AuthError};
use crate::error::{AppError, Failure, Missing};
use crate::http::query::query_string;

/// The pages' door: failures answered as an HTML page.
pub enum Html {}

/// A page request's failure.
pub type PageError = Failure<Html>;

impl<'r> Responder<'r, 'static> for PageError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let error = self.error;
        error.report(request);
        let mut response = error_page(&error, request).respond_to(request)?;
        response.set_status(error.status());
        if let Some(seconds) = error.retry_after() {
            response.set_header(Header::new("Retry-After", seconds.to_string()));
        }
        Ok(response)
    }
}

/// The view of `errors/error.html.tera`.
#[derive(Debug, Serialize)]
struct ErrorView {
    status: u16,
    title: String,
    message: String,
}

/// "30 seconds", "5 minutes": a wait as a person reads it, rounded up to whole minutes past
/// the first minute.
fn wait_text(seconds: u64) -> String {
    let (count, unit) = if seconds < 60 {
        (seconds.max(1), "second")
    } else {
        (seconds.div_ceil(60), "minute")
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

fn error_view(error: &AppError, csrf_refused: bool) -> ErrorView {
    let status = error.status();
    let (title, message) = match status.code {
        404 => (
            "Page not found",
            match error {
                AppError::NotFound(Missing::Application(_)) => {
                    "There is nothing at this address. The application may have been erased, \
                     or the link may be mistyped or cut short."
                }
                AppError::NotFound(Missing::Cv(_)) => {
                    "This application has no CV: none was sent, or it was erased when the \
                     candidate withdrew or its retention period ended."
                }
                AppError::NotFound(Missing::Offer(_)) => {
                    "There is nothing at this address. The offer may have been deleted, or the \
                     link may be mistyped."
                }
                _ => "There is nothing at this address. The link may be mistyped.",
            }
            .to_owned(),
        ),
        410 => (
            "This offer has been removed",
            "The employer deleted this offer: it no longer accepts applications. Other offers \
             are on the board."
                .to_owned(),
        ),
        403 if csrf_refused => (
            "This form has expired",
            "The form was sent without its security token, or from another site. Go back, \
             reload the page and send it again."
                .to_owned(),
        ),
        403 => (
            "Not allowed",
            "This belongs to another account, so you cannot change it.".to_owned(),
        ),
        409 => ("This cannot be done now", error.message()),
        413 => (
            "Too much text",
            "What you sent is larger than the site accepts. Shorten it and try again.".to_owned(),
        ),
        429 => (
            "Too many attempts",
            format!(
                "There were too many attempts from your connection. Wait {}, then try again.",
                wait_text(error.retry_after().unwrap_or(1))
            ),
        ),
        503 => (
            "Temporarily unavailable",
            "The service is busy or restarting. Please try again in a moment.".to_owned(),
        ),
        500 => (
            "Something went wrong",
            "An unexpected error stopped this page. It has been logged; please try again."
                .to_owned(),
        ),
        _ => (
            status.reason_lossy(),
            "The request could not be handled.".to_owned(),
        ),
    };
    ErrorView {
        status: status.code,
        title: title.to_owned(),
        message,
    }
}

/// The error page of `error` for `request`.
fn error_page(error: &AppError, request: &Request<'_>) -> Template {
    let csrf_refused = request.local_cache(|| CsrfRefused(false)).0;
    render(
        "errors/error",
        error_view(error, csrf_refused),
        Layout::for_error(request),
    )
}

/// A page needed a signed-in user and had none: on to the sign-in page, then back here.
#[catch(401)]
pub fn sign_in_required(request: &Request<'_>) -> Flash<Redirect> {
    session::discard(request);
    let here = request.uri();
    let next = match (request.method(), here.query()) {
        (Method::Get, Some(query)) => format!("{}?{}", here.path(), query),
        _ => here.path().to_string(),
    };
    let next = paths::local_path(Some(&next));
    let target = match next {
        Some(next) => format!(
            "{}?{}",
            paths::SIGN_IN,
            query_string(&[("next", Some(&next))])
        ),
        None => paths::SIGN_IN.to_owned(),
    };
    Flash::warning(Redirect::to(target), "Please sign in to continue.")
}

/// Every other error outside `/api` (which has its JSON catchers): an HTML page, for the
/// failure a guard recorded when there is one, else for the bare status.
#[catch(default)]
pub fn error(status: Status, request: &Request<'_>) -> PageError {
    match AuthError::recorded(request, status) {
        Some(error) => error.into(),
        None => AppError::from_status(status).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_is_said_in_seconds_then_whole_minutes() {
        assert_eq!(wait_text(0), "1 second");
        assert_eq!(wait_text(30), "30 seconds");
        assert_eq!(wait_text(60), "1 minute");
        assert_eq!(wait_text(61), "2 minutes");
        assert_eq!(wait_text(300), "5 minutes");
    }

    #[test]
    fn a_throttled_page_says_how_long_to_wait() {
        let error = AppError::from(AuthError::Throttled { retry_after: 300 });
        let view = error_view(&error, false);
        assert_eq!(view.status, 429);
        assert!(view.message.contains("Wait 5 minutes"), "{}", view.message);
    }
}
