//! When things happened, as the pages say it: an exact timestamp for `<time datetime>`, a
//! readable date, and an offer's age ("3 days ago").

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A moment for a `<time>` element: `iso` for its `datetime`, `text` for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timestamp {
    pub iso: String,
    pub text: String,
}

impl Timestamp {
    pub fn of(at: &DateTime<Utc>) -> Self {
        Self {
            iso: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            text: at.format("%-d %b %Y, %H:%M UTC").to_string(),
        }
    }
}

/// How long before `now` something happened, in its largest whole unit: "just now",
/// "5 minutes ago", "3 days ago", "2 months ago", "1 year ago". A moment in the future (a
/// clock a little ahead of the database's) is "just now".
pub fn age(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (now - then).num_minutes();
    let hours = minutes / 60;
    let days = hours / 24;
    if minutes < 1 {
        return "just now".to_owned();
    }
    let (count, unit) = if minutes < 60 {
        (minutes, "minute")
    } else if hours < 24 {
        (hours, "hour")
    } else if days < 30 {
        (days, "day")
    } else if days < 365 {
        // Calendar-free months and years: an age is read at a glance, not to the day.
        (days / 30, "month")
    } else {
        (days / 365, "year")
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural} ago")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn ago(elapsed: Duration) -> String {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        age(now - elapsed, now)
    }

    #[test]
    fn recent_moments_are_just_now() {
        assert_eq!(ago(Duration::zero()), "just now");
        assert_eq!(ago(Duration::seconds(59)), "just now");
        assert_eq!(ago(Duration::seconds(-30)), "just now");
        assert_eq!(ago(Duration::days(-2)), "just now");
    }

    #[test]
    fn ages_use_their_largest_whole_unit_in_singular_or_plural() {
        assert_eq!(ago(Duration::seconds(60)), "1 minute ago");
        assert_eq!(ago(Duration::minutes(5)), "5 minutes ago");
        assert_eq!(ago(Duration::minutes(59)), "59 minutes ago");
        assert_eq!(ago(Duration::minutes(60)), "1 hour ago");
        assert_eq!(ago(Duration::hours(23)), "23 hours ago");
        assert_eq!(ago(Duration::hours(24)), "1 day ago");
        assert_eq!(ago(Duration::days(3) + Duration::hours(5)), "3 days ago");
        assert_eq!(ago(Duration::days(29)), "29 days ago");
        assert_eq!(ago(Duration::days(30)), "1 month ago");
        assert_eq!(ago(Duration::days(65)), "2 months ago");
        assert_eq!(ago(Duration::days(364)), "12 months ago");
        assert_eq!(ago(Duration::days(365)), "1 year ago");
        assert_eq!(ago(Duration::days(3 * 365 + 100)), "3 years ago");
    }

    #[test]
    fn timestamps_are_exact_for_machines_and_readable_for_people() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 5, 7).unwrap();
        assert_eq!(
            Timestamp::of(&at),
            Timestamp {
                iso: "2026-03-01T09:05:07Z".to_owned(),
                text: "1 Mar 2026, 09:05 UTC".to_owned(),
            }
        );
    }
}
