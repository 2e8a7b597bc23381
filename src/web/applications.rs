//! Applications in the browser: the form on an offer's page (and its own page, where a refused
//! form comes back with its problems), the candidate's private status page with withdrawal,
//! and the employer's pages: the list by stage, one application with its history, notes and
//! stage moves, and the CV download. The same domain rules, submit flow and owner-scoped
//! queries as the API.

use rocket::data::{self, Data, FromData};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::request::Request;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::csrf::{CsrfForm, CsrfRefused, TokenOnly};
use super::errors::PageError;
use super::page::{FormReply, Page, Tab};
use super::paths;
use super::time::Timestamp;
use crate::auth::candidate::{token_hash, CandidateLinks};
use crate::auth::session;
use crate::auth::throttle::Limiter;
use crate::auth::PageUser;
use crate::config::AppConfig;
use crate::db::{Db, DbConn};
use crate::domain::application::{
    parse_idempotency_key, ApplicationChange, ApplicationInput, ApplicationListing,
    ApplicationRefused, NewApplication, Stage, COVER_LETTER, MAX_PHONE_CHARS, NAME, NOTE,
};
use crate::domain::fields::InputError;
use crate::domain::posting::MAX_APPLY_EMAIL_CHARS;
use crate::domain::{parse_id, FieldErrors, JsonObject};
use crate::error::{AppError, Missing};
use crate::http::application_form::{self, FormApplication, FormProblem, HONEYPOT_FIELD};
use crate::http::application_links::{candidate_page, employer_page, SiteLinks};
use crate::http::cv_download::CvDownload;
use crate::http::PathId;
use crate::repo;

/// Applications per page of the employer's list.
const APPLICATIONS_PAGE: u32 = 25;

/// What the application form shows: the offer, the person's input and each problem.
#[derive(Debug, Serialize, Default)]
pub struct ApplyFormView {
    pub offer_id: i64,
    pub values: ApplyValues,
    /// Field name → its first problem.
    pub errors: std::collections::BTreeMap<String, String>,
    /// A problem of the whole application (already applied, offer closed), if any.
    pub problem: Option<String>,
    /// Days the personal data is kept after the offer closes, told before consenting.
    pub retention_days: u32,
    /// Sent back with the form, so that a double submit creates one application.
    pub idempotency_key: String,
    pub honeypot_field: &'static str,
    pub limits: ApplyLimits,
}

#[derive(Debug, Serialize)]
pub struct ApplyLimits {
    name: usize,
    email: usize,
    phone: usize,
    cover_letter: usize,
}

impl Default for ApplyLimits {
    fn default() -> Self {
        Self {
            name: NAME.max_chars,
            email: MAX_APPLY_EMAIL_CHARS,
            phone: MAX_PHONE_CHARS,
            cover_letter: COVER_LETTER.max_chars,
        }
    }
}

/// The text a person typed, to show again when the form comes back (a file input cannot be
/// filled in again by a page).
#[derive(Debug, Serialize, Default, Clone)]
pub struct ApplyValues {
    name: String,
    email: String,
    phone: String,
    cover_letter: String,
    consent: bool,
}

impl ApplyValues {
    fn of(input: &ApplicationInput) -> Self {
        Self {
            name: input.name.clone().unwrap_or_default(),
            email: input.email.clone().unwrap_or_default(),
            phone: input.phone.clone().unwrap_or_default(),
            cover_letter: input.cover_letter.clone().unwrap_or_default(),
            consent: input.consent.unwrap_or(false),
        }
    }
}

impl ApplyFormView {
    /// A blank form for offer `offer_id`.
    pub fn blank(offer_id: i64, config: &AppConfig) -> Self {
        Self {
            offer_id,
            retention_days: config.application_retention_days,
            idempotency_key: session::random_token(),
            honeypot_field: HONEYPOT_FIELD,
            ..Self::default()
        }
    }
}

/// The apply page's view: the offer's title and address, and the form.
#[derive(Debug, Serialize)]
struct ApplyPageView {
    offer_title: String,
    offer_href: String,
    form: ApplyFormView,
}

