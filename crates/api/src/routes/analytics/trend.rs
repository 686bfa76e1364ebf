//! `GET|POST /api/v1/analytics/trend`: whether the series of a PromQL expression rise or
//! fall over a window, and how fast: Theil-Sen slope with Sen's interval and the
//! Mann-Kendall test (`vitals-analytics`).
//!
//! Parameters: `query` (required), `start`, `end`, `step` (default: the last 7 days in 1008
//! points, one each 10 minutes), `alpha` (significance level, default 0.05). Points where a
//! series has no value (or an infinite one) are left out. Answer, per series: `metric`,
//! `points`, `slope_per_second` and `slope_per_day` (value units), `interval_per_second` and
//! `interval_per_day` (Sen's `1 - alpha` interval, `[low, high]`), `exact` (false when the
//! slope came from a million sampled pairs, above 2000 points), `mann_kendall` (`s`,
//! `variance`, `z`, `p_value`, `tau`) and `verdict` (`increasing`, `decreasing` or
//! `no trend`); a series with fewer than 3 points has `error` instead.

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value as Json};
use vitals_analytics::trend as theil_sen;

use super::{evaluate, labels_json, number, success, Budget, Grid, Window, MAX_SERIES};
use crate::error::ApiError;
use crate::params::Params;
use crate::App;

/// Default span: a week.
const SPAN_MS: i64 = 7 * 24 * 3600 * 1000;
/// Default number of points: one each 10 minutes over a week.
const POINTS: i64 = 1008;
/// Seconds per day, for the daily slope.
const DAY: f64 = 86_400.0;

/// The handler.
pub(crate) async fn trend(State(app): State<App>, params: Params) -> Result<Response, ApiError> {
    let budget = Budget::new(&app.ready()?.engine, &params, "trend analysis", MAX_SERIES)?;
    let window = Window::from_params(&params, SPAN_MS, POINTS)?;
    let alpha = match params.get("alpha") {
        None => 0.05,
        Some(text) => match text.trim().parse::<f64>() {
            Ok(a) if a > 0.0 && a < 1.0 => a,
            _ => {
                return Err(ApiError::bad_data(format!(
                    "invalid parameter \"alpha\": {text:?} is not a number between 0 and 1 (exclusive)"
                )))
            }
        },
    };
    crate::routes::blocking("trend analysis", move || {
        let grids = evaluate(&budget, &params, window)?;
        let mut result: Vec<Json> = Vec::with_capacity(grids.len());
        for (i, grid) in grids.iter().enumerate() {
            budget.check(i, grids.len())?;
            result.push(series(grid, window, alpha));
        }
        Ok(success(json!({"alpha": alpha, "result": result})))
    })
    .await
}

/// One series' answer.
fn series(grid: &Grid, window: Window, alpha: f64) -> Json {
    let (times, values): (Vec<f64>, Vec<f64>) =
        grid.values.iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(i, v)| (window.time(i) as f64 / 1000.0, *v)).unzip();
    let metric = labels_json(&grid.labels);
    match theil_sen(&times, &values, alpha) {
        Err(e) => json!({"metric": metric, "points": values.len(), "error": e.to_string()}),
        Ok(t) => json!({
            "metric": metric,
            "points": t.points,
            "slope_per_second": number(t.slope),
            "slope_per_day": number(t.slope * DAY),
            "interval_per_second": [number(t.slope_low), number(t.slope_high)],
            "interval_per_day": [number(t.slope_low * DAY), number(t.slope_high * DAY)],
            "exact": t.exact,
            "mann_kendall": {
                "s": t.mann_kendall.s,
                "variance": number(t.mann_kendall.variance),
                "z": number(t.mann_kendall.z),
                "p_value": number(t.mann_kendall.p_value),
                "tau": number(t.mann_kendall.tau),
            },
            "verdict": t.verdict,
        }),
    }
}
