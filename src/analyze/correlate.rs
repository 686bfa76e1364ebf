//! `vitals analyze correlate`: asks a running Vitals which series changed in a window
//! against a baseline, or (with `--target`) which move with a target series at some lag,
//! through `/api/v1/analytics/correlate`, and prints the ranking as a table.

use serde_json::Value;

use super::form::{given, window, window_fields};
use super::show;
use crate::cli::CorrelateArgs;
use crate::shown::{fixed, list, number, plain, series, series_table, span};

/// Asks the server and prints its ranking.
pub fn run(args: &CorrelateArgs) -> anyhow::Result<()> {
    let now = vitals_store::wall_clock_ms();
    let mut form = vec![("limit", args.limit.to_string())];
    let window = args.window.as_deref().map(|w| window("--window", w, now, now)).transpose()?;
    if let Some(window) = window {
        form.extend(window_fields(("start", "end"), window));
    }
    if let Some(baseline) = &args.baseline {
        // A duration ends where the window starts (default window: 5 minutes to now).
        let before = window.map_or(now - 300_000, |(start, _)| start);
        form.extend(window_fields(("baseline_start", "baseline_end"), self::window("--baseline", baseline, now, before)?));
    }
    form.extend(given([
        ("target", args.target.clone()),
        ("max_lag", args.max_lag.clone()),
        ("query", args.query.clone()),
        ("method", args.method.clone()),
        ("step", args.step.clone()),
    ]));
    let lagged_mode = args.target.is_some();
    show(&args.ask, "/api/v1/analytics/correlate", &form, |data| Ok(if lagged_mode { lagged(data) } else { changes(data) }))
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
    heading + &series_table(&["SCORE", "P-VALUE", "MEAN BEFORE", "MEAN AFTER", "SERIES"], &rows)
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
    heading + &series_table(&["SCORE", "PEARSON", "LAG", "SPEARMAN", "LAG", "SERIES"], &rows)
}