/// The offer an application form is for: open and taking applications here, else 404 (a
/// draft, nobody's) or the reason it takes none (409).
async fn accepting_offer(
    db: &mut DbConn,
    id: &PathId<'_>,
) -> Result<crate::domain::offer::Offer, PageError> {
    let id = id.offer()?;
    let Some(listed) = repo::board::find(&mut *db, id, None).await? else {
        return Err(AppError::offer_not_found(id).into());
    };
    if !listed.offer.takes_applications() {
        return Err(
            AppError::from(crate::domain::application::ApplicationConflict::NotAccepting).into(),
        );
    }
    Ok(listed.offer)
}

/// The application form on a page of its own: where the offer page's form comes back when
/// something is wrong, and an address to link to.
#[get("/offers/<id>/apply")]
pub async fn apply_page(
    page: Page<'_>,
    mut db: DbConn,
    config: &State<AppConfig>,
    id: PathId<'_>,
) -> Result<Template, PageError> {
    let offer = accepting_offer(&mut db, &id).await?;
    let view = ApplyPageView {
        offer_href: paths::offer(offer.id, &offer.title),
        offer_title: offer.title,
        form: ApplyFormView::blank(offer.id, config),
    };
    Ok(page.render("applications/apply", view))
}

/// The application form's body: multipart (the CV is a file), with its CSRF token checked as
/// every form's is.
pub struct ApplyForm(Result<FormApplication, FormProblem>);

#[rocket::async_trait]
impl<'r> FromData<'r> for ApplyForm {
    type Error = ();

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        if !application_form::is_multipart(request) {
            return data::Outcome::Error((Status::UnprocessableEntity, ()));
        }
        let sent = application_form::read(request, data).await;
        if let Ok(form) = &sent {
            let genuine = match (&form.csrf_token, session::expected_token(request).await) {
                (Some(sent), Some(expected)) => session::tokens_match(sent, &expected),
                _ => false,
            };
            if !genuine {
                request.local_cache(|| CsrfRefused(true));
                return data::Outcome::Error((Status::Forbidden, ()));
            }
        }
        data::Outcome::Success(Self(sent))
    }
}

/// What the form came to when it is shown again.
fn again(
    offer: &crate::domain::offer::Offer,
    mut form: ApplyFormView,
    page: Page<'_>,
) -> FormReply {
    form.offer_id = offer.id;
    let view = ApplyPageView {
        offer_href: paths::offer(offer.id, &offer.title),
        offer_title: offer.title.clone(),
        form,
    };
    FormReply::Invalid(page.render("applications/apply", view))
}

/// A candidate applies from the offer's page. Accepted: on to their private status page. A
/// field problem, a duplicate or a closed offer: the form again with the reason. A filled-in
/// honeypot (a bot) is answered as if accepted and keeps nothing.
#[post("/offers/<id>/apply", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    page: Page<'_>,
    mut db: DbConn,
    limiter: Limiter<'_>,
    links: &State<CandidateLinks>,
    config: &State<AppConfig>,
    id: PathId<'_>,
    form: ApplyForm,
) -> Result<FormReply, PageError> {
    let offer_id = id.offer()?;
    let Some(listed) = repo::board::find(&mut db, offer_id, None).await? else {
        return Err(AppError::offer_not_found(offer_id).into());
    };
    let offer = listed.offer;
    // Closed or expired while the candidate was writing: back to the offer's page, which says
    // so, rather than an error page with nowhere to go.
    if !offer.takes_applications() {
        return Ok(FormReply::Done(Flash::error(
            Redirect::to(paths::offer(offer.id, &offer.title)),
            "This offer no longer accepts applications: your application was not sent.",
        )));
    }
    // Done with the connection: the submit takes its own, within the limits.
    drop(db);
    let mut view = ApplyFormView::blank(offer.id, config);
    let sent = match form.0 {
        Ok(sent) => sent,
        Err(FormProblem::TooLarge) => {
            view.errors.insert(
                "cv".to_owned(),
                "The CV must be at most 5 MiB; nothing was sent, so fill in the form again."
                    .to_owned(),
            );
            return Ok(again(&offer, view, page));
        }
        // The page's form sends no JSON-only part: one that does is no form of ours.
        Err(FormProblem::Empty | FormProblem::Unusable(_) | FormProblem::JsonOnly(_)) => {
            view.problem = Some("The form could not be read. Please fill it in again.".into());
            return Ok(again(&offer, view, page));
        }
    };
    if sent.honeypot {
        return Ok(FormReply::Done(Flash::success(
            Redirect::to(paths::offer(offer.id, &offer.title)),
            "Application sent",
        )));
    }
    view.values = ApplyValues::of(&sent.input);
    if let Some(key) = sent
        .idempotency_key
        .as_deref()
        .and_then(|key| parse_idempotency_key(key).ok())
    {
        view.idempotency_key = key;
    }
    let application = match NewApplication::parse(sent.input) {
        Ok(application) => application,
        Err(ApplicationRefused::Invalid(errors)) => {
            view.errors = first_problems(&errors);
            return Ok(again(&offer, view, page));
        }
        Err(ApplicationRefused::CvTooLarge) => {
            view.errors
                .insert("cv".to_owned(), "The CV must be at most 5 MiB.".to_owned());
            return Ok(again(&offer, view, page));
        }
    };
    let site_links = SiteLinks::new(links, config);
    match limiter
        .apply(
            links,
            offer.id,
            &application,
            Some(&view.idempotency_key),
            site_links.for_mail(config),
        )
        .await
    {
        Ok(submitted) => {
            let token = links.token(&submitted.token_salt);
            Ok(FormReply::Done(Flash::success(
                Redirect::to(candidate_page(&token)),
                "Application sent. Keep this page's address (bookmark it): it is the only way \
                 to follow or withdraw your application.",
            )))
        }
        Err(AppError::Application(conflict)) => {
            view.problem = Some(conflict.to_string());
            Ok(again(&offer, view, page))
        }
        Err(error) => Err(error.into()),
    }
}

