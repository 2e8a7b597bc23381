//! Applications: a candidate applies to an offer that takes them (`POST
//! /offers/{id}/applications`), follows it and withdraws through a private link
//! (`/applications/{token}`); the offer's owner lists, reads, moves and annotates them and
//! downloads their CVs (`/users/{user_id}/applications…`).

use chrono::{DateTime, Utc};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{delete, get, post, put, State};
use rocket_okapi::gen::OpenApiGenerator;
use rocket_okapi::okapi::openapi3::{Parameter, ParameterValue, Responses};
use rocket_okapi::openapi;
use rocket_okapi::request::{OpenApiFromRequest, RequestHeaderInput};
use rocket_okapi::response::OpenApiResponderInner;
use schemars::JsonSchema;
use serde::Serialize;

use super::error::ApiError;
use super::input::{ApplicationBody, JsonBody};
use super::offers::timestamp;
use super::query::NextCursorSchema;
use super::responses::{Created, NoStore, Success};
use super::schema;
use crate::auth::candidate::{token_hash, CandidateLinks};
use crate::auth::throttle::Limiter;
use crate::auth::ApiUser;
use crate::config::AppConfig;
use crate::db::{Db, DbConn};
use crate::domain::access::require_owner;
use crate::domain::application::{
    parse_idempotency_key, ApplicationChange, ApplicationConflict, ApplicationListing, Stage,
    MAX_IDEMPOTENCY_KEY_CHARS,
};
use crate::domain::FieldErrors;
use crate::error::{AppError, Missing, NO_INPUT};
use crate::http::application_form::HONEYPOT_FIELD;
use crate::http::application_links::SiteLinks;
use crate::http::cv_download::CvDownload;
use crate::http::query::{single_values, Param, ParamSchema};
use crate::http::PathId;
use crate::repo;
use crate::repo::applications::{ApplicationDetail, ListedApplication, Submitted};

/// The `Idempotency-Key` header of a submit, if sent: a retry with the same key and the same
/// body answers what the first made, and creates nothing.
pub struct IdempotencyKey(Result<Option<String>, String>);

const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IdempotencyKey {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let mut values = request.headers().get(IDEMPOTENCY_HEADER);
        let key = match (values.next(), values.next()) {
            (None, _) => Ok(None),
            (Some(raw), None) => parse_idempotency_key(raw).map(Some),
            (Some(_), Some(_)) => Err("Send this header at most once.".to_owned()),
        };
        Outcome::Success(Self(key))
    }
}

impl IdempotencyKey {
    /// The key, or `400` naming the header.
    fn value(self) -> Result<Option<String>, AppError> {
        self.0.map_err(|problem| {
            let mut errors = FieldErrors::default();
            errors.add(IDEMPOTENCY_HEADER, problem);
            AppError::Validation(errors)
        })
    }
}

impl<'r> OpenApiFromRequest<'r> for IdempotencyKey {
    fn from_request_input(
        gen: &mut OpenApiGenerator,
        _name: String,
        _required: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        let mut schema = gen.json_schema::<String>();
        schema.string().min_length = Some(1);
        schema.string().max_length = Some(MAX_IDEMPOTENCY_KEY_CHARS as u32);
        schema.string().pattern = Some("^[\\x21-\\x7E]+$".to_owned());
        Ok(RequestHeaderInput::Parameter(Parameter {
            name: IDEMPOTENCY_HEADER.to_owned(),
            location: "header".to_owned(),
            description: Some(
                "Any unique string (1–200 visible ASCII characters). A retry with the same key \
                 and body within 24 hours answers the first answer again and creates nothing."
                    .to_owned(),
            ),
            required: false,
            deprecated: false,
            allow_empty_value: false,
            value: ParameterValue::Schema {
                style: None,
                explode: None,
                allow_reserved: false,
                schema,
                example: None,
                examples: None,
            },
            extensions: Default::default(),
        }))
    }
}

/// A submitted application, as its submit answers.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SubmittedBody {
    pub id: i64,
    pub offer_id: i64,
    /// Always `new` for a new application.
    #[schemars(example = "example_new")]
    pub stage: &'static str,
    #[serde(serialize_with = "timestamp")]
    #[schemars(with = "String")]
    pub created_at: DateTime<Utc>,
    /// The candidate's private link: the application's stage, and withdrawing. Keep it; it is
    /// shown only here.
    pub status_url: String,
}

fn example_new() -> &'static str {
    "new"
}

