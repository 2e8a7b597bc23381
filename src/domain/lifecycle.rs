//! What a create or an update does to an offer's lifecycle, in one place for both doors:
//! which status changes are allowed (`draft → published → closed → published`), what closing
//! needs, how long a publication lasts, and what publishing requires.

use chrono::{DateTime, Duration, Utc};

use super::fields::FieldErrors;
use super::offer::{Details, LifecyclePatch, NewOffer, Offer, OfferPatch};
use super::posting::{CloseReason, OfferStatus, ShownStatus, Workplace};

/// How long offers stay open and what publishing needs (configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishingRules {
    /// `valid_through` when none is given: this many days after publication.
    pub default_days: u32,
    /// `valid_through` may lie at most this many days ahead.
    pub max_days: u32,
    /// Publishing without a salary is refused.
    pub require_salary: bool,
}

impl Default for PublishingRules {
    fn default() -> Self {
        Self {
            default_days: 60,
            max_days: 365,
            require_salary: false,
        }
    }
}

impl PublishingRules {
    /// The latest `valid_through` an offer may be given at `now`.
    pub fn latest_valid_through(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + Duration::days(i64::from(self.max_days))
    }
}

/// A status change the lifecycle does not allow (`409`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Cannot change status from {from} to {to}")]
pub struct TransitionRefused {
    pub from: ShownStatus,
    pub to: ShownStatus,
}

/// Why a create or update cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeError {
    /// Fields that are wrong for this offer as it stands (`400` naming them).
    Invalid(FieldErrors),
    Transition(TransitionRefused),
}

/// The lifecycle an offer has after a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    pub status: OfferStatus,
    pub close_reason: Option<CloseReason>,
    pub valid_through: Option<DateTime<Utc>>,
    /// `valid_through` is the default period (`offer_default_days`) from now: the store
    /// counts it from the same instant it stamps the publication with, so that a first
    /// publication's `valid_through` is exactly `first_published_at` plus those days.
    pub default_days: Option<u32>,
    /// This write is the offer's first publication: `first_published_at` becomes now.
    pub first_publication: bool,
}

/// The whole offer as a write leaves it, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferChange {
    pub title: String,
    pub description: String,
    pub skills: Vec<String>,
    pub details: Details,
    pub lifecycle: Lifecycle,
}

/// A new offer: `published` unless `draft` is asked for; never created closed or expired.
pub fn create(
    offer: &NewOffer,
    now: DateTime<Utc>,
    rules: &PublishingRules,
) -> Result<OfferChange, ChangeError> {
    let mut errors = FieldErrors::default();
    let status = match offer.lifecycle.status {
        None | Some(ShownStatus::Published) => OfferStatus::Published,
        Some(ShownStatus::Draft) => OfferStatus::Draft,
        Some(_) => {
            errors.add("status", "An offer is created as draft or published.");
            OfferStatus::Draft
        }
    };
    let lifecycle = decide(
        &offer.lifecycle,
        None,
        status,
        &offer.details,
        now,
        rules,
        &mut errors,
    );
    check_details(&offer.details, &mut errors);
    if !errors.is_empty() {
        return Err(ChangeError::Invalid(errors));
    }
    Ok(OfferChange {
        title: offer.title.as_str().to_owned(),
        description: offer.description.as_str().to_owned(),
        skills: offer.skills.as_slice().to_vec(),
        details: offer.details.clone(),
        lifecycle,
    })
}

