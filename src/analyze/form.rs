//! The flags of the analyses as the form fields of `/api/v1/analytics/...`: times as Unix
//! seconds, windows given as `START..END` or a duration, and the optional fields that were
//! given.

use std::time::Duration;

use anyhow::{bail, Context};

use crate::cli::AnalysisWindow;
use crate::client::{parse_time, seconds, show_time};

/// A form's fields: name and value.
pub type Form = Vec<(&'static str, String)>;

/// The fields whose value was given.
pub fn given(fields: impl IntoIterator<Item = (&'static str, Option<String>)>) -> impl Iterator<Item = (&'static str, String)> {
    fields.into_iter().filter_map(|(name, value)| value.map(|v| (name, v)))
}

/// A time flag (Unix seconds, RFC 3339 or `now`) as the Unix seconds a route takes.
pub fn time_field(flag: &str, text: &str) -> anyhow::Result<String> {
    Ok(seconds(parse_time(flag, text, vitals_store::wall_clock_ms())?))
}

/// The `--start`, `--end` and `--step` flags that were given, as form fields.
pub fn window_form(window: &AnalysisWindow) -> anyhow::Result<Form> {
    let mut form = Vec::new();
    if let Some(t) = &window.start {
        form.push(("start", time_field("--start", t)?));
    }
    if let Some(t) = &window.end {
        form.push(("end", time_field("--end", t)?));
    }
    form.extend(given([("step", window.step.clone())]));
    Ok(form)
}

/// A window as two form fields, `names` for its start and end.
pub fn window_fields(names: (&'static str, &'static str), (start, end): (i64, i64)) -> [(&'static str, String); 2] {
    [(names.0, seconds(start)), (names.1, seconds(end))]
}

/// A window flag: `START..END` (either side Unix seconds, RFC 3339 or `now`) or a
/// duration such as `15m`, which ends at `end` (in ms).
pub fn window(flag: &str, text: &str, now: i64, end: i64) -> anyhow::Result<(i64, i64)> {
    let (start, end) = match text.split_once("..") {
        Some((start, end)) => (parse_time(flag, start, now)?, parse_time(flag, end, now)?),
        None => {
            let length: Duration = humantime::parse_duration(text.trim())
                .with_context(|| format!("{flag} {text:?} is neither START..END nor a duration such as 15m"))?;
            (end.saturating_sub(i64::try_from(length.as_millis()).unwrap_or(i64::MAX)), end)
        }
    };
    if end <= start {
        bail!("{flag}: the end ({}) must be after the start ({})", show_time(end), show_time(start));
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_from_flags() {
        assert_eq!(window("--window", "100..200", 0, 0).unwrap(), (100_000, 200_000));
        assert_eq!(window("--window", "15m", 5_000_000, 5_000_000).unwrap(), (4_100_000, 5_000_000));
        assert_eq!(window("--baseline", "1h", 0, 7_200_000).unwrap(), (3_600_000, 7_200_000));
        let err = window("--window", "200..100", 0, 0).unwrap_err().to_string();
        assert!(err.contains("must be after the start"), "{err}");
        let err = window("--window", "yesterday", 0, 0).unwrap_err().to_string();
        assert!(err.contains("neither START..END nor a duration"), "{err}");
    }

    #[test]
    fn only_given_fields_and_times_as_seconds() {
        let window = AnalysisWindow { start: Some("100".into()), end: None, step: Some("1m".into()) };
        assert_eq!(window_form(&window).unwrap(), vec![("start", "100.000".to_owned()), ("step", "1m".to_owned())]);
        let err = time_field("--end", "tomorrow").unwrap_err().to_string();
        assert!(err.contains("--end"), "{err}");
    }
}
