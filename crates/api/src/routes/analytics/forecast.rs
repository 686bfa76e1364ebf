//! `GET|POST /api/v1/analytics/forecast`: the forecast of each series `query` selects, with
//! 80 % and 95 % prediction intervals (`vitals_analytics::forecast`).
//!
//! Parameters: `query` (required); `horizon` (a duration, default 1d); the history window
//! `start`, `end`, `step` (default: the `history` duration ending now, itself by default four
//! horizons, at least a day and at most 90 days; the step by default the finest of 1s, 5s,
//! 10s, 15s, 30s, 1m, 2m, 5m, 10m, 15m, 30m, 1h, 2h, 3h, 6h, 12h, 1d giving at most 2000
//! points, so that days and weeks are whole numbers of steps).
//!
//! Answer: `{"step": s, "horizon": s, "result": [...]}` with, per series, `metric`, `model`
//! (`constant`, `linear`, `ets`, `mstl`), `detail`, `periods` (seconds), `holdout_error`,
//! `interval_scale` (the factors each side of the 80 % and 95 % intervals was scaled by after the held-out check: lower 80, upper 80, lower 95, upper 95) and `points`: `[t, mean, lo80, hi80, lo95, hi95]` per step after the
//! window's last grid point (t in Unix seconds); or, for a series that cannot be
//! forecast (too short, too gappy), `metric` and `error`.

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value as Json};
use vitals_analytics::forecast::{forecast as run_forecast, Forecast};
use vitals_analytics::AnalyticsError;

use super::{evaluate, labels_json, number, success, Budget, Grid, Window};
use crate::error::ApiError;
use crate::params::Params;
use crate::time::parse_duration;
use crate::App;

/// Default most series forecast in one request (`max_series`): a forecast of 10,000 points
/// takes about half a second, so 200 fit in the default 2-minute query timeout.
pub(super) const MAX_SERIES: usize = 200;
/// Aimed-for most points of history.
const HISTORY_POINTS: i64 = 2000;
/// Most forecast steps.
const MAX_HORIZON_STEPS: i64 = 11_000;
/// Steps a default grid may take, in seconds: each divides a day or is whole days.
const NICE_STEPS: [i64; 17] = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];
const DAY_MS: i64 = 86_400_000;

/// The history window and the horizon of a forecast request.
#[derive(Debug, Clone, Copy)]
pub(super) struct Plan {
    /// The history's grid.
    pub window: Window,
    /// Forecast steps after the grid's last point.
    pub steps: usize,
}

impl Plan {
    /// The plan from `horizon` (default `default_horizon` ms), `history` and the window parameters.
    pub(super) fn from_params(params: &Params, default_horizon: i64) -> Result<Plan, ApiError> {
        let horizon = match params.get("horizon") {
            Some(h) => parse_duration("horizon", h)?,
            None => default_horizon,
        };
        if horizon <= 0 {
            return Err(ApiError::bad_data("invalid parameter \"horizon\": the horizon must be positive"));
        }
        let span = match params.get("history") {
            Some(h) => parse_duration("history", h)?,
            None => horizon.saturating_mul(4).clamp(DAY_MS, 90 * DAY_MS),
        };
        if span <= 0 {
            return Err(ApiError::bad_data("invalid parameter \"history\": the history must be positive"));
        }
        let mut window = Window::from_params(params, span, HISTORY_POINTS)?;
        if params.get("step").is_none() {
            let want = (window.end - window.start) / HISTORY_POINTS;
            window.step = NICE_STEPS.iter().map(|s| s * 1000).find(|&s| s >= want).unwrap_or(want.max(1000));
            // Keep the grid's last point on `end`, so the forecast starts one step after it.
            window.start = window.end - (window.end - window.start) / window.step * window.step;
        }
        // Rounded up, without the overflow of `(horizon + step - 1) / step`.
        let steps = horizon / window.step + i64::from(horizon % window.step != 0);
        if steps > MAX_HORIZON_STEPS {
            return Err(ApiError::bad_data(format!(
                "invalid parameter \"horizon\": more than {MAX_HORIZON_STEPS} steps of {} s; give a larger step or a shorter horizon",
                window.step / 1000
            )));
        }
        let steps =
            usize::try_from(steps).map_err(|_| ApiError::bad_data("invalid parameter \"horizon\": the horizon must be positive"))?;
        Ok(Plan { window, steps })
    }

    /// The window's step in seconds.
    pub(super) fn step_seconds(&self) -> f64 {
        self.window.step as f64 / 1000.0
    }

    /// The time (Unix seconds) of forecast step `h` (1-based), or of a fractional step count.
    pub(super) fn time_after(&self, steps: f64) -> f64 {
        let last = self.window.time(self.window.len().saturating_sub(1));
        (last as f64 + steps * self.window.step as f64) / 1000.0
    }

    /// Forecasts one series' grid.
    pub(super) fn forecast(&self, grid: &Grid) -> Result<Forecast, String> {
        run_forecast(&grid.values, self.step_seconds(), self.steps).map_err(|e| match e {
            AnalyticsError::TooShort { .. } => {
                format!("{e} (at a step of {} s; a shorter step or history gives more points)", self.step_seconds())
            }
            e => e.to_string(),
        })
    }
}

/// `GET|POST /api/v1/analytics/forecast`.
pub(crate) async fn forecast(State(app): State<App>, params: Params) -> Result<Response, ApiError> {
    let budget = Budget::new(&app.ready()?.engine, &params, "forecast", MAX_SERIES)?;
    crate::routes::blocking("forecast", move || {
        let plan = Plan::from_params(&params, DAY_MS)?;
        let grids = evaluate(&budget, &params, plan.window)?;
        let mut result: Vec<Json> = Vec::with_capacity(grids.len());
        for (i, grid) in grids.iter().enumerate() {
            budget.check(i, grids.len())?;
            result.push(match plan.forecast(grid) {
                Ok(f) => {
                    let points: Vec<Json> = f
                        .points
                        .iter()
                        .enumerate()
                        .map(|(i, p)| {
                            json!([
                                plan.time_after((i + 1) as f64),
                                number(p.mean),
                                number(p.lo80),
                                number(p.hi80),
                                number(p.lo95),
                                number(p.hi95)
                            ])
                        })
                        .collect();
                    let periods: Vec<f64> = f.periods.iter().map(|p| *p as f64 * plan.step_seconds()).collect();
                    json!({
                        "metric": labels_json(&grid.labels),
                        "model": f.model.name(),
                        "detail": f.detail,
                        "periods": periods,
                        "holdout_error": number(f.holdout_error),
                        "interval_scale": f.interval_scale.iter().map(|v| number(*v)).collect::<Vec<_>>(),
                        "points": points,
                    })
                }
                Err(e) => json!({"metric": labels_json(&grid.labels), "error": e}),
            });
        }
        Ok(success(json!({
            "step": plan.step_seconds(),
            "horizon": plan.steps as f64 * plan.step_seconds(),
            "result": result,
        })))
    })
    .await
}