/// The JSON body of an application (documentation; `NewApplication::from_json` parses it).
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(deny_unknown_fields)]
pub struct ApplicationJsonRequest {
    // `default`: a field documented through `schema_with` is otherwise listed as required;
    // `skip_serializing_if`: and documented with `default: null`.
    #[schemars(schema_with = "schema::applicant_name")]
    name: String,
    #[schemars(schema_with = "schema::applicant_email")]
    email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::phone")]
    phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::cover_letter")]
    cover_letter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::cv_base64")]
    cv_base64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::cv_filename")]
    cv_filename: Option<String>,
    #[schemars(schema_with = "schema::consent")]
    consent: bool,
}

/// The multipart form of an application (documentation; the same rules as the JSON body).
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct ApplicationFormRequest {
    #[schemars(length(min = 1, max = 200))]
    name: String,
    #[schemars(length(max = 254))]
    email: String,
    #[schemars(length(max = 40))]
    phone: Option<String>,
    #[schemars(length(max = 10000))]
    cover_letter: Option<String>,
    /// The CV file: PDF, DOCX or ODT (judged by its bytes), at most 5 MiB.
    #[schemars(with = "Option<CvFilePart>")]
    cv: Option<String>,
    /// `true` (or `on`, `yes`, `1`, as a checkbox sends).
    consent: String,
}

/// A file part.
struct CvFilePart;

impl JsonSchema for CvFilePart {
    fn schema_name() -> String {
        "CvFile".to_owned()
    }

    fn json_schema(gen: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut schema = gen.subschema_for::<String>().into_object();
        schema.format = Some("binary".to_owned());
        schema.into()
    }
}

impl SubmittedBody {
    fn new(submitted: Submitted, links: &SiteLinks<'_>) -> Self {
        Self {
            id: submitted.id,
            offer_id: submitted.offer_id,
            stage: submitted.stage.as_str(),
            created_at: submitted.created_at,
            status_url: links.api_status_url(&submitted.token_salt),
        }
    }
}

/// # Apply to an offer
///
/// Public: a candidate applies to a published offer that takes applications here
/// (`apply_native`), as JSON (the CV as `cv_base64` + `cv_filename`) or as
/// `multipart/form-data` (the CV as the file part `cv`). Consent is required. One application
/// per e-mail address per offer (then 409); a closed, expired or non-native offer answers 409;
/// a CV over 5 MiB 413; too many applications from one client or to one offer 429. The answer
/// carries the candidate's private `status_url` (also in `Location`). When e-mail is on, the
/// candidate is sent a receipt with that link, and the offer's `apply_email` (if any) a notice.
#[openapi(tag = "Applications")]
#[post("/offers/<id>/applications", data = "<body>")]
pub async fn apply(
    id: PathId<'_>,
    key: IdempotencyKey,
    limiter: Limiter<'_>,
    links: &State<CandidateLinks>,
    config: &State<AppConfig>,
    body: ApplicationBody,
) -> Result<Created<SubmittedBody>, ApiError> {
    let offer_id = id.offer()?;
    let key = key.value()?;
    let read = body.into_application()?;
    if read.honeypot {
        let mut errors = FieldErrors::default();
        errors.add(HONEYPOT_FIELD, "Leave this field empty.");
        return Err(AppError::Validation(errors).into());
    }
    let site_links = SiteLinks::new(links, config);
    let submitted = limiter
        .apply(
            links,
            offer_id,
            &read.application,
            key.as_deref(),
            site_links.for_mail(config),
        )
        .await?;
    let body = SubmittedBody::new(submitted, &site_links);
    Ok(Created {
        location: body.status_url.clone(),
        body,
    })
}

/// An application as its candidate sees it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CandidateBody {
    pub id: i64,
    pub offer_id: i64,
    pub offer_title: String,
    #[schemars(schema_with = "stage_schema")]
    pub stage: &'static str,
    #[serde(serialize_with = "timestamp")]
    #[schemars(with = "String")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp")]
    #[schemars(with = "String")]
    pub updated_at: DateTime<Utc>,
}

fn stage_schema(gen: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
    let mut schema = gen.subschema_for::<String>().into_object();
    schema.enum_values = Some(
        Stage::ALL
            .iter()
            .map(|stage| stage.as_str().into())
            .collect(),
    );
    schema.into()
}

