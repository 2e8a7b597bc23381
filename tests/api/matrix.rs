//! The authorization matrix: every API route and every page route, as each kind of caller,
//! gets exactly the expected status, and nobody but the owner changes a row.

use job_offers::auth::token::Claims;
use rocket::http::{ContentType, Method, Status};
use serde_json::{json, Value};

use crate::helpers::{backend_offer, keys, signed, spawn_app, TestApp, TestUser, TEST_JWT_SECRET};
use crate::web::{Page, Visitor};

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

/// One app over one database, the owner, and each actor's token (none for the anonymous).
struct World {
    app: TestApp,
    owner_id: i64,
    callers: Vec<(Actor, Option<TestUser>)>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn world() -> World {
    let app = spawn_app().await;
    let owner = app.user("owner").await;
    let other = app.user("other").await;
    let ghost = app.user("ghost").await;
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(ghost.id)
        .execute(&app.db)
        .await
        .unwrap();
    let expired = TestUser {
        id: owner.id,
        token: signed(&Claims {
            sub: owner.id.to_string(),
            id: owner.id,
            username: "owner".into(),
            iat: now() - 7200,
            exp: now() - 3600,
        }),
    };
    World {
        owner_id: owner.id,
        callers: vec![
            (Actor::Anonymous, None),
            (Actor::Owner, Some(owner)),
            (Actor::Other, Some(other)),
            (Actor::Deleted, Some(ghost)),
            (Actor::Expired, Some(expired)),
        ],
        app,
    }
}

impl World {
    /// Who `actor` calls the API as.
    fn caller(&self, actor: Actor) -> Option<&TestUser> {
        self.callers
            .iter()
            .find(|(who, _)| *who == actor)
            .and_then(|(_, user)| user.as_ref())
    }

    /// A fresh offer of the owner's, inserted directly.
    async fn offer(&self) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO offers (user_id, title, description) VALUES ($1, 'Original', 'Original') \
             RETURNING id",
        )
        .bind(self.owner_id)
        .fetch_one(&self.app.db)
        .await
        .unwrap()
    }

    /// A fresh offer of the owner's in `status` (`draft`, `published`, `closed`, or `expired`:
    /// published with its date passed), inserted directly.
    async fn offer_in(&self, status: &str) -> i64 {
        let id = self.offer().await;
        let change = match status {
            "draft" => "status = 'draft', first_published_at = NULL, valid_through = NULL",
            "closed" => "status = 'closed', close_reason = 'filled'",
            "expired" => "valid_through = now() - interval '1 second'",
            _ => "status = 'published'",
        };
        sqlx::query(&format!("UPDATE offers SET {change} WHERE id = $1"))
            .bind(id)
            .execute(&self.app.db)
            .await
            .unwrap();
        id
    }

    async fn snapshot(&self) -> Vec<(i64, String, String, String)> {
        sqlx::query_as("SELECT id, title, description, status::text FROM offers ORDER BY id")
            .fetch_all(&self.app.db)
            .await
            .unwrap()
    }

    async fn user_exists(&self, id: i64) -> bool {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)")
            .bind(id)
            .fetch_one(&self.app.db)
            .await
            .unwrap()
    }
}

/// The claims a token carries, read with the app's key but whatever its expiry.
fn claims_ignoring_expiry(token: &str) -> Claims {
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.validate_exp = false;
    jsonwebtoken::decode::<Claims>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
        &validation,
    )
    .expect("a token signed with the app's key")
    .claims
}

