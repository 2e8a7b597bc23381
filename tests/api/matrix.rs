//! The authorization matrix: every API route and every page route, as each kind of caller,
//! gets exactly the expected status, and nobody but the owner changes a row.

use job_offers::auth::token::Claims;
use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{backend_offer, fresh_database, signed, test_figment, PASSWORD};
use crate::pages::{csrf_token, form_body};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Anonymous,
    Owner,
    Other,
    Deleted,
    Expired,
}

const ACTORS: [Actor; 5] = [
    Actor::Anonymous,
    Actor::Owner,
    Actor::Other,
    Actor::Deleted,
    Actor::Expired,
];

/// One database, and one tracked client (its own cookie jar) per caller.
struct World {
    db: PgPool,
    url: String,
    owner_id: i64,
    tokens: Vec<(Actor, Option<String>)>,
}

async fn client(url: &str) -> Client {
    Client::tracked(job_offers::build(test_figment(url)))
        .await
        .unwrap()
}

async fn json_call(
    client: &Client,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Status {
    let mut request = client.req(method, uri.to_owned());
    if let Some(token) = token {
        request = request.header(Header::new("Authorization", format!("JWT {token}")));
    }
    if let Some(body) = body {
        request = request.header(ContentType::JSON).body(body.to_string());
    }
    let response = request.dispatch().await;
    let status = response.status();
    assert_eq!(
        response.content_type(),
        Some(ContentType::JSON),
        "{method} {uri}"
    );
    status
}

async fn register_and_login(client: &Client, username: &str) -> (i64, String) {
    let credentials = json!({"username": username, "password": PASSWORD}).to_string();
    let registered = client
        .post("/api/v1/users/register")
        .header(ContentType::JSON)
        .body(&credentials)
        .dispatch()
        .await;
    let id = serde_json::from_str::<Value>(&registered.into_string().await.unwrap()).unwrap()["id"]
        .as_i64()
        .unwrap();
    let login = client
        .post("/api/v1/users/login")
        .header(ContentType::JSON)
        .body(&credentials)
        .dispatch()
        .await;
    let token = serde_json::from_str::<Value>(&login.into_string().await.unwrap()).unwrap()
        ["token"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, token)
}

async fn world() -> World {
    let url = fresh_database().await;
    let setup = client(&url).await;
    let (owner_id, owner_token) = register_and_login(&setup, "owner").await;
    let (_, other_token) = register_and_login(&setup, "other").await;
    let (ghost_id, ghost_token) = register_and_login(&setup, "ghost").await;
    let db = PgPool::connect(&url).await.unwrap();
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(ghost_id)
        .execute(&db)
        .await
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let expired = signed(&Claims {
        sub: owner_id.to_string(),
        id: owner_id,
        username: "owner".into(),
        iat: now - 7200,
        exp: now - 3600,
    });
    World {
        db,
        url,
        owner_id,
        tokens: vec![
            (Actor::Anonymous, None),
            (Actor::Owner, Some(owner_token)),
            (Actor::Other, Some(other_token)),
            (Actor::Deleted, Some(ghost_token)),
            (Actor::Expired, Some(expired)),
        ],
    }
}

impl World {
    fn token(&self, actor: Actor) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(who, _)| *who == actor)
            .and_then(|(_, token)| token.as_deref())
    }

    /// A fresh offer of the owner's, inserted directly.
    async fn offer(&self) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO offers (user_id, title, description) VALUES ($1, 'Original', 'Original') \
             RETURNING id",
        )
        .bind(self.owner_id)
        .fetch_one(&self.db)
        .await
        .unwrap()
    }

    async fn snapshot(&self) -> Vec<(i64, String, String)> {
        sqlx::query_as("SELECT id, title, description FROM offers ORDER BY id")
            .fetch_all(&self.db)
            .await
            .unwrap()
    }
}

#[rocket::async_test]
async fn every_api_route_answers_each_caller_as_specified() {
    use Actor::*;
    let world = world().await;
    let caller = client(&world.url).await;
    let owner = world.owner_id;
    let patch = json!({"title": "Changed"});
    let new_offer = backend_offer();
    // (method, route, body, expected status per actor in ACTORS order)
    type Row<'a> = (Method, &'a str, Option<&'a Value>, [u16; 5]);
    let rows: [Row<'_>; 7] = [
        (
            Method::Get,
            "/api/v1/users/{owner}/offers/",
            None,
            [401, 200, 200, 401, 401],
        ),
        (
            Method::Post,
            "/api/v1/users/{owner}/offers/",
            Some(&new_offer),
            [401, 201, 403, 401, 401],
        ),
        (
            Method::Get,
            "/api/v1/users/{owner}/offers/{id}",
            None,
            [401, 200, 200, 401, 401],
        ),
        (
            Method::Put,
            "/api/v1/users/{owner}/offers/{id}",
            Some(&patch),
            [401, 200, 403, 401, 401],
        ),
        (
            Method::Delete,
            "/api/v1/users/{owner}/offers/{id}",
            None,
            [401, 200, 403, 401, 401],
        ),
        (
            Method::Get,
            "/api/v1/offers",
            None,
            [200, 200, 200, 200, 200],
        ),
        (
            Method::Get,
            "/api/v1/offers/{id}",
            None,
            [200, 200, 200, 200, 200],
        ),
    ];
    for (method, route, body, expected) in rows {
        for (actor, expected) in ACTORS.iter().zip(expected) {
            let id = world.offer().await;
            let uri = route
                .replace("{owner}", &owner.to_string())
                .replace("{id}", &id.to_string());
            let before = world.snapshot().await;
            let status = json_call(&caller, method, &uri, world.token(*actor), body).await;
            assert_eq!(status.code, expected, "{actor:?} {method} {uri}");
            if *actor != Owner {
                assert_eq!(
                    world.snapshot().await,
                    before,
                    "{actor:?} {method} {uri} changed rows"
                );
            }
        }
    }
    assert!(matches!(ACTORS[0], Anonymous));
}