/// `stored` after `patch`: the status change checked against the allowed transitions, then
/// every field against the offer as it will be.
pub fn update(
    stored: &Offer,
    patch: &OfferPatch,
    now: DateTime<Utc>,
    rules: &PublishingRules,
) -> Result<OfferChange, ChangeError> {
    let from = stored.shown_status();
    let status = match patch.lifecycle.status {
        None => stored.status,
        Some(to) => target(from, to).map_err(ChangeError::Transition)?,
    };
    let details = patch.details.applied_to(&stored.details);
    let mut errors = FieldErrors::default();
    let lifecycle = decide(
        &patch.lifecycle,
        Some(stored),
        status,
        &details,
        now,
        rules,
        &mut errors,
    );
    check_details(&details, &mut errors);
    if !errors.is_empty() {
        return Err(ChangeError::Invalid(errors));
    }
    Ok(OfferChange {
        title: patch
            .title
            .as_ref()
            .map_or_else(|| stored.title.clone(), |title| title.as_str().to_owned()),
        description: patch.description.as_ref().map_or_else(
            || stored.description.clone(),
            |description| description.as_str().to_owned(),
        ),
        skills: patch.skills.as_ref().map_or_else(
            || stored.skills_list.clone(),
            |skills| skills.as_slice().to_vec(),
        ),
        details,
        lifecycle,
    })
}

/// The stored status after asking to go `from` → `to` (both as shown), if allowed. Asking for
/// the status an offer already has changes nothing; a published offer past its date
/// (`expired`) may be published again with a new date, or closed.
fn target(from: ShownStatus, to: ShownStatus) -> Result<OfferStatus, TransitionRefused> {
    use ShownStatus as S;
    match (from, to) {
        (S::Draft, S::Draft) => Ok(OfferStatus::Draft),
        (S::Draft | S::Published | S::Expired | S::Closed, S::Published) => {
            Ok(OfferStatus::Published)
        }
        (S::Published | S::Expired | S::Closed, S::Closed) => Ok(OfferStatus::Closed),
        _ => Err(TransitionRefused { from, to }),
    }
}

/// The lifecycle fields of an offer going to `status`: the close reason, the validity, and
/// whether this is a publication; problems go to `errors`.
fn decide(
    sent: &LifecyclePatch,
    stored: Option<&Offer>,
    status: OfferStatus,
    details: &Details,
    now: DateTime<Utc>,
    rules: &PublishingRules,
    errors: &mut FieldErrors,
) -> Lifecycle {
    let was = stored.map(Offer::shown_status);
    let close_reason = match (status, sent.close_reason) {
        (OfferStatus::Closed, Some(Some(reason))) => Some(reason),
        (OfferStatus::Closed, _) => match stored.and_then(|offer| offer.close_reason) {
            Some(reason) if was == Some(ShownStatus::Closed) && sent.close_reason.is_none() => {
                Some(reason)
            }
            _ => {
                errors.add(
                    "close_reason",
                    "Required when closing: filled or withdrawn.",
                );
                None
            }
        },
        (_, Some(Some(_))) => {
            errors.add(
                "close_reason",
                "Only when closing: send it with status closed.",
            );
            None
        }
        (_, _) => None,
    };
    // A publication asked for: a create, or a `status` sent that puts the offer on the board
    // (first time, reopening, or renewing an expired one). An edit that leaves `status` out
    // changes no status: an expired offer whose title is corrected stays expired.
    let asked_to_publish = status == OfferStatus::Published
        && was != Some(ShownStatus::Published)
        && (stored.is_none() || sent.status.is_some());
    let stored_date = stored.and_then(|offer| offer.valid_through);
    let latest = rules.latest_valid_through(now);
    let default = now + Duration::days(i64::from(rules.default_days));
    let check = |date: DateTime<Utc>, errors: &mut FieldErrors| {
        if date <= now {
            errors.add("valid_through", "Must be in the future.");
        } else if date > latest {
            errors.add(
                "valid_through",
                format!("At most {} days ahead.", rules.max_days),
            );
        }
        Some(date)
    };
    let valid_through = match (status, sent.valid_through) {
        (OfferStatus::Published, Some(Some(date))) => check(date, errors),
        (OfferStatus::Published, Some(None)) => Some(default),
        // A draft's own date is the one it is published with, and must fit then.
        (OfferStatus::Published, None) if asked_to_publish && was == Some(ShownStatus::Draft) => {
            match stored_date {
                Some(date) => check(date, errors),
                None => Some(default),
            }
        }
        // Reopening or renewing: a date still ahead stays and must fit, as a draft's does (one
        // set while closed may lie past the limit: refused, not silently replaced); a passed
        // one starts again.
        (OfferStatus::Published, None) if asked_to_publish => match stored_date {
            Some(date) if date > now => check(date, errors),
            _ => Some(default),
        },
        (_, Some(date)) => date,
        (_, None) => stored_date,
    };
    // The offer (re)enters the board now: asked to, or an expired one given a date ahead.
    let publishing = status == OfferStatus::Published
        && was != Some(ShownStatus::Published)
        && valid_through.is_some_and(|date| date > now);
    if publishing && rules.require_salary && details.salary.is_none() {
        errors.add("salary", "Required to publish: set a salary.");
    }
    Lifecycle {
        status,
        close_reason,
        valid_through,
        default_days: (valid_through == Some(default)).then_some(rules.default_days),
        first_publication: publishing
            && stored.is_none_or(|offer| offer.first_published_at.is_none()),
    }
}

