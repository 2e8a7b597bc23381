//! `/users/{user_id}/offers/…`: list, create, read, update and delete job offers.

use chrono::{DateTime, Utc};
use rocket::{delete, get, post, put, State};
use rocket_okapi::openapi;
use schemars::JsonSchema;
use serde::{Serialize, Serializer};

use super::error::ApiError;
use super::input::JsonBody;
use super::query::{CursorSchema, EmployerLimitSchema, StatusFilterSchema};
use super::responses::{Created, Message, Paged, Success};
use super::{schema, BASE};
use crate::auth::throttle::Limiter;
use crate::auth::{ApiCaller, ApiUser};
use crate::config::AppConfig;
use crate::db::DbConn;
use crate::domain::access::require_owner;
use crate::domain::board::EmployerPage;
use crate::domain::lifecycle;
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
    #[schemars(schema_with = "schema::shown_status")]
    pub status: &'static str,
    #[schemars(schema_with = "schema::close_reason")]
    pub close_reason: Option<&'static str>,
    #[serde(serialize_with = "optional_timestamp")]
    #[schemars(schema_with = "schema::optional_timestamp")]
    pub first_published_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "optional_timestamp")]
    #[schemars(schema_with = "schema::valid_through")]
    pub valid_through: Option<DateTime<Utc>>,
    #[schemars(schema_with = "schema::employment_types")]
    pub employment_types: Vec<&'static str>,
    #[schemars(schema_with = "schema::workplace")]
    pub workplace: Option<&'static str>,
    #[schemars(schema_with = "schema::locations")]
    pub locations: serde_json::Value,
    #[schemars(schema_with = "schema::remote_countries")]
    pub remote_countries: Vec<String>,
    #[schemars(schema_with = "schema::salary")]
    pub salary: Option<serde_json::Value>,
    #[schemars(schema_with = "schema::apply_url")]
    pub apply_url: Option<String>,
    #[schemars(schema_with = "schema::apply_email")]
    pub apply_email: Option<String>,
    #[schemars(schema_with = "schema::apply_native")]
    pub apply_native: bool,
}

fn read_only_id(gen: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
    let mut schema = gen.subschema_for::<i64>().into_object();
    schema.metadata().read_only = true;
    schema.metadata().examples = vec![1.into()];
    schema.into()
}

/// `2018-10-22T21:55:40.708571+00:00`: the original service's format, always microseconds.
pub(crate) fn timestamp<S: Serializer>(
    value: &DateTime<Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&value.format("%Y-%m-%dT%H:%M:%S%.6f+00:00"))
}

pub(crate) fn optional_timestamp<S: Serializer>(
    value: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => timestamp(value, serializer),
        None => serializer.serialize_none(),
    }
}

impl From<Offer> for OfferBody {
    fn from(offer: Offer) -> Self {
        let status = offer.shown_status().as_str();
        let details = offer.details;
        Self {
            id: offer.id,
            title: offer.title,
            description: offer.description,
            skills_list: offer.skills_list,
            creation_date: offer.creation_date,
            modification_date: offer.modification_date,
            status,
            close_reason: offer.close_reason.map(|reason| reason.as_str()),
            first_published_at: offer.first_published_at,
            valid_through: offer.valid_through,
            employment_types: details.employment_types.names(),
            workplace: details.workplace.map(|workplace| workplace.as_str()),
            locations: details.locations.to_json(),
            remote_countries: details.remote_countries.codes(),
            salary: details.salary.as_ref().map(|salary| salary.to_json()),
            apply_url: details.apply_url.map(|url| url.as_str().to_owned()),
            apply_email: details.apply_email.map(|email| email.as_str().to_owned()),
            apply_native: details.apply_native,
        }
    }
}

/// A page of a user's offers.
#[derive(Debug, Serialize, JsonSchema)]
pub struct OfferList {
    pub offers: Vec<OfferBody>,
    /// How many of the user's offers the caller can see (on all pages): every one of theirs
    /// for the owner (within `status`), the open ones for anyone else.
    pub count: i64,
}

