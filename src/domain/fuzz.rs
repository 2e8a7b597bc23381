//! A bounded, high-count property run over every parser of client input (the stable-toolchain
//! stand-in for `cargo fuzz`, which needs nightly): arbitrary JSON and text never panic, and
//! whatever parses satisfies the published limits. `PROPTEST_CASES` sets the count
//! (`.ci/run` raises it).

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::board::{BoardQuery, Cursor, Direction, Keyset, RawBoardQuery};
use super::offer::{NewOffer, OfferPatch, MAX_SKILLS};
use super::user::{Credentials, NewUser};

/// Text with the characters that break naive code: controls, NUL, quotes, combining marks,
/// right-to-left marks, emoji and non-BMP characters.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\x00-\\x1f\\u{80}-\\u{9f}'\"\\\\<>&;%,.+#\\u{202e}\\u{0301}\\u{1F600} a-zA-Z0-9]{0,260}",
        Just("x".repeat(10_001)),
        Just(" \u{3000}\t".to_owned()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        hostile_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..60).prop_map(Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Mostly the real field names, so the parsers get past the unknown-field check.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "title", "description", "skills_list", "username", "password", "id",
            "creation_date", "modification_date",
        ])
        .prop_map(str::to_owned),
        1 => hostile_text(),
    ]
}

fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(field_name(), json_value(), 0..6)
        .prop_map(|map| map.into_iter().collect())
}

proptest! {
    #[test]
    fn offer_bodies_parse_or_name_their_problems(object in json_object()) {
        if let Ok(offer) = NewOffer::from_json(&object) {
            let title = offer.title.as_str();
            prop_assert!((1..=200).contains(&title.chars().count()));
            prop_assert!(!title.trim().is_empty() && !title.contains('\0'));
            prop_assert!((1..=10_000).contains(&offer.description.as_str().chars().count()));
            prop_assert!(offer.skills.as_slice().len() <= MAX_SKILLS);
        }
        if let Ok(patch) = OfferPatch::from_json(&object) {
            prop_assert!(patch.title.is_some() || patch.description.is_some() || patch.skills.is_some());
        }
    }

    #[test]
    fn account_bodies_parse_or_name_their_problems(object in json_object()) {
        if let Ok(user) = NewUser::from_json(&object, &crate::domain::user::PasswordPolicy::default()) {
            let name = user.username.as_str();
            prop_assert!((3..=32).contains(&name.len()));
            prop_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)));
        }
        let _ = Credentials::from_json(&object);
    }

    #[test]
    fn board_queries_parse_or_name_their_problems(
        q in proptest::option::of(hostile_text()),
        skills in proptest::option::of(hostile_text()),
        employer in proptest::option::of(hostile_text()),
        limit in proptest::option::of(hostile_text()),
        cursor in proptest::option::of(hostile_text()),
        filters in proptest::collection::vec(proptest::option::of(hostile_text()), 9),
    ) {
        let raw = RawBoardQuery {
            q: q.as_deref(),
            skills: skills.as_deref(),
            employer: employer.as_deref(),
            workplace: filters[0].as_deref(),
            employment_type: filters[1].as_deref(),
            country: filters[2].as_deref(),
            salary_min: filters[3].as_deref(),
            currency: filters[4].as_deref(),
            posted_within: filters[5].as_deref(),
            sort: filters[6].as_deref(),
            updated_since: filters[7].as_deref(),
            include: filters[8].as_deref(),
            limit: limit.as_deref(),
            cursor: cursor.as_deref(),
        };
        if let Ok(query) = BoardQuery::parse(raw) {
            prop_assert!((1..=100).contains(&query.limit));
        }
    }

    #[test]
    fn cursors_round_trip(id in 1..i64::MAX, rank in proptest::option::of(0.0f32..1.0), back in any::<bool>()) {
        let direction = if back { Direction::Before } else { Direction::After };
        let cursor = Cursor { direction, id, rank, posted: None };
        let keyset = if rank.is_some() { Keyset::Rank } else { Keyset::Id };
        prop_assert_eq!(Cursor::decode(&cursor.encode(), keyset), Ok(cursor));
    }

    #[test]
    fn posted_cursors_round_trip(id in 1..i64::MAX, posted in any::<i64>()) {
        let cursor = Cursor { direction: Direction::After, id, rank: None, posted: Some(posted) };
        prop_assert_eq!(Cursor::decode(&cursor.encode(), Keyset::Posted), Ok(cursor));
    }

    #[test]
    fn arbitrary_cursors_never_panic(raw in hostile_text()) {
        for keyset in [Keyset::Id, Keyset::Rank, Keyset::Posted] {
            let _ = Cursor::decode(&raw, keyset);
        }
    }

    #[test]
    fn authorization_headers_never_panic(header in proptest::option::of(hostile_text())) {
        let _ = crate::auth::guard::bearer_token(header.as_deref());
    }
}
