//! The pages as a browser sees them: a visitor with its own cookies who reads pages, sends
//! forms with their CSRF token, signs up, in and out; pages parsed with a real HTML parser and
//! queried with CSS selectors, so a test names the element it means instead of a piece of
//! markup. `Page::source` keeps the bytes for what is about the bytes (escaping).

use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use scraper::{ElementRef, Html, Selector};
use sqlx::PgPool;

use crate::helpers::{TestApp, PASSWORD};

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|error| panic!("not a CSS selector {css:?}: {error:?}"))
}

/// Text as a reader sees it: runs of white space are one space, none at either end.
fn collapsed<'a>(pieces: impl Iterator<Item = &'a str>) -> String {
    pieces
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An HTML page: its bytes, and the document a browser would build from them.
pub struct Page {
    source: String,
    document: Html,
}

/// A link: what it says, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub text: String,
    pub href: String,
}

impl Page {
    pub fn parse(source: String) -> Self {
        let document = Html::parse_document(&source);
        Self { source, document }
    }

    /// The body of `response`, whatever its status.
    pub async fn read(response: LocalResponse<'_>) -> Self {
        Self::parse(response.into_string().await.unwrap_or_default())
    }

    /// The page as sent, for checks that are about bytes: escaping, no inline script.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn select(&self, css: &str) -> Vec<Element<'_>> {
        self.document.select(&selector(css)).map(Element).collect()
    }

    pub fn first(&self, css: &str) -> Option<Element<'_>> {
        self.document.select(&selector(css)).next().map(Element)
    }

    /// The first element matching `css`; there must be one.
    pub fn one(&self, css: &str) -> Element<'_> {
        self.first(css)
            .unwrap_or_else(|| panic!("no element matches {css:?} in:\n{}", self.source))
    }

    pub fn has(&self, css: &str) -> bool {
        self.first(css).is_some()
    }

    pub fn count(&self, css: &str) -> usize {
        self.document.select(&selector(css)).count()
    }

    /// The text of the first element matching `css`; there must be one.
    pub fn text(&self, css: &str) -> String {
        self.one(css).text()
    }

    /// The text of every element matching `css`, in document order.
    pub fn select_text(&self, css: &str) -> Vec<String> {
        self.select(css).iter().map(Element::text).collect()
    }

    /// Attribute `name` of the first element matching `css`.
    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.first(css)
            .and_then(|element| element.attr(name).map(str::to_owned))
    }

    /// The CSRF token of the first form on the page, when it has a form.
    pub fn find_csrf_token(&self) -> Option<String> {
        self.attr(r#"input[name="csrf_token"]"#, "value")
    }

    /// The CSRF token of the first form on the page; there must be one.
    pub fn csrf_token(&self) -> String {
        self.find_csrf_token()
            .unwrap_or_else(|| panic!("the page has no CSRF field:\n{}", self.source))
    }

    /// Every link, in document order.
    pub fn links(&self) -> Vec<Link> {
        self.select("a[href]")
            .iter()
            .map(|link| Link {
                text: link.text(),
                href: link.attr("href").unwrap_or_default().to_owned(),
            })
            .collect()
    }

    /// Where the first link saying `text` goes.
    pub fn href_of(&self, text: &str) -> Option<String> {
        self.links()
            .into_iter()
            .find(|link| link.text == text)
            .map(|link| link.href)
    }

    /// What form field `name` holds: an input's value, or a text area's text as a browser
    /// would send it back.
    pub fn field_value(&self, name: &str) -> Option<String> {
        let field = self.first(&format!(r#"input[name="{name}"], textarea[name="{name}"]"#))?;
        match field.name() {
            "textarea" => Some(field.raw_text()),
            _ => field.attr("value").map(str::to_owned),
        }
    }
}

/// One element of a page.
#[derive(Clone, Copy)]
pub struct Element<'a>(ElementRef<'a>);

impl<'a> Element<'a> {
    pub fn name(&self) -> &'a str {
        self.0.value().name()
    }

    /// Its text and its descendants', as a reader sees it (white space collapsed).
    pub fn text(&self) -> String {
        collapsed(self.0.text())
    }

    /// Its text and its descendants', exactly as parsed (line breaks kept).
    pub fn raw_text(&self) -> String {
        self.0.text().collect()
    }

    /// Its own text, without its child elements' (white space collapsed).
    pub fn own_text(&self) -> String {
        collapsed(
            self.0
                .children()
                .filter_map(|node| node.value().as_text().map(|text| &**text)),
        )
    }

    pub fn attr(&self, name: &str) -> Option<&'a str> {
        self.0.attr(name)
    }

    /// Descendants matching `css`.
    pub fn select(&self, css: &str) -> Vec<Element<'a>> {
        self.0.select(&selector(css)).map(Element).collect()
    }

    pub fn first(&self, css: &str) -> Option<Element<'a>> {
        self.0.select(&selector(css)).next().map(Element)
    }

    /// The text of its first descendant matching `css`; there must be one.
    pub fn text_of(&self, css: &str) -> String {
        self.first(css)
            .unwrap_or_else(|| panic!("no {css:?} in {}", self.0.html()))
            .text()
    }
}

