//! An offer's public page, and "My offers" with the pages to create, edit, publish, close,
//! reopen and delete an offer, over the same domain parsers, lifecycle and owner-scoped
//! queries as the API.

use chrono::Utc;
use rocket::form::FromForm;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, Either, State};
use rocket_dyn_templates::Template;
use serde::Serialize;
use sqlx::PgConnection;

use super::board::{employer_href, view as board_view};
use super::csrf::{CsrfForm, TokenOnly};
use super::errors::PageError;
use super::offer_form::{FormValues, FormView, OfferForm};
use super::page::{FormReply, Page, PageMeta, Tab, META_DESCRIPTION_CHARS};
use super::paths;
use super::time::{age, Timestamp};
use crate::auth::throttle::Limiter;
use crate::auth::{AuthError, PageUser};
use crate::config::AppConfig;
use crate::db::DbConn;
use crate::domain::access::require_owner;
use crate::domain::job_posting::{self, JobPosting, MissingProperty};
use crate::domain::lifecycle::{self, ChangeError};
use crate::domain::offer::{NewOffer, Offer, OfferPatch};
use crate::domain::posting::{CloseReason, ShownStatus};
use crate::domain::{FieldErrors, JsonObject};
use crate::error::{AppError, Missing};
use crate::http::board_links::BoardFilters;
use crate::http::gone::gone_or_missing;
use crate::http::PathId;
use crate::repo;
use crate::repo::offers::OwnerPageFrom;

#[derive(Debug, Serialize)]
struct OfferRef {
    id: i64,
    title: String,
}

#[derive(Debug, Serialize)]
struct DeleteView {
    offer: OfferRef,
}

/// Offers per page of "My offers".
const MY_OFFERS_PAGE: u32 = 25;

/// Why `user` has no offer `id`: it is someone else's (403), or nobody's, or someone else's
/// draft (404: a draft is not there for anyone but its owner).
async fn refusal(db: &mut PgConnection, user: &PageUser, id: i64) -> PageError {
    match repo::offers::owner_of(db, id).await {
        Ok(Some((_, true))) => AppError::offer_not_found(id).into(),
        Ok(Some((owner, false))) => match require_owner(user.id, owner) {
            Err(not_owner) => not_owner.into(),
            // Theirs after all: it changed hands between the two queries, so say it is gone.
            Ok(()) => AppError::offer_not_found(id).into(),
        },
        Ok(None) => AppError::offer_not_found(id).into(),
        Err(error) => error.into(),
    }
}

/// The signed-in user's offer `id`: 404 when there is none (or it is someone else's draft),
/// 403 when it is someone else's.
async fn own_offer(
    db: &mut PgConnection,
    user: &PageUser,
    id: &PathId<'_>,
) -> Result<Offer, PageError> {
    let id = id.offer()?;
    match repo::offers::find_owned(&mut *db, user.id, id).await? {
        Some(offer) => Ok(offer),
        None => Err(refusal(db, user, id).await),
    }
}

/// An offer in "My offers", with the status changes it allows.
#[derive(Debug, Serialize)]
struct OfferRow {
    id: i64,
    /// The offer's canonical page.
    href: String,
    title: String,
    status: &'static str,
    status_label: &'static str,
    close_reason: Option<&'static str>,
    skills: Vec<String>,
    modified: Timestamp,
    valid_through: Option<Timestamp>,
    can_publish: bool,
    can_close: bool,
    can_reopen: bool,
    /// Its applications by stage (those it has), and where they are listed.
    applications: Vec<StageCount>,
    applications_href: String,
}

/// How many of an offer's applications are in one stage.
#[derive(Debug, Serialize)]
struct StageCount {
    stage: &'static str,
    label: &'static str,
    count: i64,
    href: String,
}

