//! `ETag` on the public board's JSON (`GET /api/v1/offers` and `GET /api/v1/offers/{id}`), so
//! that an aggregator polling them gets `304 Not Modified` without the body when nothing it
//! would see has changed. The tag is the digest of the body as answered, so it changes exactly
//! when the answer does; the query still runs (the database decides what is current).

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Header, Method, Status};
use rocket::{Request, Response};

use crate::http::conditional::{entity_tag, Validators};

/// The handlers whose answers carry validators.
const VALIDATED_ROUTES: &[&str] = &["search_board", "public_offer"];

pub struct PublicValidators;

#[rocket::async_trait]
impl Fairing for PublicValidators {
    fn info(&self) -> Info {
        Info {
            name: "ETag on the public board",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let validated = request.method() == Method::Get
            && response.status() == Status::Ok
            && request
                .route()
                .and_then(|route| route.name.as_deref())
                .is_some_and(|name| VALIDATED_ROUTES.contains(&name))
            && request.uri().path().starts_with(super::BASE);
        if !validated {
            return;
        }
        let Ok(body) = response.body_mut().to_bytes().await else {
            return;
        };
        let etag = entity_tag(&body);
        response.set_header(Header::new("ETag", etag.clone()));
        response.set_header(Header::new("Cache-Control", "no-cache"));
        if Validators::of(request).still_current(&etag, None) {
            response.set_status(Status::NotModified);
            response.remove_header("Content-Type");
            response.set_sized_body(0, std::io::Cursor::new(Vec::new()));
        } else {
            response.set_sized_body(body.len(), std::io::Cursor::new(body));
        }
    }
}
