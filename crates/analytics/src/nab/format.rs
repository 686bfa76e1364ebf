//! NAB's data files: a `timestamp,value` header, then one row per sample with timestamps
//! such as `2014-04-10 07:15:00`. RFC 3339 and Unix seconds are accepted too.

use chrono::{DateTime, NaiveDateTime};

use crate::AnalyticsError;

/// One parsed data row, with its two fields as written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row<'a> {
    /// The timestamp field as written.
    pub timestamp_text: &'a str,
    /// The value field as written.
    pub value_text: &'a str,
    /// The timestamp in ms since the Unix epoch (UTC when the text has no zone).
    pub timestamp_ms: i64,
    /// The value.
    pub value: f64,
}

/// Parses a timestamp: `YYYY-MM-DD HH:MM:SS[.fraction]` (UTC), RFC 3339, or Unix seconds
/// (with a fraction allowed). `None` when it is none of these.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f") {
        return Some(t.and_utc().timestamp_millis());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp_millis());
    }
    let secs: f64 = text.parse().ok()?;
    let ms = (secs * 1000.0).round();
    // Finite and within i64 ms (about ±292 million years): the cast is exact after round.
    (ms.is_finite() && ms.abs() < 9.2e18).then_some(ms as i64)
}

/// Parses data row `line` (1-based `line_no` for the error): two comma-separated fields, a
/// timestamp and a number.
pub fn parse_row(line: &str, line_no: usize) -> Result<Row<'_>, AnalyticsError> {
    let err = |message: String| AnalyticsError::Line { line: line_no, message };
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut fields = line.split(',');
    let (Some(timestamp_text), Some(value_text), None) = (fields.next(), fields.next(), fields.next()) else {
        return Err(err(format!("expected two fields `timestamp,value`, got {:?}", line)));
    };
    let timestamp_ms = parse_timestamp(timestamp_text)
        .ok_or_else(|| err(format!("timestamp {timestamp_text:?} is not `YYYY-MM-DD HH:MM:SS`, RFC 3339 or Unix seconds")))?;
    let value = value_text.trim().parse::<f64>().map_err(|_| err(format!("value {value_text:?} is not a number")))?;
    Ok(Row { timestamp_text, value_text, timestamp_ms, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_timestamp_forms() {
        let nab = parse_timestamp("2014-04-10 07:15:00").unwrap();
        assert_eq!(nab, 1_397_114_100_000);
        assert_eq!(parse_timestamp("2014-04-10 07:15:00.000000"), Some(nab));
        assert_eq!(parse_timestamp("2014-04-10T09:15:00+02:00"), Some(nab));
        assert_eq!(parse_timestamp("1397114100"), Some(nab));
        assert_eq!(parse_timestamp("1397114100.5"), Some(nab + 500));
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn bad_rows_say_what_and_where() {
        let row = parse_row("2014-04-10 07:15:00,12.5\r", 2).unwrap();
        assert_eq!((row.timestamp_text, row.value_text, row.value), ("2014-04-10 07:15:00", "12.5", 12.5));
        assert_eq!(parse_row("2014-04-10 07:15:00,abc", 7).unwrap_err().to_string(), "line 7: value \"abc\" is not a number");
        assert!(parse_row("1,2,3", 3).unwrap_err().to_string().starts_with("line 3: expected two fields"));
        assert!(parse_row("noon,2", 4).unwrap_err().to_string().contains("timestamp \"noon\""));
    }
}
