//! What the commands that ask a running Vitals print: series in Prometheus' notation,
//! aligned tables, numbers written for people (units from the metric's name, p-values,
//! significant digits), times and CSV fields. `vitals query` and every `vitals analyze`
//! command use these, so the same thing is written the same way everywhere.

use std::fmt::Write as _;

use anyhow::anyhow;
use serde_json::Value;

use crate::client::{excerpt, show_time};

/// The error for an answer that lacks what the server always sends.
pub fn unexpected(data: &Value) -> anyhow::Error {
    anyhow!("unexpected answer from the server: {}", excerpt(&data.to_string()))
}

/// The `result` list of an answer's `data`, or the error for an answer without one.
pub fn results(data: &Value) -> anyhow::Result<&[Value]> {
    data["result"].as_array().map(Vec::as_slice).ok_or_else(|| unexpected(data))
}

/// Prints the server's JSON answer as it sent it, on lines of its own.
pub fn print_body(body: &str) {
    print!("{body}");
    if !body.ends_with('\n') {
        println!();
    }
}

/// The elements of a JSON list (none for anything else).
pub fn list(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

/// A label object as `name{a="b",c="d"}`, Prometheus' notation (`{}` for no labels).
pub fn series(metric: &Value) -> String {
    let Some(labels) = metric.as_object() else { return "{}".to_owned() };
    let name = labels.get("__name__").and_then(Value::as_str).unwrap_or_default();
    let mut out = name.to_owned();
    let mut others = labels.iter().filter(|(k, _)| *k != "__name__").peekable();
    if others.peek().is_none() && !name.is_empty() {
        return out;
    }
    out.push('{');
    for (i, (k, v)) in others.enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Debug formatting quotes and escapes the value as PromQL writes strings.
        let _ = write!(out, "{k}={:?}", v.as_str().unwrap_or_default());
    }
    out.push('}');
    out
}

/// Unix seconds in an answer as an RFC 3339 time.
pub fn time(seconds: f64) -> String {
    show_time((seconds * 1000.0).round() as i64)
}

/// `{"start": s, "end": s}` as `START .. END`.
pub fn span(window: &Value) -> String {
    let at = |v: &Value| time(v.as_f64().unwrap_or(0.0));
    format!("{} .. {}", at(&window["start"]), at(&window["end"]))
}

/// How the columns of a [`table`] but the last are aligned.
#[derive(Clone, Copy)]
pub enum Align {
    /// Padded on the right (text).
    Left,
    /// Padded on the left (numbers).
    Right,
}

/// Columns under a header, each as wide as its widest cell, two spaces apart; the last
/// column (the series or the value) is not padded.
pub fn table(header: &[&str], rows: &[Vec<String>], align: Align) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let last = header.len() - 1;
    let line = |cells: &[&str]| {
        let mut out: Vec<String> = cells[..last]
            .iter()
            .zip(&widths)
            .map(|(c, w)| match align {
                Align::Left => format!("{c:<w$}"),
                Align::Right => format!("{c:>w$}"),
            })
            .collect();
        out.push(cells[last].to_owned());
        out.join("  ") + "\n"
    };
    let mut out = line(header);
    for row in rows {
        out += &line(&row.iter().map(String::as_str).collect::<Vec<_>>());
    }
    out
}

/// A ranking of series: numbers right-aligned, the series last; `(no series)` for none.
pub fn series_table(header: &[&str], rows: &[Vec<String>]) -> String {
    if rows.is_empty() {
        return "(no series)\n".to_owned();
    }
    table(header, rows, Align::Right)
}

/// A field of a CSV row between quotes, quotes inside doubled (RFC 4180).
pub fn quoted(field: &str) -> String {
    format!("\"{}\"", field.replace('"', "\"\""))
}

/// A field of a CSV row, quoted only where RFC 4180 needs it (commas, quotes, line breaks).
pub fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        quoted(field)
    } else {
        field.to_owned()
    }
}

/// A number of an answer as it is, without a needless `.0`; empty for none (CSV).
pub fn csv_number(v: &Value) -> String {
    v.as_f64().map_or_else(String::new, |x| x.to_string())
}

/// A number as it is, without a needless `.0`; `-` for none.
pub fn plain(v: &Value) -> String {
    v.as_f64().map_or("-".to_owned(), |x| format!("{x}"))
}

/// A number with 4 decimals (scores, coefficients); `-` for none.
pub fn fixed(v: &Value) -> String {
    v.as_f64().map_or("-".to_owned(), |x| format!("{x:.4}"))
}

/// A measured value: up to 5 significant digits; `-` for none.
pub fn number(v: &Value) -> String {
    measured(v, |x| if x == 0.0 { "0".to_owned() } else { rounded(x, 5) })
}

/// A forecast value: up to 4 decimals, without trailing zeros; `-` for none.
pub fn four_decimals(v: &Value) -> String {
    measured(v, |x| trimmed(format!("{x:.4}")))
}

/// A value in exponent form when very large or very small (`2.5000e7`), otherwise as
/// `near` writes it; `-` for none.
fn measured(v: &Value, near: impl Fn(f64) -> String) -> String {
    match v.as_f64() {
        None => "-".to_owned(),
        Some(x) if x != 0.0 && (x.abs() >= 1e6 || x.abs() < 1e-3) => format!("{x:.4e}"),
        Some(x) => near(x),
    }
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
    trimmed(format!("{v:.digits$}"))
}

/// A number's text without trailing zeros after its point (nor a bare point).
fn trimmed(text: String) -> String {
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

    #[test]
    fn table_numbers_series_and_csv_fields() {
        assert_eq!(number(&Value::from(0.012345)), "0.012345");
        assert_eq!(number(&Value::from(1234.5)), "1234.5");
        assert_eq!(number(&Value::from(0.001)), "0.001");
        assert_eq!(number(&Value::from(12345.0)), "12345");
        assert_eq!(number(&Value::from(2.5e7)), "2.5000e7");
        assert_eq!(number(&Value::Null), "-");
        assert_eq!(four_decimals(&Value::from(123.456789)), "123.4568");
        assert_eq!(four_decimals(&Value::from(0.5)), "0.5");
        assert_eq!(four_decimals(&Value::from(0.0)), "0");
        assert_eq!(four_decimals(&Value::from(-2.5e-5)), "-2.5000e-5");
        assert_eq!(series(&serde_json::json!({"__name__": "up", "job": "a"})), "up{job=\"a\"}");
        assert_eq!(series(&serde_json::json!({"job": "a\"b"})), "{job=\"a\\\"b\"}");
        assert_eq!(series(&serde_json::json!({})), "{}");
        let rows = [vec!["1.0000".into(), "a".into()], vec!["0.5".into(), "bb".into()]];
        assert_eq!(series_table(&["SCORE", "SERIES"], &rows), " SCORE  SERIES\n1.0000  a\n   0.5  bb\n");
        assert_eq!(series_table(&["SCORE", "SERIES"], &[]), "(no series)\n");
        assert_eq!(table(&["SERIES", "VALUE"], &rows, Align::Left), "SERIES  VALUE\n1.0000  a\n0.5     bb\n");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("ab"), "ab");
        assert_eq!(quoted("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
