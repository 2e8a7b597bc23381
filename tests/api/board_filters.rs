//! The board's contract v2 filters through the API: each alone, combined with the others and
//! with `q`, `skills` and `employer`; the order by first publication; capped counts.

use rocket::http::Status;
use serde_json::{json, Value};

use crate::board::ids;
use crate::helpers::{body_json, spawn_app, spawn_app_with, TestApp, TestUser};

async fn post(app: &TestApp, user: &TestUser, body: Value) -> i64 {
    app.create_offer(user, &body).await["id"].as_i64().unwrap()
}

/// Five offers that differ in every filtered field; "Old rust" was published 30 days ago.
async fn fixture(app: &TestApp) -> (TestUser, TestUser) {
    let acme = app.user("acme").await;
    let globex = app.user("globex").await;
    post(
        app,
        &acme,
        json!({
            "title": "Rust backend", "description": "Services", "skills_list": ["rust"],
            "workplace": "on_site", "locations": [{"city": "Berlin", "country": "DE"}],
            "employment_types": ["FULL_TIME"],
            "salary": {"currency": "EUR", "min": 70000, "max": 90000, "period": "YEAR"},
        }),
    )
    .await;
    post(
        app,
        &globex,
        json!({
            "title": "Python data", "description": "Pipelines", "skills_list": ["python"],
            "workplace": "remote", "employment_types": ["CONTRACTOR"],
            "salary": {"currency": "USD", "min": 60, "max": 80, "period": "HOUR"},
        }),
    )
    .await;
    post(app, &acme, json!({
        "title": "Python web", "description": "Django sites", "skills_list": ["python", "django"],
        "workplace": "hybrid", "locations": [{"city": "Paris", "country": "FR"}],
        "remote_countries": ["DE"], "employment_types": ["PART_TIME"],
        "salary": {"currency": "EUR", "min": 4000, "max": 5000, "period": "MONTH"},
    }))
    .await;
    post(
        app,
        &globex,
        json!({
            "title": "Go platform", "description": "Kubernetes", "skills_list": ["go"],
            "workplace": "remote", "remote_countries": ["US"], "employment_types": ["FULL_TIME"],
        }),
    )
    .await;
    let old = post(app, &acme, json!({
        "title": "Old rust", "description": "Legacy services", "skills_list": ["rust"],
        "workplace": "on_site", "locations": [{"country": "DE"}], "employment_types": ["FULL_TIME"],
    }))
    .await;
    sqlx::query("UPDATE offers SET first_published_at = now() - interval '30 days' WHERE id = $1")
        .bind(old)
        .execute(&app.db)
        .await
        .unwrap();
    (acme, globex)
}

async fn titles(app: &TestApp, query: &str) -> Vec<String> {
    let response = app.get(&format!("/api/v1/offers?{query}"), None).await;
    assert_eq!(response.status(), Status::Ok, "{query}");
    let body = body_json(response).await;
    let titles: Vec<String> = body["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|offer| offer["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        body["count"],
        titles.len(),
        "{query}: the count counts the matches"
    );
    assert_eq!(body["count_capped"], false);
    titles
}