fn first_problems(errors: &FieldErrors) -> std::collections::BTreeMap<String, String> {
    errors.first_per_field()
}

/// A stage as the pages show it.
#[derive(Debug, Serialize)]
struct StageView {
    value: &'static str,
    label: &'static str,
}

impl StageView {
    fn of(stage: Stage) -> Self {
        Self {
            value: stage.as_str(),
            label: stage.label(),
        }
    }
}

#[derive(Debug, Serialize)]
struct CandidateView {
    offer_title: String,
    offer_href: String,
    stage: StageView,
    applied: Timestamp,
    updated: Timestamp,
    can_withdraw: bool,
    withdraw_action: String,
}

fn unknown_link() -> PageError {
    AppError::NotFound(Missing::Application("for this link".to_owned())).into()
}

/// The candidate's private page: where the application stands, and withdrawing it.
#[get("/candidate/<token>")]
pub async fn candidate(page: Page<'_>, mut db: DbConn, token: &str) -> Result<Template, PageError> {
    let Some(found) = repo::applications::find_by_token(&mut *db, &token_hash(token)).await? else {
        return Err(unknown_link());
    };
    let view = CandidateView {
        offer_href: paths::offer(found.offer_id, &found.offer_title),
        offer_title: found.offer_title,
        stage: StageView::of(found.stage),
        applied: Timestamp::of(&found.created_at),
        updated: Timestamp::of(&found.updated_at),
        can_withdraw: crate::domain::application::candidate_can_withdraw(found.stage),
        withdraw_action: format!("{}/withdraw", candidate_page(token)),
    };
    Ok(page.render("applications/candidate", view))
}

/// The candidate withdraws: the application stays as `withdrawn`, the CV is erased.
#[post("/candidate/<token>/withdraw", data = "<_form>")]
pub async fn withdraw(
    mut db: DbConn,
    token: &str,
    _form: CsrfForm<TokenOnly>,
) -> Result<Flash<Redirect>, PageError> {
    if !repo::applications::withdraw(&mut db, &token_hash(token)).await? {
        return Err(unknown_link());
    }
    Ok(Flash::success(
        Redirect::to(candidate_page(token)),
        "Application withdrawn: your CV has been erased.",
    ))
}

/// An application in the employer's list.
#[derive(Debug, Serialize)]
struct RowView {
    href: String,
    name: Option<String>,
    email: Option<String>,
    offer_title: String,
    offer_href: String,
    stage: StageView,
    applied: Timestamp,
    has_cv: bool,
}

#[derive(Debug, Serialize)]
struct ListView {
    /// The offer the list is narrowed to, if any.
    offer_title: Option<String>,
    tabs: Vec<Tab>,
    total: i64,
    applications: Vec<RowView>,
    next_href: Option<String>,
    first_href: Option<String>,
}

