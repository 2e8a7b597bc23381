//! The e-mail the service sends about applications, composed as plain text: the candidate's
//! receipt (with their private link), the employer's notice of a new application, and the
//! candidate's news of a stage change. Also how long a failed delivery waits before the next
//! attempt, and how an error is shown without the addresses in it.
//!
//! A message is composed where its facts are known (the private link exists only during the
//! submit) and stored whole in the outbox; the worker adds only the envelope (From, Message-ID).
//! Nothing here ever holds a CV, a phone number or a cover letter.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::application::Stage;

/// The longest offer title or candidate name quoted in a subject; the body has them whole.
const SUBJECT_QUOTE_CHARS: usize = 80;

/// One message as the outbox stores it (`payload` of an `email` row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl Mail {
    /// The outbox payload.
    pub fn to_json(&self) -> String {
        serde_json::json!({"to": self.to, "subject": self.subject, "body": self.body}).to_string()
    }

    /// Reads an outbox payload written by [`Mail::to_json`].
    pub fn from_json(payload: &str) -> Result<Self, String> {
        serde_json::from_str(payload).map_err(|error| format!("unreadable e-mail payload: {error}"))
    }
}

/// The absolute addresses a message links to; the web layer knows the paths and the secret.
pub trait MailLinks: Sync {
    /// The candidate's private link, derived from the salt stored with the application.
    fn status_url(&self, token_salt: &[u8]) -> String;
    /// Where the offer's owner reads application `id` (through the API).
    fn application_url(&self, owner: i64, id: i64) -> String;
}

/// What every message about an application says: which one, to which offer.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    pub offer_title: &'a str,
    pub candidate_name: &'a str,
}

