//! The natural order `sort_by_label` and `sort_by_label_desc` use for label values.
//!
//! Prometheus 3.5 compares label values with `github.com/facette/natsort`: each string is split
//! into runs of ASCII digits and runs of other characters; digit runs compare as integers, other
//! runs byte-wise, and when one string's runs are a prefix of the other's, it sorts first. So
//! `cpu="2"` < `cpu="10"` and `"1.2.3"` < `"1.11.3"`.
//!
//! Written by hand because the natural-sort crates differ from that library in the details
//! (case folding, leading zeros, how digit and non-digit runs compare), which would reorder
//! results compared with Prometheus. Where that library is not a consistent order, Vitals makes
//! it one, since Rust's sort requires a total order: digit runs too long for an `i64` still
//! compare by value (the library falls back to comparing them as text), equal runs that differ
//! in leading zeros (`"01"` / `"1"`) are ordered by a final byte-wise comparison, and the empty
//! string sorts before every other (the library calls it neither smaller nor larger).

use std::cmp::Ordering;

/// Splits `s` into alternating runs of ASCII digits and of other bytes. Digits never occur inside
/// a multi-byte UTF-8 sequence, so the runs are valid string slices.
fn runs(s: &str) -> impl Iterator<Item = &str> {
    let bytes = s.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        let first = bytes.get(start)?;
        let digit = first.is_ascii_digit();
        let len = bytes[start..].iter().take_while(|b| b.is_ascii_digit() == digit).count();
        let run = s.get(start..start + len)?;
        start += len;
        Some(run)
    })
}

/// Compares two digit runs by numeric value, whatever their length: leading zeros are ignored,
/// then a longer run is larger, then the digits decide.
fn cmp_numeric(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Compares two runs: numerically if both are digit runs, else byte-wise (a digit run and a
/// non-digit run differ in their first byte, so this is consistent with the numeric order).
fn cmp_run(a: &str, b: &str) -> Ordering {
    let is_number = |s: &str| s.as_bytes().first().is_some_and(u8::is_ascii_digit);
    if is_number(a) && is_number(b) {
        cmp_numeric(a, b)
    } else {
        a.cmp(b)
    }
}

/// The natural order of two label values, as `sort_by_label` uses it: `Less` if `a` sorts before
/// `b`. `Equal` only for identical strings.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let mut a_runs = runs(a);
    let mut b_runs = runs(b);
    loop {
        match (a_runs.next(), b_runs.next()) {
            (Some(x), Some(y)) => match cmp_run(x, y) {
                Ordering::Equal => {}
                unequal => return unequal,
            },
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (None, None) => return a.cmp(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(values: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = values.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| natural_cmp(a, b));
        v
    }

    #[test]
    fn numbers_sort_by_value() {
        let cpus = ["100", "21", "3", "0", "12", "1", "20", "2", "10", "11"];
        assert_eq!(sorted(&cpus), ["0", "1", "2", "3", "10", "11", "12", "20", "21", "100"]);
    }

    #[test]
    fn mixed_runs_match_functions_test() {
        assert_eq!(sorted(&["4m1000", "4m600", "4m5"]), ["4m5", "4m600", "4m1000"]);
        assert_eq!(sorted(&["1.111.3", "1.11.3", "1.2.3"]), ["1.2.3", "1.11.3", "1.111.3"]);
        assert_eq!(sorted(&["production", "canary"]), ["canary", "production"]);
    }

    #[test]
    fn text_compares_bytewise_and_prefixes_come_first() {
        assert_eq!(natural_cmp("a", "b"), Ordering::Less);
        assert_eq!(natural_cmp("B", "a"), Ordering::Less);
        assert_eq!(natural_cmp("a1", "a1b"), Ordering::Less);
        assert_eq!(natural_cmp("a1b", "a1"), Ordering::Greater);
        assert_eq!(natural_cmp("x", "x"), Ordering::Equal);
        // A digit run against text: byte order of the first characters ('1' < 'a', '-' < '1').
        assert_eq!(natural_cmp("1a", "a"), Ordering::Less);
        assert_eq!(natural_cmp("-1", "1"), Ordering::Less);
    }

    #[test]
    fn cases_where_go_is_inconsistent_get_a_total_order() {
        assert_eq!(natural_cmp("", "a"), Ordering::Less);
        assert_eq!(natural_cmp("a", ""), Ordering::Greater);
        assert_eq!(natural_cmp("", ""), Ordering::Equal);
        assert_eq!(natural_cmp("01", "1"), Ordering::Less);
        assert_eq!(natural_cmp("1", "01"), Ordering::Greater);
        assert_eq!(natural_cmp("99999999999999999999", "100000000000000000000"), Ordering::Less);
        assert_eq!(natural_cmp("2", "19999999999999999999999"), Ordering::Less);
    }

    #[test]
    fn unicode_text_is_split_safely() {
        assert_eq!(natural_cmp("é2", "é10"), Ordering::Less);
        assert_eq!(sorted(&["日本10", "日本9"]), ["日本9", "日本10"]);
    }
}
