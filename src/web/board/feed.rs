//! `/offers.atom`: the board as an Atom 1.0 feed. It takes every parameter the board takes,
//! so a saved search is a feed address; entries are the newest 50 matches, written with an XML
//! writer, and answered with `ETag` and `Last-Modified` so a reader polling it gets `304`.

use std::io;

use chrono::{DateTime, Utc};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use rocket::http::ContentType;
use rocket::{get, State};

use super::{filters, BoardParams};
use crate::auth::throttle::Limiter;
use crate::config::{AppConfig, SiteSettings};
use crate::db::Db;
use crate::domain::board::Sort;
use crate::domain::job_posting::{summary, w3c_time};
use crate::error::AppError;
use crate::http::board_links::BoardFilters;
use crate::http::conditional::{Validated, Validators};
use crate::repo;
use crate::repo::board::BoardOffer;
use crate::web::errors::PageError;
use crate::web::paths;

use super::view::Facts;

const ATOM_NAMESPACE: &str = "http://www.w3.org/2005/Atom";

/// Entries per feed: what a reader shows, and few enough to build at once.
const ENTRIES: u32 = 50;

/// Characters of the description in an entry's summary, after its facts.
const SUMMARY_CHARS: usize = 300;

/// The feed's own address for `filters` (no order, page size or cursor: a feed is the newest
/// entries).
pub fn feed_href(filters: &BoardFilters) -> String {
    let mut filters = filters.clone();
    filters.sort = None;
    filters.limit = None;
    filters.link(FEED, None)
}

const FEED: &str = "/offers.atom";

#[get("/offers.atom?<params..>")]
pub async fn feed(
    params: BoardParams<'_>,
    validators: Validators,
    limiter: Limiter<'_>,
    db: &State<Db>,
    config: &State<AppConfig>,
) -> Result<Validated, PageError> {
    let (raw, parsed) = params.read();
    let mut query = parsed?;
    let filters = BoardFilters::from_query(&raw, &query);
    query.sort = Sort::Newest;
    query.limit = ENTRIES;
    query.cursor = None;
    let _slot = limiter.board_search(&query).await?;
    let results = repo::board::page(&mut *db.acquire().await?, &query).await?;
    let updated = results
        .offers
        .iter()
        .map(|listed| listed.offer.modification_date)
        .max();
    let body = write_feed(&config.site, &filters, &results.offers, updated).map_err(|error| {
        rocket::error!("writing a feed failed: {error}");
        AppError::Status(rocket::http::Status::InternalServerError)
    })?;
    Ok(Validated::new(
        ContentType::new("application", "atom+xml").with_params(("charset", "utf-8")),
        body,
        updated,
        &validators,
    ))
}

/// `tag:` URIs (RFC 4151) name the feed's entries for good, whatever the offer's title and so
/// its address become.
fn tag_authority(site: &SiteSettings) -> String {
    url::Url::parse(&site.public_url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".to_owned())
}

fn text_element(out: &mut Writer<Vec<u8>>, name: &str, text: &str) -> io::Result<()> {
    out.create_element(name)
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

fn link(out: &mut Writer<Vec<u8>>, rel: &str, kind: &str, href: &str) -> io::Result<()> {
    out.create_element("link")
        .with_attributes([("rel", rel), ("type", kind), ("href", href)])
        .write_empty()?;
    Ok(())
}

/// The feed's title: the board's, with the filters in force.
fn feed_title(filters: &BoardFilters) -> String {
    let active: Vec<String> = super::view::active(filters)
        .into_iter()
        .map(|filter| format!("{}: {}", filter.kind, filter.value))
        .collect();
    if active.is_empty() {
        "Job offers".to_owned()
    } else {
        format!("Job offers ({})", active.join("; "))
    }
}

/// What a candidate acts on first, then the start of the text.
fn entry_summary(listed: &BoardOffer) -> String {
    let facts = Facts::of(&listed.offer.details);
    let known: Vec<String> = [facts.salary, facts.place, facts.workplace, facts.employment]
        .into_iter()
        .flatten()
        .collect();
    let text = summary(&listed.offer.description, SUMMARY_CHARS);
    if known.is_empty() {
        text
    } else {
        format!("{}\n\n{text}", known.join(" · "))
    }
}

fn write_feed(
    site: &SiteSettings,
    filters: &BoardFilters,
    offers: &[BoardOffer],
    updated: Option<DateTime<Utc>>,
) -> io::Result<Vec<u8>> {
    let authority = tag_authority(site);
    let mut out = Writer::new(Vec::new());
    out.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    out.write_event(Event::Start(
        BytesStart::new("feed").with_attributes([("xmlns", ATOM_NAMESPACE)]),
    ))?;
    let self_href = site.absolute(&feed_href(filters));
    text_element(&mut out, "id", &self_href)?;
    text_element(&mut out, "title", &feed_title(filters))?;
    // An empty feed has changed never: a fixed date keeps its validators stable.
    let updated = updated.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    text_element(&mut out, "updated", &w3c_time(&updated))?;
    link(&mut out, "self", "application/atom+xml", &self_href)?;
    link(
        &mut out,
        "alternate",
        "text/html",
        &site.absolute(&filters::board_href(filters, None)),
    )?;
    out.create_element("generator")
        .with_attribute(("uri", site.absolute(paths::BOARD).as_str()))
        .write_text_content(BytesText::new("job-offers"))?;
    for listed in offers {
        let offer = &listed.offer;
        let published = offer.first_published_at.unwrap_or(offer.creation_date);
        out.create_element("entry").write_inner_content(|out| {
            text_element(
                out,
                "id",
                &format!("tag:{authority},2026:offer:{}", offer.id),
            )?;
            text_element(out, "title", &offer.title)?;
            text_element(out, "published", &w3c_time(&published))?;
            text_element(out, "updated", &w3c_time(&offer.modification_date))?;
            out.create_element("author").write_inner_content(|out| {
                text_element(out, "name", listed.employer_name())?;
                text_element(
                    out,
                    "uri",
                    &site.absolute(&super::employer_href(&listed.username)),
                )
            })?;
            link(
                out,
                "alternate",
                "text/html",
                &site.absolute(&paths::offer(offer.id, &offer.title)),
            )?;
            for skill in &offer.skills_list {
                out.create_element("category")
                    .with_attribute(("term", skill.as_str()))
                    .write_empty()?;
            }
            out.create_element("summary")
                .with_attribute(("type", "text"))
                .write_text_content(BytesText::new(&entry_summary(listed)))?;
            Ok(())
        })?;
    }
    out.write_event(Event::End(BytesEnd::new("feed")))?;
    Ok(out.into_inner())
}