/// Rules across detail fields.
fn check_details(details: &Details, errors: &mut FieldErrors) {
    let remote = matches!(
        details.workplace,
        Some(Workplace::Remote | Workplace::Hybrid)
    );
    if !details.remote_countries.is_empty() && !remote {
        errors.add("remote_countries", "Only with workplace remote or hybrid.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fields::JsonObject;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2027-01-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn rules() -> PublishingRules {
        PublishingRules::default()
    }

    fn object(value: serde_json::Value) -> JsonObject {
        value.as_object().unwrap().clone()
    }

    fn new_offer(extra: serde_json::Value) -> NewOffer {
        let mut body = object(json!({"title": "Engineer", "description": "Build"}));
        body.extend(object(extra));
        NewOffer::from_json(&body).unwrap()
    }

    fn stored(change: &OfferChange, expired: bool) -> Offer {
        Offer {
            id: 1,
            user_id: 1,
            title: change.title.clone(),
            description: change.description.clone(),
            skills_list: change.skills.clone(),
            creation_date: now(),
            modification_date: now(),
            status: change.lifecycle.status,
            expired,
            close_reason: change.lifecycle.close_reason,
            first_published_at: (change.lifecycle.status != OfferStatus::Draft).then(now),
            valid_through: change.lifecycle.valid_through,
            details: change.details.clone(),
        }
    }

    fn patched(offer: &Offer, body: serde_json::Value) -> Result<OfferChange, ChangeError> {
        let patch = OfferPatch::from_json(&object(body)).unwrap();
        update(offer, &patch, now(), &rules())
    }

    fn refused(result: Result<OfferChange, ChangeError>) -> String {
        match result {
            Err(ChangeError::Transition(refused)) => refused.to_string(),
            other => panic!("expected a refused transition, got {other:?}"),
        }
    }

    fn invalid(result: Result<OfferChange, ChangeError>, field: &str) -> String {
        match result {
            Err(ChangeError::Invalid(errors)) => errors.get(field).unwrap()[0].clone(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn an_old_clients_offer_is_published_for_the_default_days() {
        let change = create(&new_offer(json!({})), now(), &rules()).unwrap();
        assert_eq!(change.lifecycle.status, OfferStatus::Published);
        assert!(change.lifecycle.first_publication);
        assert_eq!(
            change.lifecycle.valid_through,
            Some(now() + Duration::days(60))
        );
    }

    #[test]
    fn a_draft_is_not_published_and_has_no_date_unless_given() {
        let change = create(&new_offer(json!({"status": "draft"})), now(), &rules()).unwrap();
        assert_eq!(change.lifecycle.status, OfferStatus::Draft);
        assert!(!change.lifecycle.first_publication);
        assert_eq!(change.lifecycle.valid_through, None);
        for status in ["closed", "expired"] {
            let result = create(&new_offer(json!({"status": status})), now(), &rules());
            assert_eq!(
                invalid(result, "status"),
                "An offer is created as draft or published."
            );
        }
    }

    #[test]
    fn valid_through_lies_in_the_future_and_within_the_maximum() {
        let past = create(
            &new_offer(json!({"valid_through": "2026-12-31T00:00:00Z"})),
            now(),
            &rules(),
        );
        assert_eq!(invalid(past, "valid_through"), "Must be in the future.");
        let far = create(
            &new_offer(json!({"valid_through": "2028-06-01T00:00:00Z"})),
            now(),
            &rules(),
        );
        assert_eq!(invalid(far, "valid_through"), "At most 365 days ahead.");
        let fine = create(
            &new_offer(json!({"valid_through": "2027-03-01T00:00:00Z"})),
            now(),
            &rules(),
        )
        .unwrap();
        assert_eq!(
            fine.lifecycle.valid_through.unwrap().to_rfc3339(),
            "2027-03-01T00:00:00+00:00"
        );
    }

    #[test]
    fn the_allowed_transitions_and_the_refused_ones() {
        let draft = stored(
            &create(&new_offer(json!({"status": "draft"})), now(), &rules()).unwrap(),
            false,
        );
        let published = patched(&draft, json!({"status": "published"})).unwrap();
        assert_eq!(published.lifecycle.status, OfferStatus::Published);
        assert!(published.lifecycle.first_publication);
        assert_eq!(
            refused(patched(
                &draft,
                json!({"status": "closed", "close_reason": "filled"})
            )),
            "Cannot change status from draft to closed"
        );

        let live = stored(&published, false);
        assert_eq!(
            refused(patched(&live, json!({"status": "draft"}))),
            "Cannot change status from published to draft"
        );
        assert_eq!(
            refused(patched(&live, json!({"status": "expired"}))),
            "Cannot change status from published to expired"
        );
        assert_eq!(
            invalid(patched(&live, json!({"status": "closed"})), "close_reason"),
            "Required when closing: filled or withdrawn."
        );
        let closed = patched(&live, json!({"status": "closed", "close_reason": "filled"})).unwrap();
        assert_eq!(closed.lifecycle.close_reason, Some(CloseReason::Filled));

        let closed = stored(&closed, false);
        assert_eq!(
            refused(patched(&closed, json!({"status": "draft"}))),
            "Cannot change status from closed to draft"
        );
        let reopened = patched(&closed, json!({"status": "published"})).unwrap();
        assert_eq!(reopened.lifecycle.close_reason, None);
        assert!(
            !reopened.lifecycle.first_publication,
            "first_published_at never moves"
        );
    }

    #[test]
    fn a_draft_is_published_with_its_own_date_which_must_fit_then() {
        let dated = json!({"status": "draft", "valid_through": "2026-12-25T00:00:00Z"});
        let draft = stored(&create(&new_offer(dated), now(), &rules()).unwrap(), false);
        assert_eq!(
            invalid(
                patched(&draft, json!({"status": "published"})),
                "valid_through"
            ),
            "Must be in the future."
        );
        let later = json!({"status": "published", "valid_through": "2027-02-01T00:00:00Z"});
        assert!(patched(&draft, later).is_ok());
        let dated = json!({"status": "draft", "valid_through": "2027-01-20T00:00:00Z"});
        let draft = stored(&create(&new_offer(dated), now(), &rules()).unwrap(), false);
        let published = patched(&draft, json!({"status": "published"})).unwrap();
        assert_eq!(
            published.lifecycle.valid_through.unwrap().to_rfc3339(),
            "2027-01-20T00:00:00+00:00"
        );
    }

    #[test]
    fn a_closed_offer_reopens_with_its_date_ahead_which_must_fit() {
        let closing = json!({"status": "closed", "close_reason": "filled"});
        let open = stored(
            &create(&new_offer(json!({})), now(), &rules()).unwrap(),
            false,
        );
        let mut closed = stored(&patched(&open, closing).unwrap(), false);
        // A date set while closed is not checked then; past the limit, reopening names it.
        closed.valid_through = Some(now() + Duration::days(500));
        assert_eq!(
            invalid(
                patched(&closed, json!({"status": "published"})),
                "valid_through"
            ),
            "At most 365 days ahead."
        );
        closed.valid_through = Some(now() + Duration::days(30));
        let reopened = patched(&closed, json!({"status": "published"})).unwrap();
        assert_eq!(reopened.lifecycle.valid_through, closed.valid_through);
        closed.valid_through = Some(now() - Duration::days(1));
        let reopened = patched(&closed, json!({"status": "published"})).unwrap();
        assert_eq!(
            reopened.lifecycle.valid_through,
            Some(now() + Duration::days(60))
        );
    }

    #[test]
    fn an_expired_offer_is_renewed_with_a_new_date_or_closed() {
        let mut offer = stored(
            &create(&new_offer(json!({})), now(), &rules()).unwrap(),
            true,
        );
        offer.valid_through = Some(now() - Duration::days(1));
        assert_eq!(
            refused(patched(&offer, json!({"status": "draft"}))),
            "Cannot change status from expired to draft"
        );
        let renewed = patched(&offer, json!({"status": "published"})).unwrap();
        assert_eq!(
            renewed.lifecycle.valid_through,
            Some(now() + Duration::days(60))
        );
        assert!(!renewed.lifecycle.first_publication);
        // An edit without a status is no renewal: the date stays, so the offer stays expired.
        let corrected = patched(&offer, json!({"title": "Senior engineer"})).unwrap();
        assert_eq!(corrected.lifecycle.status, OfferStatus::Published);
        assert_eq!(corrected.lifecycle.valid_through, offer.valid_through);
        // A new date ahead renews it without a status, as a publication.
        let strict = PublishingRules {
            require_salary: true,
            ..rules()
        };
        let extended = json!({"valid_through": "2027-02-01T00:00:00Z"});
        let patch = OfferPatch::from_json(&object(extended)).unwrap();
        assert_eq!(
            invalid(update(&offer, &patch, now(), &strict), "salary"),
            "Required to publish: set a salary."
        );
        let patch = OfferPatch::from_json(&object(json!({"title": "Senior"}))).unwrap();
        assert!(update(&offer, &patch, now(), &strict).is_ok());
        assert!(patched(
            &offer,
            json!({"status": "closed", "close_reason": "withdrawn"})
        )
        .is_ok());
    }

    #[test]
    fn a_close_reason_only_goes_with_closing() {
        let live = stored(
            &create(&new_offer(json!({})), now(), &rules()).unwrap(),
            false,
        );
        assert_eq!(
            invalid(
                patched(&live, json!({"close_reason": "filled"})),
                "close_reason"
            ),
            "Only when closing: send it with status closed."
        );
        assert!(patched(&live, json!({"close_reason": null})).is_ok());
    }

    #[test]
    fn publishing_may_require_a_salary() {
        let strict = PublishingRules {
            require_salary: true,
            ..rules()
        };
        let refused = create(&new_offer(json!({})), now(), &strict);
        assert_eq!(
            invalid(refused, "salary"),
            "Required to publish: set a salary."
        );
        assert!(create(&new_offer(json!({"status": "draft"})), now(), &strict).is_ok());
        let paid = json!({"salary": {"currency": "EUR", "min": 1, "max": 2, "period": "YEAR"}});
        assert!(create(&new_offer(paid), now(), &strict).is_ok());
    }

    #[test]
    fn remote_countries_need_a_remote_or_hybrid_workplace() {
        let refused = create(
            &new_offer(json!({"workplace": "on_site", "remote_countries": ["DE"]})),
            now(),
            &rules(),
        );
        assert_eq!(
            invalid(refused, "remote_countries"),
            "Only with workplace remote or hybrid."
        );
        let remote = create(
            &new_offer(json!({"workplace": "remote", "remote_countries": ["de"]})),
            now(),
            &rules(),
        )
        .unwrap();
        let offer = stored(&remote, false);
        assert_eq!(
            invalid(
                patched(&offer, json!({"workplace": "on_site"})),
                "remote_countries"
            ),
            "Only with workplace remote or hybrid."
        );
    }
}
