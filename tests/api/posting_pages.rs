//! Contract v2 on the pages: the offer form with every field, "My offers" by status with its
//! actions and pages, the offer page's pay, place and Apply, and the employer profile.

use rocket::http::Status;
use serde_json::json;

use crate::helpers::spawn_app;
use crate::web::{Page, Visitor};

/// The fields of a complete offer as the form posts them, with `extra` replacing or adding.
fn full_offer<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("title", "Backend Engineer"),
        ("description", "Build the API"),
        ("skills_list", "rust, sql"),
        ("employment_types", "FULL_TIME"),
        ("employment_types", "CONTRACTOR"),
        ("workplace", "hybrid"),
        ("locations[0].country", "DE"),
        ("locations[0].city", "Berlin"),
        ("locations[1].country", ""),
        ("remote_countries", "AT"),
        ("salary_min", "85,000"),
        ("salary_max", "105000"),
        ("salary_currency", "EUR"),
        ("salary_period", "YEAR"),
        ("apply_url", "https://jobs.example.com/backend"),
        ("apply_email", ""),
        ("valid_through", ""),
    ];
    for (name, value) in extra {
        match fields.iter_mut().find(|(field, _)| field == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

async fn row_status(visitor: &Visitor<'_>, uri: &str) -> Vec<(String, String)> {
    let page = visitor.get_page(uri, Status::Ok).await;
    page.select("table.offers tbody tr")
        .iter()
        .map(|row| (row.text_of(".offer-title a"), row.text_of(".status")))
        .collect()
}

#[rocket::async_test]
async fn a_status_change_from_a_tab_of_my_offers_comes_back_to_that_tab() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("acme").await;
    for title in ["First draft", "Second draft"] {
        let response = visitor
            .submit(
                "/offers/new",
                "/offers",
                &[("title", title), ("description", "d"), ("intent", "draft")],
            )
            .await;
        assert_eq!(response.status(), Status::SeeOther);
    }
    let tab = visitor.get_page("/offers?status=draft", Status::Ok).await;
    let back = tab.attr(r#"form[action$="/status"] input[name=back]"#, "value");
    assert_eq!(back.as_deref(), Some("/offers?status=draft"));
    let action = tab.attr(r#"form[action$="/status"]"#, "action").unwrap();
    let response = visitor
        .submit(
            "/offers?status=draft",
            &action,
            &[("status", "published"), ("back", back.as_deref().unwrap())],
        )
        .await;
    let page = visitor.follow(response).await;
    assert_eq!(page.text(".flash"), "Offer published");
    assert_eq!(
        page.select_text("table.offers tbody tr .status"),
        ["Draft"],
        "still on the drafts tab, with the one left"
    );
}

#[rocket::async_test]
async fn emptying_open_until_on_the_edit_form_gives_the_default_date_again() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("acme").await;
    let soon = (chrono::Utc::now() + chrono::Duration::days(10))
        .format("%Y-%m-%d")
        .to_string();
    let response = visitor
        .submit(
            "/offers/new",
            "/offers",
            &full_offer(&[("valid_through", &soon), ("intent", "publish")]),
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let stored = || async {
        sqlx::query_as::<_, (i64, f64)>(
            "SELECT id, extract(epoch FROM valid_through - now())::float8 / 86400 FROM offers",
        )
        .fetch_one(&app.db)
        .await
        .unwrap()
    };
    let (id, days) = stored().await;
    assert!((10.0..11.0).contains(&days), "{days}");
    let edit = format!("/offers/{id}/edit");
    let response = visitor
        .submit(
            &edit,
            &edit,
            &full_offer(&[("valid_through", ""), ("intent", "save")]),
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let (_, days) = stored().await;
    assert!(
        (59.9..60.1).contains(&days),
        "60 days from now again: {days}"
    );

    // The form says so, and offers no day past the last one it takes (365 days ahead, the
    // day's end included).
    let form = visitor.get_page(&edit, Status::Ok).await;
    assert!(form
        .text("#valid_through-hint")
        .ends_with("Empty: 60 days after publishing."));
    let last = (chrono::Utc::now() + chrono::Duration::days(364))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(form.attr("#valid_through", "max"), Some(last.clone()));
    let response = visitor
        .submit(
            &edit,
            &edit,
            &full_offer(&[("valid_through", &last), ("intent", "save")]),
        )
        .await;
    assert_eq!(
        response.status(),
        Status::SeeOther,
        "the last day offered is taken"
    );
}

#[rocket::async_test]
async fn a_draft_from_the_form_is_published_closed_and_reopened_from_my_offers() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("acme").await;
    let form = visitor.get_page("/offers/new", Status::Ok).await;
    for (field, label) in [
        ("title", "Title"),
        ("workplace", "Workplace"),
        ("apply_url", "Apply link"),
        ("valid_through", "Open until"),
    ] {
        assert_eq!(form.text(&format!(r#"label[for="{field}"]"#)), label);
    }
    assert!(form.has(r#"input[type=checkbox][name=employment_types][value=PART_TIME]"#));
    assert!(form.has(r#"select[name="locations[0].country"] option[value=DE]"#));
    assert!(form.has(r#"button[name=intent][value=draft]"#));

    let response = visitor
        .submit(
            "/offers/new",
            "/offers",
            &full_offer(&[("intent", "draft")]),
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let page = visitor.follow(response).await;
    assert_eq!(page.text(".flash"), "Draft saved");
    assert_eq!(
        row_status(&visitor, "/offers?status=draft").await,
        [("Backend Engineer".to_owned(), "Draft".to_owned())]
    );
    assert_eq!(row_status(&visitor, "/offers?status=published").await, []);
    let id: i64 = sqlx::query_scalar("SELECT id FROM offers")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let public = app
        .get("/api/v1/offers", None)
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        !public.contains("Backend Engineer"),
        "a draft is not on the board"
    );

    // What the form stored is what the API shows.
    let stored: (String, String, Vec<String>) = sqlx::query_as(
        "SELECT salary_min::text, locations::text, employment_types::text[] FROM offers WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(stored.0, "85000.00");
    assert!(stored.1.contains("Berlin"));
    assert_eq!(stored.2, ["FULL_TIME", "CONTRACTOR"]);

    let act = |fields: Vec<(&'static str, &'static str)>| {
        let visitor = &visitor;
        async move {
            let response = visitor
                .submit("/offers", &format!("/offers/{id}/status"), &fields)
                .await;
            assert_eq!(response.status(), Status::SeeOther);
            visitor.follow(response).await.text(".flash")
        }
    };
    assert_eq!(
        act(vec![("status", "published"), ("back", "/offers")]).await,
        "Offer published"
    );
    assert_eq!(
        row_status(&visitor, "/offers?status=published").await.len(),
        1
    );
    assert!(app
        .get("/api/v1/offers", None)
        .await
        .into_string()
        .await
        .unwrap()
        .contains("Backend Engineer"));
    assert_eq!(
        act(vec![
            ("status", "closed"),
            ("close_reason", "filled"),
            ("back", "/offers")
        ])
        .await,
        "Offer closed: it no longer takes applications"
    );
    let closed = visitor.get_page("/offers?status=closed", Status::Ok).await;
    assert_eq!(
        closed.text("table.offers tbody tr td[data-label=Status]"),
        "Closed (filled)"
    );
    assert!(!app
        .get("/api/v1/offers", None)
        .await
        .into_string()
        .await
        .unwrap()
        .contains("Backend Engineer"));
    assert_eq!(act(vec![("status", "published")]).await, "Offer reopened");
    // A close without a reason is said, not done.
    let response = visitor
        .submit(
            "/offers",
            &format!("/offers/{id}/status"),
            &[("status", "closed")],
        )
        .await;
    let page = visitor.follow(response).await;
    assert!(
        page.text(".flash")
            .starts_with("“Backend Engineer” was not changed. Close reason: Required when closing"),
        "{}",
        page.text(".flash")
    );
}

#[rocket::async_test]
async fn the_form_shows_the_apis_message_beside_each_field_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("acme").await;
    let response = visitor
        .submit(
            "/offers/new",
            "/offers",
            &full_offer(&[
                ("salary_max", "50000"),
                ("apply_url", "jobs.example.com"),
                ("valid_through", "2001-01-01"),
                ("intent", "publish"),
            ]),
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = Page::read(response).await;
    assert_eq!(
        page.text("#salary-error"),
        "Error: “From” must not be above “To”.",
        "named as the form labels them"
    );
    assert!(page
        .text("#apply_url-error")
        .ends_with("Must be an absolute http or https URL."));
    assert_eq!(page.field_value("salary_min").as_deref(), Some("85,000"));
    assert_eq!(
        page.attr(
            r#"select[name="locations[0].country"] option[selected]"#,
            "value"
        )
        .as_deref(),
        Some("DE")
    );
    assert!(page.has(r#"input[name=employment_types][value=CONTRACTOR][checked]"#));
    // Once the fields read, the rules of publishing: a date in the past is refused.
    let fields = full_offer(&[("valid_through", "2001-01-01"), ("intent", "publish")]);
    let response = visitor.submit("/offers/new", "/offers", &fields).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = Page::read(response).await;
    assert!(page
        .text("#valid_through-error")
        .ends_with("Must be in the future."));
    assert_eq!(
        page.field_value("valid_through").as_deref(),
        Some("2001-01-01")
    );
    // A problem in one location row names the row as the form counts them, and the part as
    // its label does.
    let fields = full_offer(&[
        ("locations[1].country", "FR"),
        ("locations[1].postal_code", "750010000000000000000"),
        ("intent", "publish"),
    ]);
    let response = visitor.submit("/offers/new", "/offers", &fields).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = Page::read(response).await;
    assert_eq!(
        page.text("#locations-error"),
        "Error: Location 2, postal code: At most 20 characters."
    );
    assert_eq!(app.offer_count().await, 0);
}

#[rocket::async_test]
async fn the_offer_page_shows_pay_place_and_apply_and_says_when_it_closed() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    app.put_json(
        &format!("/api/v1/users/{}", acme.id),
        &acme,
        &json!({"display_name": "ACME Robotics", "website": "https://acme.example",
                "about": "We build <robots>."}),
    )
    .await;
    let offer = app
        .create_offer(
            &acme,
            &json!({
                "title": "Robot whisperer", "description": "Robots", "workplace": "remote",
                "remote_countries": ["DE", "AT"], "employment_types": ["PART_TIME"],
                "locations": [
                    {"city": "Berlin", "country": "DE", "postal_code": "10115"},
                    {"city": "Munich", "region": "Bavaria", "country": "DE"},
                ],
                "salary": {"currency": "EUR", "min": 4000, "max": 5000, "period": "MONTH"},
                "apply_email": "jobs@acme.example",
            }),
        )
        .await;
    let uri = format!("/offers/{}", offer["id"]);
    let visitor = app.visitor();
    let page = visitor.get_page(&uri, Status::Ok).await;
    assert_eq!(page.text(".salary"), "EUR 4,000–5,000 a month");
    assert_eq!(
        page.text(".locations"),
        "10115 Berlin, Germany; Munich, Bavaria, Germany",
        "every part the employer gave"
    );
    assert_eq!(page.text(".workplace"), "Remote, from Germany, Austria");
    assert_eq!(page.text(".employment-types"), "Part-time");
    assert!(page.has(".valid-through[datetime]"));
    assert_eq!(page.text(".employer"), "ACME Robotics");
    assert_eq!(page.text("#employer-about-title"), "About ACME Robotics");
    assert_eq!(page.text(".employer-about"), "We build <robots>.");
    assert_eq!(
        page.attr(".employer-website", "href").as_deref(),
        Some("https://acme.example")
    );
    assert_eq!(
        page.attr(".button-apply", "href").as_deref(),
        Some("mailto:jobs@acme.example?subject=Robot%20whisperer")
    );

    let response = app
        .put_json(
            &format!("/api/v1/users/{}/offers/{}", acme.id, offer["id"]),
            &acme,
            &json!({"status": "closed", "close_reason": "filled"}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let page = visitor.get_page(&uri, Status::Ok).await;
    assert!(!page.has(".button-apply"), "no Apply on a closed offer");
    assert_eq!(
        page.text(".notice-closed"),
        "This offer is closed: it no longer accepts applications."
    );
    assert!(
        !page.has(".valid-through"),
        "a closed offer says no 'Open until' date"
    );
}

#[rocket::async_test]
async fn my_offers_pages_through_any_number_of_offers_newest_first() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    let id = visitor.sign_up("acme").await;
    sqlx::query(
        "INSERT INTO offers (user_id, title, description) \
         SELECT $1, 'Offer ' || n, 'd' FROM generate_series(1, 60) AS n",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap();
    let mut seen = Vec::new();
    let mut uri = "/offers".to_owned();
    loop {
        let page = visitor.get_page(&uri, Status::Ok).await;
        seen.extend(page.select_text("table.offers .offer-title a"));
        match page.attr(r#"a[rel="next"]"#, "href") {
            Some(next) => uri = next,
            None => break,
        }
    }
    let expected: Vec<String> = (1..=60).rev().map(|n| format!("Offer {n}")).collect();
    assert_eq!(seen, expected);
    // And back, a page at a time, from the last page to the newest.
    let mut pages_back = vec![visitor
        .get_page(&uri, Status::Ok)
        .await
        .select_text("table.offers .offer-title a")];
    loop {
        let page = visitor.get_page(&uri, Status::Ok).await;
        match page.attr(r#"a[rel="prev"]"#, "href") {
            Some(previous) => {
                uri = previous;
                let page = visitor.get_page(&uri, Status::Ok).await;
                pages_back.push(page.select_text("table.offers .offer-title a"));
            }
            None => break,
        }
    }
    let back: Vec<String> = pages_back.into_iter().rev().flatten().collect();
    assert_eq!(back, expected, "the same pages, without gaps or repeats");
    let page = visitor.get_page("/offers", Status::Ok).await;
    assert_eq!(page.text(".tabs a.current"), "All 60");
    assert!(
        !page.has(r#"a[rel="prev"]"#),
        "nothing is newer than the first page"
    );
}

#[rocket::async_test]
async fn the_profile_page_edits_the_name_candidates_see() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("acme").await;
    let page = visitor.get_page("/profile", Status::Ok).await;
    assert_eq!(page.field_value("display_name").as_deref(), Some(""));
    let response = visitor
        .submit(
            "/profile",
            "/profile",
            &[
                ("display_name", "x".repeat(101).as_str()),
                ("website", "nope"),
                ("about", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = Page::read(response).await;
    assert!(page
        .text("#display_name-error")
        .ends_with("Length must be between 1 and 100."));
    assert!(page
        .text("#website-error")
        .ends_with("Must be an absolute http or https URL."));
    let response = visitor
        .submit(
            "/profile",
            "/profile",
            &[
                ("display_name", "ACME Robotics"),
                ("website", "https://acme.example"),
                ("about", "Robots."),
            ],
        )
        .await;
    let page = visitor.follow(response).await;
    assert_eq!(page.text(".flash"), "Profile saved");
    assert_eq!(
        page.field_value("display_name").as_deref(),
        Some("ACME Robotics")
    );
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'acme'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let api = crate::helpers::body_json(app.get(&format!("/api/v1/users/{id}"), None).await).await;
    assert_eq!(api["display_name"], "ACME Robotics");
    assert_eq!(api["about"], "Robots.");
}

#[rocket::async_test]
async fn add_another_location_brings_one_more_row_and_saves_nothing() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    visitor.sign_up("acme").await;
    let new = visitor.get_page("/offers/new", Status::Ok).await;
    let rows = new.count(".location-row");
    let response = visitor
        .submit(
            "/offers/new",
            "/offers",
            &full_offer(&[("intent", "add_location")]),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let page = Page::read(response).await;
    // The form sent two rows (one filled, one left empty, as a new form shows them).
    assert_eq!(rows, 2);
    assert_eq!(
        page.count(".location-row"),
        3,
        "the rows sent and a new empty one"
    );
    assert_eq!(
        page.attr(r#"input[name="locations[0].city"]"#, "value")
            .as_deref(),
        Some("Berlin")
    );
    assert!(!page.has(".error-summary"));
    assert_eq!(app.offer_count().await, 0);
}
