//! What the change-point and trend commands share: the window flags as form fields, and
//! numbers written for people (units from the metric's name, p-values, percentages).

use crate::cli::AnalysisWindow;
use crate::client::{parse_time, seconds};

/// The window flags that were given, as the analysis routes' form fields.
pub fn window_form(window: &AnalysisWindow) -> anyhow::Result<Vec<(&'static str, String)>> {
    let now = vitals_store::wall_clock_ms();
    let mut form = Vec::new();
    if let Some(t) = &window.start {
        form.push(("start", seconds(parse_time("--start", t, now)?)));
    }
    if let Some(t) = &window.end {
        form.push(("end", seconds(parse_time("--end", t, now)?)));
    }
    if let Some(step) = &window.step {
        form.push(("step", step.clone()));
    }
    Ok(form)
}

/// A value of the metric `name` with its unit when the name says it (`_bytes`, `_seconds`),
/// in four significant digits: `1.44 MB`, `250 ms`, `0.5`.
pub fn amount(name: &str, v: f64) -> String {
    amount_in(name, v, v, 4)
}

/// Two values of the metric `name` in one unit, with the digits it takes to tell them
/// apart (at least four): `1 GB → 1.000006 GB`.
pub fn amounts(name: &str, a: f64, b: f64) -> (String, String) {
    let like = a.abs().max(b.abs());
    let apart = if a == b || like == 0.0 { 0 } else { -((b - a).abs() / like).log10().floor() as i32 };
    let digits = (apart + 2).clamp(4, 15);
    (amount_in(name, a, like, digits), amount_in(name, b, like, digits))
}

/// `v` in the unit that suits `like`, in `digits` significant digits.
fn amount_in(name: &str, v: f64, like: f64, digits: i32) -> String {
    let units: &[(f64, &str)] = if name.ends_with("_bytes") {
        &[(1e12, " TB"), (1e9, " GB"), (1e6, " MB"), (1e3, " kB"), (1.0, " B")]
    } else if name.ends_with("_seconds") {
        &[(86_400.0, " d"), (3_600.0, " h"), (60.0, " min"), (1.0, " s"), (1e-3, " ms"), (1e-6, " µs")]
    } else {
        &[(1.0, "")]
    };
    // The largest unit that `like` holds at least one of (the smallest otherwise).
    let (size, unit) = units.iter().find(|(size, _)| like.abs() >= *size).or(units.last()).copied().unwrap_or((1.0, ""));
    format!("{}{unit}", rounded(v / size, digits))
}

/// Four significant digits, without trailing zeros.
pub fn significant(v: f64) -> String {
    rounded(v, 4)
}

/// `digits` significant digits, without trailing zeros.
pub fn rounded(v: f64, digits: i32) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (digits - 1 - v.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{v:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// A p-value: `0.012`, `2e-6`, or `< 1e-300` when it underflowed.
pub fn p_value(p: f64) -> String {
    if p <= 0.0 {
        "< 1e-300".to_owned()
    } else if p < 0.001 {
        format!("{p:.0e}")
    } else {
        significant(p)
    }
}

/// A signed number: `+42`, `-0.5`.
pub fn signed(text: String) -> String {
    if text.starts_with('-') {
        text
    } else {
        format!("+{text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_people() {
        assert_eq!(amount("disk_used_bytes", 1_440_000.0), "1.44 MB");
        assert_eq!(amount("latency_seconds", 0.25), "250 ms");
        assert_eq!(amount("latency_seconds", -120.0), "-2 min");
        assert_eq!(amount("node_load1", 1.23456), "1.235");
        assert_eq!(amount("node_load1", 12345.0), "12345");
        assert_eq!(p_value(2.1e-6), "2e-6");
        assert_eq!(p_value(0.0123), "0.0123");
        assert_eq!(p_value(0.0), "< 1e-300");
        assert_eq!(signed(significant(42.0)), "+42");
        assert_eq!(signed(significant(-0.5)), "-0.5");
        assert_eq!(amounts("latency_seconds", 0.99993, 1.498), ("0.9999 s".to_owned(), "1.498 s".to_owned()));
        assert_eq!(amounts("disk_used_bytes", 1_000_001_000.0, 1_000_007_000.0), ("1.000001 GB".to_owned(), "1.000007 GB".to_owned()));
        assert_eq!(signed(rounded(49.86, 3)), "+49.9");
    }
}
