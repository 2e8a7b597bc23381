//! What search engines and aggregators read: the JobPosting JSON-LD of an offer page (taken
//! out of the HTML with an HTML parser and read as JSON), canonical addresses and their
//! redirects, the head's tags, gone offers (noindex, 410), robots.txt and the sitemaps (read
//! with an XML parser).

use chrono::{DateTime, Timelike};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use rocket::http::{ContentType, Status};
use serde_json::{json, Value};

use crate::board::ids;
use crate::helpers::{body_json, spawn_app, spawn_app_with, TestApp, TestUser};
use crate::web::{location, Page};

const SITE: &str = "https://jobs.example.com";
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

async fn app() -> TestApp {
    spawn_app_with(|figment| figment.merge(("public_url", format!("{SITE}/")))).await
}

async fn post(app: &TestApp, user: &TestUser, body: Value) -> i64 {
    app.create_offer(user, &body).await["id"].as_i64().unwrap()
}

/// What `GET /api/v1/offers/{id}` answers.
async fn public_status(app: &TestApp, id: i64) -> Status {
    app.get(&format!("/api/v1/offers/{id}"), None)
        .await
        .status()
}

/// Deletes `user`'s offer `id` through the API.
async fn delete(app: &TestApp, user: &TestUser, id: i64) {
    let response = app
        .delete(&format!("/api/v1/users/{}/offers/{id}", user.id), user)
        .await;
    assert_eq!(response.status(), Status::Ok);
}

