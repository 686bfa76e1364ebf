//! `vitals analyze forecast 'EXPR' --horizon 7d`: asks a running Vitals for
//! `/api/v1/analytics/forecast` and prints, per series, the model chosen and the forecast
//! with its 80 % and 95 % intervals.

use std::fmt::Write as _;

use serde_json::Value;

use super::ask;
use super::form::{given, time_field};
use crate::cli::{ForecastArgs, ForecastFormat};
use crate::shown::{csv_number, four_decimals, list, print_body, quoted, series, time};

/// Most rows of a series in the table; longer forecasts are shown every few steps.
const TABLE_ROWS: usize = 25;

/// Runs the command.
pub fn run(args: &ForecastArgs) -> anyhow::Result<()> {
    let mut form = vec![("query", args.expr.clone()), ("horizon", args.horizon.clone())];
    form.extend(given([("history", args.history.clone()), ("step", args.step.clone())]));
    if let Some(e) = &args.end {
        form.push(("end", time_field("--end", e)?));
    }
    let (answer, body) = ask(&args.server, "/api/v1/analytics/forecast", &form)?;
    print_body(&match args.format {
        ForecastFormat::Json => body,
        ForecastFormat::Csv => csv(&answer["data"]),
        ForecastFormat::Table => table(&answer["data"]),
    });
    if answer["data"]["result"].as_array().is_none_or(Vec::is_empty) {
        anyhow::bail!("the expression gave no series to forecast");
    }
    Ok(())
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

fn table(data: &Value) -> String {
    let mut out = String::new();
    for r in list(&data["result"]) {
        let name = series(&r["metric"]);
        if let Some(e) = r["error"].as_str() {
            let _ = writeln!(out, "{name}: cannot forecast: {e}\n");
            continue;
        }
        let periods: Vec<String> = list(&r["periods"]).iter().filter_map(Value::as_f64).map(duration).collect();
        let _ = writeln!(
            out,
            "{name}\n  model {} ({}), seasons: {}, held-out error {}",
            r["model"].as_str().unwrap_or("?"),
            r["detail"].as_str().unwrap_or("?"),
            if periods.is_empty() { "none".to_owned() } else { periods.join(", ") },
            four_decimals(&r["holdout_error"]),
        );
        let points = list(&r["points"]);
        let every = points.len().div_ceil(TABLE_ROWS).max(1);
        if every > 1 {
            let _ = writeln!(out, "  (every {every}th step of {}; --format csv for all)", points.len());
        }
        let _ = writeln!(out, "  {:<24} {:>12} {:>27} {:>27}", "time", "mean", "80 % interval", "95 % interval");
        for p in points.iter().skip(every - 1).step_by(every) {
            let t = p[0].as_f64().map_or_else(|| "?".to_owned(), time);
            let _ = writeln!(
                out,
                "  {t:<24} {:>12} {:>27} {:>27}",
                four_decimals(&p[1]),
                format!("{} to {}", four_decimals(&p[2]), four_decimals(&p[3])),
                format!("{} to {}", four_decimals(&p[4]), four_decimals(&p[5]))
            );
        }
        out.push('\n');
    }
    out
}

fn csv(data: &Value) -> String {
    let mut out = String::from("series,time,mean,lo80,hi80,lo95,hi95\n");
    for r in list(&data["result"]) {
        let name = quoted(&series(&r["metric"]));
        for p in list(&r["points"]) {
            let cells: Vec<String> = (0..6).map(|i| csv_number(&p[i])).collect();
            let _ = writeln!(out, "{name},{}", cells.join(","));
        }
    }
    out
}
