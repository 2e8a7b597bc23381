//! `/users/{user_id}/offers/…`: list, create, read, update and delete job offers.

use chrono::{DateTime, Utc};
use rocket::{delete, get, post, put, State};
use rocket_okapi::openapi;
use schemars::JsonSchema;
use serde::{Serialize, Serializer};

use super::error::ApiError;
use super::input::JsonBody;
use super::query::{CursorSchema, EmployerLimitSchema};
use super::responses::{Created, Message, Paged, Success};
use super::{schema, BASE};
use crate::auth::throttle::Limiter;
use crate::auth::ApiUser;
use crate::db::Db;
use crate::domain::access::require_owner;
use crate::domain::board::EmployerPage;
use crate::domain::offer::{NewOffer, Offer, OfferPatch};
use crate::error::{AppError, Missing, NO_INPUT};
use crate::http::query::{query_string, single_values, Param};
use crate::http::PathId;
use crate::repo;

/// An offer as the API shows it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct OfferBody {
    #[schemars(schema_with = "read_only_id")]
    pub id: i64,
    #[schemars(schema_with = "schema::title")]
    pub title: String,
    #[schemars(schema_with = "schema::description")]
    pub description: String,
    #[schemars(schema_with = "schema::skills")]
    pub skills_list: Vec<String>,
    #[serde(serialize_with = "timestamp")]
    #[schemars(schema_with = "schema::timestamp")]
    pub creation_date: DateTime<Utc>,
    #[serde(serialize_with = "timestamp")]
    #[schemars(schema_with = "schema::timestamp")]
    pub modification_date: DateTime<Utc>,
}

fn read_only_id(gen: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
    let mut schema = gen.subschema_for::<i64>().into_object();
    schema.metadata().read_only = true;
    schema.metadata().examples = vec![1.into()];
    schema.into()
}

/// `2018-10-22T21:55:40.708571+00:00`: the original service's format, always microseconds.
fn timestamp<S: Serializer>(value: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&value.format("%Y-%m-%dT%H:%M:%S%.6f+00:00"))
}

impl From<Offer> for OfferBody {
    fn from(offer: Offer) -> Self {
        Self {
            id: offer.id,
            title: offer.title,
            description: offer.description,
            skills_list: offer.skills_list,
            creation_date: offer.creation_date,
            modification_date: offer.modification_date,
        }
    }
}

/// A page of a user's offers.
#[derive(Debug, Serialize, JsonSchema)]
pub struct OfferList {
    pub offers: Vec<OfferBody>,
    /// How many offers the user has (on all pages).
    pub count: i64,
}

/// The body of a new offer.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Documentation only: `NewOffer::from_json` parses the body.
pub struct NewOfferRequest {
    #[schemars(schema_with = "schema::title")]
    title: String,
    #[schemars(schema_with = "schema::description")]
    description: String,
    #[schemars(schema_with = "schema::skills")]
    #[serde(default)]
    skills_list: Vec<String>,
}

/// The fields to change; at least one (`minProperties: 1`).
pub struct OfferPatchRequest;

impl JsonSchema for OfferPatchRequest {
    fn schema_name() -> String {
        "OfferPatchRequest".to_owned()
    }

    fn json_schema(gen: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut schema = OfferPatchFields::json_schema(gen).into_object();
        // Every field is optional: an update names only what changes, but names something.
        schema.object().required.clear();
        schema.object().min_properties = Some(1);
        schema.metadata().description = Some("The fields to change; at least one.".to_owned());
        schema.into()
    }
}

#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Documentation only: `OfferPatch::from_json` parses the body.
struct OfferPatchFields {
    #[schemars(schema_with = "schema::title")]
    title: Option<String>,
    #[schemars(schema_with = "schema::description")]
    description: Option<String>,
    #[schemars(schema_with = "schema::skills")]
    skills_list: Option<Vec<String>>,
}