/// The stages an employer may ask for: every one but `withdrawn`, which only the candidate
/// sets.
fn settable_stage_schema(gen: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
    let mut schema = gen.subschema_for::<String>().into_object();
    schema.enum_values = Some(
        Stage::ALL
            .iter()
            .filter(|stage| **stage != Stage::Withdrawn)
            .map(|stage| stage.as_str().into())
            .collect(),
    );
    schema.into()
}

fn unknown_link() -> AppError {
    AppError::NotFound(Missing::Application("for this link".to_owned()))
}

/// # Follow an application (candidate)
///
/// The application behind the candidate's private link: its offer and its stage.
#[openapi(tag = "Applications")]
#[get("/applications/<token>")]
pub async fn candidate_view(
    token: &str,
    mut db: DbConn,
) -> Result<NoStore<Success<CandidateBody>>, ApiError> {
    let view = repo::applications::find_by_token(&mut *db, &token_hash(token))
        .await?
        .ok_or_else(unknown_link)?;
    // The address is the candidate's credential: no cache keeps what it shows.
    Ok(NoStore(Success(CandidateBody {
        id: view.id,
        offer_id: view.offer_id,
        offer_title: view.offer_title,
        stage: view.stage.as_str(),
        created_at: view.created_at,
        updated_at: view.updated_at,
    })))
}

/// The stage after withdrawing.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WithdrawnBody {
    /// `withdrawn`.
    pub stage: &'static str,
}

/// # Withdraw an application (candidate)
///
/// The candidate withdraws: the application stays on record as `withdrawn` and its CV is
/// erased. Withdrawing again answers the same.
#[openapi(tag = "Applications")]
#[delete("/applications/<token>")]
pub async fn withdraw(token: &str, mut db: DbConn) -> Result<Success<WithdrawnBody>, ApiError> {
    if !repo::applications::withdraw(&mut db, &token_hash(token)).await? {
        return Err(unknown_link().into());
    }
    Ok(Success(WithdrawnBody {
        stage: Stage::Withdrawn.as_str(),
    }))
}

/// An application in its employer's list.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ListedBody {
    pub id: i64,
    pub offer_id: i64,
    /// `null` once the personal data has been erased.
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[schemars(schema_with = "stage_schema")]
    pub stage: &'static str,
    #[serde(serialize_with = "timestamp")]
    #[schemars(with = "String")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp")]
    #[schemars(with = "String")]
    pub updated_at: DateTime<Utc>,
    pub has_cv: bool,
}

impl From<ListedApplication> for ListedBody {
    fn from(listed: ListedApplication) -> Self {
        Self {
            id: listed.id,
            offer_id: listed.offer_id,
            name: listed.name,
            email: listed.email,
            phone: listed.phone,
            stage: listed.stage.as_str(),
            created_at: listed.created_at,
            updated_at: listed.updated_at,
            has_cv: listed.has_cv,
        }
    }
}

/// A page of an employer's applications.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ApplicationList {
    pub applications: Vec<ListedBody>,
    /// How many applications match (on all pages).
    pub count: i64,
    /// Where the next page starts (`cursor`), `null` on the last page.
    pub next_cursor: Option<String>,
}

pub struct OfferFilterSchema;
impl ParamSchema for OfferFilterSchema {
    fn name() -> &'static str {
        "ApplicationOffer"
    }
    fn schema() -> schemars::schema::SchemaObject {
        let mut schema = schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::Integer.into()),
            ..Default::default()
        };
        schema.metadata().description = Some("Only the applications to this offer.".to_owned());
        schema.number().minimum = Some(1.0);
        schema
    }
}

pub struct StageFilterSchema;
impl ParamSchema for StageFilterSchema {
    fn name() -> &'static str {
        "ApplicationStage"
    }
    fn schema() -> schemars::schema::SchemaObject {
        let names: Vec<&str> = Stage::ALL.iter().map(|stage| stage.as_str()).collect();
        let mut schema = schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            ..Default::default()
        };
        schema.metadata().description = Some(format!(
            "Only applications in these stages, comma-separated: {}.",
            names.join(", ")
        ));
        schema.string().pattern = Some(super::query::names_pattern(&names));
        schema
    }
}