#[rocket::async_test]
async fn every_actor_of_the_matrix_is_who_it_claims_to_be() {
    use Actor::*;
    let world = world().await;
    let owner = world.owner_id;
    let protected = format!("/api/v1/users/{owner}/offers/");

    assert!(world.caller(Anonymous).is_none(), "no token at all");

    let owners = world.caller(Owner).unwrap();
    assert_eq!(
        keys().verify(&owners.token).map(|claims| claims.id),
        Some(owner)
    );
    assert_eq!(world.app.get(&protected, owners).await.status(), Status::Ok);

    let others = world.caller(Other).unwrap();
    let other_id = keys().verify(&others.token).expect("a valid token").id;
    assert_ne!(other_id, owner, "another user's token");
    assert!(world.user_exists(other_id).await);
    assert_eq!(world.app.get(&protected, others).await.status(), Status::Ok);

    let deleted = keys()
        .verify(&world.caller(Deleted).unwrap().token)
        .expect("a genuine, unexpired token");
    assert_ne!(deleted.id, owner);
    assert!(!world.user_exists(deleted.id).await, "its user is gone");

    let expired = &world.caller(Expired).unwrap().token;
    assert!(keys().verify(expired).is_none(), "refused as it stands");
    let claims = claims_ignoring_expiry(expired);
    assert_eq!(claims.id, owner, "the owner's, but for its expiry");
    assert!(claims.exp < now());
}

#[rocket::async_test]
async fn every_api_route_answers_each_caller_as_specified() {
    use Actor::*;
    let world = world().await;
    let owner = world.owner_id;
    let patch = json!({"title": "Changed"});
    let new_offer = backend_offer();
    // (method, route, body, expected status per actor in ACTORS order)
    let profile = json!({"display_name": "Changed"});
    type Row<'a> = (Method, &'a str, Option<&'a Value>, [u16; 5]);
    let rows: [Row<'_>; 9] = [
        (
            Method::Get,
            "/api/v1/users/{owner}",
            None,
            [200, 200, 200, 200, 200],
        ),
        (
            Method::Put,
            "/api/v1/users/{owner}",
            Some(&profile),
            [401, 200, 403, 401, 401],
        ),
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
            let response = world
                .app
                .send(method, &uri, world.caller(*actor), body)
                .await;
            assert_eq!(response.status().code, expected, "{actor:?} {method} {uri}");
            assert_eq!(
                response.content_type(),
                Some(ContentType::JSON),
                "{actor:?} {method} {uri}"
            );
            if *actor != Owner {
                assert_eq!(
                    world.snapshot().await,
                    before,
                    "{actor:?} {method} {uri} changed rows"
                );
            }
        }
    }
}

/// A page visitor: a browser of its own, signed in as the actor (or not).
async fn visitor(world: &World, actor: Actor) -> Visitor<'_> {
    let visitor = world.app.new_visitor().await;
    let username = match actor {
        Actor::Owner => "owner",
        Actor::Other => "other",
        // A session whose user is then deleted.
        Actor::Deleted => "ghost2",
        Actor::Anonymous | Actor::Expired => return visitor,
    };
    if actor == Actor::Deleted {
        world.app.register(username).await;
    }
    let visitor = visitor.signed_in(username).await;
    if actor == Actor::Deleted {
        sqlx::query("DELETE FROM users WHERE username = $1")
            .bind(username)
            .execute(&world.app.db)
            .await
            .unwrap();
    }
    visitor
}

