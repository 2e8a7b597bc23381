//! `/`: the public job board, for everyone. The same parameters, parser, queries and links as
//! `GET /api/v1/offers`, shown as a page: a search box, skill chips that filter, removable
//! filters, and Next and Previous links that keep the query in the address.

pub mod feed;
mod filters;
pub mod view;

use chrono::{DateTime, Utc};
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{get, Either, FromForm, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::errors::PageError;
use super::page::{grouped, Page, PageMeta};
use super::time::{age, Timestamp};
use crate::auth::throttle::Limiter;
use crate::config::{AppConfig, SiteSettings};
use crate::db::Db;
use crate::domain::board::{BoardQuery, RawBoardQuery};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::http::board_links::BoardFilters;
use crate::http::query::{single_values, FormList, Param};
use crate::repo;
use crate::repo::board::{BoardOffer, BoardPage};

pub use filters::employer_href;

/// What the board is, for search engines and link previews.
const BOARD_DESCRIPTION: &str = "Open job offers with their pay, place and contract type: \
    search by words and skills, filter by country, workplace, employment type and salary.";

/// What every state of the board shows: the introduction, the search form with its filter
/// controls, the filters in force.
#[derive(Debug, Serialize)]
struct Frame {
    intro: bool,
    post_href: &'static str,
    /// The words as typed, even when they did not parse.
    q: String,
    hidden: Vec<view::HiddenField>,
    controls: view::Controls,
    active: Vec<view::ActiveFilter>,
    filtering: bool,
    /// The head's canonical link and tags: the board's own address for the filters; only the
    /// unfiltered board is for search engines to index (the offers' pages are what they list).
    meta: PageMeta,
    /// The Atom feed of the same query: a saved search.
    feed_href: String,
}

impl Frame {
    fn new(
        page: &Page<'_>,
        typed: &RawBoardQuery<'_>,
        filters: &BoardFilters,
        site: &SiteSettings,
    ) -> Self {
        let signed_in = page.signed_in();
        let filtering = filters.is_filtering();
        let meta = PageMeta {
            canonical: site.absolute(&filters::board_href(filters, None)),
            title: if filtering { "Search results" } else { "Jobs" }.to_owned(),
            description: BOARD_DESCRIPTION.to_owned(),
            og_type: "website",
            noindex: filtering || typed.cursor.is_some(),
        };
        Self {
            meta,
            feed_href: feed::feed_href(filters),
            intro: !signed_in,
            post_href: if signed_in {
                "/offers/new"
            } else {
                "/register"
            },
            q: typed.q.unwrap_or_default().to_owned(),
            hidden: view::hidden_fields(filters),
            controls: view::controls(filters, typed.salary_min),
            active: view::active(filters),
            filtering,
        }
    }
}

/// The board with its results.
#[derive(Debug, Serialize)]
struct ResultsView {
    #[serde(flatten)]
    frame: Frame,
    count: i64,
    /// "42 offers", or "More than 10 000 offers" past the count's cap.
    count_label: String,
    offers: Vec<Row>,
    no_match: String,
    first_href: String,
    previous_href: Option<String>,
    next_href: Option<String>,
}

/// The board for a query that did not parse: what was wrong, and what is left without it.
#[derive(Debug, Serialize)]
struct ProblemsView {
    #[serde(flatten)]
    frame: Frame,
    problems: Vec<String>,
    usable_href: String,
}

/// An offer as the board lists it: what a candidate skims before opening it.
#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    /// The offer's canonical page.
    href: String,
    title: String,
    employer: String,
    employer_href: String,
    skills: Vec<view::SkillChip>,
    facts: view::Facts,
    age: String,
    posted: Timestamp,
}

impl Row {
    fn new(listed: &BoardOffer, filters: &BoardFilters, now: DateTime<Utc>) -> Self {
        let offer = &listed.offer;
        // The board is ordered by first publication, so the age counts from it too; an offer
        // never published (not listed, but the type allows it) counts from its creation.
        let posted = offer.first_published_at.unwrap_or(offer.creation_date);
        Self {
            id: offer.id,
            href: super::paths::offer(offer.id, &offer.title),
            title: offer.title.clone(),
            employer: listed.employer_name().to_owned(),
            employer_href: employer_href(&listed.username),
            skills: view::chips(filters, &offer.skills_list),
            facts: view::Facts::of(&offer.details),
            age: age(posted, now),
            posted: Timestamp::of(&posted),
        }
    }
}

/// How many offers match, as the board says it: the capped count is a floor, not a total.
fn count_label(results: &BoardPage) -> String {
    let count = usize::try_from(results.count).unwrap_or_default();
    let offers = if count == 1 { "offer" } else { "offers" };
    match results.count_capped {
        true => format!("More than {} offers", grouped(count)),
        false => format!("{} {offers}", grouped(count)),
    }
}

impl ResultsView {
    fn new(
        mut frame: Frame,
        filters: &BoardFilters,
        results: &BoardPage,
        employer_name: Option<&str>,
    ) -> Self {
        let now = Utc::now();
        if let Some(name) = employer_name {
            view::name_employer(&mut frame.active, name);
        }
        Self {
            frame,
            count: results.count,
            count_label: count_label(results),
            offers: results
                .offers
                .iter()
                .map(|listed| Row::new(listed, filters, now))
                .collect(),
            no_match: view::no_match(filters, employer_name),
            first_href: filters::board_href(filters, None),
            previous_href: filters::previous_href(filters, results),
            next_href: filters::next_href(filters, results),
        }
    }
}

