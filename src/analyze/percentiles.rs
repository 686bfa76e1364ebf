//! `vitals analyze percentiles EXPR`: asks a running Vitals for P50, P95, P99 and P99.9
//! of the samples an expression selects in a window, through
//! `/api/v1/analytics/percentiles`, and prints them per series and merged.

use crate::analyze::correlate::{list, number, series, span, table, window};
use crate::cli::{AnalyzeFormat, PercentilesArgs};
use crate::client::{seconds, Client};

/// The columns after the count, in the answer's names.
const COLUMNS: [&str; 6] = ["min", "p50", "p95", "p99", "p99.9", "max"];

/// Asks the server and prints the percentiles.
pub fn run(args: &PercentilesArgs) -> anyhow::Result<()> {
    let client = Client::new(args.server.url.as_deref(), args.server.config.as_deref())?;
    let now = vitals_store::wall_clock_ms();
    let mut form = vec![("query", args.expr.clone())];
    if let Some(text) = &args.window {
        let (start, end) = window("--window", text, now, now)?;
        form.extend([("start", seconds(start)), ("end", seconds(end))]);
    }
    form.extend([("by", &args.by), ("step", &args.step)].into_iter().filter_map(|(name, value)| value.clone().map(|v| (name, v))));
    let (answer, body) = client.post_json("/api/v1/analytics/percentiles", &form)?;
    if args.format == AnalyzeFormat::Json {
        println!("{body}");
        return Ok(());
    }
    let data = &answer["data"];
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
    println!("Percentiles of {} over {} ({samples}; within {error} % of the exact values)", args.expr, span(&data["window"]));
    let header = ["COUNT", "MIN", "P50", "P95", "P99", "P99.9", "MAX", "SERIES"];
    print!("{}", table(&header, &rows("series")));
    let by = args.by.as_deref().map_or("all series".to_owned(), |b| format!("per {b}"));
    println!("\nMerged, {by}:");
    print!("{}", table(&header, &rows("merged")));
    Ok(())
}
