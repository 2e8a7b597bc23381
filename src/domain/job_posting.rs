//! What search engines and aggregators read of an offer: its one canonical address
//! (`/offers/{id}-{slug}`) and its schema.org `JobPosting` (Google for Jobs), built as a typed
//! value and serialized by serde, never written as JSON by hand.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

use super::offer::Offer;
use super::parse_id;
use super::posting::{Salary, Workplace};

/// The site's name, as the `identifier` of its postings names it.
pub const SITE_NAME: &str = "Job offers";

/// The longest slug kept (in bytes, all ASCII), cut at a word: a whole long title makes an
/// address nobody reads to the end.
const MAX_SLUG: usize = 80;

/// The title as an address segment: lower case ASCII words joined by hyphens ("Senior Rust
/// Engineer (m/w/d)" → "senior-rust-engineer-m-w-d"), other scripts transliterated; "offer"
/// when nothing of the title is left.
pub fn slug(title: &str) -> String {
    let full = slug::slugify(title);
    let mut cut = full.as_str();
    if cut.len() > MAX_SLUG {
        cut = &cut[..MAX_SLUG];
        if let Some(end) = cut.rfind('-') {
            cut = &cut[..end];
        }
    }
    let cut = cut.trim_matches('-');
    if cut.is_empty() {
        "offer".to_owned()
    } else {
        cut.to_owned()
    }
}

/// The offer's canonical path: `/offers/{id}-{slug}`.
pub fn canonical_path(id: i64, title: &str) -> String {
    format!("/offers/{id}-{}", slug(title))
}

/// The offer an address segment names: `12` or `12-any-slug` (then the slug as written),
/// `None` when it does not start with a canonical id.
pub fn offer_segment(segment: &str) -> Option<(i64, Option<&str>)> {
    match segment.split_once('-') {
        Some((id, slug)) => parse_id(id).map(|id| (id, Some(slug))),
        None => parse_id(segment).map(|id| (id, None)),
    }
}

/// The start of `text` for a `<meta name="description">` or a feed summary: its whitespace
/// collapsed, at most `max` characters, cut at a word with "…".
pub fn summary(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        return collapsed;
    }
    let cut: String = collapsed.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(end) if end > 0 => &cut[..end],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':']))
}

/// An RFC 3339 time to the second, in UTC, as schema.org and feeds write it.
pub fn w3c_time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The offer's text as HTML paragraphs (blank lines apart; single line breaks kept as `<br>`),
/// every character that means something in HTML escaped.
pub fn description_html(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n");
    normalized
        .split("\n\n")
        .map(str::trim)
        .filter(|paragraph| !paragraph.is_empty())
        .map(|paragraph| {
            let lines: Vec<String> = paragraph.lines().map(escape_html).collect();
            format!("<p>{}</p>", lines.join("<br>"))
        })
        .collect()
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Who is hiring, as the offer's page names them.
pub struct Employer<'a> {
    pub name: &'a str,
    pub website: Option<&'a str>,
}

/// schema.org `JobPosting`, with only the properties the offer has data for.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobPosting {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    title: String,
    description: String,
    date_posted: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_through: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    employment_type: Vec<&'static str>,
    hiring_organization: Organization,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    job_location: Vec<Place>,
    #[serde(skip_serializing_if = "Option::is_none")]
    job_location_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    applicant_location_requirements: Vec<Typed>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_salary: Option<MonetaryAmount>,
    identifier: PropertyValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    direct_apply: Option<bool>,
    url: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Organization {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    same_as: Option<String>,
}

