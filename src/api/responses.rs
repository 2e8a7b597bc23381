//! Response types shared by the API handlers.

use std::io::Cursor;

use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Responder};
use rocket::Request;
use rocket_okapi::gen::OpenApiGenerator;
use rocket_okapi::okapi::openapi3::{
    Header as OpenApiHeader, MediaType, RefOr, Response as OpenApiResponse, Responses, SchemaObject,
};
use rocket_okapi::response::OpenApiResponderInner;
use schemars::JsonSchema;
use serde::Serialize;

use crate::http::query::plain_value;

/// `{"message": "..."}` for successful operations that return no resource.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Message {
    #[schemars(example = "example_deleted")]
    pub message: String,
}

fn example_deleted() -> &'static str {
    "offer deleted 1"
}

fn json_response<T: Serialize>(
    value: &T,
    status: Status,
    header: Option<Header<'static>>,
) -> response::Result<'static> {
    let body = serde_json::to_vec(value).map_err(|_| Status::InternalServerError)?;
    let mut response = rocket::Response::build();
    response
        .status(status)
        .header(ContentType::JSON)
        .sized_body(body.len(), Cursor::new(body));
    if let Some(header) = header {
        response.header(header);
    }
    response.ok()
}

/// A response header to document: name, description, always present.
type DocumentedHeader = (&'static str, &'static str, bool);

fn documented<T: JsonSchema>(
    gen: &mut OpenApiGenerator,
    code: &str,
    description: &str,
    header: Option<DocumentedHeader>,
) -> Responses {
    let media = MediaType {
        schema: Some(gen.json_schema::<T>()),
        ..Default::default()
    };
    let mut response = OpenApiResponse {
        description: description.to_owned(),
        content: [("application/json".to_owned(), media)]
            .into_iter()
            .collect(),
        ..Default::default()
    };
    if let Some((name, description, required)) = header {
        let header = header_doc(description, required, gen.json_schema::<String>());
        response
            .headers
            .insert(name.to_owned(), RefOr::Object(header));
    }
    let mut responses = Responses::default();
    responses
        .responses
        .insert(code.to_owned(), RefOr::Object(response));
    responses
}

/// A documented response header whose value follows `schema`.
fn header_doc(description: &str, required: bool, schema: SchemaObject) -> OpenApiHeader {
    OpenApiHeader {
        description: Some(description.to_owned()),
        required,
        deprecated: false,
        allow_empty_value: false,
        value: plain_value(schema),
        extensions: Default::default(),
    }
}

/// `200 OK` with a JSON body.
pub struct Success<T>(pub T);

impl<'r, T: Serialize> Responder<'r, 'static> for Success<T> {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        json_response(&self.0, Status::Ok, None)
    }
}

impl<T: JsonSchema> OpenApiResponderInner for Success<T> {
    fn responses(gen: &mut OpenApiGenerator) -> rocket_okapi::Result<Responses> {
        Ok(documented::<T>(gen, "200", "Success.", None))
    }
}

/// `201 Created` with a JSON body and the new resource's URL in `Location`.
pub struct Created<T> {
    pub body: T,
    pub location: String,
}

impl<'r, T: Serialize> Responder<'r, 'static> for Created<T> {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        json_response(
            &self.body,
            Status::Created,
            Some(Header::new("Location", self.location)),
        )
    }
}

impl<T: JsonSchema> OpenApiResponderInner for Created<T> {
    fn responses(gen: &mut OpenApiGenerator) -> rocket_okapi::Result<Responses> {
        Ok(documented::<T>(
            gen,
            "201",
            "Created.",
            Some(("Location", "The URL of the created resource.", true)),
        ))
    }
}

/// `201 Created` for a resource that has no URL of its own (a registered account).
pub struct CreatedWithoutUrl<T>(pub T);

impl<'r, T: Serialize> Responder<'r, 'static> for CreatedWithoutUrl<T> {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        json_response(&self.0, Status::Created, None)
    }
}

impl<T: JsonSchema> OpenApiResponderInner for CreatedWithoutUrl<T> {
    fn responses(gen: &mut OpenApiGenerator) -> rocket_okapi::Result<Responses> {
        Ok(documented::<T>(gen, "201", "Created.", None))
    }
}

/// `200 OK` with one page of a listing and, when another follows, its URL in
/// `Link: <…>; rel="next"` (RFC 8288).
pub struct Paged<T> {
    pub body: T,
    pub next: Option<String>,
}

impl<'r, T: Serialize> Responder<'r, 'static> for Paged<T> {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let link = self
            .next
            .map(|next| Header::new("Link", format!("<{next}>; rel=\"next\"")));
        json_response(&self.body, Status::Ok, link)
    }
}

impl<T: JsonSchema> OpenApiResponderInner for Paged<T> {
    fn responses(gen: &mut OpenApiGenerator) -> rocket_okapi::Result<Responses> {
        Ok(documented::<T>(
            gen,
            "200",
            "One page.",
            Some((
                "Link",
                "`<url>; rel=\"next\"`: the next page, when there is one.",
                false,
            )),
        ))
    }
}

/// A response that no cache may keep (`Cache-Control: no-store`): it answers a request that
/// carried or answers with credentials (a password, a token).
pub struct NoStore<R>(pub R);

impl<'r, R: Responder<'r, 'static>> Responder<'r, 'static> for NoStore<R> {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let mut response = self.0.respond_to(request)?;
        response.set_header(Header::new("Cache-Control", "no-store"));
        Ok(response)
    }
}

impl<R: OpenApiResponderInner> OpenApiResponderInner for NoStore<R> {
    fn responses(gen: &mut OpenApiGenerator) -> rocket_okapi::Result<Responses> {
        let mut responses = R::responses(gen)?;
        for response in responses.responses.values_mut() {
            let RefOr::Object(response) = response else {
                continue;
            };
            let schema = SchemaObject {
                enum_values: Some(vec!["no-store".into()]),
                ..gen.json_schema::<String>()
            };
            let header = header_doc("`no-store`: the answer is never cached.", true, schema);
            response
                .headers
                .insert("Cache-Control".to_owned(), RefOr::Object(header));
        }
        Ok(responses)
    }
}