/// `application/x-www-form-urlencoded`, as a browser sends a form.
pub fn form_body(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).expect("form fields encode")
}

/// Where a redirect leads.
pub fn location(response: &LocalResponse<'_>) -> String {
    response
        .headers()
        .get_one("Location")
        .expect("a redirect")
        .to_owned()
}

/// A browser on the app: a client with its own cookie jar.
pub struct Visitor<'a> {
    browser: Browser<'a>,
    db: &'a PgPool,
}

enum Browser<'a> {
    /// The app's own client (also the one its API helpers use; the API ignores cookies).
    Apps(&'a Client),
    /// Another browser: the same app, built again, with a cookie jar of its own.
    Own(Box<Client>),
}

impl TestApp {
    /// The visitor whose browser is the app's own client.
    pub fn visitor(&self) -> Visitor<'_> {
        Visitor {
            browser: Browser::Apps(&self.client),
            db: &self.db,
        }
    }

    /// Another visitor of the same app, with cookies of their own.
    pub async fn new_visitor(&self) -> Visitor<'_> {
        let client = Client::tracked(job_offers::build(self.client.rocket().figment().clone()))
            .await
            .expect("the app ignites");
        Visitor {
            browser: Browser::Own(Box::new(client)),
            db: &self.db,
        }
    }
}

impl Visitor<'_> {
    pub fn client(&self) -> &Client {
        match &self.browser {
            Browser::Apps(client) => client,
            Browser::Own(client) => client,
        }
    }

    /// A plain GET, whatever it answers (redirects are not followed).
    pub async fn get(&self, uri: &str) -> LocalResponse<'_> {
        self.client().get(uri.to_owned()).dispatch().await
    }

    /// A GET as a browser makes it: a permanent redirect (an offer's short or stale address to
    /// its canonical one) is followed, once.
    pub async fn get_followed(&self, uri: &str) -> LocalResponse<'_> {
        let response = self.get(uri).await;
        if response.status() != Status::MovedPermanently {
            return response;
        }
        let target = location(&response);
        assert!(
            target.starts_with('/'),
            "GET {uri} moved off the site: {target}"
        );
        self.get(&target).await
    }

    /// The HTML page at `uri` (permanent redirects followed), which must answer `expected`.
    pub async fn get_page(&self, uri: &str, expected: Status) -> Page {
        let response = self.get_followed(uri).await;
        assert_eq!(response.status(), expected, "GET {uri}");
        assert_eq!(
            response.content_type(),
            Some(ContentType::HTML),
            "GET {uri}"
        );
        Page::read(response).await
    }

    /// Posts `fields` as a form, exactly as given (no CSRF token added).
    pub async fn post_form(&self, uri: &str, fields: &[(&str, &str)]) -> LocalResponse<'_> {
        self.client()
            .post(uri.to_owned())
            .header(ContentType::Form)
            .body(form_body(fields))
            .dispatch()
            .await
    }

    /// Fills in the form of `form_uri`: posts `fields` to `action` with that page's CSRF token.
    pub async fn submit(
        &self,
        form_uri: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> LocalResponse<'_> {
        let token = self.get_page(form_uri, Status::Ok).await.csrf_token();
        let mut with_token = vec![("csrf_token", token.as_str())];
        with_token.extend_from_slice(fields);
        self.post_form(action, &with_token).await
    }

    /// Follows a redirect (303) to the page it leads to, which must answer 200.
    pub async fn follow(&self, response: LocalResponse<'_>) -> Page {
        assert_eq!(response.status(), Status::SeeOther);
        let target = location(&response);
        self.get_page(&target, Status::Ok).await
    }

    /// Signs `username` up through the form, which also signs them in; returns their id.
    pub async fn sign_up(&self, username: &str) -> i64 {
        let response = self
            .submit(
                "/register",
                "/register",
                &[("username", username), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(response.status(), Status::SeeOther, "{username} signs up");
        assert_eq!(location(&response), "/offers");
        sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(username)
            .fetch_one(self.db)
            .await
            .unwrap()
    }

    /// Sends the sign-in form for `username` with the right password; the answer is the
    /// caller's to check.
    pub async fn sign_in(&self, username: &str) -> LocalResponse<'_> {
        self.submit(
            "/login",
            "/login",
            &[("username", username), ("password", PASSWORD)],
        )
        .await
    }

    /// Signs `username` in, which must succeed.
    pub async fn signed_in(self, username: &str) -> Self {
        let response = self.sign_in(username).await;
        assert_eq!(response.status(), Status::SeeOther, "{username} signs in");
        drop(response);
        self
    }

    pub async fn sign_out(&self) {
        let response = self.submit("/offers", "/logout", &[]).await;
        assert_eq!(response.status(), Status::SeeOther);
    }
}