pub struct ApplicationLimitSchema;
impl ParamSchema for ApplicationLimitSchema {
    fn name() -> &'static str {
        "ApplicationLimit"
    }
    fn schema() -> schemars::schema::SchemaObject {
        let page = crate::domain::application::APPLICATION_PAGE;
        let mut schema = schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::Integer.into()),
            ..Default::default()
        };
        schema.metadata().description = Some(format!(
            "Applications per page: 1–{}, {} by default.",
            page.max, page.default
        ));
        schema.number().minimum = Some(1.0);
        schema.number().maximum = Some(f64::from(page.max));
        schema
    }
}

/// # List applications (employer)
///
/// The applications to the user's offers, newest first, a page at a time; `offer_id` keeps
/// one offer's, `stage` some stages (`new,reviewing`). Only the owner (else 403).
#[openapi(tag = "Applications")]
#[get("/users/<user_id>/applications?<offer_id>&<stage>&<limit>&<cursor>")]
pub async fn list(
    user_id: PathId<'_>,
    offer_id: Param<'_, OfferFilterSchema>,
    stage: Param<'_, StageFilterSchema>,
    limit: Param<'_, ApplicationLimitSchema>,
    cursor: Param<'_, NextCursorSchema>,
    user: ApiUser,
    mut db: DbConn,
) -> Result<Success<ApplicationList>, ApiError> {
    let user_id = user_id.user()?;
    require_owner(user.id, user_id)?;
    let listing = single_values([
        offer_id.named("offer_id"),
        stage.named("stage"),
        limit.named("limit"),
        cursor.named("cursor"),
    ])
    .parse(|[offer_id, stage, limit, cursor]| {
        ApplicationListing::parse(offer_id, stage, limit, cursor)
    })?;
    let page = repo::applications::list_for_owner(&mut db, user_id, &listing).await?;
    let next_cursor = page
        .applications
        .last()
        .filter(|_| page.has_next)
        .map(|last| ApplicationListing::cursor_after(last.id));
    Ok(Success(ApplicationList {
        count: page.count,
        next_cursor,
        applications: page
            .applications
            .into_iter()
            .map(ListedBody::from)
            .collect(),
    }))
}

/// One entry of an application's history.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HistoryBody {
    #[schemars(schema_with = "stage_schema")]
    pub stage: &'static str,
    #[serde(serialize_with = "timestamp")]
    #[schemars(with = "String")]
    pub at: DateTime<Utc>,
    /// The employer's username, or `candidate`.
    pub by: Option<String>,
}

/// One of the employer's notes.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NoteBody {
    pub note: String,
    #[serde(serialize_with = "timestamp")]
    #[schemars(with = "String")]
    pub at: DateTime<Utc>,
    pub by: Option<String>,
}

/// An application in full, for its employer.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ApplicationBodyOut {
    #[serde(flatten)]
    pub listed: ListedBody,
    pub cover_letter: Option<String>,
    pub history: Vec<HistoryBody>,
    pub notes: Vec<NoteBody>,
}

impl From<ApplicationDetail> for ApplicationBodyOut {
    fn from(detail: ApplicationDetail) -> Self {
        Self {
            listed: detail.listed.into(),
            cover_letter: detail.cover_letter,
            history: detail
                .history
                .into_iter()
                .map(|change| HistoryBody {
                    stage: change.stage.as_str(),
                    at: change.at,
                    by: if change.by_candidate {
                        Some("candidate".to_owned())
                    } else {
                        change.by
                    },
                })
                .collect(),
            notes: detail
                .notes
                .into_iter()
                .map(|note| NoteBody {
                    note: note.body,
                    at: note.at,
                    by: note.by,
                })
                .collect(),
        }
    }
}

async fn detail(db: &mut DbConn, owner: i64, id: i64) -> Result<ApplicationBodyOut, AppError> {
    repo::applications::find_for_owner(db, owner, id)
        .await?
        .map(ApplicationBodyOut::from)
        .ok_or_else(|| AppError::NotFound(Missing::Application(id.to_string())))
}

/// # Read an application (employer)
///
/// The application with its cover letter, its history of stages (who moved it, when) and the
/// employer's notes. Only the offer's owner (else 403).
#[openapi(tag = "Applications")]
#[get("/users/<user_id>/applications/<id>")]
pub async fn get(
    user_id: PathId<'_>,
    id: PathId<'_>,
    user: ApiUser,
    mut db: DbConn,
) -> Result<Success<ApplicationBodyOut>, ApiError> {
    let (user_id, id) = (user_id.user()?, id.application()?);
    require_owner(user.id, user_id)?;
    Ok(Success(detail(&mut db, user_id, id).await?))
}

