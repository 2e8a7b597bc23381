//! What crawlers read: `/robots.txt` and the sitemaps. `/sitemap.xml` lists the board and
//! every open offer; past `sitemap_max_urls` addresses it becomes a sitemap index of files
//! `/sitemaps/{n}.xml`, each the open offers of one range of ids (so a file never holds more
//! than the limit, and an offer stays in the same file). Files are streamed as their rows
//! come, written with an XML writer.

use std::io;

use rocket::futures::StreamExt;
use rocket::http::ContentType;
use rocket::response::stream::ByteStream;
use rocket::{get, State};

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::errors::PageError;
use super::paths;
use crate::config::{AppConfig, SiteSettings};
use crate::db::Db;
use crate::domain::job_posting::w3c_time;
use crate::error::{AppError, Missing};
use crate::repo;
use crate::repo::sitemap::SitemapEntry;

const SITEMAP_NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// Offers written into one chunk of a streamed sitemap.
const ENTRIES_PER_CHUNK: usize = 500;

/// The crawler rules: the sitemap, and the addresses that are forms, accounts or the API
/// kept out.
#[get("/robots.txt")]
pub fn robots(config: &State<AppConfig>) -> (ContentType, String) {
    let sitemap = config.site.absolute("/sitemap.xml");
    let rules = [
        "User-agent: *",
        "Disallow: /offers/*/edit",
        "Disallow: /offers/*/delete",
        "Disallow: /offers/new",
        "Disallow: /offers$",
        "Disallow: /login",
        "Disallow: /register",
        "Disallow: /logout",
        "Disallow: /account",
        "Disallow: /profile",
        "Disallow: /api/",
        "",
    ];
    (
        ContentType::Plain,
        format!("{}Sitemap: {sitemap}\n", rules.join("\n")),
    )
}

fn xml() -> ContentType {
    ContentType::new("application", "xml").with_params(("charset", "utf-8"))
}

/// The ids each sitemap file covers: `sitemap_max_urls - 1`, so that the first file, which
/// also lists the board, stays within the limit too.
fn ids_per_file(site: &SiteSettings) -> i64 {
    i64::try_from(site.sitemap_max_urls - 1).unwrap_or(i64::MAX)
}

/// A streamed XML body.
type XmlStream = (
    ContentType,
    ByteStream<rocket::futures::stream::BoxStream<'static, Vec<u8>>>,
);

#[get("/sitemap.xml")]
pub async fn sitemap(db: &State<Db>, config: &State<AppConfig>) -> Result<XmlStream, PageError> {
    let site = config.site.clone();
    let mut connection = db.acquire().await?;
    // The board is one address of the file: the offers fit when they are fewer than the rest.
    let open = repo::sitemap::open_offers_up_to(&mut connection, site.sitemap_max_urls).await?;
    if open < site.sitemap_max_urls {
        return Ok(urlset(connection, site, 0, i64::MAX, true));
    }
    let last = repo::sitemap::last_offer_id(&mut connection).await?;
    drop(connection);
    let files = (last + ids_per_file(&site) - 1) / ids_per_file(&site);
    let mut out = writer();
    let written: io::Result<()> = (|| {
        out.write_event(Event::Start(
            BytesStart::new("sitemapindex").with_attributes([("xmlns", SITEMAP_NAMESPACE)]),
        ))?;
        for file in 1..=files.max(1) {
            out.create_element("sitemap").write_inner_content(|out| {
                out.create_element("loc")
                    .write_text_content(BytesText::new(
                        &site.absolute(&format!("/sitemaps/{file}.xml")),
                    ))
                    .map(drop)
            })?;
        }
        out.write_event(Event::End(BytesEnd::new("sitemapindex")))
    })();
    written.map_err(|error| AppError::Status(internal(&error)))?;
    let body = out.into_inner();
    Ok((
        xml(),
        ByteStream(rocket::futures::stream::once(async move { body }).boxed()),
    ))
}

/// One file of the sitemap index: `/sitemaps/{n}.xml`, the open offers with ids in its range
/// (the first file with the board).
#[get("/sitemaps/<file>")]
pub async fn sitemap_file(
    file: &str,
    db: &State<Db>,
    config: &State<AppConfig>,
) -> Result<XmlStream, PageError> {
    let not_found = || AppError::NotFound(Missing::Route);
    let number = file
        .strip_suffix(".xml")
        .and_then(crate::domain::parse_id)
        .ok_or_else(not_found)?;
    let site = config.site.clone();
    let per_file = ids_per_file(&site);
    let after = (number - 1).checked_mul(per_file).ok_or_else(not_found)?;
    let connection = db.acquire().await?;
    Ok(urlset(
        connection,
        site,
        after,
        after.saturating_add(per_file),
        number == 1,
    ))
}

fn internal(error: &io::Error) -> rocket::http::Status {
    rocket::error!("writing a sitemap failed: {error}");
    rocket::http::Status::InternalServerError
}

fn writer() -> Writer<Vec<u8>> {
    let mut out = Writer::new(Vec::new());
    out.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .expect("writing to a Vec cannot fail");
    out
}

fn write_url(out: &mut Writer<Vec<u8>>, loc: &str, lastmod: Option<&str>) -> io::Result<()> {
    out.create_element("url").write_inner_content(|out| {
        out.create_element("loc")
            .write_text_content(BytesText::new(loc))?;
        if let Some(lastmod) = lastmod {
            out.create_element("lastmod")
                .write_text_content(BytesText::new(lastmod))?;
        }
        Ok(())
    })?;
    Ok(())
}

fn write_entry(
    out: &mut Writer<Vec<u8>>,
    site: &SiteSettings,
    entry: &SitemapEntry,
) -> io::Result<()> {
    write_url(
        out,
        &site.absolute(&paths::offer(entry.id, &entry.title)),
        Some(&w3c_time(&entry.modification_date)),
    )
}

/// A `<urlset>` of the open offers with `after < id <= through` (and the board first when
/// `with_board`), streamed in chunks as the rows come from the database. A database failure
/// half way ends the stream early (the status was sent already): the crawler sees a truncated
/// file and comes back later.
fn urlset(
    mut connection: sqlx::pool::PoolConnection<sqlx::Postgres>,
    site: SiteSettings,
    after: i64,
    through: i64,
    with_board: bool,
) -> XmlStream {
    let stream = ByteStream! {
        let mut out = writer();
        let mut written = out.write_event(Event::Start(
            BytesStart::new("urlset").with_attributes([("xmlns", SITEMAP_NAMESPACE)]),
        ));
        if with_board && written.is_ok() {
            written = write_url(&mut out, &site.absolute(paths::BOARD), None);
        }
        let mut rows = repo::sitemap::open_offers_between(&mut connection, after, through);
        let mut in_chunk = 0;
        while written.is_ok() {
            match rows.next().await {
                Some(Ok(entry)) => written = write_entry(&mut out, &site, &entry),
                Some(Err(error)) => {
                    rocket::error!("reading the sitemap's offers failed: {error}");
                    written = Err(io::Error::other("the sitemap's offers could not be read"));
                }
                None => break,
            }
            in_chunk += 1;
            if in_chunk == ENTRIES_PER_CHUNK {
                in_chunk = 0;
                yield std::mem::take(out.get_mut());
            }
        }
        if written.is_ok() && out.write_event(Event::End(BytesEnd::new("urlset"))).is_ok() {
            yield out.into_inner();
        }
    };
    (xml(), ByteStream(stream.0.boxed()))
}