fn list_href(offer: Option<i64>, stage: Option<Stage>, before: Option<i64>) -> String {
    paths::with_query(
        paths::APPLICATIONS,
        &[
            ("offer", offer.map(|id| id.to_string()).as_deref()),
            ("stage", stage.map(Stage::as_str)),
            ("before", before.map(|id| id.to_string()).as_deref()),
        ],
    )
}

/// The employer's applications, newest first, a page at a time, with a tab per stage; `offer`
/// narrows them to one offer. Parameters that do not parse are left out.
#[get("/applications?<offer>&<stage>&<before>")]
pub async fn list(
    user: PageUser,
    page: Page<'_>,
    mut db: DbConn,
    offer: Option<&str>,
    stage: Option<&str>,
    before: Option<&str>,
) -> Result<Template, PageError> {
    let offer = offer.and_then(parse_id);
    let stage = stage.and_then(|stage| Stage::parse(stage).ok());
    let before = before.and_then(parse_id);
    let offer_title = match offer {
        Some(id) => repo::offers::find_owned(&mut *db, user.id, id)
            .await?
            .map(|offer| offer.title),
        None => None,
    };
    // Another employer's offer, or none: the list of all of one's own.
    let offer = offer.filter(|_| offer_title.is_some());
    let counts = repo::applications::stage_counts(&mut *db, user.id, offer).await?;
    let listing = ApplicationListing {
        offer_id: offer,
        stages: stage.map(|stage| vec![stage]),
        before_id: before,
        limit: APPLICATIONS_PAGE,
    };
    let found = repo::applications::list_for_owner(&mut db, user.id, &listing).await?;
    let total: i64 = counts.iter().map(|(_, count)| count).sum();
    let mut tabs = vec![Tab {
        label: "All",
        href: list_href(offer, None, None),
        count: total,
        current: stage.is_none(),
    }];
    for shown in Stage::ALL {
        tabs.push(Tab {
            label: shown.label(),
            href: list_href(offer, Some(shown), None),
            count: counts
                .iter()
                .find(|(counted, _)| *counted == shown)
                .map_or(0, |(_, count)| *count),
            current: stage == Some(shown),
        });
    }
    let next_href = found
        .applications
        .last()
        .filter(|_| found.has_next)
        .map(|last| list_href(offer, stage, Some(last.id)));
    let view = ListView {
        offer_title,
        tabs,
        total,
        first_href: before.map(|_| list_href(offer, stage, None)),
        next_href,
        applications: found
            .applications
            .into_iter()
            .map(|listed| RowView {
                href: employer_page(listed.id),
                offer_href: paths::offer(listed.offer_id, &listed.offer_title),
                offer_title: listed.offer_title,
                name: listed.name,
                email: listed.email,
                stage: StageView::of(listed.stage),
                applied: Timestamp::of(&listed.created_at),
                has_cv: listed.has_cv,
            })
            .collect(),
    };
    Ok(page.render("applications/list", view))
}

#[derive(Debug, Serialize)]
struct HistoryView {
    stage: StageView,
    at: Timestamp,
    by: String,
}

#[derive(Debug, Serialize)]
struct NoteView {
    note: String,
    at: Timestamp,
    by: String,
}

#[derive(Debug, Serialize)]
struct DetailView {
    id: i64,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    cover_letter: Option<String>,
    offer_title: String,
    offer_href: String,
    offer_applications_href: String,
    stage: StageView,
    applied: Timestamp,
    cv_href: Option<String>,
    choices: Vec<StageView>,
    history: Vec<HistoryView>,
    notes: Vec<NoteView>,
    note_max: usize,
}

/// The employer's application `id`, or 404 (also for another employer's: the API answers the
/// same, and says nothing of whose it is).
async fn own_application(
    db: &mut DbConn,
    user: &PageUser,
    id: &PathId<'_>,
) -> Result<repo::applications::ApplicationDetail, PageError> {
    let id = id.application()?;
    repo::applications::find_for_owner(db, user.id, id)
        .await?
        .ok_or_else(|| AppError::NotFound(Missing::Application(id.to_string())).into())
}

