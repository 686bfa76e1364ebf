//! `vitals analyze forecast 'EXPR' --horizon 7d`: asks a running Vitals for
//! `/api/v1/analytics/forecast` and prints, per series, the model chosen and the forecast
//! with its 80 % and 95 % intervals.

use std::fmt::Write as _;

use serde_json::Value;

use crate::cli::{ForecastArgs, ForecastFormat};
use crate::client::{parse_time, seconds, show_time, Client};

/// Most rows of a series in the table; longer forecasts are shown every few steps.
const TABLE_ROWS: usize = 25;

/// Runs the command.
pub fn run(args: &ForecastArgs) -> anyhow::Result<()> {
    let client = Client::new(args.server.url.as_deref(), args.server.config.as_deref())?;
    let mut form = vec![("query", args.expr.clone()), ("horizon", args.horizon.clone())];
    if let Some(h) = &args.history {
        form.push(("history", h.clone()));
    }
    if let Some(s) = &args.step {
        form.push(("step", s.clone()));
    }
    if let Some(e) = &args.end {
        form.push(("end", seconds(parse_time("--end", e, vitals_store::wall_clock_ms())?)));
    }
    let (answer, body) = client.post_json("/api/v1/analytics/forecast", &form)?;
    let out = match args.format {
        ForecastFormat::Json => body,
        ForecastFormat::Csv => csv(&answer["data"]),
        ForecastFormat::Table => table(&answer["data"]),
    };
    print!("{out}");
    if !out.ends_with('\n') {
        println!();
    }
    if answer["data"]["result"].as_array().is_none_or(Vec::is_empty) {
        anyhow::bail!("the expression gave no series to forecast");
    }
    Ok(())
}

/// A series' labels as PromQL writes them: `name{a="b",...}`.
pub(super) fn series_name(metric: &Value) -> String {
    let Some(map) = metric.as_object() else { return "{}".to_owned() };
    let name = map.get("__name__").and_then(Value::as_str).unwrap_or_default();
    let pairs: Vec<String> = map.iter().filter(|(k, _)| *k != "__name__").map(|(k, v)| format!("{k}={v}")).collect();
    if pairs.is_empty() && !name.is_empty() {
        name.to_owned()
    } else {
        format!("{name}{{{}}}", pairs.join(","))
    }
}

/// Seconds as a short duration: `1d`, `6h`, `5m`, `30s`.
fn duration(s: f64) -> String {
    for (unit, size) in [("d", 86_400.0), ("h", 3600.0), ("m", 60.0)] {
        if s >= size && (s / size).fract() == 0.0 {
            return format!("{}{unit}", s / size);
        }
    }
    format!("{s}s")
}

/// A number for the table: up to 6 significant digits.
fn num(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if x != 0.0 && (x.abs() >= 1e6 || x.abs() < 1e-3) => format!("{x:.4e}"),
        Some(x) => {
            let text = format!("{x:.4}");
            let text = text.trim_end_matches('0').trim_end_matches('.');
            text.to_owned()
        }
        None => "-".to_owned(),
    }
}

fn table(data: &Value) -> String {
    let mut out = String::new();
    for r in data["result"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let name = series_name(&r["metric"]);
        if let Some(e) = r["error"].as_str() {
            let _ = writeln!(out, "{name}: cannot forecast: {e}\n");
            continue;
        }
        let periods: Vec<String> =
            r["periods"].as_array().map(Vec::as_slice).unwrap_or_default().iter().filter_map(Value::as_f64).map(duration).collect();
        let _ = writeln!(
            out,
            "{name}\n  model {} ({}), seasons: {}, held-out error {}",
            r["model"].as_str().unwrap_or("?"),
            r["detail"].as_str().unwrap_or("?"),
            if periods.is_empty() { "none".to_owned() } else { periods.join(", ") },
            num(&r["holdout_error"]),
        );
        let points = r["points"].as_array().map(Vec::as_slice).unwrap_or_default();
        let every = points.len().div_ceil(TABLE_ROWS).max(1);
        if every > 1 {
            let _ = writeln!(out, "  (every {every}th step of {}; --format csv for all)", points.len());
        }
        let _ = writeln!(out, "  {:<24} {:>12} {:>27} {:>27}", "time", "mean", "80 % interval", "95 % interval");
        for p in points.iter().skip(every - 1).step_by(every) {
            let t = p[0].as_f64().map_or_else(|| "?".to_owned(), |t| show_time((t * 1000.0).round() as i64));
            let _ = writeln!(
                out,
                "  {t:<24} {:>12} {:>27} {:>27}",
                num(&p[1]),
                format!("{} to {}", num(&p[2]), num(&p[3])),
                format!("{} to {}", num(&p[4]), num(&p[5]))
            );
        }
        out.push('\n');
    }
    out
}

fn csv(data: &Value) -> String {
    let mut out = String::from("series,time,mean,lo80,hi80,lo95,hi95\n");
    for r in data["result"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let name = series_name(&r["metric"]).replace('"', "\"\"");
        for p in r["points"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let cells: Vec<String> = (0..6).map(|i| p[i].as_f64().map_or_else(String::new, |v| v.to_string())).collect();
            let _ = writeln!(out, "\"{name}\",{}", cells.join(","));
        }
    }
    out
}
