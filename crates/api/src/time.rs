//! Time parameters (`start`, `end`, `time`: Unix seconds with optional decimals, or RFC
//! 3339) and duration parameters (`step`, `timeout`, `lookback_delta`: float seconds or a
//! Prometheus duration such as `1m30s`), as the Prometheus API reads them.

use chrono::DateTime;

use crate::error::ApiError;

/// Parses a time parameter to milliseconds since the Unix epoch (decimals rounded to the
/// millisecond; a time beyond the representable range is clamped to it).
pub(crate) fn parse_time(param: &str, text: &str) -> Result<i64, ApiError> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        if seconds.is_finite() {
            // `as` saturates at the ends of i64.
            return Ok((seconds * 1000.0).round() as i64);
        }
    } else if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp_millis());
    }
    Err(ApiError::bad_data(format!(
        "invalid parameter {param:?}: cannot parse {text:?} to a valid timestamp (use Unix seconds like 1700000000.5 or RFC 3339 like 2023-11-14T22:13:20Z)"
    )))
}

/// Parses a duration parameter to milliseconds: float seconds (`15`, `0.5`, `-1`; truncated
/// to the millisecond as Prometheus truncates) or a Prometheus duration (`1h30m`, `500ms`).
/// The sign is the caller's to check.
pub(crate) fn parse_duration(param: &str, text: &str) -> Result<i64, ApiError> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        // Prometheus holds durations in int64 nanoseconds and refuses what does not fit.
        if seconds.is_finite() && (seconds * 1e9).abs() < i64::MAX as f64 {
            return Ok((seconds * 1000.0).trunc() as i64);
        }
        if seconds.is_finite() {
            return Err(ApiError::bad_data(format!(
                "invalid parameter {param:?}: cannot parse {text:?} to a valid duration. It overflows int64"
            )));
        }
    } else if let Some(ms) = prometheus_duration_ms(text) {
        return Ok(ms);
    }
    Err(ApiError::bad_data(format!(
        "invalid parameter {param:?}: cannot parse {text:?} to a valid duration (use seconds like 15 or 0.5, or a duration like 30s, 5m or 1h30m)"
    )))
}

/// A Prometheus duration: whole numbers with units in the order y, w, d, h, m, s, ms, each
/// at most once (`1h30m`, `90s`), a day being 24 h and a year 365 d; `None` if malformed
/// or too large. Written here rather than taken from `promql-parser`, whose
/// `parse_duration` panics on negative seconds and reads an overflowing part as zero.
fn prometheus_duration_ms(text: &str) -> Option<i64> {
    const DAY: i64 = 86_400_000;
    const UNITS: [(&str, i64); 7] = [("y", 365 * DAY), ("w", 7 * DAY), ("d", DAY), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)];
    let mut rest = text;
    let mut next_unit = 0;
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let n: i64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        // The longest unit that matches ("ms" rather than "m"), and only after the last one.
        let (i, (unit, ms)) =
            UNITS.iter().enumerate().skip(next_unit).filter(|(_, (u, _))| rest.starts_with(u)).max_by_key(|(_, (u, _))| u.len())?;
        rest = &rest[unit.len()..];
        next_unit = i + 1;
        total = total.checked_add(n.checked_mul(*ms)?)?;
    }
    (!text.is_empty()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_seconds_or_prometheus_units() {
        assert_eq!(parse_duration("step", "15").unwrap(), 15_000);
        assert_eq!(parse_duration("step", "0.0155").unwrap(), 15);
        assert_eq!(parse_duration("step", "-2").unwrap(), -2000);
        assert_eq!(parse_duration("step", "1h30m").unwrap(), 5_400_000);
        assert_eq!(parse_duration("step", "1m500ms").unwrap(), 60_500);
        assert_eq!(parse_duration("step", "2w1d").unwrap(), 15 * 86_400_000);
        assert_eq!(parse_duration("step", "1y").unwrap(), 365 * 86_400_000);
    }

    #[test]
    fn bad_durations_name_the_parameter() {
        for text in ["", "5x", "1m1h", "1s1s", "m", "NaN", "inf", "99999999999999999999s", "1.5m"] {
            let err = parse_duration("step", text).unwrap_err();
            assert!(
                err.message.starts_with(&format!("invalid parameter \"step\": cannot parse {text:?} to a valid duration")),
                "{}",
                err.message
            );
        }
        assert!(parse_duration("timeout", "1e300").unwrap_err().message.ends_with("It overflows int64"));
    }

    #[test]
    fn seconds_and_rfc3339() {
        assert_eq!(parse_time("start", "1700000000").unwrap(), 1_700_000_000_000);
        assert_eq!(parse_time("start", "1700000000.123").unwrap(), 1_700_000_000_123);
        assert_eq!(parse_time("start", "-1.5").unwrap(), -1500);
        assert_eq!(parse_time("start", "2023-11-14T22:13:20Z").unwrap(), 1_700_000_000_000);
        assert_eq!(parse_time("start", "2023-11-15T00:13:20.5+02:00").unwrap(), 1_700_000_000_500);
        assert_eq!(parse_time("end", "1e300").unwrap(), i64::MAX);
    }

    #[test]
    fn garbage_names_the_parameter() {
        for text in ["yesterday", "NaN", "inf", "2023-11-14"] {
            let err = parse_time("end", text).unwrap_err();
            assert!(err.message.starts_with(&format!("invalid parameter \"end\": cannot parse {text:?}")), "{}", err.message);
        }
    }
}
