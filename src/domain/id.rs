//! Resource ids as they appear in addresses: positive 64-bit integers written canonically.

/// Reads an id written as a URL names it: decimal digits without sign, leading zeros or
/// spaces, from 1 to `i64::MAX`. `+3` and `03` are not 3: one resource has one address.
pub fn parse_id(raw: &str) -> Option<i64> {
    let canonical = raw.bytes().all(|b| b.is_ascii_digit()) && !raw.starts_with('0');
    canonical
        .then(|| raw.parse::<i64>().ok())
        .flatten()
        .filter(|id| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::parse_id;

    #[test]
    fn only_canonical_positive_integers_are_ids() {
        assert_eq!(parse_id("1"), Some(1));
        assert_eq!(parse_id("9223372036854775807"), Some(i64::MAX));
        for bad in [
            "",
            "0",
            "03",
            "+3",
            "-3",
            " 3",
            "3 ",
            "3.0",
            "9223372036854775808",
            "x",
        ] {
            assert_eq!(parse_id(bad), None, "{bad:?}");
        }
    }
}
