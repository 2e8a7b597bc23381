//! The absolute addresses of an application, for the API's answers and for the e-mail both
//! doors queue: the candidate's private link (derived from the stored salt with the server's
//! key) and the employer's page of the application.

use crate::api::BASE;
use crate::auth::candidate::CandidateLinks;
use crate::config::{AppConfig, SiteSettings};
use crate::domain::mail::MailLinks;

/// The candidate's private status page for `token`.
pub fn candidate_page(token: &str) -> String {
    format!("/candidate/{token}")
}

/// The employer's page of application `id`.
pub fn employer_page(id: i64) -> String {
    format!("/applications/{id}")
}

/// Builds an application's addresses on this site.
pub struct SiteLinks<'a> {
    pub links: &'a CandidateLinks,
    pub site: &'a SiteSettings,
}

impl<'a> SiteLinks<'a> {
    pub fn new(links: &'a CandidateLinks, config: &'a AppConfig) -> Self {
        Self {
            links,
            site: &config.site,
        }
    }

    /// The API's address of the candidate's application: the contract's `status_url`.
    pub fn api_status_url(&self, token_salt: &[u8]) -> String {
        let token = self.links.token(token_salt);
        self.site.absolute(&format!("{BASE}/applications/{token}"))
    }

    /// These links for mail, or `None` when mail is off (then nothing is queued).
    pub fn for_mail(&self, config: &AppConfig) -> Option<&dyn MailLinks> {
        config.mail.as_ref().map(|_| self as &dyn MailLinks)
    }
}

/// Mail is read by people, in a browser: it links to the pages, not to the JSON API.
impl MailLinks for SiteLinks<'_> {
    fn status_url(&self, token_salt: &[u8]) -> String {
        self.site
            .absolute(&candidate_page(&self.links.token(token_salt)))
    }

    fn application_url(&self, _owner: i64, id: i64) -> String {
        self.site.absolute(&employer_page(id))
    }
}
