//! A CV download, for the API and the pages alike: streamed out of the database a slice at a
//! time (never whole in memory), as an attachment with the content type its bytes were
//! recognised as, never sniffed by the browser.

use rocket::http::{ContentType, Header};
use rocket::request::Request;
use rocket::response::stream::ByteStream;
use rocket::response::{self, Responder};

use crate::repo;

/// Bytes of a CV read per statement while it streams out.
const CV_SLICE_BYTES: i64 = 256 * 1024;

/// A CV streamed out of the database a slice at a time, as an attachment.
pub struct CvDownload {
    pub file: repo::applications::CvFile,
    pub pool: sqlx::PgPool,
}

impl<'r> Responder<'r, 'r> for CvDownload {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'r> {
        let CvDownload { file, pool } = self;
        let size = file.size;
        let id = file.application_id;
        let stream = ByteStream! {
            let mut offset = 0;
            while offset < size {
                match repo::applications::cv_slice(&pool, id, offset, CV_SLICE_BYTES).await {
                    Ok(Some(bytes)) if !bytes.is_empty() => {
                        offset += bytes.len() as i64;
                        yield bytes;
                    }
                    Ok(_) => break,
                    Err(error) => {
                        rocket::warn!("CV {id} stopped streaming at {offset} bytes: {error}");
                        break;
                    }
                }
            }
        };
        let mut response = stream.respond_to(request)?;
        let content_type =
            ContentType::parse_flexible(file.kind.content_type()).unwrap_or(ContentType::Binary);
        response.set_header(content_type);
        response.set_header(Header::new(
            "Content-Disposition",
            content_disposition(&file.filename),
        ));
        response.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        response.set_header(Header::new("Cache-Control", "private, no-store"));
        Ok(response)
    }
}

/// `attachment` with the file name twice: plain ASCII for old clients, and RFC 5987's UTF-8
/// form for the name as the candidate gave it.
fn content_disposition(filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(filename.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_is_given_plainly_and_exactly() {
        assert_eq!(
            content_disposition("Lebenslauf Müller.pdf"),
            "attachment; filename=\"Lebenslauf M_ller.pdf\"; \
             filename*=UTF-8''Lebenslauf%20M%C3%BCller.pdf"
        );
        assert_eq!(
            content_disposition("a\"b\\c.pdf"),
            "attachment; filename=\"a_b_c.pdf\"; filename*=UTF-8''a%22b%5Cc.pdf"
        );
    }
}