/// # List a user's offers
///
/// The user's offers, oldest first, a page at a time (`limit`, 100 by default and at most;
/// `count` is the user's total). When more follow, `Link: <…>; rel="next"` gives the next
/// page's URL. Any signed-in user may read any user's offers.
#[openapi(tag = "Offers")]
#[get("/users/<user_id>/offers?<limit>&<cursor>")]
pub async fn list(
    user_id: PathId<'_>,
    limit: Param<'_, EmployerLimitSchema>,
    cursor: Param<'_, CursorSchema>,
    _user: ApiUser,
    db: &State<Db>,
) -> Result<Paged<OfferList>, ApiError> {
    let user_id = user_id.user()?;
    let [limit, cursor] = single_values([limit.named("limit"), cursor.named("cursor")])?;
    let page = EmployerPage::parse(limit, cursor).map_err(AppError::InvalidQuery)?;
    let listed = repo::offers::list_for_user(&mut *db.acquire().await?, user_id, &page)
        .await?
        .ok_or_else(|| AppError::NotFound(Missing::User(user_id.to_string())))?;
    let next = listed.next_cursor().map(|cursor| {
        let limit = page.limit.to_string();
        let query = query_string(&[("limit", Some(&limit)), ("cursor", Some(&cursor.encode()))]);
        format!("{BASE}/users/{user_id}/offers/?{query}")
    });
    Ok(Paged {
        body: OfferList {
            count: listed.total,
            offers: listed.offers.into_iter().map(OfferBody::from).collect(),
        },
        next,
    })
}

/// # Create an offer
///
/// Publishes a new offer for the signed-in user, who must be `user_id`. An account creates at
/// most `offers_per_window` offers an hour (then 429) and has at most `max_offers_per_user`
/// (then 409).
#[openapi(tag = "Offers")]
#[post("/users/<user_id>/offers", data = "<body>")]
pub async fn create(
    user_id: PathId<'_>,
    user: ApiUser,
    limiter: Limiter<'_>,
    body: JsonBody<NewOfferRequest>,
) -> Result<Created<OfferBody>, ApiError> {
    let user_id = user_id.user()?;
    require_owner(user.id, user_id)?;
    let new_offer = NewOffer::from_json(&body.into_object(NO_INPUT)?)?;
    let offer = limiter.create_offer(user_id, &new_offer).await?;
    Ok(Created {
        location: format!("{BASE}/users/{user_id}/offers/{}", offer.id),
        body: offer.into(),
    })
}

/// # Get an offer
///
/// One offer of the user. Any signed-in user may read it.
#[openapi(tag = "Offers")]
#[get("/users/<user_id>/offers/<id>")]
pub async fn get(
    user_id: PathId<'_>,
    id: PathId<'_>,
    _user: ApiUser,
    db: &State<Db>,
) -> Result<Success<OfferBody>, ApiError> {
    let (user_id, id) = (user_id.user()?, id.offer()?);
    let offer = repo::offers::find_owned(&mut *db.acquire().await?, user_id, id)
        .await?
        .ok_or_else(|| AppError::offer_not_found(id))?;
    Ok(Success(offer.into()))
}

/// # Update an offer
///
/// Changes any subset of title, description and skills_list; `modification_date` advances,
/// `creation_date` never changes. Only the owner may update.
#[openapi(tag = "Offers")]
#[put("/users/<user_id>/offers/<id>", data = "<body>")]
pub async fn update(
    user_id: PathId<'_>,
    id: PathId<'_>,
    user: ApiUser,
    db: &State<Db>,
    body: JsonBody<OfferPatchRequest>,
) -> Result<Success<OfferBody>, ApiError> {
    let (user_id, id) = (user_id.user()?, id.offer()?);
    require_owner(user.id, user_id)?;
    let patch = OfferPatch::from_json(&body.into_object(NO_INPUT)?)?;
    let offer = repo::offers::update_owned(&mut *db.acquire().await?, user_id, id, &patch)
        .await?
        .ok_or_else(|| AppError::offer_not_found(id))?;
    Ok(Success(offer.into()))
}

/// # Delete an offer
///
/// Removes the offer for good. Only the owner may delete.
#[openapi(tag = "Offers")]
#[delete("/users/<user_id>/offers/<id>")]
pub async fn delete(
    user_id: PathId<'_>,
    id: PathId<'_>,
    user: ApiUser,
    db: &State<Db>,
) -> Result<Success<Message>, ApiError> {
    let (user_id, id) = (user_id.user()?, id.offer()?);
    require_owner(user.id, user_id)?;
    if !repo::offers::delete_owned(&mut *db.acquire().await?, user_id, id).await? {
        return Err(AppError::offer_not_found(id).into());
    }
    Ok(Success(Message {
        message: format!("offer deleted {id}"),
    }))
}
