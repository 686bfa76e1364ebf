//! `vitals analyze correlate`: asks a running Vitals which series changed in a window
//! against a baseline, or (with `--target`) which move with a target series at some lag,
//! through `/api/v1/analytics/correlate`, and prints the ranking as a table. Also the
//! window flags and table layout `vitals analyze percentiles` shares.

use std::time::Duration;

use anyhow::{bail, Context};
use serde_json::Value;

use crate::cli::{AnalyzeFormat, CorrelateArgs};
use crate::client::{parse_time, seconds, show_time, Client};

/// Asks the server and prints its ranking.
pub fn run(args: &CorrelateArgs) -> anyhow::Result<()> {
    let client = Client::new(args.server.url.as_deref(), args.server.config.as_deref())?;
    let now = vitals_store::wall_clock_ms();
    let mut form = vec![("limit", args.limit.to_string())];
    let window = args.window.as_deref().map(|w| window("--window", w, now, now)).transpose()?;
    if let Some((start, end)) = window {
        form.extend([("start", seconds(start)), ("end", seconds(end))]);
    }
    if let Some(baseline) = &args.baseline {
        // A duration ends where the window starts (default window: 5 minutes to now).
        let before = window.map_or(now - 300_000, |(start, _)| start);
        let (start, end) = self::window("--baseline", baseline, now, before)?;
        form.extend([("baseline_start", seconds(start)), ("baseline_end", seconds(end))]);
    }
    let optional =
        [("target", &args.target), ("max_lag", &args.max_lag), ("query", &args.query), ("method", &args.method), ("step", &args.step)];
    form.extend(optional.into_iter().filter_map(|(name, value)| value.clone().map(|v| (name, v))));
    let (answer, body) = client.post_json("/api/v1/analytics/correlate", &form)?;
    if args.format == AnalyzeFormat::Json {
        println!("{body}");
        return Ok(());
    }
    let data = &answer["data"];
    print!("{}", if args.target.is_some() { lagged(data) } else { changes(data) });
    Ok(())
}

/// The change ranking as a heading and a table.
fn changes(data: &Value) -> String {
    let heading = format!(
        "Changes in {} against {} ({}, step {}s; {} series, {} without values in one of the windows)\n",
        span(&data["window"]),
        span(&data["baseline"]),
        data["method"].as_str().unwrap_or_default(),
        plain(&data["step"]),
        data["series"],
        data["unscored"],
    );
    let rows: Vec<Vec<String>> = list(&data["result"])
        .iter()
        .map(|r| {
            let counter = if r["counter"] == true { " (per-step increase)" } else { "" };
            vec![
                fixed(&r["score"]),
                r["p_value"].as_f64().map_or("-".to_owned(), |p| format!("{p:.2e}")),
                number(&r["mean_before"]),
                number(&r["mean_after"]),
                format!("{}{counter}", series(&r["metric"])),
            ]
        })
        .collect();
    heading + &table(&["SCORE", "P-VALUE", "MEAN BEFORE", "MEAN AFTER", "SERIES"], &rows)
}

/// The lagged-correlation ranking as a heading and a table.
fn lagged(data: &Value) -> String {
    let heading = format!(
        "Correlation with {} over {} ({}, lags up to ±{}s, step {}s; {} series, {} constant or too sparse)\n\
         A positive lag: the series follows the target by that much; negative: it leads.\n",
        series(&data["target"]),
        span(&data["window"]),
        data["method"].as_str().unwrap_or_default(),
        plain(&data["max_lag"]),
        plain(&data["step"]),
        data["series"],
        data["unscored"],
    );
    let rows: Vec<Vec<String>> = list(&data["result"])
        .iter()
        .map(|r| {
            vec![
                fixed(&r["score"]),
                fixed(&r["pearson"]["r"]),
                format!("{}s", plain(&r["pearson"]["lag"])),
                fixed(&r["spearman"]["r"]),
                format!("{}s", plain(&r["spearman"]["lag"])),
                series(&r["metric"]),
            ]
        })
        .collect();
    heading + &table(&["SCORE", "PEARSON", "LAG", "SPEARMAN", "LAG", "SERIES"], &rows)
}