/// The board for parameters that did not parse, with status 400.
fn problems_page(
    page: Page<'_>,
    raw: &RawBoardQuery<'_>,
    errors: &FieldErrors,
    site: &SiteSettings,
) -> Template {
    let usable = BoardFilters::usable_parts(raw);
    let mut frame = Frame::new(&page, raw, &usable, site);
    frame.meta.noindex = true;
    // A filter in error is dropped from the controls: show them, to be chosen again.
    frame.controls.open |= filters::in_controls(errors);
    let view = ProblemsView {
        frame,
        problems: filters::problems(errors),
        usable_href: filters::board_href(&usable, None),
    };
    page.render("board", view)
}

/// The board's query parameters, every occurrence kept; the lists the filter form sends as
/// checkboxes joined.
#[derive(FromForm)]
pub struct BoardParams<'r> {
    q: Param<'r>,
    skills: Param<'r>,
    employer: Param<'r>,
    workplace: FormList,
    employment_type: FormList,
    country: Param<'r>,
    salary_min: Param<'r>,
    currency: Param<'r>,
    posted_within: Param<'r>,
    updated_since: Param<'r>,
    sort: Param<'r>,
    limit: Param<'r>,
    cursor: Param<'r>,
}

impl<'r> BoardParams<'r> {
    /// The query as sent (first values), and what it parses to: a problem per bad or repeated
    /// parameter.
    fn read(&self) -> (RawBoardQuery<'_>, Result<BoardQuery, AppError>) {
        let raw = RawBoardQuery::from([
            self.q.first(),
            self.skills.first(),
            self.employer.first(),
            self.workplace.value(),
            self.employment_type.value(),
            self.country.first(),
            self.salary_min.first(),
            self.currency.first(),
            self.posted_within.first(),
            self.updated_since.first(),
            // The pages list the board as candidates see it: `include` is the API's.
            None,
            self.sort.first(),
            self.limit.first(),
            self.cursor.first(),
        ]);
        let named = [
            self.q.named("q"),
            self.skills.named("skills"),
            self.employer.named("employer"),
            ("workplace", Ok(raw.workplace)),
            ("employment_type", Ok(raw.employment_type)),
            self.country.named("country"),
            self.salary_min.named("salary_min"),
            self.currency.named("currency"),
            self.posted_within.named("posted_within"),
            self.updated_since.named("updated_since"),
            self.sort.named("sort"),
            self.limit.named("limit"),
            self.cursor.named("cursor"),
        ];
        let parsed = single_values(named).parse(|_| BoardQuery::parse(raw));
        (raw, parsed)
    }

    /// Whether the query is shaped as the filter form sends it: every control named, the
    /// unset ones empty, one field per ticked box.
    fn is_form_shaped(&self) -> bool {
        let blank = [
            &self.q,
            &self.skills,
            &self.employer,
            &self.country,
            &self.salary_min,
            &self.currency,
            &self.posted_within,
            &self.updated_since,
            &self.sort,
            &self.limit,
            &self.cursor,
        ]
        .iter()
        .any(|param| param.is_blank());
        blank || self.workplace.is_split() || self.employment_type.is_split()
    }
}

#[get("/?<params..>")]
pub async fn board(
    params: BoardParams<'_>,
    page: Page<'_>,
    limiter: Limiter<'_>,
    db: &State<Db>,
    config: &State<AppConfig>,
) -> Result<Either<(Status, Template), Redirect>, PageError> {
    let (raw, parsed) = params.read();
    let query = match parsed {
        Ok(query) => query,
        Err(AppError::InvalidQuery(errors)) => {
            return Ok(Either::Left((
                Status::BadRequest,
                problems_page(page, &raw, &errors, &config.site),
            )));
        }
        Err(error) => return Err(error.into()),
    };
    // A sent filter form names every control: to the board's own address for the same
    // query (what a chip or a Next link names), short enough to share. A form never sends a
    // cursor, so none is kept.
    if params.is_form_shaped() {
        let filters = BoardFilters::from_query(&raw, &query);
        return Ok(Either::Right(Redirect::to(filters::board_href(
            &filters, None,
        ))));
    }
    // Held while the search runs: searches take at most their share of the pool.
    let _slot = limiter.board_search(&query).await?;
    let mut connection = db.acquire().await?;
    let results = repo::board::page(&mut connection, &query).await?;
    // The employer as the pages name it everywhere (display name, else username): known from
    // any offer listed, else asked for, so that "No offers from …" names it the same way. The
    // filter itself holds what the link or the person wrote.
    let employer_name = match (&query.employer, results.offers.first()) {
        (Some(_), Some(listed)) => Some(listed.employer_name().to_owned()),
        (Some(employer), None) => repo::users::shown_name(&mut *connection, employer).await?,
        (None, _) => None,
    };
    drop(connection);
    let filters = BoardFilters::from_query(&raw, &query);
    let frame = Frame::new(&page, &raw, &filters, &config.site);
    let view = ResultsView::new(frame, &filters, &results, employer_name.as_deref());
    Ok(Either::Left((Status::Ok, page.render("board", view))))
}