/// One line of at most `max` characters: a title typed with a line break must never become a
/// second header line, and a long one is cut with an ellipsis.
fn one_line(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// The candidate's receipt: their application arrived, and the link to follow or withdraw it.
pub fn receipt(to: &str, about: About<'_>, status_url: &str) -> Mail {
    let title = one_line(about.offer_title, SUBJECT_QUOTE_CHARS);
    Mail {
        to: to.to_owned(),
        subject: format!("Application received: {title}"),
        body: format!(
            "Hello {name},\n\n\
             your application to \"{title}\" has arrived.\n\n\
             Follow its progress, or withdraw it, at your private link:\n{status_url}\n\n\
             Keep this link to yourself: anyone who has it can see and withdraw your \
             application. We will write again when the employer moves it to another stage.\n",
            name = one_line(about.candidate_name, usize::MAX),
            title = one_line(about.offer_title, usize::MAX),
        ),
    }
}

/// The employer's notice of a new application, sent to the offer's `apply_email`. It names the
/// candidate and says where to read the rest; the application itself stays in the service.
pub fn employer_notice(to: &str, about: About<'_>, has_cv: bool, application_url: &str) -> Mail {
    let title = one_line(about.offer_title, SUBJECT_QUOTE_CHARS);
    let name = one_line(about.candidate_name, usize::MAX);
    let cv = if has_cv {
        "It comes with a CV."
    } else {
        "It comes without a CV."
    };
    Mail {
        to: to.to_owned(),
        subject: format!(
            "New application: {title} — {}",
            one_line(about.candidate_name, SUBJECT_QUOTE_CHARS)
        ),
        body: format!(
            "{name} has applied to your offer \"{full_title}\". {cv}\n\n\
             Read the application, move it through your stages and download the CV, \
             signed in as the offer's owner:\n{application_url}\n",
            full_title = one_line(about.offer_title, usize::MAX),
        ),
    }
}

/// What the candidate is told of their application moving to `stage`; `None` for the stages
/// they are not written about (`new` is the receipt's; `withdrawn` is their own doing).
pub fn stage_change(to: &str, about: About<'_>, stage: Stage, status_url: &str) -> Option<Mail> {
    let news = match stage {
        Stage::New | Stage::Withdrawn => return None,
        Stage::Reviewing => "The employer is reviewing your application.",
        Stage::Interview => "The employer would like to interview you and will be in touch.",
        Stage::Offer => "The employer is making you an offer and will be in touch.",
        Stage::Hired => "You have been hired. Congratulations!",
        Stage::Rejected => "The employer has decided not to go on with your application.",
    };
    let title = one_line(about.offer_title, SUBJECT_QUOTE_CHARS);
    Some(Mail {
        to: to.to_owned(),
        subject: format!("Your application: {} — {title}", stage.as_str()),
        body: format!(
            "Hello {name},\n\n\
             your application to \"{full_title}\" is now at the stage \"{stage}\".\n{news}\n\n\
             Your private link:\n{status_url}\n",
            name = one_line(about.candidate_name, usize::MAX),
            full_title = one_line(about.offer_title, usize::MAX),
            stage = stage.as_str(),
        ),
    })
}

/// How long to wait after the `attempts`-th failed delivery (1 for the first): `base`, doubled
/// at each further failure, never more than `ceiling`.
pub fn retry_delay(attempts: u32, base: Duration, ceiling: Duration) -> Duration {
    let doublings = attempts.saturating_sub(1).min(31);
    base.saturating_mul(1 << doublings).min(ceiling)
}

/// `text` (an SMTP error, which may quote the recipient) with the local part of each e-mail
/// address cut to its first character (`a…@example.com`), so that logs and the outbox's
/// `last_error` never hold an address whole.
pub fn redact_addresses(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let is_local = |c: char| c.is_alphanumeric() || "._%+-".contains(c);
    let mut hidden = vec![false; chars.len()];
    for (at, _) in chars.iter().enumerate().filter(|(_, &c)| c == '@') {
        let start = (0..at)
            .rev()
            .take_while(|&i| is_local(chars[i]))
            .last()
            .unwrap_or(at);
        for flag in &mut hidden[(start + 1).min(at)..at] {
            *flag = true;
        }
    }
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if !hidden[i] {
            out.push(c);
        } else if !hidden[i - 1] {
            out.push('…');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABOUT: About<'static> = About {
        offer_title: "Backend Engineer",
        candidate_name: "Ada Lovelace",
    };

    #[test]
    fn the_receipt_goes_to_the_candidate_with_their_private_link() {
        let mail = receipt(
            "ada@example.com",
            ABOUT,
            "https://jobs.example.com/api/v1/applications/tok",
        );
        assert_eq!(mail.to, "ada@example.com");
        assert_eq!(mail.subject, "Application received: Backend Engineer");
        assert!(
            mail.body.starts_with("Hello Ada Lovelace,"),
            "{}",
            mail.body
        );
        assert!(mail
            .body
            .contains("\nhttps://jobs.example.com/api/v1/applications/tok\n"));
    }

    #[test]
    fn the_employer_notice_names_the_candidate_and_links_to_the_application() {
        let mail = employer_notice("jobs@acme.example", ABOUT, true, "https://x.example/a/1");
        assert_eq!(mail.to, "jobs@acme.example");
        assert_eq!(
            mail.subject,
            "New application: Backend Engineer — Ada Lovelace"
        );
        assert!(mail.body.contains("It comes with a CV."));
        assert!(mail.body.contains("https://x.example/a/1"));
        let without = employer_notice("jobs@acme.example", ABOUT, false, "u");
        assert!(without.body.contains("without a CV"));
    }

    #[test]
    fn each_employer_stage_has_its_news_and_new_or_withdrawn_have_none() {
        for stage in [
            Stage::Reviewing,
            Stage::Interview,
            Stage::Offer,
            Stage::Hired,
            Stage::Rejected,
        ] {
            let mail = stage_change("ada@example.com", ABOUT, stage, "https://s").unwrap();
            assert_eq!(
                mail.subject,
                format!("Your application: {} — Backend Engineer", stage.as_str())
            );
            assert!(mail
                .body
                .contains(&format!("is now at the stage \"{}\"", stage.as_str())));
            assert!(mail.body.contains("https://s"));
        }
        assert_eq!(stage_change("a@b.c", ABOUT, Stage::New, "s"), None);
        assert_eq!(stage_change("a@b.c", ABOUT, Stage::Withdrawn, "s"), None);
    }

    #[test]
    fn a_subject_is_one_line_and_a_long_title_is_cut() {
        let about = About {
            offer_title: "Line one\r\nBcc: victim@example.com",
            candidate_name: "Ada",
        };
        let mail = receipt("a@b.c", about, "s");
        assert!(!mail.subject.contains(['\r', '\n']), "{}", mail.subject);
        let long = "x".repeat(200);
        let about = About {
            offer_title: &long,
            candidate_name: "Ada",
        };
        let subject = receipt("a@b.c", about, "s").subject;
        let quoted = subject.trim_start_matches("Application received: ");
        assert_eq!(quoted.chars().count(), SUBJECT_QUOTE_CHARS);
        assert!(quoted.ends_with('…'));
    }

    #[test]
    fn a_message_comes_back_from_its_payload_as_it_went_in() {
        let mail = receipt("ada@example.com", ABOUT, "https://s/\"quoted\"");
        assert_eq!(Mail::from_json(&mail.to_json()).unwrap(), mail);
        assert!(Mail::from_json("{}").is_err());
    }

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_the_ceiling() {
        let base = Duration::from_secs(30);
        let hour = Duration::from_secs(3600);
        let delays: Vec<u64> = (1..=9)
            .map(|attempt| retry_delay(attempt, base, hour).as_secs())
            .collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(retry_delay(0, base, hour), base);
        assert_eq!(retry_delay(u32::MAX, base, hour), hour);
    }

    #[test]
    fn addresses_in_an_error_are_cut_to_a_first_letter_and_the_domain() {
        assert_eq!(
            redact_addresses("550 5.1.1 <ada.lovelace@example.com>: User unknown"),
            "550 5.1.1 <a…@example.com>: User unknown"
        );
        assert_eq!(
            redact_addresses("to=bob@x.example,carol@y.example"),
            "to=b…@x.example,c…@y.example"
        );
        assert_eq!(redact_addresses("no address @ all"), "no address @ all");
    }
}