#[derive(Debug, Serialize)]
struct Place {
    #[serde(rename = "@type")]
    kind: &'static str,
    address: PostalAddress,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PostalAddress {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    address_locality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address_region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    postal_code: Option<String>,
    address_country: String,
}

/// A named thing of one schema.org type (a `Country`).
#[derive(Debug, Serialize)]
struct Typed {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: String,
}

#[derive(Debug, Serialize)]
struct MonetaryAmount {
    #[serde(rename = "@type")]
    kind: &'static str,
    currency: String,
    value: QuantitativeValue,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct QuantitativeValue {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_value: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_value: Option<Value>,
    unit_text: &'static str,
}

#[derive(Debug, Serialize)]
struct PropertyValue {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'static str,
    value: String,
}

fn base_salary(salary: &Salary) -> MonetaryAmount {
    let (value, min_value, max_value) = if salary.min == salary.max {
        (Some(salary.min.to_json()), None, None)
    } else {
        (None, Some(salary.min.to_json()), Some(salary.max.to_json()))
    };
    MonetaryAmount {
        kind: "MonetaryAmount",
        currency: salary.currency.as_str().to_owned(),
        value: QuantitativeValue {
            kind: "QuantitativeValue",
            value,
            min_value,
            max_value,
            unit_text: salary.period.as_str(),
        },
    }
}

impl JobPosting {
    /// The posting of `offer` at `url` (its absolute canonical address). An offer not yet
    /// published is dated as if published now (for the owner's readiness check).
    pub fn of(offer: &Offer, employer: &Employer<'_>, url: String) -> Self {
        let details = &offer.details;
        let remote = details.workplace == Some(Workplace::Remote);
        Self {
            context: "https://schema.org",
            kind: "JobPosting",
            title: offer.title.clone(),
            description: description_html(&offer.description),
            date_posted: w3c_time(&offer.first_published_at.unwrap_or_else(Utc::now)),
            valid_through: offer.valid_through.as_ref().map(w3c_time),
            employment_type: details.employment_types.names(),
            hiring_organization: Organization {
                kind: "Organization",
                name: employer.name.to_owned(),
                same_as: employer.website.map(str::to_owned),
            },
            job_location: details
                .locations
                .as_slice()
                .iter()
                .map(|location| Place {
                    kind: "Place",
                    address: PostalAddress {
                        kind: "PostalAddress",
                        address_locality: location.city.clone(),
                        address_region: location.region.clone(),
                        postal_code: location.postal_code.clone(),
                        address_country: location.country.as_str().to_owned(),
                    },
                })
                .collect(),
            job_location_type: remote.then_some("TELECOMMUTE"),
            applicant_location_requirements: if remote {
                details
                    .remote_countries
                    .as_slice()
                    .iter()
                    .map(|country| Typed {
                        kind: "Country",
                        name: country.name().to_owned(),
                    })
                    .collect()
            } else {
                Vec::new()
            },
            base_salary: details.salary.as_ref().map(base_salary),
            identifier: PropertyValue {
                kind: "PropertyValue",
                name: SITE_NAME,
                value: offer.id.to_string(),
            },
            // Applications go to the employer's own address (or mailbox), not through this
            // page.
            direct_apply: (details.apply_url.is_some() || details.apply_email.is_some())
                .then_some(false),
            url,
        }
    }

    /// The JSON for a `<script type="application/ld+json">` element: `<`, `>` and `&` (and
    /// the JavaScript line separators) written as `\u` escapes, so that no text of the offer
    /// can close the element or open another.
    pub fn to_script_json(&self) -> String {
        let json = serde_json::to_string(self).expect("a JobPosting always serializes");
        let mut safe = String::with_capacity(json.len());
        for c in json.chars() {
            match c {
                '<' => safe.push_str("\\u003c"),
                '>' => safe.push_str("\\u003e"),
                '&' => safe.push_str("\\u0026"),
                '\u{2028}' => safe.push_str("\\u2028"),
                '\u{2029}' => safe.push_str("\\u2029"),
                c => safe.push(c),
            }
        }
        safe
    }