/// A page visitor: its own client and cookies, signed in as `username` (or not).
async fn visitor(world: &World, actor: Actor) -> Client {
    let client = client(&world.url).await;
    let username = match actor {
        Actor::Owner => "owner",
        Actor::Other => "other",
        // A session whose user is then deleted.
        Actor::Deleted => "ghost2",
        Actor::Anonymous | Actor::Expired => return client,
    };
    if actor == Actor::Deleted {
        register_and_login(&client, username).await;
    }
    let form = client
        .get("/login")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    let status = client
        .post("/login")
        .header(ContentType::Form)
        .body(form_body(&[
            ("csrf_token", &csrf_token(&form)),
            ("username", username),
            ("password", PASSWORD),
        ]))
        .dispatch()
        .await
        .status();
    assert_eq!(status, Status::SeeOther, "{actor:?} signs in");
    if actor == Actor::Deleted {
        sqlx::query("DELETE FROM users WHERE username = $1")
            .bind(username)
            .execute(&world.db)
            .await
            .unwrap();
    }
    client
}

/// GETs `form_page` for a CSRF token (the sign-in page when it has no form), then posts.
async fn post_page(
    client: &Client,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Status {
    let html = client
        .get(form_page.to_owned())
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap_or_default();
    let token = if html.contains("csrf_token") {
        csrf_token(&html)
    } else {
        let login = client
            .get("/login")
            .dispatch()
            .await
            .into_string()
            .await
            .unwrap();
        csrf_token(&login)
    };
    let mut body = vec![("csrf_token", token.as_str())];
    body.extend_from_slice(fields);
    client
        .post(action.to_owned())
        .header(ContentType::Form)
        .body(form_body(&body))
        .dispatch()
        .await
        .status()
}

#[rocket::async_test]
async fn every_page_route_answers_each_caller_as_specified() {
    use Actor::*;
    let world = world().await;
    // Pages have sessions, not tokens: an expired session is covered by the session tests;
    // here the four kinds of page visitors.
    let actors = [Anonymous, Owner, Other, Deleted];
    let mut visitors = Vec::new();
    for actor in actors {
        visitors.push((actor, visitor(&world, actor).await));
    }
    // (what, expected per actor in `actors` order); 303 is the redirect to sign in.
    let gets: [(&str, [u16; 4]); 6] = [
        ("/offers", [303, 200, 200, 303]),
        ("/offers/new", [303, 200, 200, 303]),
        ("/offers/{id}", [200, 200, 200, 200]),
        ("/offers/{id}/edit", [303, 200, 403, 303]),
        ("/offers/{id}/delete", [303, 200, 403, 303]),
        ("/", [200, 200, 200, 200]),
    ];
    for (route, expected) in gets {
        for ((actor, client), expected) in visitors.iter().zip(expected) {
            let id = world.offer().await;
            let uri = route.replace("{id}", &id.to_string());
            let status = client.get(uri.clone()).dispatch().await.status();
            assert_eq!(status.code, expected, "{actor:?} GET {uri}");
        }
    }
    let posts: [(&str, &str, [u16; 4]); 3] = [
        ("/offers/new", "/offers", [303, 303, 303, 303]),
        (
            "/offers/{id}/edit",
            "/offers/{id}/edit",
            [303, 303, 403, 303],
        ),
        (
            "/offers/{id}/delete",
            "/offers/{id}/delete",
            [303, 303, 403, 303],
        ),
    ];
    let fields = [
        ("title", "Changed"),
        ("description", "Changed"),
        ("skills_list", "rust"),
    ];
    for (form_page, action, expected) in posts {
        for ((actor, client), expected) in visitors.iter().zip(expected) {
            let id = world.offer().await;
            let form_page = form_page.replace("{id}", &id.to_string());
            let action = action.replace("{id}", &id.to_string());
            let before = world.snapshot().await;
            let status = post_page(client, &form_page, &action, &fields).await;
            assert_eq!(status.code, expected, "{actor:?} POST {action}");
            if *actor != Owner {
                // Creating one's own offer is fine; touching an existing row is not.
                let existing: Vec<_> = world
                    .snapshot()
                    .await
                    .into_iter()
                    .filter(|row| before.iter().any(|old| old.0 == row.0))
                    .collect();
                assert_eq!(existing, before, "{actor:?} POST {action} changed rows");
            }
        }
    }
}