/// A window flag: `START..END` (either side Unix seconds, RFC 3339 or `now`) or a
/// duration such as `15m`, which ends at `end` (in ms).
pub(super) fn window(flag: &str, text: &str, now: i64, end: i64) -> anyhow::Result<(i64, i64)> {
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

/// `{"start": s, "end": s}` as `START .. END`.
pub(super) fn span(window: &Value) -> String {
    let ms = |v: &Value| v.as_f64().map_or(0, |s| (s * 1000.0).round() as i64);
    format!("{} .. {}", show_time(ms(&window["start"])), show_time(ms(&window["end"])))
}

/// The elements of a JSON list (none for anything else).
pub(super) fn list(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

/// A label object as `name{a="b"}`, Prometheus' notation.
pub(super) fn series(metric: &Value) -> String {
    let Some(labels) = metric.as_object() else { return "{}".to_owned() };
    let name = labels.get("__name__").and_then(Value::as_str).unwrap_or_default();
    let others: Vec<String> =
        labels.iter().filter(|(k, _)| *k != "__name__").map(|(k, v)| format!("{k}={:?}", v.as_str().unwrap_or_default())).collect();
    if others.is_empty() && !name.is_empty() {
        return name.to_owned();
    }
    format!("{name}{{{}}}", others.join(","))
}

/// A number with 4 decimals (scores, coefficients), `-` for none.
fn fixed(v: &Value) -> String {
    v.as_f64().map_or("-".to_owned(), |x| format!("{x:.4}"))
}

/// A number as it is, without a needless `.0`.
fn plain(v: &Value) -> String {
    v.as_f64().map_or("-".to_owned(), |x| format!("{x}"))
}

/// A measured value: up to 5 significant digits, in exponent form when very large or small.
pub(super) fn number(v: &Value) -> String {
    match v.as_f64() {
        None => "-".to_owned(),
        Some(0.0) => "0".to_owned(),
        Some(x) if x.abs() >= 1e6 || x.abs() < 1e-3 => format!("{x:.4e}"),
        Some(x) => {
            let decimals = (4 - x.abs().log10().floor() as i32).clamp(0, 7) as usize;
            let text = format!("{x:.decimals$}");
            if text.contains('.') {
                text.trim_end_matches('0').trim_end_matches('.').to_owned()
            } else {
                text
            }
        }
    }
}

/// Aligned columns under a header, numbers right-aligned and the last column (the
/// series) left-aligned.
pub(super) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    if rows.is_empty() {
        return "(no series)\n".to_owned();
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let last = header.len() - 1;
    let line = |cells: Vec<&str>| {
        let mut out: Vec<String> = cells[..last].iter().zip(&widths).map(|(c, w)| format!("{c:>w$}")).collect();
        out.push(cells[last].to_owned());
        out.join("  ") + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out += &line(row.iter().map(String::as_str).collect());
    }
    out
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
    fn tables_and_numbers() {
        assert_eq!(number(&Value::from(0.012345)), "0.012345");
        assert_eq!(number(&Value::from(1234.5)), "1234.5");
        assert_eq!(number(&Value::from(0.001)), "0.001");
        assert_eq!(number(&Value::from(12345.0)), "12345");
        assert_eq!(number(&Value::from(2.5e7)), "2.5000e7");
        assert_eq!(series(&serde_json::json!({"__name__": "up", "job": "a"})), "up{job=\"a\"}");
        assert_eq!(series(&serde_json::json!({})), "{}");
        let t = table(&["SCORE", "SERIES"], &[vec!["1.0000".into(), "a".into()], vec!["0.5".into(), "bb".into()]]);
        assert_eq!(t, " SCORE  SERIES\n1.0000  a\n   0.5  bb\n");
    }
}
