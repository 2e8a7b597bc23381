//! Webhooks (owner): register an endpoint for some events (`POST /users/{id}/webhooks`, the
//! secret answered once), list them with their last deliveries, delete one. Deliveries are the
//! outbox worker's (`crate::webhooks`).

use chrono::{DateTime, Utc};
use rocket::{delete, get, post, State};
use rocket_okapi::openapi;
use schemars::JsonSchema;
use serde::Serialize;

use super::error::ApiError;
use super::input::JsonBody;
use super::offers::{optional_timestamp, timestamp};
use super::responses::{Created, Success};
use crate::auth::ApiUser;
use crate::config::AppConfig;
use crate::db::DbConn;
use crate::domain::access::require_owner;
use crate::domain::webhook::{new_secret, NewWebhook};
use crate::domain::FieldErrors;
use crate::error::{AppError, Missing, NO_INPUT};
use crate::http::PathId;
use crate::repo;
use crate::repo::webhooks::{Delivery, Webhook};

/// An endpoint to register.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(deny_unknown_fields)]
pub struct WebhookRequest {
    /// Where deliveries are POSTed: an `https` URL of a public host (at most 2000 characters).
    #[schemars(length(max = 2000), example = "example_url")]
    url: String,
    #[schemars(schema_with = "super::schema::webhook_events")]
    events: Vec<String>,
}

fn example_url() -> &'static str {
    "https://hooks.example.com/job-offers"
}

/// A registered endpoint, with its secret: shown only in this answer.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RegisteredWebhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    /// The key of every delivery's `X-Signature` (HMAC-SHA256). Keep it; it is shown only here.
    pub secret: String,
}

/// One attempt to deliver an event.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DeliveryBody {
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// 1 for the first attempt of this event.
    pub attempt: i32,
    #[serde(serialize_with = "timestamp")]
    #[schemars(with = "String")]
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status; `null` when none came (unreachable, timed out, refused).
    pub status: Option<i32>,
    pub error: Option<String>,
    /// The receiver answered 2xx.
    pub delivered: bool,
}

/// A registered endpoint with its last deliveries (newest first), without its secret.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WebhookBody {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    #[serde(serialize_with = "timestamp")]
    #[schemars(with = "String")]
    pub created_at: DateTime<Utc>,
    /// When deliveries were stopped because they kept failing; `null` while enabled.
    #[serde(serialize_with = "optional_timestamp")]
    #[schemars(with = "Option<String>")]
    pub disabled_at: Option<DateTime<Utc>>,
    /// The notice of why it was disabled.
    pub disabled_reason: Option<String>,
    /// The last 20 attempts.
    pub deliveries: Vec<DeliveryBody>,
}

impl From<(Webhook, Vec<Delivery>)> for WebhookBody {
    fn from((hook, deliveries): (Webhook, Vec<Delivery>)) -> Self {
        Self {
            id: hook.id,
            url: hook.url,
            events: hook.events,
            created_at: hook.created_at,
            disabled_at: hook.disabled_at,
            disabled_reason: hook.disabled_reason,
            deliveries: deliveries
                .into_iter()
                .map(|delivery| DeliveryBody {
                    event_id: delivery.event_id,
                    kind: delivery.kind,
                    attempt: delivery.attempt,
                    at: delivery.at,
                    status: delivery.status,
                    error: delivery.error,
                    delivered: delivery.delivered,
                })
                .collect(),
        }
    }
}

/// # Register a webhook
///
/// Deliveries of the chosen events go to `url`, signed with the secret in this answer (shown
/// once); a `ping` is sent at once. Only `https` public addresses. Only the owner (else 403).
#[openapi(tag = "Webhooks")]
#[post("/users/<user_id>/webhooks", data = "<body>")]
pub async fn create(
    user_id: PathId<'_>,
    user: ApiUser,
    mut db: DbConn,
    config: &State<AppConfig>,
    body: JsonBody<WebhookRequest>,
) -> Result<Created<RegisteredWebhook>, ApiError> {
    let user_id = user_id.user()?;
    require_owner(user.id, user_id)?;
    let policy = config.webhooks.policy;
    let new = NewWebhook::from_json(&body.into_object(NO_INPUT)?, policy)
        .map_err(AppError::Validation)?;
    let url = crate::webhooks::vet(new.url.as_str(), policy)
        .await
        .map_err(|problem| {
            let mut errors = FieldErrors::default();
            errors.add("url", problem);
            AppError::Validation(errors)
        })?;
    let secret = new_secret();
    let created =
        repo::webhooks::create(&mut db, user_id, url.as_str(), &new.events, &secret).await?;
    Ok(Created {
        location: format!("{}/users/{user_id}/webhooks", super::BASE),
        body: RegisteredWebhook {
            id: created.id,
            url: created.url,
            events: created.events,
            secret,
        },
    })
}

/// # List webhooks
///
/// The user's endpoints, each with its last 20 delivery attempts and, when deliveries kept
/// failing, when and why it was disabled. Only the owner (else 403).
#[openapi(tag = "Webhooks")]
#[get("/users/<user_id>/webhooks")]
pub async fn list(
    user_id: PathId<'_>,
    user: ApiUser,
    mut db: DbConn,
) -> Result<Success<Vec<WebhookBody>>, ApiError> {
    let user_id = user_id.user()?;
    require_owner(user.id, user_id)?;
    let hooks = repo::webhooks::list(&mut db, user_id).await?;
    Ok(Success(hooks.into_iter().map(WebhookBody::from).collect()))
}

/// # Delete a webhook
///
/// Removes the endpoint and its log; nothing more is delivered to it. Only the owner.
#[openapi(tag = "Webhooks")]
#[delete("/users/<user_id>/webhooks/<id>")]
pub async fn delete(
    user_id: PathId<'_>,
    id: PathId<'_>,
    user: ApiUser,
    mut db: DbConn,
) -> Result<Success<super::responses::Message>, ApiError> {
    let (user_id, id) = (user_id.user()?, id.webhook()?);
    require_owner(user.id, user_id)?;
    if !repo::webhooks::delete(&mut *db, user_id, id).await? {
        return Err(AppError::NotFound(Missing::Webhook(id.to_string())).into());
    }
    Ok(Success(super::responses::Message {
        message: format!("webhook deleted {id}"),
    }))
}