/// One application for its employer: the candidate, the letter, the CV, the history and the
/// notes, with the stage moves the pipeline allows.
#[get("/applications/<id>")]
pub async fn detail(
    user: PageUser,
    page: Page<'_>,
    mut db: DbConn,
    id: PathId<'_>,
) -> Result<Template, PageError> {
    let found = own_application(&mut db, &user, &id).await?;
    let listed = found.listed;
    let view = DetailView {
        id: listed.id,
        name: listed.name,
        email: listed.email,
        phone: listed.phone,
        cover_letter: found.cover_letter,
        offer_href: paths::offer(listed.offer_id, &listed.offer_title),
        offer_applications_href: list_href(Some(listed.offer_id), None, None),
        offer_title: listed.offer_title,
        stage: StageView::of(listed.stage),
        applied: Timestamp::of(&listed.created_at),
        cv_href: listed
            .has_cv
            .then(|| format!("{}/cv", employer_page(listed.id))),
        choices: listed
            .stage
            .employer_choices()
            .into_iter()
            .map(StageView::of)
            .collect(),
        history: found
            .history
            .into_iter()
            .map(|change| HistoryView {
                stage: StageView::of(change.stage),
                at: Timestamp::of(&change.at),
                by: if change.by_candidate {
                    "the candidate".to_owned()
                } else {
                    change.by.unwrap_or_else(|| "a deleted account".to_owned())
                },
            })
            .collect(),
        notes: found
            .notes
            .into_iter()
            .map(|note| NoteView {
                note: note.body,
                at: Timestamp::of(&note.at),
                by: note.by.unwrap_or_else(|| "a deleted account".to_owned()),
            })
            .collect(),
        note_max: NOTE.max_chars,
    };
    Ok(page.render("applications/detail", view))
}

/// A stage move and/or a note, from the application's page.
#[derive(Debug, FromForm)]
pub struct ChangeForm {
    #[field(default = String::new())]
    stage: String,
    #[field(default = String::new())]
    note: String,
}

#[post("/applications/<id>", data = "<form>")]
pub async fn change(
    user: PageUser,
    mut db: DbConn,
    links: &State<CandidateLinks>,
    config: &State<AppConfig>,
    id: PathId<'_>,
    form: CsrfForm<ChangeForm>,
) -> Result<Flash<Redirect>, PageError> {
    let id = id.application()?;
    let back = employer_page(id);
    let mut body = JsonObject::new();
    if !form.0.stage.is_empty() {
        body.insert("stage".into(), form.0.stage.clone().into());
    }
    if !form.0.note.trim().is_empty() {
        body.insert("note".into(), form.0.note.clone().into());
    }
    let change = match ApplicationChange::from_json(&body) {
        Ok(change) => change,
        Err(InputError::Empty) => {
            return Ok(Flash::warning(
                Redirect::to(back),
                "Nothing to save: choose a stage or write a note.",
            ))
        }
        Err(InputError::Invalid(errors)) => {
            let problem = errors
                .first_per_field()
                .into_iter()
                .map(|(field, problem)| format!("{field}: {problem}"))
                .collect::<Vec<_>>()
                .join(" ");
            return Ok(Flash::error(Redirect::to(back), problem));
        }
    };
    let site_links = SiteLinks::new(links, config);
    let mail = site_links.for_mail(config);
    match repo::applications::change(&mut db, user.id, id, &change, user.id, mail).await? {
        None => Err(AppError::NotFound(Missing::Application(id.to_string())).into()),
        Some(Err(refused)) => Ok(Flash::error(Redirect::to(back), refused.to_string())),
        Some(Ok(())) => {
            let message = match change.stage {
                Some(stage) => format!("Moved to {}", stage.label()),
                None => "Note added".to_owned(),
            };
            Ok(Flash::success(Redirect::to(back), message))
        }
    }
}

/// The CV, as the API serves it: an attachment streamed from the database.
#[get("/applications/<id>/cv")]
pub async fn cv(user: PageUser, db: &State<Db>, id: PathId<'_>) -> Result<CvDownload, PageError> {
    let id = id.application()?;
    let pool = db.pool().clone();
    let file = repo::applications::find_cv(&pool, user.id, id)
        .await?
        .ok_or_else(|| AppError::NotFound(Missing::Cv(id)))?;
    Ok(CvDownload { file, pool })
}
