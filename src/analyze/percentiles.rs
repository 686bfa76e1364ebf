//! `vitals analyze percentiles EXPR`: asks a running Vitals for P50, P95, P99 and P99.9
//! of the samples an expression selects in a window, through
//! `/api/v1/analytics/percentiles`, and prints them per series and merged.

use serde_json::Value;

use super::form::{given, window, window_fields};
use super::show;
use crate::cli::PercentilesArgs;
use crate::shown::{list, number, series, series_table, span};

/// The columns after the count, in the answer's names.
const COLUMNS: [&str; 6] = ["min", "p50", "p95", "p99", "p99.9", "max"];

/// Asks the server and prints the percentiles.
pub fn run(args: &PercentilesArgs) -> anyhow::Result<()> {
    let now = vitals_store::wall_clock_ms();
    let mut form = vec![("query", args.expr.clone())];
    if let Some(text) = &args.window {
        form.extend(window_fields(("start", "end"), window("--window", text, now, now)?));
    }
    form.extend(given([("by", args.by.clone()), ("step", args.step.clone())]));
    show(&args.ask, "/api/v1/analytics/percentiles", &form, |data| Ok(text(args, data)))
}

/// The percentiles per series and merged, under a heading.
fn text(args: &PercentilesArgs, data: &Value) -> String {
    let rows = |key: &str| -> Vec<Vec<String>> {
        list(&data[key])
            .iter()
            .map(|r| {
                let mut row = vec![r["count"].to_string()];
                row.extend(COLUMNS.iter().map(|c| number(&r[*c])));
                row.push(series(&r["metric"]));
                row
            })
            .collect()
    };
    let samples = if data["samples"] == "raw" { "every raw sample" } else { "values every step" };
    let error = data["relative_error"].as_f64().unwrap_or(0.0) * 100.0;
    let header = ["COUNT", "MIN", "P50", "P95", "P99", "P99.9", "MAX", "SERIES"];
    let by = args.by.as_deref().map_or("all series".to_owned(), |b| format!("per {b}"));
    format!(
        "Percentiles of {} over {} ({samples}; within {error} % of the exact values)\n{}\nMerged, {by}:\n{}",
        args.expr,
        span(&data["window"]),
        series_table(&header, &rows("series")),
        series_table(&header, &rows("merged")),
    )
}