/// GETs `form_page` for a CSRF token (the sign-in page's when it has no form), then posts.
async fn post_page(
    visitor: &Visitor<'_>,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Status {
    let token = match Page::read(visitor.get_followed(form_page).await)
        .await
        .find_csrf_token()
    {
        Some(token) => token,
        None => visitor.get_page("/login", Status::Ok).await.csrf_token(),
    };
    let mut body = vec![("csrf_token", token.as_str())];
    body.extend_from_slice(fields);
    visitor.post_form(action, &body).await.status()
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
        for ((actor, visitor), expected) in visitors.iter().zip(expected) {
            let id = world.offer().await;
            let uri = route.replace("{id}", &id.to_string());
            let status = visitor.get_followed(&uri).await.status();
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
        for ((actor, visitor), expected) in visitors.iter().zip(expected) {
            let id = world.offer().await;
            let form_page = form_page.replace("{id}", &id.to_string());
            let action = action.replace("{id}", &id.to_string());
            let before = world.snapshot().await;
            let status = post_page(visitor, &form_page, &action, &fields).await;
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

#[rocket::async_test]
async fn each_status_is_seen_by_each_caller_as_specified() {
    use Actor::*;
    let world = world().await;
    let owner = world.owner_id;
    let close = json!({"status": "closed", "close_reason": "withdrawn"});
    // (offer status, method, route, body, expected per actor in ACTORS order)
    type Row<'a> = (&'a str, Method, &'a str, Option<&'a Value>, [u16; 5]);
    let mut rows: Vec<Row<'_>> = Vec::new();
    for status in ["draft", "closed", "expired"] {
        // The owner sees it; anyone else is told it does not exist, here and on the board.
        rows.push((
            status,
            Method::Get,
            "/api/v1/users/{owner}/offers/{id}",
            None,
            [401, 200, 404, 401, 401],
        ));
        rows.push((
            status,
            Method::Get,
            "/api/v1/offers/{id}",
            None,
            [404, 404, 404, 404, 404],
        ));
    }
    rows.push((
        "published",
        Method::Get,
        "/api/v1/offers/{id}",
        None,
        [200, 200, 200, 200, 200],
    ));
    for status in ["published", "expired"] {
        rows.push((
            status,
            Method::Put,
            "/api/v1/users/{owner}/offers/{id}",
            Some(&close),
            [401, 200, 403, 401, 401],
        ));
    }
    // A draft cannot close, even for its owner.
    rows.push((
        "draft",
        Method::Put,
        "/api/v1/users/{owner}/offers/{id}",
        Some(&close),
        [401, 409, 403, 401, 401],
    ));
    for (status, method, route, body, expected) in rows {
        for (actor, expected) in ACTORS.iter().zip(expected) {
            let id = world.offer_in(status).await;
            let uri = route
                .replace("{owner}", &owner.to_string())
                .replace("{id}", &id.to_string());
            let before = world.snapshot().await;
            let response = world
                .app
                .send(method, &uri, world.caller(*actor), body)
                .await;
            assert_eq!(
                response.status().code,
                expected,
                "{status}: {actor:?} {method} {uri}"
            );
            if *actor != Owner {
                assert_eq!(
                    world.snapshot().await,
                    before,
                    "{actor:?} {method} {uri} changed rows"
                );
            }
        }
    }

    // The pages: a draft's page is its owner's alone; a closed or expired one is public.
    let actors = [Anonymous, Owner, Other, Deleted];
    let mut visitors = Vec::new();
    for actor in actors {
        visitors.push((actor, visitor(&world, actor).await));
    }
    for (status, expected) in [
        ("draft", [404, 200, 404, 404]),
        ("closed", [200, 200, 200, 200]),
        ("expired", [200, 200, 200, 200]),
    ] {
        for ((actor, visitor), expected) in visitors.iter().zip(expected) {
            let id = world.offer_in(status).await;
            let code = visitor
                .get_followed(&format!("/offers/{id}"))
                .await
                .status()
                .code;
            assert_eq!(code, expected, "{status}: {actor:?} GET /offers/{id}");
        }
    }
    for ((actor, visitor), expected) in visitors.iter().zip([303, 200, 200, 303]) {
        assert_eq!(
            visitor.get("/profile").await.status().code,
            expected,
            "{actor:?} GET /profile"
        );
    }
    let fields = [("status", "closed"), ("close_reason", "filled")];
    for ((actor, visitor), expected) in visitors.iter().zip([303, 303, 403, 303]) {
        let id = world.offer_in("published").await;
        let before = world.snapshot().await;
        let action = format!("/offers/{id}/status");
        let status = post_page(visitor, &format!("/offers/{id}"), &action, &fields).await;
        assert_eq!(status.code, expected, "{actor:?} POST {action}");
        if *actor != Owner {
            assert_eq!(
                world.snapshot().await,
                before,
                "{actor:?} POST {action} changed rows"
            );
        }
    }
}