/// The body of a new offer: title and description, and any other field.
pub struct NewOfferRequest;

impl JsonSchema for NewOfferRequest {
    fn schema_name() -> String {
        "NewOfferRequest".to_owned()
    }

    fn json_schema(gen: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut schema = schema::no_other_fields(NewOfferFields::json_schema(gen)).into_object();
        schema.metadata().description = Some("The body of a new offer.".to_owned());
        schema.into()
    }
}

#[derive(JsonSchema)]
#[allow(dead_code)] // Documentation only: `NewOffer::from_json` parses the body.
struct NewOfferFields {
    #[schemars(schema_with = "schema::title")]
    title: String,
    #[schemars(schema_with = "schema::description")]
    description: String,
    #[schemars(schema_with = "schema::skills")]
    #[serde(default)]
    skills_list: Vec<String>,
    // A create starts the lifecycle, so it takes fewer statuses than an update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::new_status")]
    status: Option<String>,
    #[serde(flatten)]
    details: OfferDetailsFields,
}

/// The contract v2 fields of a create or an update, all optional in both.
#[derive(JsonSchema)]
#[allow(dead_code)] // Documentation only: `NewOffer::from_json`/`OfferPatch::from_json` parse them.
struct OfferDetailsFields {
    // `default`: a field documented through `schema_with` is otherwise listed as required;
    // `skip_serializing_if`: and documented with `default: null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::close_reason")]
    close_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::valid_through")]
    valid_through: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::employment_types")]
    employment_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::workplace")]
    workplace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::locations")]
    locations: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::remote_countries")]
    remote_countries: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::salary")]
    salary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::apply_url")]
    apply_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::apply_email")]
    apply_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::apply_native")]
    apply_native: Option<bool>,
}

/// The fields to change; at least one (`minProperties: 1`).
pub struct OfferPatchRequest;

impl JsonSchema for OfferPatchRequest {
    fn schema_name() -> String {
        "OfferPatchRequest".to_owned()
    }

    fn json_schema(gen: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut schema = schema::no_other_fields(OfferPatchFields::json_schema(gen)).into_object();
        // Every field is optional: an update names only what changes, but names something.
        schema.object().required.clear();
        schema.object().min_properties = Some(1);
        schema.metadata().description = Some("The fields to change; at least one.".to_owned());
        schema.into()
    }
}

#[derive(JsonSchema)]
#[allow(dead_code)] // Documentation only: `OfferPatch::from_json` parses the body.
struct OfferPatchFields {
    #[schemars(schema_with = "schema::title")]
    title: Option<String>,
    #[schemars(schema_with = "schema::description")]
    description: Option<String>,
    #[schemars(schema_with = "schema::skills")]
    skills_list: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::status")]
    status: Option<String>,
    #[serde(flatten)]
    details: OfferDetailsFields,
}

