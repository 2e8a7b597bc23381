//! Browser tests: the real pages in headless Chromium, driven over WebDriver (chromedriver)
//! against the app served on a free port, the way a recruiter and a job seeker would use them.
//! Screenshots of each step are kept under `target/screenshots/`.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`scripts/test.sh` installs them when it
//! can); `CHROMIUM` and `CHROMEDRIVER` point elsewhere. Without them the test fails: a browser
//! test that skips itself would hide a broken site.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use rocket::futures::future::BoxFuture;
use rocket::futures::FutureExt;
use rocket::tokio::io::{AsyncReadExt, AsyncWriteExt};
use rocket::tokio::net::TcpStream;
use serde_json::{json, Value};

use crate::helpers::{fresh_database, test_figment, TestDatabase, PASSWORD};

const USERNAME: &str = "recruiter";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

async fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not listen on port {port}"
        );
        rocket::tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn executable(variable: &str, default: &str) -> PathBuf {
    let path = PathBuf::from(std::env::var(variable).unwrap_or_else(|_| default.to_owned()));
    assert!(
        path.is_file(),
        "{variable}: {} is missing. The browser tests need headless Chromium and its WebDriver: \
         install Debian's `chromium` and `chromium-driver` (scripts/test.sh does it when run as \
         root), or set CHROMIUM and CHROMEDRIVER to their paths.",
        path.display()
    );
    path
}

/// chromedriver in a process group of its own; dropping it ends the group (driver and any
/// browser it started), even when the test panicked.
struct Chromedriver {
    child: Child,
    port: u16,
}

