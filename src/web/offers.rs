//! An offer's public page, and "My offers" with the pages to create, edit and delete an offer,
//! over the same domain parsers and queries as the API.

use std::convert::Infallible;

use rocket::form::FromForm;
use rocket::request::FromParam;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, State};
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::board::Filters;
use super::csrf::{CsrfForm, TokenOnly};
use super::page::{FormReply, Page, PageError};
use super::session::PageUser;
use super::time::{age, Timestamp};
use crate::db::Db;
use crate::domain::board::{EmployerPage, EMPLOYER_PAGE};
use crate::domain::offer::{NewOffer, Offer, OfferPatch, Skills};
use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::repo;

/// An offer id in a page address; anything but a positive integer is a 404 page.
pub struct OfferId(Option<i64>);

impl FromParam<'_> for OfferId {
    type Error = Infallible;

    fn from_param(raw: &str) -> Result<Self, Self::Error> {
        Ok(Self(raw.parse::<i64>().ok().filter(|id| *id > 0)))
    }
}

fn not_found() -> PageError {
    ApiError::NotFound("offer not found".to_owned()).into()
}

/// The offer, whoever owns it; 404 when there is none.
async fn find(db: &Db, id: &OfferId) -> Result<Offer, PageError> {
    let id = id.0.ok_or_else(not_found)?;
    repo::offers::find_by_id(&mut *db.acquire().await?, id)
        .await?
        .ok_or_else(not_found)
}

/// The offer when `user` owns it: 404 when there is none, 403 when it is someone else's.
async fn find_own(db: &Db, user: &PageUser, id: &OfferId) -> Result<Offer, PageError> {
    let offer = find(db, id).await?;
    if offer.user_id != user.id {
        return Err(ApiError::Forbidden.into());
    }
    Ok(offer)
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
}

fn offer_view(offer: &Offer, user: Option<&PageUser>) -> Value {
    json!({
        "id": offer.id,
        "title": offer.title,
        "description": offer.description,
        "skills": offer.skills_list,
        "created": Timestamp::of(&offer.creation_date),
        "modified": Timestamp::of(&offer.modification_date),
        "mine": user.is_some_and(|user| offer.user_id == user.id),
    })
}

/// The new/edit form page. `offer` is the offer being edited, if any.
fn form_page(
    page: Page<'_>,
    offer: Option<&Offer>,
    values: Value,
    errors: &FieldErrors,
) -> Template {
    let (heading, action, submit) = match offer {
        Some(offer) => (
            "Edit offer",
            format!("/offers/{}/edit", offer.id),
            "Save changes",
        ),
        None => ("New offer", "/offers".to_owned(), "Publish offer"),
    };
    page.render(
        "offers/form",
        json!({
            "heading": heading,
            "action": action,
            "submit": submit,
            "offer_id": offer.map(|offer| offer.id),
            "offer_title": offer.map(|offer| offer.title.as_str()),
            "values": values,
            "errors": errors.first_per_field(),
        }),
    )
}

fn submitted(form: &OfferForm) -> Value {
    json!({
        "title": form.title,
        "description": form.description,
        "skills_list": form.skills_list,
    })
}

/// "My offers": the signed-in user's offers, most recently changed first.
#[get("/offers")]
pub async fn list(user: PageUser, page: Page<'_>, db: &State<Db>) -> Result<Template, PageError> {
    // The employer list's largest page: a recruiter's own offers fit on one screen of
    // history; the public board pages through everything.
    let everything = EmployerPage {
        limit: EMPLOYER_PAGE.max,
        cursor: None,
    };
    let mut offers = repo::offers::list_for_user(&mut *db.acquire().await?, user.id, &everything)
        .await?
        .map(|page| page.offers)
        .unwrap_or_default();
    offers.sort_by_key(|offer| std::cmp::Reverse(offer.modification_date));
    let offers: Vec<Value> = offers
        .iter()
        .map(|offer| offer_view(offer, Some(&user)))
        .collect();
    Ok(page.render("offers/list", json!({ "offers": offers })))
}

#[get("/offers/new")]
pub fn new(_user: PageUser, page: Page<'_>) -> Template {
    let values = json!({"title": "", "description": "", "skills_list": ""});
    form_page(page, None, values, &FieldErrors::default())
}

