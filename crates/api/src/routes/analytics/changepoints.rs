//! `GET|POST /api/v1/analytics/changepoints`: where the series of a PromQL expression shift
//! level over a window, by E-divisive means with Student's t-test (`vitals-analytics`).
//!
//! Parameters: `query` (required), `start`, `end`, `step` (default: the last 24 hours in
//! 1440 points), `p_value` (largest p-value reported, default 0.001), `min_size` (fewest
//! points on each side of a change, default 5), `window_points` (points per analysis window,
//! default 200; 0 analyses each series whole). Points where a series has no value (or an
//! infinite one) are left out. Answer, per series: `metric`, `points` (with a value), and `change_points`, oldest
//! first, each with `time` (Unix seconds of the first point after the change), `p_value`,
//! `mean_before`, `mean_after`, `stddev_before`, `stddev_after`, `change_percent` (null when
//! the mean before is 0) and `direction` (`up` or `down`).

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value as Json};
use vitals_analytics::{change_points, ChangePoint, ChangePointOptions};

use super::{evaluate, labels_json, number, seconds, success, Budget, Grid, Window, MAX_SERIES};
use crate::error::ApiError;
use crate::params::Params;
use crate::App;

/// Default span: a day.
const SPAN_MS: i64 = 24 * 3600 * 1000;
/// Default number of points: one a minute over a day.
const POINTS: i64 = 1440;

/// The handler.
pub(crate) async fn changepoints(State(app): State<App>, params: Params) -> Result<Response, ApiError> {
    let budget = Budget::new(&app.ready()?.engine, &params, "change-point analysis", MAX_SERIES)?;
    let window = Window::from_params(&params, SPAN_MS, POINTS)?;
    let options = options(&params)?;
    crate::routes::blocking("change-point analysis", move || {
        let grids = evaluate(&budget, &params, window)?;
        let mut result = Vec::with_capacity(grids.len());
        for (i, grid) in grids.iter().enumerate() {
            budget.check(i, grids.len())?;
            result.push(series(grid, window, options)?);
        }
        Ok(success(json!({
            "p_value": options.p_value,
            "min_size": options.min_size,
            "window_points": options.window.unwrap_or(0),
            "result": result,
        })))
    })
    .await
}

/// The options from `p_value`, `min_size` and `window_points`.
fn options(params: &Params) -> Result<ChangePointOptions, ApiError> {
    let mut options = ChangePointOptions::default();
    if let Some(text) = params.get("p_value") {
        options.p_value = text
            .trim()
            .parse::<f64>()
            .map_err(|_| ApiError::bad_data(format!("invalid parameter \"p_value\": {text:?} is not a number; give one such as 0.001")))?;
    }
    if let Some(text) = params.get("min_size") {
        options.min_size = count("min_size", text)?;
    }
    if let Some(text) = params.get("window_points") {
        let n = count("window_points", text)?;
        options.window = (n > 0).then_some(n);
    }
    options.validate().map_err(|e| {
        // The library's messages begin with the option's name; `window` is `window_points` here.
        let message = e.to_string();
        let param = ["p_value", "min_size"].into_iter().find(|p| message.starts_with(p)).unwrap_or("window_points");
        ApiError::bad_data(format!("invalid parameter \"{param}\": {message}"))
    })?;
    Ok(options)
}

fn count(name: &str, text: &str) -> Result<usize, ApiError> {
    text.trim().parse().map_err(|_| ApiError::bad_data(format!("invalid parameter \"{name}\": {text:?} is not a whole number")))
}

/// One series' answer: its points with a value, analysed.
fn series(grid: &Grid, window: Window, options: ChangePointOptions) -> Result<Json, ApiError> {
    let (times, values): (Vec<i64>, Vec<f64>) =
        grid.values.iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(i, v)| (window.time(i), *v)).unzip();
    let found = change_points(&times, &values, options).map_err(|e| ApiError::internal(format!("series {}: {e}", grid.labels)))?;
    Ok(json!({
        "metric": labels_json(&grid.labels),
        "points": values.len(),
        "change_points": found.iter().map(change_point_json).collect::<Vec<_>>(),
    }))
}

fn change_point_json(cp: &ChangePoint) -> Json {
    json!({
        "time": seconds(cp.time),
        "p_value": number(cp.p_value),
        "mean_before": number(cp.mean_before),
        "mean_after": number(cp.mean_after),
        "stddev_before": number(cp.stddev_before),
        "stddev_after": number(cp.stddev_after),
        "change_percent": cp.relative_change.map_or(Json::Null, |r| number(r * 100.0)),
        "direction": cp.direction,
    })
}