impl Chromedriver {
    async fn start() -> Self {
        use std::os::unix::process::CommandExt;
        let path = executable("CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = free_port();
        let child = Command::new(&path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", path.display()));
        let driver = Self { child, port };
        wait_for_port(port, "chromedriver").await;
        driver
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Chromium profile directory of its own, removed afterwards.
struct ProfileDir(PathBuf);

impl Drop for ProfileDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn open_browser(driver: &Chromedriver, profile: &Path) -> Client {
    let chromium = executable("CHROMIUM", "/usr/bin/chromium");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session from chromedriver")
}

/// The app served on a free port over a fresh database, until dropped.
struct Server {
    base: String,
    port: u16,
    shutdown: rocket::Shutdown,
    // Held for its drop: the database goes when the server does.
    _database: TestDatabase,
}

impl Server {
    async fn start() -> Self {
        let port = free_port();
        let database = fresh_database().await;
        let figment = test_figment(database.url()).merge(("port", port));
        let rocket = job_offers::build(figment)
            .ignite()
            .await
            .expect("the app ignites");
        let shutdown = rocket.shutdown();
        rocket::tokio::spawn(rocket.launch());
        wait_for_port(port, "the app").await;
        Self {
            base: format!("http://127.0.0.1:{port}"),
            port,
            shutdown,
            _database: database,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// One JSON request to the API over plain HTTP/1.1, as any API client would send it.
    async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (u16, Value) {
        let body = body.to_string();
        let authorization = token
            .map(|token| format!("Authorization: JWT {token}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\n\
             {authorization}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        );
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .expect("a status code");
        let json = serde_json::from_str(body).unwrap_or(Value::Null);
        (status, json)
    }

    /// Registers `username` through the API and logs in: the login answer (`id`, `token`).
    async fn api_user(&self, username: &str) -> Value {
        let credentials = json!({"username": username, "password": PASSWORD});
        let (status, _) = self
            .api("POST", "/api/v1/users/register", None, &credentials)
            .await;
        assert_eq!(status, 201, "{username} registers");
        let (status, login) = self
            .api("POST", "/api/v1/users/login", None, &credentials)
            .await;
        assert_eq!(status, 200, "{username} logs in");
        login
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
    }
}

fn screenshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots")
}

async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.expect("a screenshot");
    let dir = screenshots_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

async fn text_of(browser: &Client, css: &str) -> String {
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("no element {css}: {error}"))
        .text()
        .await
        .unwrap()
}

async fn path_of(browser: &Client) -> String {
    let url = browser.current_url().await.unwrap();
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

/// Types into the labelled field `id`, replacing what it held.
async fn fill(browser: &Client, id: &str, text: &str) {
    let field = browser.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Runs `action`, which leads to another page, and waits until that page has replaced the
/// current one (the old document's root element goes stale), so that no check reads the old.
async fn navigating<F: std::future::Future<Output = ()>>(browser: &Client, action: F) {
    let old_root = browser.find(Locator::Css("html")).await.unwrap();
    action.await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while old_root.tag_name().await.is_ok() {
        assert!(Instant::now() < deadline, "the page did not change");
        rocket::tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn click(browser: &Client, css: &str) {
    let target = browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("nothing to click at {css}: {error}"));
    navigating(browser, async { target.click().await.unwrap() }).await;
}

async fn click_link(browser: &Client, text: &str) {
    let link = browser
        .find(Locator::LinkText(text))
        .await
        .unwrap_or_else(|error| panic!("no link {text:?}: {error}"));
    navigating(browser, async { link.click().await.unwrap() }).await;
}

async fn flash(browser: &Client) -> String {
    text_of(browser, ".flash").await
}

/// The titles in "My offers", in order.
async fn listed_titles(browser: &Client) -> Vec<String> {
    let mut titles = Vec::new();
    for cell in browser
        .find_all(Locator::Css("table.offers .offer-title"))
        .await
        .unwrap()
    {
        titles.push(cell.text().await.unwrap());
    }
    titles
}

async fn walk(browser: &Client, server: &Server) {
    // Home (the board), then sign up (which signs in).
    browser.goto(&server.url("/")).await.unwrap();
    assert_eq!(text_of(browser, "h1").await, "Jobs");
    let header = browser.find(Locator::Css(".site-header")).await.unwrap();
    assert_eq!(
        header.css_value("background-color").await.unwrap(),
        "rgba(29, 35, 43, 1)",
        "the stylesheet loads under the Content-Security-Policy"
    );
    screenshot(browser, "01-home").await;
    click_link(browser, "Post a job").await;
    assert_eq!(path_of(browser).await, "/register");
    fill(browser, "username", USERNAME).await;
    fill(browser, "password", PASSWORD).await;
    screenshot(browser, "02-sign-up").await;
    click(browser, "main button[type=submit]").await;
    assert_eq!(
        flash(browser).await,
        format!("Welcome, {USERNAME}! Your account is ready.")
    );
    assert_eq!(path_of(browser).await, "/offers");
    assert_eq!(text_of(browser, ".who strong").await, USERNAME);

    // Sign out, then sign in again with the keyboard only.
    click(browser, ".nav-account button").await;
    assert_eq!(flash(browser).await, "You are signed out.");
    assert_eq!(path_of(browser).await, "/");
    browser.goto(&server.url("/offers")).await.unwrap();
    assert_eq!(path_of(browser).await, "/login?next=%2Foffers");
    assert_eq!(flash(browser).await, "Please sign in to continue.");
    let focused = browser.active_element().await.unwrap();
    assert_eq!(
        focused.attr("id").await.unwrap().as_deref(),
        Some("username")
    );
    focused
        .send_keys(&format!("{USERNAME}\u{e004}"))
        .await
        .unwrap();
    let focused = browser.active_element().await.unwrap();
    assert_eq!(
        focused.attr("id").await.unwrap().as_deref(),
        Some("password")
    );
    focused.send_keys(PASSWORD).await.unwrap();
    screenshot(browser, "03-sign-in").await;
    navigating(browser, async {
        focused.send_keys("\u{e007}").await.unwrap()
    })
    .await;
    assert_eq!(flash(browser).await, format!("Signed in as {USERNAME}."));
    assert_eq!(path_of(browser).await, "/offers");
    assert!(text_of(browser, "main")
        .await
        .contains("not published any offers yet"));

    // Create an offer: first with a blank title, which is refused beside the field.
    click_link(browser, "New offer").await;
    assert_eq!(path_of(browser).await, "/offers/new");
    fill(browser, "title", "   ").await;
    fill(
        browser,
        "description",
        "Build a RESTful API.\nWork with the team.",
    )
    .await;
    fill(browser, "skills_list", "rust, sql\npostgres").await;
    click(browser, ".offer-form .actions button[type=submit]").await;
    assert!(text_of(browser, "#title-error")
        .await
        .ends_with("Must not be blank."));
    assert!(text_of(browser, ".error-summary")
        .await
        .contains("Title: Must not be blank."));
    let kept = browser.find(Locator::Id("skills_list")).await.unwrap();
    assert_eq!(
        kept.prop("value").await.unwrap().as_deref(),
        Some("rust, sql\npostgres")
    );
    screenshot(browser, "04-validation-error").await;
    fill(browser, "title", "Backend Engineer").await;
    click(browser, ".offer-form .actions button[type=submit]").await;
    assert_eq!(flash(browser).await, "Offer published");
    assert_eq!(listed_titles(browser).await, ["Backend Engineer"]);
    screenshot(browser, "05-my-offers").await;

    // The API sees the offer made in the browser, and the browser the one made through it.
    let (status, login) = server
        .api(
            "POST",
            "/api/v1/users/login",
            None,
            &json!({"username": USERNAME, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 200, "{login}");
    let (user_id, token) = (
        login["id"].as_i64().unwrap(),
        login["token"].as_str().unwrap(),
    );
    let offers_path = format!("/api/v1/users/{user_id}/offers/");
    let (status, listed) = server
        .api("GET", &offers_path, Some(token), &Value::Null)
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["offers"][0]["title"], "Backend Engineer");
    assert_eq!(
        listed["offers"][0]["description"],
        "Build a RESTful API.\nWork with the team."
    );
    assert_eq!(
        listed["offers"][0]["skills_list"],
        json!(["rust", "sql", "postgres"])
    );
    let from_api = json!({
        "title": "<script>alert(1)</script> Data Engineer",
        "description": "Pipelines",
        "skills_list": ["python", "CI/CD, GitOps"],
    });
    let (status, created) = server
        .api("POST", &offers_path, Some(token), &from_api)
        .await;
    assert_eq!(status, 201, "{created}");
    browser.refresh().await.unwrap();
    let titles = listed_titles(browser).await;
    assert_eq!(titles.len(), 2);
    assert!(titles.contains(&"<script>alert(1)</script> Data Engineer".to_owned()));
    assert!(
        browser.get_alert_text().await.is_err(),
        "the title is shown as text, never run"
    );

    // View, then edit.
    click_link(browser, "Backend Engineer").await;
    assert_eq!(text_of(browser, "h1").await, "Backend Engineer");
    assert_eq!(
        text_of(browser, ".description").await,
        "Build a RESTful API.\nWork with the team."
    );
    screenshot(browser, "06-view").await;
    click_link(browser, "Edit").await;
    assert!(path_of(browser).await.ends_with("/edit"));
    fill(browser, "title", "Senior Backend Engineer").await;
    fill(browser, "skills_list", "rust\nsql\nkubernetes").await;
    screenshot(browser, "07-edit").await;
    click(browser, ".offer-form .actions button[type=submit]").await;
    assert_eq!(flash(browser).await, "Offer updated");
    assert_eq!(text_of(browser, "h1").await, "Senior Backend Engineer");
    assert_eq!(text_of(browser, ".tags").await.lines().count(), 3);

    // Delete, with its confirmation.
    click_link(browser, "Delete").await;
    assert_eq!(text_of(browser, "h1").await, "Delete this offer?");
    screenshot(browser, "08-delete-confirmation").await;
    click(browser, "main button[type=submit]").await;
    assert_eq!(flash(browser).await, "Offer deleted");
    assert_eq!(
        listed_titles(browser).await,
        ["<script>alert(1)</script> Data Engineer"]
    );
    let (_, listed) = server
        .api("GET", &offers_path, Some(token), &Value::Null)
        .await;
    assert_eq!(listed["count"], 1);

    // On a phone the table becomes cards and nothing scrolls sideways.
    browser.set_window_size(390, 844).await.unwrap();
    browser.refresh().await.unwrap();
    let overflow = browser
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(overflow, json!(0), "no horizontal scrolling at 390 px");
    let row = browser
        .find(Locator::Css("table.offers tbody tr"))
        .await
        .unwrap();
    assert_eq!(row.css_value("display").await.unwrap(), "block");
    screenshot(browser, "09-my-offers-phone").await;
    browser.set_window_size(1280, 900).await.unwrap();

    // A missing offer is the site's own 404 page.
    browser.goto(&server.url("/offers/999999")).await.unwrap();
    assert_eq!(text_of(browser, "h1").await, "Page not found");
    screenshot(browser, "10-not-found").await;

    // Sign out.
    browser.goto(&server.url("/offers")).await.unwrap();
    click(browser, ".nav-account button").await;
    assert_eq!(flash(browser).await, "You are signed out.");
    assert!(browser.find(Locator::LinkText("Sign in")).await.is_ok());
    browser.goto(&server.url("/offers")).await.unwrap();
    assert!(path_of(browser).await.starts_with("/login"));
    screenshot(browser, "11-signed-out").await;

    // Swagger UI, outside the pages' policy, still renders.
    browser.goto(&server.url("/docs/")).await.unwrap();
    let title = text_of(browser, ".swagger-ui .info .title").await;
    assert!(title.starts_with("job-offers"), "{title}");
}

/// The titles of the board's results, in order.
async fn board_titles(browser: &Client) -> Vec<String> {
    let mut titles = Vec::new();
    for link in browser
        .find_all(Locator::Css(".results .result-title a"))
        .await
        .unwrap()
    {
        titles.push(link.text().await.unwrap());
    }
    titles
}

/// Two employers' offers through the API: 24 engineers (22 with Rust, spelled "Rust" or
/// "rust"; 2 with Go only), a designer and an analyst. The newest is a Rust engineer.
async fn seed_board(server: &Server) {
    let mut tokens = Vec::new();
    for username in ["acme", "globex"] {
        let account = json!({"username": username, "password": PASSWORD});
        let (status, _) = server
            .api("POST", "/api/v1/users/register", None, &account)
            .await;
        assert_eq!(status, 201);
        let (status, login) = server
            .api("POST", "/api/v1/users/login", None, &account)
            .await;
        assert_eq!(status, 200);
        tokens.push((
            login["id"].as_i64().unwrap(),
            login["token"].as_str().unwrap().to_owned(),
        ));
    }
    let mut offers = vec![
        ("Product Designer".to_owned(), vec!["Figma"]),
        ("Data Analyst".to_owned(), vec!["SQL"]),
        ("Go Engineer 23".to_owned(), vec!["Go"]),
        ("Go Engineer 24".to_owned(), vec!["Go", "Kubernetes"]),
    ];
    for n in 1..=22 {
        let rust = if n % 2 == 0 { "Rust" } else { "rust" };
        let other = ["Postgres", "Kubernetes", "SQL", "gRPC"][n % 4];
        offers.push((format!("Backend Engineer {n:02}"), vec![rust, other]));
    }
    for (index, (title, skills)) in offers.iter().enumerate() {
        let (user_id, token) = &tokens[index % 2];
        let body = json!({
            "title": title,
            "description": "Join a small team; we ship every day.",
            "skills_list": skills,
        });
        let path = format!("/api/v1/users/{user_id}/offers/");
        let (status, created) = server.api("POST", &path, Some(token), &body).await;
        assert_eq!(status, 201, "{created}");
    }
}

/// What a visitor does on the board: search, filter with a skill chip, page forwards and back.
async fn browse(browser: &Client, server: &Server) {
    seed_board(server).await;
    browser.goto(&server.url("/")).await.unwrap();
    assert_eq!(text_of(browser, "h1").await, "Jobs");
    assert_eq!(text_of(browser, ".result-count").await, "26 offers");
    let newest = board_titles(browser).await;
    assert_eq!(newest.len(), 20);
    assert_eq!(newest[0], "Backend Engineer 22");
    assert!(text_of(browser, ".result-meta").await.ends_with("just now"));
    screenshot(browser, "board-01-home").await;

    // Search with the form.
    fill(browser, "q", "engineer").await;
    click(browser, ".search button[type=submit]").await;
    assert_eq!(path_of(browser).await, "/?q=engineer");
    assert_eq!(text_of(browser, ".result-count").await, "24 offers");
    let found = board_titles(browser).await;
    assert_eq!(found.len(), 20);
    assert!(found.iter().all(|title| title.contains("Engineer")));
    let kept = browser.find(Locator::Id("q")).await.unwrap();
    assert_eq!(
        kept.prop("value").await.unwrap().as_deref(),
        Some("engineer")
    );
    screenshot(browser, "board-02-search").await;

    // A skill chip narrows the search, whatever the case the offers spell it in.
    click_link(browser, "Rust").await;
    assert_eq!(path_of(browser).await, "/?q=engineer&skills=Rust");
    assert_eq!(text_of(browser, ".result-count").await, "22 offers");
    let first_page = board_titles(browser).await;
    assert_eq!(first_page.len(), 20);
    assert!(first_page.iter().all(|title| title.starts_with("Backend")));
    let filters = text_of(browser, ".filters").await;
    let filters = filters.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        filters.contains("Search: engineer") && filters.contains("Skill: Rust"),
        "{filters:?}"
    );
    assert!(browser.find(Locator::Css("a[rel=prev]")).await.is_err());
    screenshot(browser, "board-03-filtered").await;

    // Next, then Previous: the query stays in the address and no offer shows twice.
    click(browser, "a[rel=next]").await;
    let second = path_of(browser).await;
    assert!(
        second.starts_with("/?q=engineer&skills=Rust&cursor="),
        "{second}"
    );
    let second_page = board_titles(browser).await;
    assert_eq!(second_page.len(), 2);
    assert!(second_page.iter().all(|title| !first_page.contains(title)));
    assert!(browser.find(Locator::Css("a[rel=next]")).await.is_err());
    screenshot(browser, "board-04-next").await;
    click(browser, "a[rel=prev]").await;
    assert!(path_of(browser)
        .await
        .starts_with("/?q=engineer&skills=Rust&cursor="));
    assert_eq!(board_titles(browser).await, first_page);
    assert_eq!(text_of(browser, ".result-count").await, "22 offers");

    // Removing the search keeps the skill.
    click(browser, ".filters .chip").await;
    assert_eq!(path_of(browser).await, "/?skills=Rust");
    assert_eq!(text_of(browser, ".result-count").await, "22 offers");

    // An offer's public page, signed out.
    click_link(browser, "Backend Engineer 22").await;
    assert_eq!(text_of(browser, "h1").await, "Backend Engineer 22");
    assert!(browser.find(Locator::LinkText("Edit")).await.is_err());
    screenshot(browser, "board-05-offer").await;

    // On a phone the board fits the screen.
    browser.set_window_size(390, 844).await.unwrap();
    browser.goto(&server.url("/?q=engineer")).await.unwrap();
    let overflow = browser
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(overflow, json!(0), "no horizontal scrolling at 390 px");
    screenshot(browser, "board-06-phone").await;
    browser.set_window_size(1280, 900).await.unwrap();
}

/// Runs `flow` in headless Chromium against a fresh server; on failure keeps a screenshot
/// named `failure-<name>.png`.
async fn in_browser<F>(name: &str, flow: F)
where
    F: for<'a> FnOnce(&'a Client, &'a Server) -> BoxFuture<'a, ()>,
{
    let server = Server::start().await;
    let driver = Chromedriver::start().await;
    let profile = ProfileDir(std::env::temp_dir().join(format!(
        "job-offers-chromium-{}",
        uuid::Uuid::new_v4().simple()
    )));
    let browser = open_browser(&driver, &profile.0).await;
    let outcome = std::panic::AssertUnwindSafe(flow(&browser, &server))
        .catch_unwind()
        .await;
    if outcome.is_err() {
        if let Ok(png) = browser.screenshot().await {
            let _ = std::fs::create_dir_all(screenshots_dir());
            let _ = std::fs::write(screenshots_dir().join(format!("failure-{name}.png")), png);
        }
    }
    let _ = browser.close().await;
    drop(driver);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[rocket::async_test]
async fn a_recruiter_manages_offers_end_to_end_in_a_real_browser() {
    in_browser("recruiter", |browser, server| walk(browser, server).boxed()).await;
}

#[rocket::async_test]
async fn a_visitor_searches_filters_and_pages_through_the_board_in_a_real_browser() {
    in_browser("board", |browser, server| browse(browser, server).boxed()).await;
}

/// Chooses `value` in the select found at `css`.
async fn choose(browser: &Client, css: &str, value: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("no select {css}: {error}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|error| panic!("no option {value} in {css}: {error}"));
}

/// Types `text` into the field found at `css`, replacing what it held.
async fn type_into(browser: &Client, css: &str, text: &str) {
    let field = browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("no field {css}: {error}"));
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// A recruiter's offer from draft to filled: saved as a draft with pay and place, published
/// from "My offers", found on the board by country and salary, read with its pay and Apply,
/// closed as filled, and gone from the board.
async fn hire(browser: &Client, server: &Server) {
    // Someone else's offer in France, which the filters must leave out.
    let login = server.api_user("parisco").await;
    let (status, _) = server
        .api(
            "POST",
            &format!("/api/v1/users/{}/offers/", login["id"]),
            login["token"].as_str(),
            &json!({"title": "Paris analyst", "description": "Numbers", "locations": [{"country": "FR"}],
                    "salary": {"currency": "EUR", "min": 70000, "max": 90000, "period": "YEAR"}}),
        )
        .await;
    assert_eq!(status, 201);

    browser.goto(&server.url("/register")).await.unwrap();
    fill(browser, "username", "robotics").await;
    fill(browser, "password", PASSWORD).await;
    click(browser, "main button[type=submit]").await;
    click_link(browser, "New offer").await;
    fill(browser, "title", "Robotics Engineer").await;
    fill(browser, "description", "Build warehouse robots.").await;
    fill(browser, "skills_list", "rust, ros").await;
    click_checkbox(browser, r#"input[name=employment_types][value=FULL_TIME]"#).await;
    choose(browser, "#workplace", "hybrid").await;
    choose(browser, r#"select[name="locations[0].country"]"#, "DE").await;
    type_into(browser, r#"input[name="locations[0].city"]"#, "Berlin").await;
    type_into(browser, r#"input[name=salary_min]"#, "60000").await;
    type_into(browser, r#"input[name=salary_max]"#, "80000").await;
    choose(browser, r#"select[name=salary_currency]"#, "EUR").await;
    choose(browser, r#"select[name=salary_period]"#, "YEAR").await;
    fill(browser, "apply_url", "https://robots.example/jobs/1").await;
    screenshot(browser, "hire-01-form").await;
    click(browser, "button[name=intent][value=draft]").await;
    assert_eq!(flash(browser).await, "Draft saved");
    assert_eq!(text_of(browser, "table.offers .status").await, "Draft");
    browser.goto(&server.url("/")).await.unwrap();
    assert_eq!(
        board_titles(browser).await,
        ["Paris analyst"],
        "a draft is not on the board"
    );

    browser.goto(&server.url("/offers")).await.unwrap();
    click(browser, "table.offers button[name=status][value=published]").await;
    assert_eq!(flash(browser).await, "Offer published");
    assert_eq!(text_of(browser, "table.offers .status").await, "Published");
    screenshot(browser, "hire-02-my-offers").await;

    // A candidate in Germany looking for at least 55 000 EUR a year.
    browser.goto(&server.url("/")).await.unwrap();
    browser
        .find(Locator::Css(".board-filters summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    choose(browser, "#country", "DE").await;
    type_into(browser, "#salary_min", "55000").await;
    choose(browser, "#currency", "EUR").await;
    click(browser, ".board-filters button[type=submit]").await;
    let path = path_of(browser).await;
    assert!(
        path.contains("country=DE")
            && path.contains("salary_min=55000")
            && path.contains("currency=EUR"),
        "{path}"
    );
    assert_eq!(board_titles(browser).await, ["Robotics Engineer"]);
    screenshot(browser, "hire-03-board-filtered").await;

    click_link(browser, "Robotics Engineer").await;
    assert_eq!(
        text_of(browser, ".salary").await,
        "EUR 60,000–80,000 a year"
    );
    assert_eq!(text_of(browser, ".locations").await, "Berlin, Germany");
    let apply = browser.find(Locator::Css(".button-apply")).await.unwrap();
    assert_eq!(
        apply.attr("href").await.unwrap().as_deref(),
        Some("https://robots.example/jobs/1")
    );
    screenshot(browser, "hire-04-offer").await;

    // Filled: closed as such, it says so and leaves the board.
    choose(browser, "#close_reason", "filled").await;
    click(browser, ".close-form button[type=submit]").await;
    assert_eq!(
        flash(browser).await,
        "Offer closed: it no longer takes applications"
    );
    assert!(text_of(browser, ".notice-closed")
        .await
        .contains("no longer accepts applications"));
    assert!(browser.find(Locator::Css(".button-apply")).await.is_err());
    browser.goto(&server.url("/?country=DE")).await.unwrap();
    assert!(
        board_titles(browser).await.is_empty(),
        "gone from the board"
    );
    screenshot(browser, "hire-05-closed").await;
}

async fn click_checkbox(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("no checkbox {css}: {error}"))
        .click()
        .await
        .unwrap();
}

#[rocket::async_test]
async fn a_recruiter_drafts_publishes_and_fills_an_offer_candidates_find_in_a_real_browser() {
    in_browser("hire", |browser, server| hire(browser, server).boxed()).await;
}

/// Waits for `css` to appear (Swagger UI renders after its scripts run).
async fn element(browser: &Client, css: &str) -> fantoccini::elements::Element {
    browser
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("{css} never appeared: {error}"))
}

/// Swagger UI at /docs: every operation is listed with its summary, and a person can paste a
/// token into Authorize and call a protected operation from the page.
async fn use_swagger_ui(browser: &Client, server: &Server) {
    let account = json!({"username": "swagger", "password": PASSWORD});
    let (status, registered) = server
        .api("POST", "/api/v1/users/register", None, &account)
        .await;
    assert_eq!(status, 201);
    let (_, login) = server
        .api("POST", "/api/v1/users/login", None, &account)
        .await;
    let token = login["token"].as_str().unwrap().to_owned();
    let user_id = registered["id"].as_i64().unwrap();
    let offer = json!({"title": "Swagger-listed offer", "description": "d", "skills_list": []});
    let (status, _) = server
        .api(
            "POST",
            &format!("/api/v1/users/{user_id}/offers/"),
            Some(&token),
            &offer,
        )
        .await;
    assert_eq!(status, 201);

    browser.goto(&server.url("/docs")).await.unwrap();
    element(browser, ".opblock").await;
    let mut summaries = Vec::new();
    for summary in browser
        .find_all(Locator::Css(".opblock-summary-description"))
        .await
        .unwrap()
    {
        summaries.push(summary.text().await.unwrap());
    }
    for expected in [
        "Register a user",
        "Log in",
        "List a user's offers",
        "Create an offer",
        "Get an offer",
        "Update an offer",
        "Delete an offer",
        "Search the job board",
        "Get a published offer",
    ] {
        assert!(
            summaries.iter().any(|s| s == expected),
            "{expected} in {summaries:?}"
        );
    }
    screenshot(browser, "docs-01-operations").await;

    // Authorize: paste the token into the bearer scheme's dialog.
    element(browser, ".auth-wrapper .authorize")
        .await
        .click()
        .await
        .unwrap();
    let input = element(browser, ".modal-ux input").await;
    input.send_keys(&token).await.unwrap();
    element(browser, ".modal-ux .auth-btn-wrapper .authorize")
        .await
        .click()
        .await
        .unwrap();
    element(browser, ".modal-ux .auth-btn-wrapper .btn-done")
        .await
        .click()
        .await
        .unwrap();

    // Try a protected operation from the page.
    element(browser, "#operations-Offers-listOffers .opblock-summary")
        .await
        .click()
        .await
        .unwrap();
    element(browser, "#operations-Offers-listOffers .try-out__btn")
        .await
        .click()
        .await
        .unwrap();
    element(
        browser,
        "#operations-Offers-listOffers tr[data-param-name=\"user_id\"] input",
    )
    .await
    .send_keys(&user_id.to_string())
    .await
    .unwrap();
    element(browser, "#operations-Offers-listOffers .execute")
        .await
        .click()
        .await
        .unwrap();
    let status = element(
        browser,
        "#operations-Offers-listOffers .live-responses-table tr.response .response-col_status",
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(status.starts_with("200"), "{status}");
    let body = element(
        browser,
        "#operations-Offers-listOffers .live-responses-table .microlight",
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(body.contains("Swagger-listed offer"), "{body}");
    screenshot(browser, "docs-02-authorized-call").await;
}

#[rocket::async_test]
async fn swagger_ui_lists_every_operation_and_calls_the_api_with_a_pasted_token() {
    in_browser("swagger", |browser, server| {
        use_swagger_ui(browser, server).boxed()
    })
    .await;
}

/// A candidate applies with a PDF from the offer's page; the employer finds the application
/// from "My offers", reads it and moves it to interview; the candidate's private link then
/// says "Interview".
async fn apply_and_review(browser: &Client, server: &Server) {
    let login = server.api_user("hiringco").await;
    let (status, offer) = server
        .api(
            "POST",
            &format!("/api/v1/users/{}/offers/", login["id"]),
            login["token"].as_str(),
            &json!({"title": "Data Engineer", "description": "Pipelines", "apply_native": true}),
        )
        .await;
    assert_eq!(status, 201);

    // The candidate, signed out, applies with a PDF.
    let cv = std::env::temp_dir().join(format!(
        "job-offers-cv-{}.pdf",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(
        &cv,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )
    .unwrap();
    browser
        .goto(&server.url(&format!("/offers/{}", offer["id"])))
        .await
        .unwrap();
    let to_form = browser
        .find(Locator::LinkText("Apply on this site"))
        .await
        .unwrap();
    assert_eq!(
        to_form.attr("href").await.unwrap().as_deref(),
        Some("#apply")
    );
    fill(browser, "name", "Grace Hopper").await;
    fill(browser, "email", "grace@example.com").await;
    browser
        .find(Locator::Id("cv"))
        .await
        .unwrap()
        .send_keys(cv.to_str().unwrap())
        .await
        .unwrap();
    click_checkbox(browser, "#consent").await;
    screenshot(browser, "apply-01-form").await;
    click(browser, ".apply-form button[type=submit]").await;
    std::fs::remove_file(&cv).ok();
    assert!(flash(browser).await.starts_with("Application sent"));
    assert_eq!(text_of(browser, ".stage").await, "New");
    let status_page = path_of(browser).await;
    assert!(status_page.starts_with("/candidate/"), "{status_page}");
    screenshot(browser, "apply-02-status").await;

    // The employer signs in, sees it counted on "My offers", opens it and moves it on.
    browser.goto(&server.url("/login")).await.unwrap();
    fill(browser, "username", "hiringco").await;
    fill(browser, "password", PASSWORD).await;
    click(browser, "main button[type=submit]").await;
    browser.goto(&server.url("/offers")).await.unwrap();
    assert_eq!(
        text_of(browser, ".application-counts [data-stage=new]").await,
        "1 new"
    );
    click(browser, ".application-counts [data-stage=new]").await;
    click_link(browser, "Grace Hopper").await;
    assert_eq!(text_of(browser, "h1").await, "Grace Hopper");
    assert_eq!(text_of(browser, ".cv-download").await, "Download the CV");
    choose(browser, "#stage", "interview").await;
    type_into(browser, "#note", "Great systems background").await;
    screenshot(browser, "apply-03-review").await;
    click(browser, ".change-form button[type=submit]").await;
    assert_eq!(flash(browser).await, "Moved to Interview");
    assert!(text_of(browser, ".notes")
        .await
        .contains("Great systems background"));

    // The candidate's link says so.
    browser.goto(&server.url(&status_page)).await.unwrap();
    assert_eq!(text_of(browser, ".stage").await, "Interview");
    screenshot(browser, "apply-04-interview").await;
}

#[rocket::async_test]
async fn a_candidate_applies_with_a_pdf_and_follows_the_employers_review_in_a_real_browser() {
    in_browser("apply", |browser, server| {
        apply_and_review(browser, server).boxed()
    })
    .await;
}
