//! Durations written the Prometheus way (`500ms`, `5m`, `15d`, `2y`): parsing and
//! rendering back to the same short form.

use std::time::Duration;

use humantime::DurationError;
use serde::Serializer;

use crate::scalar::Kind;

/// The units [`format_duration`] writes, longest first, with their length in nanoseconds;
/// what none of them divides is written in `ns`. A year is 365.25 days and a week 7 days,
/// as [`parse_duration`] reads them.
const UNITS: [(&str, u128); 8] = [
    ("y", 31_557_600 * NANOS_PER_SECOND),
    ("w", 604_800 * NANOS_PER_SECOND),
    ("d", 86_400 * NANOS_PER_SECOND),
    ("h", 3_600 * NANOS_PER_SECOND),
    ("m", 60 * NANOS_PER_SECOND),
    ("s", NANOS_PER_SECOND),
    ("ms", 1_000_000),
    ("us", 1_000),
];

const NANOS_PER_SECOND: u128 = 1_000_000_000;

const EXAMPLES: &str = "write it like 500ms, 30s, 5m, 2h, 15d, 1w or 1y";

/// Parses a duration such as `1s`, `500ms`, `5m`, `2h`, `15d`, `1w`, `1y` or `1h30m`.
///
/// Units: `ms`, `s`, `m` (minutes), `h`, `d`, `w` (7 days), `y` (365.25 days), and the
/// longer spellings humantime accepts (`sec`, `min`, `hours`, `days`, `M` for months, ...).
/// A bare `0` is zero; any other number needs a unit. The error text is meant for a
/// person: it quotes the input and says what a valid duration looks like.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|err| match err {
        DurationError::Empty => format!("empty duration; {EXAMPLES}"),
        DurationError::UnknownUnit { unit, value, .. } if unit.is_empty() => {
            format!("invalid duration {text:?}: the number needs a unit, like {value}s or {value}m (only 0 may go without one)")
        }
        DurationError::UnknownUnit { unit, .. } => format!("invalid duration {text:?}: unknown unit {unit:?}; use ms, s, m, h, d, w or y"),
        DurationError::InvalidCharacter(_) | DurationError::NumberExpected(_) => {
            format!("invalid duration {text:?}; {EXAMPLES}")
        }
        DurationError::NumberOverflow => format!("invalid duration {text:?}: too long"),
    })
}

/// Renders a duration in the longest unit that divides it exactly (`2h`, `90d`, `1500ms`),
/// so that [`parse_duration`] reads the text back as the same duration. Zero is `0`.
pub fn format_duration(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    if nanos == 0 {
        return "0".to_owned();
    }
    UNITS
        .iter()
        .find(|(_, length)| nanos.is_multiple_of(*length))
        .map(|(unit, length)| format!("{}{unit}", nanos / length))
        .unwrap_or_else(|| format!("{nanos}ns"))
}

/// Serialises a duration as [`format_duration`] writes it; zero as the YAML number `0`
/// rather than a quoted string.
pub(crate) fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    if duration.is_zero() {
        serializer.serialize_u64(0)
    } else {
        serializer.serialize_str(&format_duration(*duration))
    }
}

/// Reads a YAML scalar as a duration.
pub(crate) struct AsDuration;

impl Kind for AsDuration {
    type Value = Duration;
    const EXPECTING: &'static str = "a duration like 500ms, 5m or 15d";

    fn parse(text: &str) -> Result<Duration, String> {
        parse_duration(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_prometheus_unit() {
        let cases = [
            ("500ms", Duration::from_millis(500)),
            ("1s", Duration::from_secs(1)),
            ("5m", Duration::from_secs(300)),
            ("2h", Duration::from_secs(7_200)),
            ("15d", Duration::from_secs(15 * 86_400)),
            ("1w", Duration::from_secs(7 * 86_400)),
            ("1y", Duration::from_secs(31_557_600)),
            ("1h30m", Duration::from_secs(5_400)),
            ("0", Duration::ZERO),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_duration(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn explains_what_is_wrong() {
        assert_eq!(parse_duration("5x").unwrap_err(), "invalid duration \"5x\": unknown unit \"x\"; use ms, s, m, h, d, w or y");
        assert_eq!(
            parse_duration("5").unwrap_err(),
            "invalid duration \"5\": the number needs a unit, like 5s or 5m (only 0 may go without one)"
        );
        assert_eq!(parse_duration("-5s").unwrap_err(), "invalid duration \"-5s\"; write it like 500ms, 30s, 5m, 2h, 15d, 1w or 1y");
        assert_eq!(parse_duration("").unwrap_err(), "empty duration; write it like 500ms, 30s, 5m, 2h, 15d, 1w or 1y");
        assert_eq!(parse_duration("99999999999999999999y").unwrap_err(), "invalid duration \"99999999999999999999y\": too long");
    }

    #[test]
    fn writes_the_longest_exact_unit() {
        let cases = [
            (Duration::ZERO, "0"),
            (Duration::from_millis(1_500), "1500ms"),
            (Duration::from_secs(90), "90s"),
            (Duration::from_secs(7_200), "2h"),
            (Duration::from_secs(90 * 86_400), "90d"),
            (Duration::from_secs(14 * 86_400), "2w"),
            (Duration::from_secs(2 * 31_557_600), "2y"),
            (Duration::from_nanos(1_001), "1001ns"),
        ];
        for (duration, expected) in cases {
            assert_eq!(format_duration(duration), expected);
            assert_eq!(parse_duration(expected), Ok(duration));
        }
    }
}