#[post("/offers", data = "<form>")]
pub async fn create(
    user: PageUser,
    page: Page<'_>,
    db: &State<Db>,
    form: CsrfForm<OfferForm>,
) -> Result<FormReply, PageError> {
    let form = form.0.normalized();
    match NewOffer::from_form(&form.title, &form.description, &form.skills_list) {
        Ok(new_offer) => {
            repo::offers::insert(&mut *db.acquire().await?, user.id, &new_offer).await?;
            Ok(FormReply::Done(Flash::success(
                Redirect::to("/offers"),
                "Offer created",
            )))
        }
        Err(errors) => Ok(FormReply::Invalid(form_page(
            page,
            None,
            submitted(&form),
            &errors,
        ))),
    }
}

/// An offer's public page: anyone may read it; its owner also gets Edit and Delete.
#[get("/offers/<id>")]
pub async fn view(
    user: Result<PageUser, Option<ApiError>>,
    page: Page<'_>,
    db: &State<Db>,
    id: OfferId,
) -> Result<Template, PageError> {
    let user = match user {
        Ok(user) => Some(user),
        Err(None) => None,
        Err(Some(error)) => return Err(error.into()),
    };
    let id = id.0.ok_or_else(not_found)?;
    let listed = repo::board::find(&mut *db.acquire().await?, id)
        .await?
        .ok_or_else(not_found)?;
    let mut offer = offer_view(&listed.offer, user.as_ref());
    let no_filter = Filters::default();
    let skills: Vec<_> = listed
        .offer
        .skills_list
        .iter()
        .map(|skill| no_filter.chip(skill))
        .collect();
    offer["skills"] = json!(skills);
    offer["age"] = json!(age(listed.offer.creation_date, chrono::Utc::now()));
    offer["employer"] = json!(listed.username);
    offer["employer_href"] = json!(Filters::employer(&listed.username).href());
    Ok(page.render("offers/view", json!({ "offer": offer })))
}

#[get("/offers/<id>/edit")]
pub async fn edit(
    user: PageUser,
    page: Page<'_>,
    db: &State<Db>,
    id: OfferId,
) -> Result<Template, PageError> {
    let offer = find_own(db, &user, &id).await?;
    let values = json!({
        "title": offer.title,
        "description": offer.description,
        "skills_list": Skills::typed(&offer.skills_list),
    });
    Ok(form_page(
        page,
        Some(&offer),
        values,
        &FieldErrors::default(),
    ))
}

#[post("/offers/<id>/edit", data = "<form>")]
pub async fn update(
    user: PageUser,
    page: Page<'_>,
    db: &State<Db>,
    id: OfferId,
    form: CsrfForm<OfferForm>,
) -> Result<FormReply, PageError> {
    let form = form.0.normalized();
    let offer = find_own(db, &user, &id).await?;
    let patch = OfferPatch::from_edit_form(
        &form.title,
        &form.description,
        &form.skills_list,
        &offer.skills_list,
    );
    match patch {
        Ok(patch) => {
            let updated =
                repo::offers::update(&mut *db.acquire().await?, user.id, offer.id, &patch)
                    .await?
                    .ok_or_else(not_found)?;
            Ok(FormReply::Done(Flash::success(
                Redirect::to(format!("/offers/{}", updated.id)),
                "Offer updated",
            )))
        }
        Err(errors) => Ok(FormReply::Invalid(form_page(
            page,
            Some(&offer),
            submitted(&form),
            &errors,
        ))),
    }
}

/// Asks before deleting; the GET itself changes nothing.
#[get("/offers/<id>/delete")]
pub async fn confirm_delete(
    user: PageUser,
    page: Page<'_>,
    db: &State<Db>,
    id: OfferId,
) -> Result<Template, PageError> {
    let offer = find_own(db, &user, &id).await?;
    Ok(page.render(
        "offers/delete",
        json!({ "offer": offer_view(&offer, Some(&user)) }),
    ))
}

#[post("/offers/<id>/delete", data = "<_form>")]
pub async fn delete(
    user: PageUser,
    db: &State<Db>,
    id: OfferId,
    _form: CsrfForm<TokenOnly>,
) -> Result<Flash<Redirect>, PageError> {
    let offer = find_own(db, &user, &id).await?;
    if !repo::offers::delete(&mut *db.acquire().await?, user.id, offer.id).await? {
        return Err(not_found());
    }
    Ok(Flash::success(Redirect::to("/offers"), "Offer deleted"))
}