/// A change to an application: a stage, a note, or both.
pub struct ApplicationChangeRequest;

impl JsonSchema for ApplicationChangeRequest {
    fn schema_name() -> String {
        "ApplicationChangeRequest".to_owned()
    }

    fn json_schema(gen: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut schema = ApplicationChangeFields::json_schema(gen).into_object();
        // Either field alone will do, but one of them must be there.
        schema.object().required.clear();
        schema.object().min_properties = Some(1);
        schema.metadata().description =
            Some("A change to an application: a stage, a note, or both.".to_owned());
        schema.into()
    }
}

/// The fields of `ApplicationChangeRequest`.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(deny_unknown_fields)]
struct ApplicationChangeFields {
    /// The next stage: forward (`new → reviewing → interview → offer → hired`) or `rejected`
    /// from any stage; anything else is 409. Optional: a note alone changes no stage.
    #[schemars(schema_with = "settable_stage_schema")]
    stage: Option<String>,
    /// A private note to add (1–10 000 characters).
    #[schemars(length(min = 1, max = 10000))]
    note: Option<String>,
}

/// # Move or annotate an application (employer)
///
/// Moves the application to `stage` (recorded in its history) and/or adds a `note`. A move
/// the pipeline does not allow is 409 `Cannot move from X to Y`. Only the offer's owner.
/// When e-mail is on, the candidate is written to about the new stage.
#[openapi(tag = "Applications")]
#[put("/users/<user_id>/applications/<id>", data = "<body>")]
pub async fn update(
    user_id: PathId<'_>,
    id: PathId<'_>,
    user: ApiUser,
    mut db: DbConn,
    links: &State<CandidateLinks>,
    config: &State<AppConfig>,
    body: JsonBody<ApplicationChangeRequest>,
) -> Result<Success<ApplicationBodyOut>, ApiError> {
    let (user_id, id) = (user_id.user()?, id.application()?);
    require_owner(user.id, user_id)?;
    let change = ApplicationChange::from_json(&body.into_object(NO_INPUT)?)?;
    let links = SiteLinks::new(links, config);
    let mail = links.for_mail(config);
    let changed = repo::applications::change(&mut db, user_id, id, &change, user.id, mail).await?;
    match changed {
        None => Err(AppError::NotFound(Missing::Application(id.to_string())).into()),
        Some(Err(refused)) => Err(AppError::from(ApplicationConflict::from(refused)).into()),
        Some(Ok(())) => Ok(Success(detail(&mut db, user_id, id).await?)),
    }
}

impl OpenApiResponderInner for CvDownload {
    fn responses(_gen: &mut OpenApiGenerator) -> rocket_okapi::Result<Responses> {
        use rocket_okapi::okapi::openapi3::{MediaType, RefOr, Response};
        let binary = || {
            let mut schema = schemars::schema::SchemaObject {
                instance_type: Some(schemars::schema::InstanceType::String.into()),
                format: Some("binary".to_owned()),
                ..Default::default()
            };
            schema.metadata().description = Some("The CV as uploaded.".to_owned());
            MediaType {
                schema: Some(schema),
                ..Default::default()
            }
        };
        let content = [
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.oasis.opendocument.text",
        ]
        .into_iter()
        .map(|kind| (kind.to_owned(), binary()))
        .collect();
        let mut responses = Responses::default();
        responses.responses.insert(
            "200".to_owned(),
            RefOr::Object(Response {
                description: "The CV, as an attachment (`Content-Disposition`), with the \
                              content type its bytes were recognised as."
                    .to_owned(),
                content,
                ..Default::default()
            }),
        );
        Ok(responses)
    }
}

/// # Download an application's CV (employer)
///
/// The CV file as an attachment, with the content type its bytes were recognised as. `404`
/// when the application has none (never sent, or erased on withdrawal). Only the owner.
#[openapi(tag = "Applications")]
#[get("/users/<user_id>/applications/<id>/cv")]
pub async fn cv(
    user_id: PathId<'_>,
    id: PathId<'_>,
    user: ApiUser,
    db: &State<Db>,
) -> Result<CvDownload, ApiError> {
    let (user_id, id) = (user_id.user()?, id.application()?);
    require_owner(user.id, user_id)?;
    let pool = db.pool().clone();
    let file = repo::applications::find_cv(&pool, user_id, id)
        .await?
        .ok_or_else(|| AppError::NotFound(Missing::Cv(id)))?;
    Ok(CvDownload { file, pool })
}