/// # List a user's offers
///
/// The user's offers, oldest first, a page at a time (`limit`, 100 by default and at most).
/// The owner sees every offer, and may keep some statuses (`status=draft,closed`); anyone
/// else sees only published offers that have not expired. `count` counts what the caller
/// sees. When more follow, `Link: <…>; rel="next"` gives the next page's URL.
#[openapi(tag = "Offers")]
#[get("/users/<user_id>/offers?<limit>&<cursor>&<status>")]
pub async fn list(
    user_id: PathId<'_>,
    limit: Param<'_, EmployerLimitSchema>,
    cursor: Param<'_, CursorSchema>,
    status: Param<'_, StatusFilterSchema>,
    user: ApiUser,
    mut db: DbConn,
) -> Result<Paged<OfferList>, ApiError> {
    let user_id = user_id.user()?;
    let (page, status) = single_values([
        limit.named("limit"),
        cursor.named("cursor"),
        status.named("status"),
    ])
    .parse(|[limit, cursor, status]| Ok((EmployerPage::parse(limit, cursor, status)?, status)))?;
    let listed = repo::offers::list_for_user(&mut *db, user_id, user.id, &page)
        .await?
        .ok_or_else(|| AppError::NotFound(Missing::User(user_id.to_string())))?;
    let next = listed.next_cursor().map(|cursor| {
        let limit = page.limit.to_string();
        let query = query_string(&[
            ("limit", Some(&limit)),
            ("cursor", Some(&cursor.encode())),
            ("status", status),
        ]);
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
/// A new offer for the signed-in user, who must be `user_id`: published at once unless
/// `status` is `draft`, open until `valid_through` (default: 60 days). An account creates at
/// most `offers_per_window` offers an hour (then 429) and has at most `max_offers_per_user`
/// (then 409).
#[openapi(tag = "Offers")]
#[post("/users/<user_id>/offers", data = "<body>")]
pub async fn create(
    user_id: PathId<'_>,
    user: ApiUser,
    limiter: Limiter<'_>,
    config: &State<AppConfig>,
    body: JsonBody<NewOfferRequest>,
) -> Result<Created<OfferBody>, ApiError> {
    let user_id = user_id.user()?;
    require_owner(user.id, user_id)?;
    let new_offer = NewOffer::from_json(&body.into_object(NO_INPUT)?)?;
    let change = lifecycle::create(&new_offer, Utc::now(), &config.publishing)?;
    let offer = limiter.create_offer(user_id, &change).await?;
    Ok(Created {
        location: format!("{BASE}/users/{user_id}/offers/{}", offer.id),
        body: offer.into(),
    })
}

/// # Get an offer
///
/// One offer of the user: for its owner whatever its status, for any other signed-in user
/// only while published and not expired (else 404).
#[openapi(tag = "Offers")]
#[get("/users/<user_id>/offers/<id>")]
pub async fn get(
    user_id: PathId<'_>,
    id: PathId<'_>,
    caller: ApiCaller,
    mut db: DbConn,
) -> Result<Success<OfferBody>, ApiError> {
    // The hottest signed-in read: the token's check is part of the offer's statement. A path
    // that names no offer is answered after the check alone, so a dead token is 401 first,
    // as on every other route.
    let (Ok(owner), Ok(offer_id)) = (user_id.user(), id.offer()) else {
        caller.check(&mut db).await?;
        user_id.user()?;
        return Err(id.offer().unwrap_err().into());
    };
    let claimed = caller.claimed();
    let checked = repo::offers::find_visible_checked(
        &mut db,
        owner,
        offer_id,
        (claimed.id, claimed.credentials_version),
    )
    .await?;
    let offer = ApiCaller::held(checked)?.ok_or_else(|| AppError::offer_not_found(offer_id))?;
    Ok(Success(offer.into()))
}

/// # Update an offer
///
/// Changes any subset of the fields; `modification_date` advances, `creation_date` and
/// `first_published_at` never change. `status` moves the offer along its lifecycle: draft →
/// published, published → closed (with `close_reason`), closed → published; any other change
/// is 409. Only the owner may update.
#[openapi(tag = "Offers")]
#[put("/users/<user_id>/offers/<id>", data = "<body>")]
pub async fn update(
    user_id: PathId<'_>,
    id: PathId<'_>,
    user: ApiUser,
    mut db: DbConn,
    config: &State<AppConfig>,
    body: JsonBody<OfferPatchRequest>,
) -> Result<Success<OfferBody>, ApiError> {
    let (user_id, id) = (user_id.user()?, id.offer()?);
    require_owner(user.id, user_id)?;
    let patch = OfferPatch::from_json(&body.into_object(NO_INPUT)?)?;
    let offer = repo::offers::change_owned(&mut db, user_id, id, &patch, &config.publishing)
        .await?
        .ok_or_else(|| AppError::offer_not_found(id))??;
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
    mut db: DbConn,
    config: &State<AppConfig>,
) -> Result<Success<Message>, ApiError> {
    let (user_id, id) = (user_id.user()?, id.offer()?);
    require_owner(user.id, user_id)?;
    if !repo::offers::delete_owned(&mut *db, user_id, id, config.site.tombstone_days).await? {
        return Err(AppError::offer_not_found(id).into());
    }
    Ok(Success(Message {
        message: format!("offer deleted {id}"),
    }))
}