#[rocket::async_test]
async fn each_filter_alone_keeps_exactly_its_offers_newest_first() {
    let app = spawn_app().await;
    fixture(&app).await;
    let cases: &[(&str, &[&str])] = &[
        (
            "",
            &[
                "Go platform",
                "Python web",
                "Python data",
                "Rust backend",
                "Old rust",
            ],
        ),
        ("workplace=remote", &["Go platform", "Python data"]),
        (
            "workplace=remote,hybrid",
            &["Go platform", "Python web", "Python data"],
        ),
        (
            "employment_type=FULL_TIME",
            &["Go platform", "Rust backend", "Old rust"],
        ),
        (
            "employment_type=PART_TIME,CONTRACTOR",
            &["Python web", "Python data"],
        ),
        // A location there, remote anywhere, or remote/hybrid open to candidates there.
        (
            "country=DE",
            &["Python web", "Python data", "Rust backend", "Old rust"],
        ),
        ("country=us", &["Go platform", "Python data"]),
        ("country=FR", &["Python web", "Python data"]),
        ("currency=USD", &["Python data"]),
        // Yearly: 90 000; 5 000 a month is 60 000; 80 an hour is 166 400.
        ("salary_min=65000&currency=EUR", &["Rust backend"]),
        (
            "salary_min=60000&currency=eur",
            &["Python web", "Rust backend"],
        ),
        ("salary_min=166400&currency=USD", &["Python data"]),
        ("salary_min=166400.01&currency=USD", &[]),
        (
            "posted_within=7",
            &["Go platform", "Python web", "Python data", "Rust backend"],
        ),
        (
            "posted_within=31",
            &[
                "Go platform",
                "Python web",
                "Python data",
                "Rust backend",
                "Old rust",
            ],
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(titles(&app, query).await, *expected, "{query}");
    }
}

#[rocket::async_test]
async fn filters_combine_with_each_other_and_with_words_skills_and_employer() {
    let app = spawn_app().await;
    fixture(&app).await;
    let cases: &[(&str, &[&str])] = &[
        ("q=python&country=DE", &["Python web", "Python data"]),
        (
            "q=python&country=DE&salary_min=60000&currency=EUR",
            &["Python web"],
        ),
        ("skills=rust&posted_within=7", &["Rust backend"]),
        (
            "workplace=remote&employment_type=FULL_TIME",
            &["Go platform"],
        ),
        (
            "country=DE&employment_type=FULL_TIME&skills=rust",
            &["Rust backend", "Old rust"],
        ),
        (
            "employer=acme&workplace=on_site",
            &["Rust backend", "Old rust"],
        ),
        ("employer=globex&country=DE", &["Python data"]),
        ("q=services&sort=newest", &["Rust backend", "Old rust"]),
        ("workplace=hybrid&currency=USD", &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(titles(&app, query).await, *expected, "{query}");
    }
}

#[rocket::async_test]
async fn each_bad_filter_is_a_400_naming_it() {
    let app = spawn_app().await;
    for (query, parameter) in [
        ("workplace=office", "workplace"),
        ("employment_type=full_time", "employment_type"),
        ("country=XX", "country"),
        ("country=DEU", "country"),
        ("salary_min=abc&currency=EUR", "salary_min"),
        ("salary_min=-5&currency=EUR", "salary_min"),
        ("salary_min=50000", "currency"),
        ("currency=EURO", "currency"),
        ("posted_within=0", "posted_within"),
        ("posted_within=366", "posted_within"),
        ("sort=oldest", "sort"),
    ] {
        let response = app.get(&format!("/api/v1/offers?{query}"), None).await;
        assert_eq!(response.status(), Status::BadRequest, "{query}");
        let body = body_json(response).await;
        assert_eq!(
            body["message"],
            format!("Invalid query parameter: {parameter}"),
            "{query}"
        );
        assert!(body["errors"][parameter].is_array(), "{query}: {body}");
    }
}

#[rocket::async_test]
async fn a_repeated_parameter_is_named_with_every_other_bad_one() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let response = app
        .get("/api/v1/offers?q=rust&q=go&limit=500&posted_within=0", None)
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    let body = body_json(response).await;
    assert_eq!(
        body["message"],
        "Invalid query parameter: limit, posted_within, q"
    );
    assert_eq!(
        body["errors"]["q"],
        json!(["Give this parameter at most once."])
    );
    // A user's list names them all the same way.
    let uri = format!(
        "/api/v1/users/{}/offers/?limit=0&status=draft&status=closed",
        acme.id
    );
    let body = body_json(app.get(&uri, &acme).await).await;
    assert_eq!(body["message"], "Invalid query parameter: limit, status");
}

#[rocket::async_test]
async fn the_board_orders_by_first_publication_and_pages_through_it_without_gaps() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    let draft = app
        .create_offer(
            &acme,
            &json!({"title": "Drafted first", "description": "d", "status": "draft"}),
        )
        .await;
    for n in 0..5 {
        app.publish(&acme, &format!("Offer {n}"), &[], "d").await;
    }
    // Published after the others: first on the board, although created first.
    let response = app
        .put_json(
            &format!("/api/v1/users/{}/offers/{}", acme.id, draft["id"]),
            &acme,
            &json!({"status": "published"}),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let mut seen = Vec::new();
    let mut uri = "/api/v1/offers?limit=2".to_owned();
    loop {
        let response = app.get(&uri, None).await;
        let link = response.headers().get_one("Link").map(str::to_owned);
        let body = body_json(response).await;
        seen.extend(
            body["offers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|offer| offer["title"].as_str().unwrap().to_owned()),
        );
        if seen.len() == 2 {
            // Published while paging: it goes to the top, never into the pages still to read.
            app.publish(&acme, "Arrived meanwhile", &[], "d").await;
        }
        match link {
            Some(link) => {
                uri = link
                    .trim_start_matches('<')
                    .trim_end_matches(r#">; rel="next""#)
                    .to_owned()
            }
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "Drafted first",
            "Offer 4",
            "Offer 3",
            "Offer 2",
            "Offer 1",
            "Offer 0"
        ]
    );
}

#[rocket::async_test]
async fn a_count_beyond_ten_thousand_says_ten_thousand_and_that_it_is_capped() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    sqlx::query(
        "INSERT INTO offers (user_id, title, description, skills_list) \
         SELECT $1, 'Bulk ' || n, 'Bulk offer', CASE WHEN n % 1000 = 0 THEN '{rare}'::text[] ELSE '{}' END \
         FROM generate_series(1, 10005) AS n",
    )
    .bind(acme.id)
    .execute(&app.db)
    .await
    .unwrap();
    let everything = body_json(app.get("/api/v1/offers", None).await).await;
    assert_eq!(
        (
            everything["count"].clone(),
            everything["count_capped"].clone()
        ),
        (json!(10000), json!(true))
    );
    assert_eq!(everything["offers"].as_array().unwrap().len(), 20);
    // The board page says it too, instead of a total it does not know.
    let visitor = app.visitor();
    let board = visitor.get_page("/", Status::Ok).await;
    assert_eq!(board.text(".result-count"), "More than 10 000 offers");
    let rare_board = visitor.get_page("/?skills=rare", Status::Ok).await;
    assert_eq!(rare_board.text(".result-count"), "10 offers");
    let rare = body_json(app.get("/api/v1/offers?skills=rare", None).await).await;
    assert_eq!(
        (rare["count"].clone(), rare["count_capped"].clone()),
        (json!(10), json!(false))
    );

    // Beyond the cap the page is walked from the newest offer (the count stops early); within
    // it, read from the counted matches. Both list the newest first, and page the same way.
    let newest: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM offers ORDER BY first_published_at DESC, id DESC LIMIT 40",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(ids(&everything), newest[..20]);
    let cursor = everything["next_cursor"].as_str().unwrap();
    let second = body_json(
        app.get(&format!("/api/v1/offers?cursor={cursor}"), None)
            .await,
    )
    .await;
    assert_eq!(ids(&second), newest[20..40]);
    let rare_ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM offers WHERE skills_list = '{rare}' ORDER BY first_published_at DESC, id DESC",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(ids(&rare), rare_ids);
    // Ranked beyond the cap: the candidates are the newest matches, each ranked, none twice.
    let ranked = body_json(app.get("/api/v1/offers?q=bulk", None).await).await;
    assert_eq!(
        (ranked["count"].clone(), ranked["count_capped"].clone()),
        (json!(10000), json!(true))
    );
    let mut shown = ids(&ranked);
    assert_eq!(shown.len(), 20);
    let cursor = ranked["next_cursor"].as_str().unwrap();
    let more = body_json(
        app.get(&format!("/api/v1/offers?q=bulk&cursor={cursor}"), None)
            .await,
    )
    .await;
    shown.extend(ids(&more));
    let distinct: std::collections::HashSet<i64> = shown.iter().copied().collect();
    assert_eq!(distinct.len(), 40, "{shown:?}");
    let candidates: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM offers ORDER BY first_published_at DESC, id DESC LIMIT $1",
    )
    .bind(job_offers::repo::board::RANK_CANDIDATES)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(shown.iter().all(|id| candidates.contains(id)), "{shown:?}");
}

/// One employment type is counted and paged from that type's own ordered index (migration
/// 16): the same offers, count and order as any filter, capped beyond ten thousand, expired
/// and unpublished offers left out; and no type lacks its index.
#[rocket::async_test]
async fn one_employment_type_is_counted_and_listed_like_every_filter() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    // 10 005 part-time offers, every thousandth also an internship, published in shuffled
    // order so that newest first is not id order; two more internships that nobody may list.
    sqlx::query(
        "INSERT INTO offers (user_id, title, description, employment_types, first_published_at) \
         SELECT $1, 'Bulk ' || n, 'Bulk offer', CASE WHEN n % 1000 = 0 \
         THEN '{PART_TIME,INTERN}'::offer_employment_type[] ELSE '{PART_TIME}' END, \
         now() - make_interval(secs => (n * 7919) % 10007) FROM generate_series(1, 10005) AS n",
    )
    .bind(acme.id)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO offers (user_id, title, description, employment_types, status, \
         first_published_at, valid_through) VALUES \
         ($1, 'Draft intern', 'x', '{INTERN}', 'draft', NULL, NULL), \
         ($1, 'Expired intern', 'x', '{INTERN}', 'published', now() - interval '2 days', \
          now() - interval '1 second')",
    )
    .bind(acme.id)
    .execute(&app.db)
    .await
    .unwrap();

    let part_time = body_json(
        app.get("/api/v1/offers?employment_type=PART_TIME", None)
            .await,
    )
    .await;
    assert_eq!(
        (
            part_time["count"].clone(),
            part_time["count_capped"].clone()
        ),
        (json!(10000), json!(true))
    );
    let newest: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM offers WHERE status = 'published' AND valid_through > now() \
         AND 'PART_TIME' = ANY (employment_types) ORDER BY first_published_at DESC, id DESC LIMIT 40",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(ids(&part_time), newest[..20]);
    let cursor = part_time["next_cursor"].as_str().unwrap();
    let second = body_json(
        app.get(
            &format!("/api/v1/offers?employment_type=PART_TIME&cursor={cursor}"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(ids(&second), newest[20..40]);

    let interns = body_json(app.get("/api/v1/offers?employment_type=INTERN", None).await).await;
    assert_eq!(
        (interns["count"].clone(), interns["count_capped"].clone()),
        (json!(10), json!(false))
    );
    let intern_ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM offers WHERE status = 'published' AND valid_through > now() \
         AND 'INTERN' = ANY (employment_types) ORDER BY first_published_at DESC, id DESC",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(intern_ids.len(), 10);
    assert_eq!(ids(&interns), intern_ids);
    // Several types are any of them, as before.
    let either = body_json(
        app.get("/api/v1/offers?employment_type=INTERN,VOLUNTEER", None)
            .await,
    )
    .await;
    assert_eq!(ids(&either), intern_ids);

    for kind in job_offers::domain::posting::EmploymentType::ALL {
        let indexed: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = 'offers' \
             AND indexdef LIKE '%(first_published_at DESC, id DESC) INCLUDE (valid_through)%' \
             AND indexdef LIKE '%employment_types @> ''{' || $1 || '}''%')",
        )
        .bind(kind.as_str())
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert!(indexed, "no ordered index for {}", kind.as_str());
    }
}

