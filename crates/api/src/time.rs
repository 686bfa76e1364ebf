//! `start`/`end` parameters: Unix seconds with optional decimals, or RFC 3339, as the
//! Prometheus API reads them.

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

#[cfg(test)]
mod tests {
    use super::*;

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
