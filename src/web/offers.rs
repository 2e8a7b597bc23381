//! An offer's public page, and "My offers" with the pages to create, edit and delete an offer,
//! over the same domain parsers and owner-scoped queries as the API.

use std::collections::BTreeMap;

use chrono::Utc;
use rocket::form::FromForm;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, State};
use rocket_dyn_templates::Template;
use serde::Serialize;
use sqlx::PgConnection;

use super::board::{employer_href, view as board_view};
use super::csrf::{CsrfForm, TokenOnly};
use super::errors::PageError;
use super::page::{FormReply, Page};
use super::paths;
use super::time::{age, Timestamp};
use crate::auth::throttle::{AbuseLimits, Limiter};
use crate::auth::{AuthError, PageUser};
use crate::config::AppConfig;
use crate::db::Db;
use crate::domain::access::require_owner;
use crate::domain::lifecycle::{self, ChangeError};
use crate::domain::offer::{NewOffer, Offer, OfferPatch, Skills};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::http::board_links::BoardFilters;
use crate::http::PathId;
use crate::repo;

/// Why `user` has no offer `id`: it is someone else's (403) or nobody's (404).
async fn refusal(db: &mut PgConnection, user: &PageUser, id: i64) -> PageError {
    match repo::offers::owner_of(db, id).await {
        Ok(Some(owner)) => match require_owner(user.id, owner) {
            Err(not_owner) => not_owner.into(),
            // Theirs after all: it changed hands between the two queries, so say it is gone.
            Ok(()) => AppError::offer_not_found(id).into(),
        },
        Ok(None) => AppError::offer_not_found(id).into(),
        Err(error) => error.into(),
    }
}

/// The signed-in user's offer `id`: 404 when there is none, 403 when it is someone else's.
async fn own_offer(db: &Db, user: &PageUser, id: &PathId<'_>) -> Result<Offer, PageError> {
    let id = id.offer()?;
    let mut connection = db.acquire().await?;
    match repo::offers::find_owned(&mut *connection, user.id, id).await? {
        Some(offer) => Ok(offer),
        None => Err(refusal(&mut connection, user, id).await),
    }
}

/// What the offer form posts; every field defaults to empty so that a missing one is reported
/// beside its input like an empty one.
#[derive(FromForm)]
pub struct OfferForm {
    #[field(default = String::new())]
    title: String,
    #[field(default = String::new())]
    description: String,
    #[field(default = String::new())]
    skills_list: String,
}

impl OfferForm {
    /// Browsers send a textarea's line breaks as CRLF (HTML's form encoding); stored text uses
    /// LF like the API's, and lengths are counted the same way for both.
    fn normalized(self) -> Self {
        Self {
            title: self.title,
            description: self.description.replace("\r\n", "\n"),
            skills_list: self.skills_list.replace("\r\n", "\n"),
        }
    }

    fn values(&self) -> FormValues {
        FormValues {
            title: self.title.clone(),
            description: self.description.clone(),
            skills_list: self.skills_list.clone(),
        }
    }
}

/// An offer in "My offers".
#[derive(Debug, Serialize)]
struct OfferRow {
    id: i64,
    title: String,
    skills: Vec<String>,
    modified: Timestamp,
}

#[derive(Debug, Serialize)]
struct ListView {
    offers: Vec<OfferRow>,
}

/// An offer's public page.
#[derive(Debug, Serialize)]
struct OfferPageView {
    id: i64,
    title: String,
    description: String,
    skills: Vec<board_view::SkillChip>,
    created: Timestamp,
    modified: Timestamp,
    age: String,
    employer: String,
    employer_href: String,
    /// Whether the visitor owns it (and gets Edit and Delete).
    mine: bool,
}

#[derive(Debug, Serialize)]
struct PublicView {
    offer: OfferPageView,
}

#[derive(Debug, Serialize)]
struct OfferRef {
    id: i64,
    title: String,
}

#[derive(Debug, Serialize)]
struct DeleteView {
    offer: OfferRef,
}

/// What the offer form shows in its fields.
#[derive(Debug, Default, Serialize)]
struct FormValues {
    title: String,
    description: String,
    skills_list: String,
}

/// The new/edit form.
#[derive(Debug, Serialize)]
struct FormView {
    heading: &'static str,
    action: String,
    submit: &'static str,
    offer_id: Option<i64>,
    offer_title: Option<String>,
    values: FormValues,
    errors: BTreeMap<String, String>,
}

impl FormView {
    /// The form for a new offer, or for editing `offer`.
    fn new(offer: Option<&Offer>, values: FormValues, errors: &FieldErrors) -> Self {
        let (heading, action, submit) = match offer {
            Some(offer) => (
                "Edit offer",
                format!("/offers/{}/edit", offer.id),
                "Save changes",
            ),
            None => ("New offer", paths::MY_OFFERS.to_owned(), "Publish offer"),
        };
        Self {
            heading,
            action,
            submit,
            offer_id: offer.map(|offer| offer.id),
            offer_title: offer.map(|offer| offer.title.clone()),
            values,
            errors: errors.first_per_field(),
        }
    }
}

/// "My offers": the signed-in user's offers, most recently changed first; all of them, since
/// an account holds at most `max_offers_per_user`.
#[get("/offers")]
pub async fn list(
    user: PageUser,
    page: Page<'_>,
    db: &State<Db>,
    limits: &State<AbuseLimits>,
) -> Result<Template, PageError> {
    let offers =
        repo::offers::recently_changed(&mut *db.acquire().await?, user.id, limits.max_offers)
            .await?
            .into_iter()
            .map(|offer| OfferRow {
                id: offer.id,
                modified: Timestamp::of(&offer.modification_date),
                title: offer.title,
                skills: offer.skills_list,
            })
            .collect();
    Ok(page.render("offers/list", ListView { offers }))
}