/// The GIN index's pay and week facets are only a coarse first cut before the exact
/// comparisons: they must never leave out an offer that meets the filter. Every pay that
/// reaches a floor has a band token among the floor's, and every offer published since a
/// day has a week token among those of that day to now, at band and week edges alike.
#[rocket::async_test]
async fn the_pay_and_week_facets_keep_every_offer_that_meets_the_filter() {
    let app = spawn_app().await;
    let missed: Vec<String> = sqlx::query_scalar(
        "WITH amounts AS (SELECT unnest(ARRAY[0.01, 1, 2.71, 7.38, 999.99, 1000, 1000.01, \
                 40000, 59999.99, 60000, 60000.01, 65141.59, 83631.01, 1e6, 9999999999.99, \
                 999999999999.99]::numeric[]) AS amount), \
              periods AS (SELECT unnest(enum_range(NULL::offer_salary_period)) AS period), \
              offers AS (SELECT amount, period, offer_board_facets('{}', NULL, '{}', 'EUR', \
                 amount, period, NULL) AS facets FROM amounts, periods), \
              floors AS (SELECT DISTINCT offer_yearly(amount, period) AS floor FROM offers \
                 UNION SELECT unnest(ARRAY[0.01, 59999.995, 60000, 1e15, 3e15]::numeric[])) \
         SELECT format('%s per %s, floor %s', o.amount, o.period, f.floor) \
         FROM offers o, floors f \
         WHERE offer_yearly(o.amount, o.period) >= f.floor \
           AND NOT o.facets && offer_pay_bands_from('EUR', f.floor) \
         UNION ALL \
         SELECT format('published %s, since %s', p.at, s.since) \
         FROM (SELECT now() - make_interval(secs => n * 17389.3) AS at \
               FROM generate_series(0, 2000) AS n) AS p, \
              (SELECT now() - make_interval(days => d) AS since FROM generate_series(1, 365, 4) AS d) AS s \
         WHERE p.at >= s.since \
           AND NOT offer_board_facets('{}', NULL, '{}', NULL, NULL, NULL, p.at) \
                   && offer_weeks_between(s.since, now()) \
         LIMIT 5",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(missed, Vec::<String>::new());
    // Nor do they keep what they should not: another currency, and a week long past.
    let tokens: Vec<String> = sqlx::query_scalar(
        "SELECT unnest(offer_board_facets('{DE}', 'remote', '{}', 'EUR', 90000, 'YEAR', now()))",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(
        tokens.contains(&"DE".to_owned()) && tokens.contains(&"*".to_owned()),
        "{tokens:?}"
    );
    assert!(tokens.contains(&"w:remote".to_owned()), "{tokens:?}");
    let outside: bool = sqlx::query_scalar(
        "SELECT offer_board_facets('{}', NULL, '{}', 'EUR', 90000, 'YEAR', now() - interval '30 days') \
         && (offer_pay_bands_from('USD', 1) || offer_weeks_between(now() - interval '7 days', now()))",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(!outside);
}

/// The board's GIN index is partial, and PostgreSQL keeps no statistics on a partial index's
/// expressions: without the statistics object of migration 18 the planner guesses every facet
/// condition at 0.5% of the offers and, two facets together, plans a page of a broad filter
/// for a handful of matches (reading and sorting all of them). With it, its guess for a facet
/// matching half of the offers is of the right size.
#[rocket::async_test]
async fn the_planner_knows_how_many_offers_a_facet_matches() {
    let app = spawn_app().await;
    let acme = app.user("acme").await;
    sqlx::query(
        "INSERT INTO offers (user_id, title, description, skills_list, workplace) \
         SELECT $1, 'Bulk ' || n, 'Bulk offer', '{}', \
                CASE WHEN n % 2 = 0 THEN 'remote' ELSE 'on_site' END::offer_workplace \
         FROM generate_series(1, 4000) AS n",
    )
    .bind(acme.id)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query("ANALYZE offers")
        .execute(&app.db)
        .await
        .unwrap();
    // The first line of the plan: `<node> (cost=… rows=<estimate> width=…)`.
    let plan: String = sqlx::query_scalar(&format!(
        "EXPLAIN SELECT 1 FROM offers o WHERE o.status = 'published' \
         AND {} && '{{w:remote}}'::text[]",
        job_offers::repo::board::FACETS
    ))
    .fetch_one(&app.db)
    .await
    .unwrap();
    let estimated: f64 = plan
        .split(" rows=")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|rows| rows.parse().ok())
        .unwrap_or_else(|| panic!("no estimate in {plan}"));
    assert!(
        (1000.0..=4000.0).contains(&estimated),
        "2 000 of 4 000 offers are remote, the planner expects {estimated}"
    );
}

/// Broad filters at a million offers build bitmaps of ~125 000 matches: PostgreSQL's 4 MB
/// default makes them lossy, so the server's connections get 16 MB unless told otherwise.
#[rocket::async_test]
async fn the_server_connections_give_each_bitmap_the_configured_memory() {
    for (configured, shown) in [(None, "16MB"), (Some(8192), "8MB")] {
        let app = spawn_app_with(|figment| match configured {
            Some(kb) => figment.merge(("databases.offers.work_mem_kb", kb)),
            None => figment,
        })
        .await;
        let db =
            <job_offers::db::Db as rocket_db_pools::Database>::fetch(app.client.rocket()).unwrap();
        let work_mem: String = sqlx::query_scalar("SHOW work_mem")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(work_mem, shown);
    }
}
