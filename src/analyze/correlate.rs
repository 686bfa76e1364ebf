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
        "Changes in {} against {} ({}, {})\n",
        span(&data["window"]),
        span(&data["baseline"]),
        data["method"].as_str().unwrap_or_default(),
        counts(data, "without values in one of the windows"),
    );
    ranking(heading, data, &["SCORE", "P-VALUE", "MEAN BEFORE", "MEAN AFTER", "SERIES"], |r| {
        let counter = if r["counter"] == true { " (per-step increase)" } else { "" };
        vec![
            fixed(&r["score"]),
            r["p_value"].as_f64().map_or("-".to_owned(), |p| format!("{p:.2e}")),
            number(&r["mean_before"]),
            number(&r["mean_after"]),
            format!("{}{counter}", series(&r["metric"])),
        ]
    })
}

/// The lagged-correlation ranking as a heading and a table.
fn lagged(data: &Value) -> String {
    let heading = format!(
        "Correlation with {} over {} ({}, lags up to ±{}s, {})\n\
         A positive lag: the series follows the target by that much; negative: it leads.\n",
        series(&data["target"]),
        span(&data["window"]),
        data["method"].as_str().unwrap_or_default(),
        plain(&data["max_lag"]),
        counts(data, "constant or too sparse"),
    );
    ranking(heading, data, &["SCORE", "PEARSON", "LAG", "SPEARMAN", "LAG", "SERIES"], |r| {
        vec![
            fixed(&r["score"]),
            fixed(&r["pearson"]["r"]),
            format!("{}s", plain(&r["pearson"]["lag"])),
            fixed(&r["spearman"]["r"]),
            format!("{}s", plain(&r["spearman"]["lag"])),
            series(&r["metric"]),
        ]
    })
}

/// The end of both headings: the step, the series ranked and those left out, `unscored` saying why.
fn counts(data: &Value, unscored: &str) -> String {
    format!("step {}s; {} series, {} {unscored}", plain(&data["step"]), data["series"], data["unscored"])
}

/// `heading`, then the table of the ranking in `data`, with `columns` and a row a result made by `row`.
fn ranking(heading: String, data: &Value, columns: &[&str], row: impl Fn(&Value) -> Vec<String>) -> String {
    let rows: Vec<Vec<String>> = list(&data["result"]).iter().map(row).collect();
    heading + &series_table(columns, &rows)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn both_headings_end_with_the_step_and_the_counts() {
        let data = json!({
            "target": {"__name__": "queue_depth"},
            "window": {"start": 1_700_000_000, "end": 1_700_000_600},
            "baseline": {"start": 1_699_999_400, "end": 1_700_000_000},
            "method": "pearson",
            "max_lag": 30,
            "step": 1,
            "series": 4,
            "unscored": 1,
            "result": [],
        });
        assert_eq!(
            lagged(&data),
            "Correlation with queue_depth over 2023-11-14T22:13:20.000Z .. 2023-11-14T22:23:20.000Z \
             (pearson, lags up to ±30s, step 1s; 4 series, 1 constant or too sparse)\n\
             A positive lag: the series follows the target by that much; negative: it leads.\n(no series)\n"
        );
        assert_eq!(
            changes(&data),
            "Changes in 2023-11-14T22:13:20.000Z .. 2023-11-14T22:23:20.000Z against 2023-11-14T22:03:20.000Z .. \
             2023-11-14T22:13:20.000Z (pearson, step 1s; 4 series, 1 without values in one of the windows)\n(no series)\n"
        );
    }
}