#[get("/offers/new")]
pub fn new(_user: PageUser, page: Page<'_>) -> Template {
    let view = FormView::new(None, FormValues::default(), &FieldErrors::default());
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

#[post("/offers", data = "<form>")]
pub async fn create(
    user: PageUser,
    page: Page<'_>,
    limiter: Limiter<'_>,
    config: &State<AppConfig>,
    form: CsrfForm<OfferForm>,
) -> Result<FormReply, PageError> {
    let form = form.0.normalized();
    let errors = match NewOffer::from_form(&form.title, &form.description, &form.skills_list) {
        Ok(new_offer) => match lifecycle::create(&new_offer, Utc::now(), &config.publishing) {
            Ok(change) => {
                limiter.create_offer(user.id, &change).await?;
                let done = Flash::success(Redirect::to(paths::MY_OFFERS), "Offer created");
                return Ok(FormReply::Done(done));
            }
            Err(refused) => form_problems(refused)?,
        },
        Err(errors) => errors,
    };
    let view = FormView::new(None, form.values(), &errors);
    Ok(FormReply::Invalid(page.render("offers/form", view)))
}

/// An offer's public page: anyone may read it; its owner also gets Edit and Delete.
#[get("/offers/<id>")]
pub async fn view(
    user: Result<PageUser, AuthError>,
    page: Page<'_>,
    db: &State<Db>,
    id: PathId<'_>,
) -> Result<Template, PageError> {
    let visitor = match user {
        Ok(user) => Some(user.id),
        Err(AuthError::NotSignedIn) => None,
        Err(error) => return Err(error.into()),
    };
    let id = id.offer()?;
    let listed = repo::board::find(&mut *db.acquire().await?, id, visitor)
        .await?
        .ok_or_else(|| AppError::offer_not_found(id))?;
    let employer = listed.employer_name().to_owned();
    let offer = listed.offer;
    let view = OfferPageView {
        id: offer.id,
        skills: board_view::chips(&BoardFilters::default(), &offer.skills_list),
        created: Timestamp::of(&offer.creation_date),
        modified: Timestamp::of(&offer.modification_date),
        age: age(offer.creation_date, chrono::Utc::now()),
        employer_href: employer_href(&listed.username),
        employer,
        mine: visitor == Some(offer.user_id),
        title: offer.title,
        description: offer.description,
    };
    Ok(page.render("offers/view", PublicView { offer: view }))
}

#[get("/offers/<id>/edit")]
pub async fn edit(
    user: PageUser,
    page: Page<'_>,
    db: &State<Db>,
    id: PathId<'_>,
) -> Result<Template, PageError> {
    let offer = own_offer(db, &user, &id).await?;
    let values = FormValues {
        title: offer.title.clone(),
        description: offer.description.clone(),
        skills_list: Skills::typed(&offer.skills_list),
    };
    let view = FormView::new(Some(&offer), values, &FieldErrors::default());
    Ok(page.render("offers/form", view))
}

#[post("/offers/<id>/edit", data = "<form>")]
pub async fn update(
    user: PageUser,
    page: Page<'_>,
    db: &State<Db>,
    config: &State<AppConfig>,
    id: PathId<'_>,
    form: CsrfForm<OfferForm>,
) -> Result<FormReply, PageError> {
    let form = form.0.normalized();
    let offer = own_offer(db, &user, &id).await?;
    let patch = OfferPatch::from_edit_form(
        &form.title,
        &form.description,
        &form.skills_list,
        &offer.skills_list,
    );
    let patch = match patch {
        Ok(patch) => patch,
        Err(errors) => {
            let view = FormView::new(Some(&offer), form.values(), &errors);
            return Ok(FormReply::Invalid(page.render("offers/form", view)));
        }
    };
    let mut connection = db.acquire().await?;
    let decide = |stored: &Offer| lifecycle::update(stored, &patch, Utc::now(), &config.publishing);
    match repo::offers::change_owned(&mut connection, user.id, offer.id, decide).await? {
        Some(Ok(updated)) => Ok(FormReply::Done(Flash::success(
            Redirect::to(paths::offer(updated.id)),
            "Offer updated",
        ))),
        Some(Err(refused)) => {
            let errors = form_problems(refused)?;
            let view = FormView::new(Some(&offer), form.values(), &errors);
            Ok(FormReply::Invalid(page.render("offers/form", view)))
        }
        None => Err(refusal(&mut connection, &user, offer.id).await),
    }
}

/// Asks before deleting; the GET itself changes nothing.
#[get("/offers/<id>/delete")]
pub async fn confirm_delete(
    user: PageUser,
    page: Page<'_>,
    db: &State<Db>,
    id: PathId<'_>,
) -> Result<Template, PageError> {
    let offer = own_offer(db, &user, &id).await?;
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
    db: &State<Db>,
    id: PathId<'_>,
    _form: CsrfForm<TokenOnly>,
) -> Result<Flash<Redirect>, PageError> {
    let id = id.offer()?;
    let mut connection = db.acquire().await?;
    if !repo::offers::delete_owned(&mut *connection, user.id, id).await? {
        return Err(refusal(&mut connection, &user, id).await);
    }
    Ok(Flash::success(
        Redirect::to(paths::MY_OFFERS),
        "Offer deleted",
    ))
}