impl OfferRow {
    fn of(offer: Offer) -> Self {
        let status = offer.shown_status();
        Self {
            id: offer.id,
            href: paths::offer(offer.id, &offer.title),
            status: status.as_str(),
            status_label: status_label(status),
            close_reason: offer.close_reason.map(close_reason_label),
            modified: Timestamp::of(&offer.modification_date),
            valid_through: offer.valid_through.as_ref().map(Timestamp::of),
            can_publish: status == ShownStatus::Draft,
            can_close: matches!(status, ShownStatus::Published | ShownStatus::Expired),
            can_reopen: matches!(status, ShownStatus::Closed | ShownStatus::Expired),
            applications: Vec::new(),
            applications_href: format!("{}?offer={}", paths::APPLICATIONS, offer.id),
            title: offer.title,
            skills: offer.skills_list,
        }
    }
}

fn status_label(status: ShownStatus) -> &'static str {
    match status {
        ShownStatus::Draft => "Draft",
        ShownStatus::Published => "Published",
        ShownStatus::Expired => "Expired",
        ShownStatus::Closed => "Closed",
    }
}

fn close_reason_label(reason: CloseReason) -> &'static str {
    match reason {
        CloseReason::Filled => "filled",
        CloseReason::Withdrawn => "withdrawn",
    }
}

#[derive(Debug, Serialize)]
struct ListView {
    tabs: Vec<Tab>,
    /// The tab's status, when one is chosen.
    status: Option<&'static str>,
    total: i64,
    offers: Vec<OfferRow>,
    next_href: Option<String>,
    previous_href: Option<String>,
    first_href: Option<String>,
}

fn my_offers_href(status: Option<ShownStatus>, from: OwnerPageFrom) -> String {
    let (key, id) = match from {
        OwnerPageFrom::Newest => ("before", None),
        OwnerPageFrom::Before(id) => ("before", Some(id.to_string())),
        OwnerPageFrom::After(id) => ("after", Some(id.to_string())),
    };
    paths::with_query(
        paths::MY_OFFERS,
        &[
            ("status", status.map(ShownStatus::as_str)),
            (key, id.as_deref()),
        ],
    )
}

