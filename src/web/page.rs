//! What every page shares: the layout's view (who is signed in, the CSRF token of the sign-out
//! form, the flash message, the field limits), rendering a page's typed view inside it, and
//! the replies of form handlers.

use std::convert::Infallible;

use rocket::request::{FlashMessage, FromRequest, Outcome, Request};
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::auth::session;
use crate::domain::board::MAX_QUERY_CHARS;
use crate::domain::{offer, user};

/// The layout's view (`base.html.tera`), under the key `layout` of every page.
#[derive(Debug, Serialize)]
pub struct Layout {
    /// The signed-in user's name, for the navigation.
    pub user: Option<String>,
    pub csrf_token: String,
    pub flash: Option<FlashView>,
    /// The request's path, so that the navigation can mark the current page.
    pub path: String,
    /// The path with its query, where a form on the page sends the user back to (a tab and
    /// page of "My offers" stay as they were).
    pub address: String,
    pub limits: Limits,
}

/// What a public page's head tells search engines and link previews: its canonical address
/// (absolute), title and description (also as Open Graph tags), and whether to index it.
#[derive(Debug, Serialize)]
pub struct PageMeta {
    pub canonical: String,
    pub title: String,
    pub description: String,
    /// `og:type`: `website` for the board, `article` for an offer.
    pub og_type: &'static str,
    pub noindex: bool,
}

/// A tab of a list page ("My offers" by status, applications by stage): its label, where it
/// leads, how many it holds, and whether it is the one shown.
#[derive(Debug, Serialize)]
pub struct Tab {
    pub label: &'static str,
    pub href: String,
    pub count: i64,
    pub current: bool,
}

/// The length search engines show of a description.
pub const META_DESCRIPTION_CHARS: usize = 160;

#[derive(Debug, Serialize)]
pub struct FlashView {
    kind: &'static str,
    message: String,
}

/// The limits forms show and enforce in the browser: the domain's, so the pages, the API and
/// the OpenAPI document give the same numbers.
#[derive(Debug, Clone, Serialize)]
pub struct Limits {
    pub title: usize,
    pub description: usize,
    /// `description`, written for people ("10 000").
    pub description_text: String,
    pub skills: usize,
    pub skill: usize,
    pub locations: usize,
    pub username_min: usize,
    pub username_max: usize,
    pub password_min: usize,
    pub password_max: usize,
    pub search: usize,
}

impl Limits {
    fn of_domain() -> Self {
        Self {
            title: offer::TITLE.max_chars,
            description: offer::DESCRIPTION.max_chars,
            description_text: grouped(offer::DESCRIPTION.max_chars),
            skills: offer::MAX_SKILLS,
            skill: offer::SKILL.max_chars,
            locations: crate::domain::posting::MAX_LOCATIONS,
            username_min: user::USERNAME_MIN,
            username_max: user::USERNAME_MAX,
            password_min: user::PASSWORD.min_chars,
            password_max: user::PASSWORD.max_chars,
            search: MAX_QUERY_CHARS,
        }
    }
}

/// `10000` as `10 000`: digits in groups of three, as the pages write numbers.
pub fn grouped(number: usize) -> String {
    let digits = number.to_string();
    let mut text = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            text.push(' ');
        }
        text.push(digit);
    }
    text
}

impl Layout {
    /// The layout of an error page: no flash (it waits for the next real page) and no
    /// CSRF cookie for an anonymous visitor, since an error page holds no form but sign-out.
    /// Who is signed in is what the request's guards (or the pages' catcher) found.
    pub fn for_error(request: &Request<'_>) -> Self {
        let session = session::checked(request);
        Self {
            user: session.as_ref().map(|session| session.username.clone()),
            csrf_token: session
                .map(|session| session.csrf_token)
                .unwrap_or_default(),
            flash: None,
            path: String::new(),
            address: String::new(),
            limits: Limits::of_domain(),
        }
    }
}

/// A page's view inside the layout.
#[derive(Serialize)]
struct WithLayout<V> {
    #[serde(flatten)]
    view: V,
    layout: Layout,
}

/// Renders `name` with `view` and `layout`.
pub fn render<V: Serialize>(name: &'static str, view: V, layout: Layout) -> Template {
    Template::render(name, WithLayout { view, layout })
}

/// A page being rendered for this request. The flash message is only read (and so consumed)
/// when the page is rendered, so that a handler that redirects passes it on.
pub struct Page<'r> {
    user: Option<String>,
    csrf_token: String,
    flash: Option<FlashMessage<'r>>,
    path: String,
    address: String,
}

impl Page<'_> {
    /// Whether the browser holds a live session.
    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }

    /// Renders `name` with `view` inside the layout.
    pub fn render<V: Serialize>(self, name: &'static str, view: V) -> Template {
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
            address: self.address,
            limits: Limits::of_domain(),
        };
        render(name, view, layout)
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
        let user = session::current(request)
            .await
            .map(|session| session.username);
        // A cookie whose session ended (signed out elsewhere, password changed, expired) is
        // dropped, so the browser stops sending it; a failed lookup keeps it for next time.
        if matches!(session::check(request).await, Ok(None)) {
            session::discard(request);
        }
        Outcome::Success(Page {
            user,
            csrf_token: session::form_token(request).await,
            flash,
            // A form shown again after a POST is not the page its address names.
            path: match request.method() {
                rocket::http::Method::Get => request.uri().path().to_string(),
                _ => String::new(),
            },
            address: match request.method() {
                rocket::http::Method::Get => request.uri().to_string(),
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
    /// The form again, as asked (e.g. with one more row), nothing refused and nothing saved.
    Again(Template),
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(50), "50");
        assert_eq!(grouped(200), "200");
        assert_eq!(grouped(10_000), "10 000");
        assert_eq!(grouped(1_234_567), "1 234 567");
    }
}