fn offer(title: &str, extra: Value) -> Value {
    let mut body = json!({
        "title": title,
        "description": "Build the API.\n\nShip it & <measure> it.",
        "skills_list": ["rust"],
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    body
}

/// The page's JobPosting blocks, each read as JSON.
fn job_postings(page: &Page) -> Vec<Value> {
    page.select(r#"script[type="application/ld+json"]"#)
        .iter()
        .map(|script| {
            let json = script.raw_text();
            serde_json::from_str(&json).unwrap_or_else(|error| panic!("{error}: {json}"))
        })
        .collect()
}

/// The canonical page of offer `id`, reached from its short address as a browser would.
async fn offer_page(app: &TestApp, id: i64) -> (String, Page) {
    let visitor = app.visitor();
    let moved = visitor.get(&format!("/offers/{id}")).await;
    assert_eq!(moved.status(), Status::MovedPermanently);
    let canonical = location(&moved);
    let page = visitor.get_page(&canonical, Status::Ok).await;
    (canonical, page)
}

/// Google's required properties, and the types of what is there.
fn assert_google_valid(posting: &Value) {
    assert_eq!(posting["@context"], "https://schema.org");
    assert_eq!(posting["@type"], "JobPosting");
    for required in ["title", "description", "datePosted", "hiringOrganization"] {
        assert!(posting.get(required).is_some(), "{required}: {posting}");
    }
    DateTime::parse_from_rfc3339(posting["datePosted"].as_str().unwrap()).unwrap();
    if let Some(until) = posting.get("validThrough") {
        DateTime::parse_from_rfc3339(until.as_str().unwrap()).unwrap();
    }
    assert_eq!(posting["hiringOrganization"]["@type"], "Organization");
    let remote = posting.get("jobLocationType") == Some(&json!("TELECOMMUTE"));
    assert!(
        posting.get("jobLocation").is_some()
            || (remote && posting.get("applicantLocationRequirements").is_some()),
        "jobLocation: {posting}"
    );
    for place in posting["jobLocation"].as_array().into_iter().flatten() {
        assert_eq!(place["@type"], "Place");
        assert_eq!(place["address"]["@type"], "PostalAddress");
        assert!(place["address"]["addressCountry"].is_string());
    }
    assert_eq!(posting["identifier"]["@type"], "PropertyValue");
    // No property is sent without data.
    for (name, value) in posting.as_object().unwrap() {
        assert!(
            !(value.is_null() || value == "" || value == &json!([])),
            "{name}: {posting}"
        );
    }
}

#[rocket::async_test]
async fn an_on_site_offer_with_pay_carries_a_complete_job_posting() {
    let app = app().await;
    let acme = app.user("acme").await;
    let response = app
        .put_json(
            &format!("/api/v1/users/{}", acme.id),
            &acme,
            &json!({"display_name": "ACME GmbH", "website": "https://acme.example"}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let id = post(
        &app,
        &acme,
        offer(
            "Senior Rust Engineer (m/w/d)",
            json!({
                "employment_types": ["FULL_TIME", "CONTRACTOR"],
                "workplace": "on_site",
                "locations": [{"city": "Berlin", "region": "BE", "postal_code": "10115", "country": "DE"}],
                "salary": {"currency": "EUR", "min": 85000, "max": 105000, "period": "YEAR"},
                "apply_url": "https://acme.example/apply",
            }),
        ),
    )
    .await;
    let (canonical, page) = offer_page(&app, id).await;
    assert_eq!(
        canonical,
        format!("/offers/{id}-senior-rust-engineer-m-w-d")
    );
    let postings = job_postings(&page);
    assert_eq!(postings.len(), 1);
    let posting = &postings[0];
    assert_google_valid(posting);
    assert_eq!(posting["title"], "Senior Rust Engineer (m/w/d)");
    assert_eq!(
        posting["description"],
        "<p>Build the API.</p><p>Ship it &amp; &lt;measure&gt; it.</p>"
    );
    assert_eq!(
        posting["employmentType"],
        json!(["FULL_TIME", "CONTRACTOR"])
    );
    assert_eq!(
        posting["hiringOrganization"],
        json!({"@type": "Organization", "name": "ACME GmbH", "sameAs": "https://acme.example"})
    );
    assert_eq!(
        posting["jobLocation"],
        json!([{"@type": "Place", "address": {
            "@type": "PostalAddress", "addressLocality": "Berlin", "addressRegion": "BE",
            "postalCode": "10115", "addressCountry": "DE"}}])
    );
    assert!(posting.get("jobLocationType").is_none());
    assert_eq!(
        posting["baseSalary"],
        json!({"@type": "MonetaryAmount", "currency": "EUR", "value": {
            "@type": "QuantitativeValue", "minValue": 85000, "maxValue": 105000, "unitText": "YEAR"}})
    );
    assert_eq!(
        posting["identifier"],
        json!({"@type": "PropertyValue", "name": "Job offers", "value": id.to_string()})
    );
    assert_eq!(posting["directApply"], false);
    assert_eq!(posting["url"], format!("{SITE}{canonical}"));
    let api = body_json(app.get(&format!("/api/v1/offers/{id}"), None).await).await;
    assert_eq!(
        DateTime::parse_from_rfc3339(posting["datePosted"].as_str().unwrap()).unwrap(),
        DateTime::parse_from_rfc3339(api["first_published_at"].as_str().unwrap())
            .unwrap()
            .with_nanosecond(0)
            .unwrap()
    );
    assert!(posting["validThrough"].is_string());

    // The head names the one address and describes the offer.
    assert_eq!(
        page.attr(r#"link[rel="canonical"]"#, "href").unwrap(),
        format!("{SITE}{canonical}")
    );
    assert_eq!(
        page.attr(r#"meta[property="og:url"]"#, "href")
            .or(page.attr(r#"meta[property="og:url"]"#, "content"))
            .unwrap(),
        format!("{SITE}{canonical}")
    );
    assert_eq!(
        page.attr(r#"meta[property="og:title"]"#, "content")
            .unwrap(),
        "Senior Rust Engineer (m/w/d)"
    );
    assert_eq!(
        page.attr(r#"meta[name="description"]"#, "content").unwrap(),
        "Build the API. Ship it & <measure> it."
    );
    assert_eq!(
        page.attr(r#"meta[property="og:description"]"#, "content")
            .unwrap(),
        "Build the API. Ship it & <measure> it."
    );
    assert_eq!(
        page.attr(r#"meta[property="og:type"]"#, "content").unwrap(),
        "article"
    );
    assert!(page
        .text("title")
        .starts_with("Senior Rust Engineer (m/w/d)"));
    assert!(!page.has(r#"meta[name="robots"]"#));
}

#[rocket::async_test]
async fn remote_and_unpaid_offers_say_where_candidates_may_live_and_leave_out_pay() {
    let app = app().await;
    let acme = app.user("acme").await;
    let remote = post(
        &app,
        &acme,
        offer(
            "Remote Go Developer",
            json!({"workplace": "remote", "remote_countries": ["DE", "PL"],
                   "employment_types": ["PART_TIME"],
                   "salary": {"currency": "USD", "min": 60, "max": 60, "period": "HOUR"}}),
        ),
    )
    .await;
    let posting = &job_postings(&offer_page(&app, remote).await.1)[0];
    assert_google_valid(posting);
    assert_eq!(posting["jobLocationType"], "TELECOMMUTE");
    assert_eq!(
        posting["applicantLocationRequirements"],
        json!([{"@type": "Country", "name": "Germany"}, {"@type": "Country", "name": "Poland"}])
    );
    assert!(posting.get("jobLocation").is_none());
    // One amount is a value, not a range.
    assert_eq!(
        posting["baseSalary"]["value"],
        json!({"@type": "QuantitativeValue", "value": 60, "unitText": "HOUR"})
    );

    // The original's offer: only a title, a description and skills.
    let plain = post(&app, &acme, offer("Backend Engineer", json!({}))).await;
    let posting = &job_postings(&offer_page(&app, plain).await.1)[0];
    for absent in [
        "baseSalary",
        "jobLocation",
        "jobLocationType",
        "employmentType",
        "directApply",
        "applicantLocationRequirements",
    ] {
        assert!(posting.get(absent).is_none(), "{absent}: {posting}");
    }
    assert_eq!(posting["hiringOrganization"]["name"], "acme");
    assert!(posting["hiringOrganization"].get("sameAs").is_none());
}

#[rocket::async_test]
async fn no_title_can_break_out_of_the_json_ld_block() {
    let app = app().await;
    let acme = app.user("acme").await;
    let title = "</script><script>alert(1)</script>";
    let id = post(&app, &acme, offer(title, json!({}))).await;
    let (_, page) = offer_page(&app, id).await;
    // One script element, a data block: nothing of the title became an element.
    assert_eq!(page.count("script"), 1);
    assert_eq!(page.count(r#"script[type="application/ld+json"]"#), 1);
    assert_eq!(job_postings(&page)[0]["title"], title);
    assert!(!page.source().contains("<script>alert(1)"));
}

#[rocket::async_test]
async fn an_offer_has_one_address_and_its_others_move_there_for_good() {
    let app = app().await;
    let acme = app.user("acme").await;
    let id = post(
        &app,
        &acme,
        offer("Développeuse Back-end — Zürich", json!({})),
    )
    .await;
    let canonical = format!("/offers/{id}-developpeuse-back-end-zurich");
    let visitor = app.visitor();
    for other in [
        format!("/offers/{id}"),
        format!("/offers/{id}-old-title"),
        format!("/offers/{id}-"),
    ] {
        let response = visitor.get(&other).await;
        assert_eq!(response.status(), Status::MovedPermanently, "{other}");
        assert_eq!(location(&response), canonical, "{other}");
    }
    visitor.get_page(&canonical, Status::Ok).await;
    // A new title moves the address; the old one follows it.
    let response = app
        .put_json(
            &format!("/api/v1/users/{}/offers/{id}", acme.id),
            &acme,
            &json!({"title": "Staff Engineer"}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let response = visitor.get(&canonical).await;
    assert_eq!(response.status(), Status::MovedPermanently);
    assert_eq!(location(&response), format!("/offers/{id}-staff-engineer"));
    // The board and "My offers" link to the canonical address.
    let board = visitor.get_page("/", Status::Ok).await;
    assert_eq!(
        board.attr(".result-title a", "href").unwrap(),
        format!("/offers/{id}-staff-engineer")
    );
    // Not an id: not found, never a redirect.
    for missing in ["/offers/x-staff", "/offers/0-a", "/offers/99999-staff"] {
        assert_eq!(
            visitor.get(missing).await.status(),
            Status::NotFound,
            "{missing}"
        );
    }
}

#[rocket::async_test]
async fn the_board_names_its_own_address_and_only_the_plain_board_is_indexed() {
    let app = app().await;
    let visitor = app.visitor();
    let board = visitor.get_page("/", Status::Ok).await;
    assert_eq!(
        board.attr(r#"link[rel="canonical"]"#, "href").unwrap(),
        format!("{SITE}/")
    );
    assert_eq!(
        board
            .attr(r#"meta[property="og:type"]"#, "content")
            .unwrap(),
        "website"
    );
    assert_eq!(
        board.attr(r#"meta[property="og:url"]"#, "content").unwrap(),
        format!("{SITE}/")
    );
    assert!(board
        .attr(r#"meta[name="description"]"#, "content")
        .is_some());
    assert!(board
        .attr(r#"meta[property="og:title"]"#, "content")
        .is_some());
    assert!(!board.has(r#"meta[name="robots"]"#));
    let search = visitor.get_page("/?skills=rust", Status::Ok).await;
    assert_eq!(
        search.attr(r#"link[rel="canonical"]"#, "href").unwrap(),
        format!("{SITE}/?skills=rust")
    );
    assert_eq!(
        search.attr(r#"meta[name="robots"]"#, "content").unwrap(),
        "noindex"
    );
}

#[rocket::async_test]
async fn closed_and_expired_offers_stay_up_unindexed_and_without_structured_data() {
    let app = app().await;
    let acme = app.user("acme").await;
    let closed = post(&app, &acme, offer("Filled job", json!({}))).await;
    let response = app
        .put_json(
            &format!("/api/v1/users/{}/offers/{closed}", acme.id),
            &acme,
            &json!({"status": "closed", "close_reason": "filled"}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let expired = post(&app, &acme, offer("Old job", json!({}))).await;
    sqlx::query("UPDATE offers SET valid_through = now() - interval '1 second' WHERE id = $1")
        .bind(expired)
        .execute(&app.db)
        .await
        .unwrap();
    for id in [closed, expired] {
        let (_, page) = offer_page(&app, id).await;
        assert!(page
            .text(".notice-closed")
            .contains("no longer accepts applications"));
        assert_eq!(
            page.attr(r#"meta[name="robots"]"#, "content").unwrap(),
            "noindex"
        );
        assert!(job_postings(&page).is_empty(), "{id}");
        assert!(!page.has("script"));
    }
}

#[rocket::async_test]
async fn a_deleted_offer_is_gone_for_as_long_as_its_tombstone_is_kept() {
    let app = app().await;
    let acme = app.user("acme").await;
    let id = post(&app, &acme, offer("Deleted job", json!({}))).await;
    delete(&app, &acme, id).await;

    let api = app.get(&format!("/api/v1/offers/{id}"), None).await;
    assert_eq!(api.status(), Status::Gone);
    assert_eq!(api.content_type(), Some(ContentType::JSON));
    assert_eq!(
        body_json(api).await,
        json!({"message": format!("offer removed {id}")})
    );
    let visitor = app.visitor();
    for address in [format!("/offers/{id}"), format!("/offers/{id}-deleted-job")] {
        let page = visitor.get_page(&address, Status::Gone).await;
        assert!(page.text("h1").contains("removed"), "{address}");
    }
    // The owner's routes keep the original's answer.
    let owner = app
        .get(&format!("/api/v1/users/{}/offers/{id}", acme.id), &acme)
        .await;
    assert_eq!(owner.status(), Status::NotFound);
    assert_eq!(
        body_json(owner).await,
        json!({"message": format!("offer not found {id}")})
    );
    // A draft was never public: it leaves no tombstone.
    let draft = post(&app, &acme, offer("Draft", json!({"status": "draft"}))).await;
    delete(&app, &acme, draft).await;
    assert_eq!(public_status(&app, draft).await, Status::NotFound);
    // Past the kept time (90 days by default), the address is simply unknown.
    sqlx::query("UPDATE offer_tombstones SET deleted_at = now() - interval '91 days'")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(public_status(&app, id).await, Status::NotFound);
    visitor
        .get_page(&format!("/offers/{id}"), Status::NotFound)
        .await;
}

#[rocket::async_test]
async fn the_tombstones_kept_time_is_configurable() {
    let app = spawn_app_with(|figment| figment.merge(("tombstone_days", 1))).await;
    let acme = app.user("acme").await;
    let id = app.publish(&acme, "Gone", &[], "Soon").await;
    delete(&app, &acme, id).await;
    assert_eq!(public_status(&app, id).await, Status::Gone);
    sqlx::query("UPDATE offer_tombstones SET deleted_at = now() - interval '25 hours'")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(public_status(&app, id).await, Status::NotFound);
}

#[rocket::async_test]
async fn only_the_owner_is_told_what_search_engines_miss() {
    let app = app().await;
    let visitor = app.visitor();
    visitor.sign_up("alice").await;
    let alice = crate::helpers::TestUser {
        id: 1,
        token: app.login("alice").await,
    };
    let id = post(
        &app,
        &alice,
        offer("Backend Engineer", json!({"workplace": "remote"})),
    )
    .await;
    let (canonical, page) = offer_page(&app, id).await;
    let missing: Vec<String> = page
        .select(".readiness-missing li")
        .iter()
        .map(|item| item.attr("data-property").unwrap().to_owned())
        .collect();
    assert_eq!(
        missing,
        [
            "jobLocation",
            "applicantLocationRequirements",
            "baseSalary",
            "employmentType",
            "directApply"
        ]
    );
    assert!(page.text(".readiness").contains("required"));
    let stranger = app.new_visitor().await;
    assert!(!stranger
        .get_page(&canonical, Status::Ok)
        .await
        .has(".readiness"));
}

#[rocket::async_test]
async fn robots_txt_names_the_sitemap_and_keeps_forms_accounts_and_the_api_out() {
    let app = app().await;
    let response = app.get("/robots.txt", None).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::Plain));
    let text = response.into_string().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&"User-agent: *"));
    for kept_out in ["/offers/*/edit", "/login", "/register", "/api/"] {
        assert!(
            lines.contains(&format!("Disallow: {kept_out}").as_str()),
            "{text}"
        );
    }
    assert!(
        lines.contains(&format!("Sitemap: {SITE}/sitemap.xml").as_str()),
        "{text}"
    );
    assert!(!lines.contains(&"Disallow: /"), "{text}");
}

/// A sitemap file as an XML parser reads it: its root element (namespace checked), the
/// addresses it lists with their lastmod, or the sitemap files it lists.
#[derive(Debug, Default)]
struct Sitemap {
    root: String,
    urls: Vec<(String, Option<String>)>,
    files: Vec<String>,
}

fn read_sitemap(xml: &str) -> Sitemap {
    let mut reader = NsReader::from_str(xml);
    let mut sitemap = Sitemap::default();
    let mut path: Vec<String> = Vec::new();
    loop {
        let (namespace, event) = reader.read_resolved_event().expect("well-formed XML");
        match event {
            Event::Start(start) => {
                assert_eq!(
                    namespace,
                    ResolveResult::Bound(quick_xml::name::Namespace(SITEMAP_NS.as_bytes())),
                    "every element in the sitemaps namespace"
                );
                let name = String::from_utf8(start.local_name().as_ref().to_vec()).unwrap();
                if path.is_empty() {
                    sitemap.root = name.clone();
                }
                if name == "url" {
                    sitemap.urls.push((String::new(), None));
                }
                path.push(name);
            }
            Event::Text(text) => {
                let text = text.decode().unwrap().into_owned();
                let text = quick_xml::escape::unescape(&text).unwrap().into_owned();
                match path.iter().map(String::as_str).collect::<Vec<_>>()[..] {
                    ["urlset", "url", "loc"] => sitemap.urls.last_mut().unwrap().0 += &text,
                    ["urlset", "url", "lastmod"] => {
                        sitemap.urls.last_mut().unwrap().1 = Some(text);
                    }
                    ["sitemapindex", "sitemap", "loc"] => sitemap.files.push(text),
                    _ => {}
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    sitemap
}

async fn fetch_sitemap(app: &TestApp, uri: &str) -> Sitemap {
    let response = app.get(uri, None).await;
    assert_eq!(response.status(), Status::Ok, "{uri}");
    assert_eq!(
        response.content_type().map(|kind| kind.to_string()),
        Some("application/xml; charset=utf-8".to_owned())
    );
    read_sitemap(&response.into_string().await.unwrap())
}

/// The open offers' canonical addresses and the board, as a sitemap should list them.
async fn open_offer_urls(app: &TestApp) -> Vec<String> {
    let mut urls = vec![format!("{SITE}/")];
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, title FROM offers WHERE status = 'published' AND valid_through > now() \
         ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    for (id, title) in rows {
        urls.push(format!(
            "{SITE}{}",
            job_offers::domain::job_posting::canonical_path(id, &title)
        ));
    }
    urls
}

async fn a_board_of_every_status(app: &TestApp) {
    let acme = app.user("acme").await;
    for n in 0..5 {
        app.publish(&acme, &format!("Open {n}"), &[], "Yes").await;
    }
    post(app, &acme, offer("Draft", json!({"status": "draft"}))).await;
    let closed = app.publish(&acme, "Closed", &[], "No").await;
    app.put_json(
        &format!("/api/v1/users/{}/offers/{closed}", acme.id),
        &acme,
        &json!({"status": "closed", "close_reason": "withdrawn"}),
    )
    .await;
    let expired = app.publish(&acme, "Expired", &[], "No").await;
    sqlx::query("UPDATE offers SET valid_through = now() - interval '1 second' WHERE id = $1")
        .bind(expired)
        .execute(&app.db)
        .await
        .unwrap();
    app.publish(&acme, "Open & <last>", &[], "Yes").await;
}

#[rocket::async_test]
async fn the_sitemap_lists_the_board_and_every_open_offer_with_its_last_change() {
    let app = app().await;
    a_board_of_every_status(&app).await;
    let sitemap = fetch_sitemap(&app, "/sitemap.xml").await;
    assert_eq!(sitemap.root, "urlset");
    let listed: Vec<String> = sitemap.urls.iter().map(|(loc, _)| loc.clone()).collect();
    assert_eq!(listed, open_offer_urls(&app).await);
    assert_eq!(listed.len(), 7);
    assert!(
        listed.contains(&format!("{SITE}/offers/9-open-last")),
        "{listed:?}"
    );
    for (loc, lastmod) in &sitemap.urls[1..] {
        // W3C datetime, to the second, in UTC.
        let lastmod = lastmod
            .as_deref()
            .unwrap_or_else(|| panic!("{loc} has no lastmod"));
        assert!(lastmod.ends_with('Z') && lastmod.len() == 20, "{lastmod}");
        DateTime::parse_from_rfc3339(lastmod).unwrap();
    }
}

#[rocket::async_test]
async fn past_its_limit_the_sitemap_becomes_an_index_of_files_within_the_limit() {
    let app = spawn_app_with(|figment| {
        figment
            .merge(("public_url", SITE))
            .merge(("sitemap_max_urls", 3))
    })
    .await;
    a_board_of_every_status(&app).await;
    let index = fetch_sitemap(&app, "/sitemap.xml").await;
    assert_eq!(index.root, "sitemapindex");
    assert!(index.urls.is_empty());
    let mut listed = Vec::new();
    for file in &index.files {
        let path = file.strip_prefix(SITE).unwrap_or_else(|| panic!("{file}"));
        let part = fetch_sitemap(&app, path).await;
        assert_eq!(part.root, "urlset", "{file}");
        assert!(part.urls.len() <= 3, "{file}: {:?}", part.urls);
        listed.extend(part.urls.into_iter().map(|(loc, _)| loc));
    }
    assert_eq!(listed, open_offer_urls(&app).await);
    for missing in ["/sitemaps/0.xml", "/sitemaps/x.xml", "/sitemaps/1"] {
        assert_eq!(
            app.get(missing, None).await.status(),
            Status::NotFound,
            "{missing}"
        );
    }
}

#[rocket::async_test]
async fn an_empty_site_has_a_sitemap_of_its_board() {
    let app = spawn_app().await;
    let sitemap = fetch_sitemap(&app, "/sitemap.xml").await;
    assert_eq!(sitemap.root, "urlset");
    assert_eq!(sitemap.urls, [("http://localhost:5000/".to_owned(), None)]);
}

async fn fetch_feed(app: &TestApp, uri: &str) -> (feed_rs::model::Feed, String) {
    let response = app.get(uri, None).await;
    assert_eq!(response.status(), Status::Ok, "{uri}");
    assert_eq!(
        response.content_type().map(|kind| kind.to_string()),
        Some("application/atom+xml; charset=utf-8".to_owned())
    );
    let etag = response.headers().get_one("ETag").unwrap().to_owned();
    let body = response.into_bytes().await.unwrap();
    let feed = feed_rs::parser::parse(body.as_slice()).unwrap_or_else(|error| {
        panic!(
            "{uri} is not a valid feed: {error}: {}",
            String::from_utf8_lossy(&body)
        )
    });
    (feed, etag)
}

#[rocket::async_test]
async fn a_search_is_an_atom_feed_of_its_newest_matches() {
    let app = app().await;
    let acme = app.user("acme").await;
    let berlin = post(
        &app,
        &acme,
        offer(
            "Rust in Berlin",
            json!({"locations": [{"city": "Berlin", "country": "DE"}],
                   "salary": {"currency": "EUR", "min": 70000, "max": 90000, "period": "YEAR"}}),
        ),
    )
    .await;
    post(
        &app,
        &acme,
        offer(
            "Rust in Paris",
            json!({"locations": [{"city": "Paris", "country": "FR"}]}),
        ),
    )
    .await;
    let munich = post(
        &app,
        &acme,
        offer(
            "Rust & <Go> in Munich",
            json!({"locations": [{"city": "Munich", "country": "DE"}]}),
        ),
    )
    .await;

    let (feed, _) = fetch_feed(&app, "/offers.atom?country=DE&skills=rust").await;
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    let titles: Vec<String> = feed
        .entries
        .iter()
        .map(|entry| entry.title.as_ref().unwrap().content.clone())
        .collect();
    assert_eq!(
        titles,
        ["Rust & <Go> in Munich", "Rust in Berlin"],
        "newest first, only matches"
    );
    let title = feed.title.unwrap().content;
    assert!(
        title.contains("Germany") && title.contains("rust"),
        "{title}"
    );
    let entry = &feed.entries[1];
    assert_eq!(
        entry.id,
        format!("tag:jobs.example.com,2026:offer:{berlin}")
    );
    assert_eq!(
        entry.links[0].href,
        format!("{SITE}/offers/{berlin}-rust-in-berlin")
    );
    assert_eq!(entry.authors[0].name, "acme");
    let api = body_json(app.get(&format!("/api/v1/offers/{berlin}"), None).await).await;
    let published = DateTime::parse_from_rfc3339(api["first_published_at"].as_str().unwrap())
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    assert_eq!(entry.published.unwrap(), published);
    assert!(entry.updated.unwrap() >= published);
    let summary = &entry.summary.as_ref().unwrap().content;
    assert!(summary.contains("EUR 70,000–90,000 a year"), "{summary}");
    assert!(summary.contains("Berlin, Germany"), "{summary}");
    assert_eq!(
        feed.entries[0].id,
        format!("tag:jobs.example.com,2026:offer:{munich}")
    );
    let links: Vec<(Option<String>, String)> = feed
        .links
        .iter()
        .map(|link| (link.rel.clone(), link.href.clone()))
        .collect();
    assert!(
        links.contains(&(
            Some("self".to_owned()),
            format!("{SITE}/offers.atom?skills=rust&country=DE")
        )),
        "{links:?}"
    );
    assert!(
        links.contains(&(
            Some("alternate".to_owned()),
            format!("{SITE}/?skills=rust&country=DE")
        )),
        "{links:?}"
    );

    // Every board parameter is honoured, and a bad one is refused as on the board.
    let (all, _) = fetch_feed(&app, "/offers.atom").await;
    assert_eq!(all.entries.len(), 3);
    let (words, _) = fetch_feed(&app, "/offers.atom?q=paris").await;
    assert_eq!(words.entries.len(), 1);
    assert_eq!(
        app.get("/offers.atom?country=XX", None).await.status(),
        Status::BadRequest
    );

    // The board links to the feed of its query.
    let page = app
        .visitor()
        .get_page("/?skills=rust&country=DE", Status::Ok)
        .await;
    assert_eq!(
        page.attr(
            r#"link[rel="alternate"][type="application/atom+xml"]"#,
            "href"
        )
        .unwrap(),
        "/offers.atom?skills=rust&country=DE"
    );
    assert_eq!(
        page.attr(".subscribe a", "href").unwrap(),
        "/offers.atom?skills=rust&country=DE"
    );
    assert!(page.text(".subscribe a").starts_with("Subscribe"));
}

#[rocket::async_test]
async fn a_feed_reader_polling_an_unchanged_feed_gets_304() {
    let app = app().await;
    let acme = app.user("acme").await;
    app.publish(&acme, "First", &[], "One").await;
    let response = app.get("/offers.atom", None).await;
    let etag = response.headers().get_one("ETag").unwrap().to_owned();
    let modified = response
        .headers()
        .get_one("Last-Modified")
        .unwrap()
        .to_owned();
    DateTime::parse_from_rfc2822(&modified).unwrap();
    let again = |header: &'static str, value: String| {
        let client = &app.client;
        async move {
            client
                .get("/offers.atom")
                .header(rocket::http::Header::new(header, value))
                .dispatch()
                .await
        }
    };
    let unchanged = again("If-None-Match", etag.clone()).await;
    assert_eq!(unchanged.status(), Status::NotModified);
    assert_eq!(unchanged.headers().get_one("ETag"), Some(etag.as_str()));
    assert!(unchanged.into_bytes().await.unwrap_or_default().is_empty());
    assert_eq!(
        again("If-Modified-Since", modified.clone()).await.status(),
        Status::NotModified
    );
    assert_eq!(
        again("If-None-Match", "\"stale\"".to_owned())
            .await
            .status(),
        Status::Ok
    );
    // A new offer changes the feed: the old validators no longer match.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    app.publish(&acme, "Second", &[], "Two").await;
    let changed = again("If-None-Match", etag.clone()).await;
    assert_eq!(changed.status(), Status::Ok);
    assert_ne!(changed.headers().get_one("ETag"), Some(etag.as_str()));
    assert_eq!(
        again("If-Modified-Since", modified).await.status(),
        Status::Ok
    );
}

#[rocket::async_test]
async fn an_aggregator_polling_the_board_api_gets_304_until_something_changes() {
    let app = app().await;
    let acme = app.user("acme").await;
    let id = app.publish(&acme, "Polled", &["rust"], "Often").await;
    for uri in [
        "/api/v1/offers".to_owned(),
        "/api/v1/offers?skills=rust".to_owned(),
        format!("/api/v1/offers/{id}"),
    ] {
        let first = app.get(&uri, None).await;
        assert_eq!(first.status(), Status::Ok, "{uri}");
        let etag = first.headers().get_one("ETag").unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
        let body = body_json(first).await;
        let conditional = |tag: String| {
            let client = &app.client;
            let uri = uri.clone();
            async move {
                client
                    .get(uri)
                    .header(rocket::http::Header::new("If-None-Match", tag))
                    .dispatch()
                    .await
            }
        };
        let unchanged = conditional(etag.clone()).await;
        assert_eq!(unchanged.status(), Status::NotModified, "{uri}");
        assert_eq!(unchanged.headers().get_one("ETag"), Some(etag.as_str()));
        assert!(unchanged.into_bytes().await.unwrap_or_default().is_empty());
        let other = conditional("\"other\"".to_owned()).await;
        assert_eq!(other.status(), Status::Ok);
        assert_eq!(body_json(other).await, body, "{uri}");
    }
    // A change to the offer changes both answers' tags.
    let board_tag = app
        .get("/api/v1/offers", None)
        .await
        .headers()
        .get_one("ETag")
        .unwrap()
        .to_owned();
    let response = app
        .put_json(
            &format!("/api/v1/users/{}/offers/{id}", acme.id),
            &acme,
            &json!({"title": "Polled again"}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let after = app
        .client
        .get("/api/v1/offers")
        .header(rocket::http::Header::new(
            "If-None-Match",
            board_tag.clone(),
        ))
        .dispatch()
        .await;
    assert_eq!(after.status(), Status::Ok);
    assert_ne!(after.headers().get_one("ETag"), Some(board_tag.as_str()));
    // Errors carry no tag.
    let missing = app.get("/api/v1/offers/999999", None).await;
    assert_eq!(missing.status(), Status::NotFound);
    assert!(missing.headers().get_one("ETag").is_none());
}

/// The database's clock now: the one `modification_date` is read from.
async fn database_now(app: &TestApp) -> DateTime<chrono::Utc> {
    sqlx::query_scalar("SELECT clock_timestamp()")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[rocket::async_test]
async fn an_aggregator_syncs_what_changed_since_its_last_visit() {
    let app = app().await;
    let acme = app.user("acme").await;
    let first = app.publish(&acme, "First", &[], "One").await;
    let second = app.publish(&acme, "Second", &[], "Two").await;
    let since = database_now(&app).await;
    let third = app.publish(&acme, "Third", &[], "Three").await;
    let stamp = since.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let uri = format!("/api/v1/offers?updated_since={stamp}");
    let changed = body_json(app.get(&uri, None).await).await;
    assert_eq!(ids(&changed), [third]);
    assert_eq!(changed["count"], 1);
    // An edit is a change: the edited offer comes again.
    app.put_json(
        &format!("/api/v1/users/{}/offers/{first}", acme.id),
        &acme,
        &json!({"description": "One, edited"}),
    )
    .await;
    let changed = body_json(app.get(&uri, None).await).await;
    assert_eq!(ids(&changed), [third, first]);
    assert!(!ids(&changed).contains(&second));
    // The next page's link keeps the time.
    let paged = app.get(&format!("{uri}&limit=1"), None).await;
    let link = paged.headers().get_one("Link").unwrap().to_owned();
    assert!(link.contains("updated_since="), "{link}");
    // An offset's `+` sent unencoded arrives as a space, and still reads as the `+` it was.
    let plus = since
        .with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap())
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
    let unencoded = body_json(
        app.get(&format!("/api/v1/offers?updated_since={plus}"), None)
            .await,
    )
    .await;
    assert_eq!(ids(&unencoded), [third, first]);
    // Empty is "not given", as for every board parameter; blank is no time.
    let all = body_json(app.get("/api/v1/offers?updated_since=", None).await).await;
    assert_eq!(all["count"], 3);
    let blank = app.get("/api/v1/offers?updated_since=%20", None).await;
    assert_eq!(blank.status(), Status::BadRequest);
    let bad = app
        .get("/api/v1/offers?updated_since=yesterday", None)
        .await;
    assert_eq!(bad.status(), Status::BadRequest);
    let body = body_json(bad).await;
    assert_eq!(body["message"], "Invalid query parameter: updated_since");
    assert!(body["errors"]["updated_since"][0]
        .as_str()
        .unwrap()
        .contains("RFC 3339"));
}

/// The entries of a board answer: (id, status) each, in order.
fn entries(body: &Value) -> Vec<(i64, String)> {
    body["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["id"].as_i64().unwrap(),
                entry["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The answer of a public GET, as JSON.
async fn get_json(app: &TestApp, uri: &str) -> Value {
    body_json(app.get(uri, None).await).await
}

#[rocket::async_test]
async fn an_aggregator_learns_which_offers_left_the_board() {
    let app = app().await;
    let acme = app.user("acme").await;
    let open = app.publish(&acme, "Open", &["rust"], "Yes").await;
    let draft = post(&app, &acme, offer("Draft", json!({"status": "draft"}))).await;
    let closed = app.publish(&acme, "Closed", &["rust"], "No").await;
    let close = |id: i64| {
        let (app, acme) = (&app, &acme);
        async move {
            app.put_json(
                &format!("/api/v1/users/{}/offers/{id}", acme.id),
                acme,
                &json!({"status": "closed", "close_reason": "filled"}),
            )
            .await;
        }
    };
    close(closed).await;
    let expired = app.publish(&acme, "Expired", &["go"], "No").await;
    sqlx::query("UPDATE offers SET valid_through = now() - interval '1 day' WHERE id = $1")
        .bind(expired)
        .execute(&app.db)
        .await
        .unwrap();
    let deleted = app.publish(&acme, "Deleted", &["rust"], "No").await;
    delete(&app, &acme, deleted).await;
    let deleted_draft = post(&app, &acme, offer("Scrapped", json!({"status": "draft"}))).await;
    delete(&app, &acme, deleted_draft).await;

    // The board as candidates see it.
    let board = get_json(&app, "/api/v1/offers").await;
    assert_eq!(entries(&board), [(open, "published".to_owned())]);

    // With include=closed: deleted offers first (id and status, nothing else), then every
    // offer that has been public, newest first, each with its status. Drafts never.
    let all = get_json(&app, "/api/v1/offers?include=closed").await;
    assert_eq!(
        entries(&all),
        [
            (deleted, "deleted".to_owned()),
            (expired, "expired".to_owned()),
            (closed, "closed".to_owned()),
            (open, "published".to_owned()),
        ]
    );
    assert_eq!(
        all["offers"][0],
        json!({"id": deleted, "status": "deleted"})
    );
    assert_eq!(all["offers"][2]["close_reason"], "filled");
    assert_eq!(all["count"], 3, "deleted entries are not counted");
    assert!(!entries(&all).iter().any(|(id, _)| *id == draft));

    // An incremental sync: what changed since, closing and expiring included, and what was
    // deleted since; older deletions and unchanged offers stay out.
    let expiring = app.publish(&acme, "Expiring", &["go"], "Soon").await;
    let since = database_now(&app)
        .await
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let another = app.publish(&acme, "Another", &["rust"], "Yes").await;
    close(open).await;
    // Expiry touches no column of the row but takes the offer off the board.
    sqlx::query("UPDATE offers SET valid_through = now() WHERE id = $1")
        .bind(expiring)
        .execute(&app.db)
        .await
        .unwrap();
    let gone = app.publish(&acme, "Gone", &["rust"], "Yes").await;
    delete(&app, &acme, gone).await;
    let sync = get_json(
        &app,
        &format!("/api/v1/offers?include=closed&updated_since={since}"),
    )
    .await;
    assert_eq!(
        entries(&sync),
        [
            (gone, "deleted".to_owned()),
            (another, "published".to_owned()),
            (expiring, "expired".to_owned()),
            (open, "closed".to_owned()),
        ]
    );
    // Without include=closed the same time lists only what changed on the board now.
    let board_sync = get_json(&app, &format!("/api/v1/offers?updated_since={since}")).await;
    assert_eq!(entries(&board_sync), [(another, "published".to_owned())]);

    // A tombstone holds no skills: a filtered query lists only offers, closed ones included.
    let rust = get_json(&app, "/api/v1/offers?include=closed&skills=rust").await;
    assert_eq!(
        entries(&rust),
        [
            (another, "published".to_owned()),
            (closed, "closed".to_owned()),
            (open, "closed".to_owned()),
        ]
    );

    // Pages keep include=closed; deleted entries come on the first page only.
    let first = app.get("/api/v1/offers?include=closed&limit=2", None).await;
    let link = first.headers().get_one("Link").unwrap().to_owned();
    assert!(link.contains("include=closed"), "{link}");
    let first = body_json(first).await;
    assert_eq!(entries(&first).len(), 4, "two deleted and two offers");
    let next = first["next_cursor"].as_str().unwrap();
    let second = get_json(
        &app,
        &format!("/api/v1/offers?include=closed&limit=2&cursor={next}"),
    )
    .await;
    assert!(
        entries(&second)
            .iter()
            .all(|(_, status)| status != "deleted"),
        "{second}"
    );

    // Any other value is refused; empty is not given.
    let bad = app.get("/api/v1/offers?include=drafts", None).await;
    assert_eq!(bad.status(), Status::BadRequest);
    let body = body_json(bad).await;
    assert_eq!(body["message"], "Invalid query parameter: include");
    let empty = get_json(&app, "/api/v1/offers?include=").await;
    let board = get_json(&app, "/api/v1/offers").await;
    assert_eq!(entries(&empty), entries(&board));

    // The board page is the candidates' board: it does not take include.
    let page = app.visitor().get_page("/?include=closed", Status::Ok).await;
    assert!(page.has(&format!(r#"a[href^="/offers/{another}-"]"#)));
    assert!(!page.has(&format!(r#"a[href^="/offers/{closed}-"]"#)));
}