/// "My offers": the signed-in user's offers, newest first, a page at a time (`before` an
/// offer: the next page; `after` one: the previous), with a tab per status. `status`,
/// `before` and `after` that do not parse show the first page of every offer.
#[get("/offers?<status>&<before>&<after>")]
pub async fn list(
    user: PageUser,
    page: Page<'_>,
    mut db: DbConn,
    status: Option<&str>,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<Template, PageError> {
    let status = status.and_then(|status| ShownStatus::parse(status).ok());
    let from = match (
        before.and_then(crate::domain::parse_id),
        after.and_then(crate::domain::parse_id),
    ) {
        (Some(id), _) => OwnerPageFrom::Before(id),
        (None, Some(id)) => OwnerPageFrom::After(id),
        (None, None) => OwnerPageFrom::Newest,
    };
    let counts = repo::offers::status_counts(&mut *db, user.id).await?;
    let mut offers =
        repo::offers::owner_page(&mut *db, user.id, status, from, MY_OFFERS_PAGE).await?;
    let page_size = MY_OFFERS_PAGE as usize;
    // One offer past the page's far end came back when more lie that way.
    let more = offers.len() > page_size;
    if more && matches!(from, OwnerPageFrom::After(_)) {
        offers.remove(0);
    }
    offers.truncate(page_size);
    let (older, newer) = match from {
        OwnerPageFrom::Newest => (more, false),
        OwnerPageFrom::Before(_) => (more, true),
        // Back from an older page: those older offers are still there.
        OwnerPageFrom::After(_) => (true, more),
    };
    let count_of = |wanted: ShownStatus| {
        counts
            .iter()
            .find(|(status, _)| *status == wanted)
            .map_or(0, |(_, count)| *count)
    };
    let total: i64 = counts.iter().map(|(_, count)| count).sum();
    let mut tabs = vec![Tab {
        label: "All",
        href: my_offers_href(None, OwnerPageFrom::Newest),
        count: total,
        current: status.is_none(),
    }];
    for shown in ShownStatus::ALL {
        tabs.push(Tab {
            label: status_label(*shown),
            href: my_offers_href(Some(*shown), OwnerPageFrom::Newest),
            count: count_of(*shown),
            current: status == Some(*shown),
        });
    }
    let next_href = offers
        .last()
        .filter(|_| older)
        .map(|last| my_offers_href(status, OwnerPageFrom::Before(last.id)));
    let previous_href = offers
        .first()
        .filter(|_| newer)
        .map(|first| my_offers_href(status, OwnerPageFrom::After(first.id)));
    let ids: Vec<i64> = offers.iter().map(|offer| offer.id).collect();
    let counts = repo::applications::stage_counts_by_offer(&mut *db, user.id, &ids).await?;
    let mut rows: Vec<OfferRow> = offers.into_iter().map(OfferRow::of).collect();
    for row in &mut rows {
        for stage in crate::domain::application::Stage::ALL {
            let counted = counts
                .iter()
                .find(|(offer, counted, _)| *offer == row.id && *counted == stage);
            if let Some((_, _, count)) = counted {
                row.applications.push(StageCount {
                    stage: stage.as_str(),
                    label: stage.label(),
                    count: *count,
                    href: format!("{}&stage={}", row.applications_href, stage.as_str()),
                });
            }
        }
    }
    let view = ListView {
        tabs,
        status: status.map(ShownStatus::as_str),
        total,
        first_href: (from != OwnerPageFrom::Newest)
            .then(|| my_offers_href(status, OwnerPageFrom::Newest)),
        offers: rows,
        next_href,
        previous_href,
    };
    Ok(page.render("offers/list", view))
}

#[get("/offers/new")]
pub fn new(_user: PageUser, page: Page<'_>, config: &State<AppConfig>) -> Template {
    let view = FormView::new(
        None,
        FormValues::blank(),
        &FieldErrors::default(),
        &config.publishing,
    );
    page.render("offers/form", view)
}

/// The field problems of a refused change, for the form to show; a refused status change is
/// the page's error.
fn form_problems(refused: ChangeError) -> Result<FieldErrors, PageError> {
    match refused {
        ChangeError::Invalid(errors) => Ok(errors),
        transition @ ChangeError::Transition(_) => Err(AppError::from(transition).into()),
    }
}

/// The problems of a form whose body did not parse.
fn input_problems(error: crate::domain::fields::InputError) -> FieldErrors {
    match error {
        crate::domain::fields::InputError::Invalid(errors) => errors,
        crate::domain::fields::InputError::Empty => FieldErrors::default(),
    }
}

#[post("/offers", data = "<form>")]
pub async fn create(
    user: PageUser,
    page: Page<'_>,
    limiter: Limiter<'_>,
    config: &State<AppConfig>,
    form: CsrfForm<OfferForm>,
) -> Result<FormReply, PageError> {
    let form = form.0.normalized();
    if form.wants_another_location() {
        let view = FormView::new(
            None,
            form.values(),
            &FieldErrors::default(),
            &config.publishing,
        );
        return Ok(FormReply::Again(page.render("offers/form", view)));
    }
    let errors = match NewOffer::from_json(&form.to_json(None)) {
        Ok(new_offer) => match lifecycle::create(&new_offer, Utc::now(), &config.publishing) {
            Ok(change) => {
                let offer = limiter.create_offer(user.id, &change).await?;
                let message = match offer.status {
                    crate::domain::posting::OfferStatus::Draft => "Draft saved",
                    _ => "Offer published",
                };
                let done = Flash::success(Redirect::to(paths::MY_OFFERS), message);
                return Ok(FormReply::Done(done));
            }
            Err(refused) => form_problems(refused)?,
        },
        Err(error) => input_problems(error),
    };
    let view = FormView::new(None, form.values(), &errors, &config.publishing);
    Ok(FormReply::Invalid(page.render("offers/form", view)))
}

/// Each place of the work, with every part the employer gave: "10115 Berlin, Germany".
fn places(offer: &Offer) -> Vec<String> {
    offer
        .details
        .locations
        .as_slice()
        .iter()
        .map(|location| location.address())
        .collect()
}

/// An offer's public page.
#[derive(Debug, Serialize)]
struct OfferPageView {
    id: i64,
    title: String,
    description: String,
    skills: Vec<board_view::SkillChip>,
    posted: Timestamp,
    modified: Timestamp,
    age: String,
    employer: String,
    employer_href: String,
    employer_website: Option<String>,
    /// The employer's profile text ("About"), as written (the template escapes it).
    employer_about: Option<String>,
    status: &'static str,
    status_label: &'static str,
    /// Published and not expired: it takes applications.
    open: bool,
    valid_through: Option<Timestamp>,
    salary: Option<String>,
    workplace: Option<&'static str>,
    employment_types: Vec<&'static str>,
    locations: Vec<String>,
    remote_countries: Vec<&'static str>,
    apply_url: Option<String>,
    apply_email: Option<String>,
    /// The application form, when the offer is open and takes applications here.
    apply_form: Option<super::applications::ApplyFormView>,
    /// The head's canonical link, description, Open Graph tags and robots rule.
    meta: PageMeta,
    /// The JobPosting JSON-LD (an open offer only), escaped for its script element.
    json_ld: Option<String>,
    /// For the owner: what Google's job search requires or recommends and the offer lacks.
    readiness: Option<Vec<MissingProperty>>,
    /// Whether the visitor owns it (and gets Edit, Delete and the status changes).
    mine: bool,
    can_publish: bool,
    can_close: bool,
    can_reopen: bool,
}

#[derive(Debug, Serialize)]
struct PublicView {
    offer: OfferPageView,
}

/// An offer's public page: anyone may read a published, closed or expired offer (a closed or
/// expired one says it no longer takes applications); a draft only its owner. The owner also
/// gets Edit, Delete and the status changes.
///
/// Its one address is `/offers/{id}-{slug}`; `/offers/{id}` and a stale slug answer `301` to
/// it. A deleted offer answers `410` while its tombstone is kept.
#[get("/offers/<address>")]
pub async fn view(
    user: Result<PageUser, AuthError>,
    page: Page<'_>,
    mut db: DbConn,
    config: &State<AppConfig>,
    address: &str,
) -> Result<Either<Template, Redirect>, PageError> {
    let visitor = match user {
        Ok(user) => Some(user.id),
        Err(AuthError::NotSignedIn) => None,
        Err(error) => return Err(error.into()),
    };
    let (id, slug) = job_posting::offer_segment(address)
        .ok_or_else(|| AppError::NotFound(Missing::Offer(address.to_owned())))?;
    let Some(listed) = repo::board::find(&mut db, id, visitor).await? else {
        return Err(gone_or_missing(&mut db, id, &config.site).await.into());
    };
    let canonical = paths::offer(id, &listed.offer.title);
    if slug != Some(job_posting::slug(&listed.offer.title).as_str()) {
        return Ok(Either::Right(Redirect::moved(canonical)));
    }
    let profile = repo::users::employer(&mut *db, listed.offer.user_id)
        .await?
        .map(|employer| employer.profile);
    let website = profile
        .as_ref()
        .and_then(|profile| profile.website.as_ref())
        .map(|site| site.as_str().to_owned());
    let employer_about = profile.and_then(|profile| profile.about);
    let employer = listed.employer_name().to_owned();
    let offer = listed.offer;
    let mine = visitor == Some(offer.user_id);
    let url = config.site.absolute(&canonical);
    let posting = JobPosting::of(
        &offer,
        &job_posting::Employer {
            name: &employer,
            website: website.as_deref(),
        },
        url.clone(),
    );
    let meta = PageMeta {
        canonical: url,
        title: offer.title.clone(),
        description: job_posting::summary(&offer.description, META_DESCRIPTION_CHARS),
        og_type: "article",
        // A draft, closed or expired offer is not one a search engine should send anyone to.
        noindex: !offer.is_open(),
    };
    let status = offer.shown_status();
    let posted = offer.first_published_at.unwrap_or(offer.creation_date);
    let details = &offer.details;
    let view = OfferPageView {
        id: offer.id,
        skills: board_view::chips(&BoardFilters::default(), &offer.skills_list),
        posted: Timestamp::of(&posted),
        modified: Timestamp::of(&offer.modification_date),
        age: age(posted, Utc::now()),
        employer_href: employer_href(&listed.username),
        employer,
        employer_website: website,
        employer_about,
        status: status.as_str(),
        status_label: status_label(status),
        open: offer.is_open(),
        valid_through: offer.valid_through.as_ref().map(Timestamp::of),
        salary: details.salary.as_ref().map(|salary| salary.display()),
        workplace: details.workplace.map(|workplace| workplace.label()),
        employment_types: details
            .employment_types
            .as_slice()
            .iter()
            .map(|kind| kind.label())
            .collect(),
        locations: places(&offer),
        remote_countries: details
            .remote_countries
            .as_slice()
            .iter()
            .map(|country| country.name())
            .collect(),
        apply_url: details
            .apply_url
            .as_ref()
            .map(|url| url.as_str().to_owned()),
        apply_email: details
            .apply_email
            .as_ref()
            .map(|email| email.as_str().to_owned()),
        apply_form: offer
            .takes_applications()
            .then(|| super::applications::ApplyFormView::blank(offer.id, config)),
        json_ld: offer.is_open().then(|| posting.to_script_json()),
        readiness: mine.then(|| posting.missing()),
        meta,
        mine,
        can_publish: status == ShownStatus::Draft,
        can_close: matches!(status, ShownStatus::Published | ShownStatus::Expired),
        can_reopen: matches!(status, ShownStatus::Closed | ShownStatus::Expired),
        title: offer.title,
        description: offer.description,
    };
    Ok(Either::Left(
        page.render("offers/view", PublicView { offer: view }),
    ))
}

#[get("/offers/<id>/edit")]
pub async fn edit(
    user: PageUser,
    page: Page<'_>,
    mut db: DbConn,
    config: &State<AppConfig>,
    id: PathId<'_>,
) -> Result<Template, PageError> {
    let offer = own_offer(&mut db, &user, &id).await?;
    let view = FormView::new(
        Some(&offer),
        FormValues::of(&offer),
        &FieldErrors::default(),
        &config.publishing,
    );
    Ok(page.render("offers/form", view))
}

/// Applies `body` to the user's offer through the lifecycle, as the API's update does.
async fn change(
    db: &mut PgConnection,
    config: &AppConfig,
    user: &PageUser,
    id: i64,
    body: &JsonObject,
) -> Result<Result<Offer, ChangeError>, PageError> {
    let patch = match OfferPatch::from_json(body) {
        Ok(patch) => patch,
        Err(error) => return Ok(Err(ChangeError::Invalid(input_problems(error)))),
    };
    match repo::offers::change_owned(&mut *db, user.id, id, &patch, &config.publishing).await? {
        Some(result) => Ok(result),
        None => Err(refusal(db, user, id).await),
    }
}

#[post("/offers/<id>/edit", data = "<form>")]
pub async fn update(
    user: PageUser,
    page: Page<'_>,
    mut db: DbConn,
    config: &State<AppConfig>,
    id: PathId<'_>,
    form: CsrfForm<OfferForm>,
) -> Result<FormReply, PageError> {
    let form = form.0.normalized();
    let offer = own_offer(&mut db, &user, &id).await?;
    if form.wants_another_location() {
        let view = FormView::new(
            Some(&offer),
            form.values(),
            &FieldErrors::default(),
            &config.publishing,
        );
        return Ok(FormReply::Again(page.render("offers/form", view)));
    }
    match change(
        &mut db,
        config,
        &user,
        offer.id,
        &form.to_json(Some(&offer)),
    )
    .await?
    {
        Ok(updated) => Ok(FormReply::Done(Flash::success(
            Redirect::to(paths::offer(updated.id, &updated.title)),
            if updated.status != offer.status {
                "Offer published"
            } else {
                "Offer updated"
            },
        ))),
        Err(refused) => {
            let errors = form_problems(refused)?;
            let view = FormView::new(Some(&offer), form.values(), &errors, &config.publishing);
            Ok(FormReply::Invalid(page.render("offers/form", view)))
        }
    }
}

/// A status change from "My offers" or the offer's page: publish, close with a reason, reopen.
#[derive(Debug, FromForm)]
pub struct StatusForm {
    #[field(default = String::new())]
    status: String,
    #[field(default = String::new())]
    close_reason: String,
    /// Where to go back to: "My offers" (with its tab) or the offer's page.
    #[field(default = String::new())]
    back: String,
}

#[post("/offers/<id>/status", data = "<form>")]
pub async fn change_status(
    user: PageUser,
    mut db: DbConn,
    config: &State<AppConfig>,
    id: PathId<'_>,
    form: CsrfForm<StatusForm>,
) -> Result<Flash<Redirect>, PageError> {
    // As it was: what the flash says was done, and which offer a refusal is about.
    let before = own_offer(&mut db, &user, &id).await?;
    let id = before.id;
    let form = form.0;
    let mut body = JsonObject::new();
    body.insert("status".into(), form.status.clone().into());
    if !form.close_reason.is_empty() {
        body.insert("close_reason".into(), form.close_reason.clone().into());
    }
    let back = paths::local_path(Some(&form.back));
    match change(&mut db, config, &user, id, &body).await? {
        Ok(offer) => {
            let back = back.unwrap_or_else(|| paths::offer(id, &offer.title));
            let message = match (before.shown_status(), offer.shown_status()) {
                (_, ShownStatus::Closed) => "Offer closed: it no longer takes applications",
                (ShownStatus::Expired, ShownStatus::Published) => "Offer renewed",
                (ShownStatus::Closed, ShownStatus::Published) => "Offer reopened",
                (_, ShownStatus::Published) => "Offer published",
                _ => "Offer updated",
            };
            Ok(Flash::success(Redirect::to(back), message))
        }
        Err(ChangeError::Invalid(errors)) => {
            // Named as the offer form labels them: editing the offer is how to fix them.
            let problems = errors
                .first_per_field()
                .into_iter()
                .map(|(field, problem)| {
                    let label = match field.as_str() {
                        "valid_through" => "Open until",
                        "salary" => "Salary",
                        "close_reason" => "Close reason",
                        other => other,
                    };
                    format!("{label}: {problem}")
                })
                .collect::<Vec<_>>()
                .join(" ");
            let message = format!(
                "“{}” was not changed. {problems} Edit the offer to change that.",
                before.title
            );
            let back = back.unwrap_or_else(|| paths::offer_by_id(id));
            Ok(Flash::error(Redirect::to(back), message))
        }
        Err(refused @ ChangeError::Transition(_)) => Err(AppError::from(refused).into()),
    }
}

/// Asks before deleting; the GET itself changes nothing.
#[get("/offers/<id>/delete")]
pub async fn confirm_delete(
    user: PageUser,
    page: Page<'_>,
    mut db: DbConn,
    id: PathId<'_>,
) -> Result<Template, PageError> {
    let offer = own_offer(&mut db, &user, &id).await?;
    let view = DeleteView {
        offer: OfferRef {
            id: offer.id,
            title: offer.title,
        },
    };
    Ok(page.render("offers/delete", view))
}

#[post("/offers/<id>/delete", data = "<_form>")]
pub async fn delete(
    user: PageUser,
    mut db: DbConn,
    config: &State<AppConfig>,
    id: PathId<'_>,
    _form: CsrfForm<TokenOnly>,
) -> Result<Flash<Redirect>, PageError> {
    let id = id.offer()?;
    if !repo::offers::delete_owned(&mut *db, user.id, id, config.site.tombstone_days).await? {
        return Err(refusal(&mut db, &user, id).await);
    }
    Ok(Flash::success(
        Redirect::to(paths::MY_OFFERS),
        "Offer deleted",
    ))
}