    /// What Google's job search requires or recommends and this posting lacks, with what the
    /// employer can do about it.
    pub fn missing(&self) -> Vec<MissingProperty> {
        let mut missing = Vec::new();
        let remote = self.job_location_type.is_some();
        // A fully remote job may name where its candidates may live instead of a place.
        let located_by_candidates = remote && !self.applicant_location_requirements.is_empty();
        if self.job_location.is_empty() && !located_by_candidates {
            missing.push(MissingProperty {
                property: "jobLocation",
                required: true,
                hint: if remote {
                    "Add a location, or name the countries remote candidates may live in."
                } else {
                    "Add where the job is, or make it remote."
                },
            });
        }
        if remote && self.applicant_location_requirements.is_empty() {
            missing.push(MissingProperty {
                property: "applicantLocationRequirements",
                required: false,
                hint: "Name the countries remote candidates may live in.",
            });
        }
        if self.base_salary.is_none() {
            missing.push(MissingProperty {
                property: "baseSalary",
                required: false,
                hint: "Say what the job pays.",
            });
        }
        if self.employment_type.is_empty() {
            missing.push(MissingProperty {
                property: "employmentType",
                required: false,
                hint: "Say what kind of employment it is.",
            });
        }
        if self.valid_through.is_none() {
            missing.push(MissingProperty {
                property: "validThrough",
                required: false,
                hint: "Say until when the offer is open.",
            });
        }
        if self.direct_apply.is_none() {
            missing.push(MissingProperty {
                property: "directApply",
                required: false,
                hint: "Give an address or e-mail to apply to.",
            });
        }
        missing
    }
}

/// A property of Google's list that a posting lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingProperty {
    pub property: &'static str,
    pub required: bool,
    pub hint: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_is_lower_case_ascii_words_joined_by_hyphens() {
        assert_eq!(
            slug("Senior Rust Engineer (m/w/d)"),
            "senior-rust-engineer-m-w-d"
        );
        assert_eq!(
            slug("Développeuse Back-end — Zürich"),
            "developpeuse-back-end-zurich"
        );
        assert_eq!(slug("  ***  "), "offer");
        assert_eq!(slug(""), "offer");
        let long = slug(&"word ".repeat(40));
        assert!(long.len() <= MAX_SLUG && !long.ends_with('-'), "{long}");
        assert!(long
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
    }

    #[test]
    fn an_offer_segment_is_an_id_and_maybe_a_slug() {
        assert_eq!(offer_segment("12"), Some((12, None)));
        assert_eq!(offer_segment("12-rust-dev"), Some((12, Some("rust-dev"))));
        assert_eq!(offer_segment("12-"), Some((12, Some(""))));
        for bad in ["", "x", "012-a", "-12", "0", "a-12"] {
            assert_eq!(offer_segment(bad), None, "{bad:?}");
        }
        assert_eq!(canonical_path(7, "Rust & Go"), "/offers/7-rust-go");
    }

    fn offer(title: &str) -> Offer {
        let now = Utc::now();
        Offer {
            id: 5,
            user_id: 1,
            title: title.to_owned(),
            description: "Text".to_owned(),
            skills_list: Vec::new(),
            creation_date: now,
            modification_date: now,
            status: super::super::posting::OfferStatus::Published,
            expired: false,
            close_reason: None,
            first_published_at: Some(now),
            valid_through: None,
            details: super::super::offer::Details::default(),
        }
    }

    #[test]
    fn no_text_of_the_offer_can_leave_its_script_element() {
        let employer = Employer {
            name: "</script><b>",
            website: None,
        };
        let posting = JobPosting::of(
            &offer("</script><script>alert(1)</script> & \u{2028}"),
            &employer,
            "https://jobs.example/offers/5-x".to_owned(),
        );
        let json = posting.to_script_json();
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
        let back: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back["title"],
            "</script><script>alert(1)</script> & \u{2028}"
        );
        assert_eq!(back["hiringOrganization"]["name"], "</script><b>");
        assert!(back.get("baseSalary").is_none() && back.get("validThrough").is_none());
        let missing: Vec<&str> = posting.missing().iter().map(|m| m.property).collect();
        assert_eq!(
            missing,
            [
                "jobLocation",
                "baseSalary",
                "employmentType",
                "validThrough",
                "directApply"
            ]
        );
    }

    #[test]
    fn a_summary_is_the_start_of_the_text_cut_at_a_word() {
        assert_eq!(summary("  Short\n\ttext ", 160), "Short text");
        assert_eq!(summary("one two three four", 12), "one two…");
        assert!(summary(&"é".repeat(300), 160).chars().count() <= 160);
    }

    #[test]
    fn a_description_becomes_escaped_paragraphs() {
        assert_eq!(
            description_html("First <b>line</b>\nsecond & more\r\n\r\n\n\nNext \"one\""),
            "<p>First &lt;b&gt;line&lt;/b&gt;<br>second &amp; more</p><p>Next &quot;one&quot;</p>"
        );
        assert_eq!(description_html("   "), "");
    }
}
