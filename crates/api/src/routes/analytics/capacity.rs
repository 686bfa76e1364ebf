//! `GET|POST /api/v1/analytics/capacity`: when each series will cross a threshold, with the
//! 80 % interval (`vitals_analytics::capacity`), from its forecast.
//!
//! Parameters: `query` (optional; default: the default checks, file system space and inodes
//! per mount point and memory, each as a used share crossing 1.0); `threshold` (default 1.0);
//! `direction` (`up`, the default: crossing is reaching the threshold or more, as a disk
//! filling; `down`: reaching it or less, as free space running out); `horizon` (default
//! 30d); the history window as for the forecast route.
//!
//! Answer: `{"horizon": s, "result": [...]}` with, per series, `check`, `subject` (such as
//! `filesystem /`), `metric`, `threshold`, `last` (the last value), `model`, `direction`
//! (`rising` or `falling`), `already` (the last value is at or past the threshold),
//! `crossing` (Unix seconds of the crossing of the mean, and of the 80 % interval's
//! `earliest` and `latest`; null: not within the horizon; the last point's time when
//! already there), and `sentence` (`filesystem / full in 9.3 days, 80 % interval 7.1 to
//! 12.0`, `already above 0.9 (0.95)`); or `error` for a series that cannot be forecast.

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value as Json};
use vitals_analytics::capacity::{crossing, describe, Check, DEFAULT_CHECKS};

use super::forecast::{Plan, MAX_SERIES};
use super::{evaluate_expr, labels_json, number, success, Budget, Grid};
use crate::error::ApiError;
use crate::params::Params;
use crate::App;

const DEFAULT_HORIZON_MS: i64 = 30 * 86_400_000;

/// `GET|POST /api/v1/analytics/capacity`.
pub(crate) async fn capacity(State(app): State<App>, params: Params) -> Result<Response, ApiError> {
    let budget = Budget::new(&app.ready()?.engine, &params, "capacity check", MAX_SERIES)?;
    crate::routes::blocking("capacity", move || {
        let plan = Plan::from_params(&params, DEFAULT_HORIZON_MS)?;
        let threshold = match params.get("threshold") {
            Some(t) => t
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|t| t.is_finite())
                .ok_or_else(|| ApiError::bad_data(format!("invalid parameter \"threshold\": {t:?} is not a finite number")))?,
            None => 1.0,
        };
        let rising = match params.get("direction").map(str::trim) {
            None | Some("up") => true,
            Some("down") => false,
            Some(other) => {
                return Err(ApiError::bad_data(format!("invalid parameter \"direction\": {other:?} is not up or down")));
            }
        };
        let checks: Vec<(Check, &str)> = match params.get("query") {
            Some(q) => vec![(Check { name: "query", query: "", label: None, threshold }, q)],
            None => DEFAULT_CHECKS.iter().map(|c| (Check { threshold, ..*c }, c.query)).collect(),
        };
        let mut result = Vec::new();
        for (check, query) in checks {
            let grids = evaluate_expr(&budget, "query", query, plan.window)?;
            for (i, grid) in grids.iter().enumerate() {
                budget.check(i, grids.len())?;
                result.push(answer(&plan, &check, grid, rising));
            }
        }
        Ok(success(json!({"horizon": plan.steps as f64 * plan.step_seconds(), "result": result})))
    })
    .await
}

/// One series' crossing estimate.
fn answer(plan: &Plan, check: &Check, grid: &Grid, rising: bool) -> Json {
    let subject = match (check.name, check.label) {
        ("query", _) => labels_text(grid),
        (name, Some(label)) => format!("{name} {}", grid.labels.get(label).unwrap_or_default()),
        (name, None) => name.to_owned(),
    };
    let f = match plan.forecast(grid) {
        Ok(f) => f,
        Err(e) => return json!({"check": check.name, "subject": subject, "metric": labels_json(&grid.labels), "error": e}),
    };
    let last = grid.values.iter().rev().copied().find(|v| v.is_finite()).unwrap_or(f64::NAN);
    let c = crossing(&f.points, last, check.threshold, rising);
    let full = check.threshold == 1.0 && check.name != "query" && rising;
    let at = |steps: Option<f64>| steps.map_or(Json::Null, |s| number(plan.time_after(s)));
    json!({
        "check": check.name,
        "subject": subject,
        "metric": labels_json(&grid.labels),
        "threshold": number(check.threshold),
        "last": number(last),
        "model": f.model.name(),
        "direction": if c.rising { "rising" } else { "falling" },
        "already": c.already,
        "crossing": {"mean": at(c.mean), "earliest": at(c.earliest), "latest": at(c.latest)},
        "sentence": format!("{subject} {}", describe(&c, full, plan.step_seconds(), plan.steps)),
    })
}

/// A series' labels as PromQL writes them, `name{a="b"}`, for a sentence.
fn labels_text(grid: &Grid) -> String {
    let name = grid.labels.get("__name__").unwrap_or_default();
    let pairs: Vec<String> = grid.labels.iter().filter(|l| l.name != "__name__").map(|l| format!("{}=\"{}\"", l.name, l.value)).collect();
    if pairs.is_empty() && !name.is_empty() {
        name.to_owned()
    } else {
        format!("{name}{{{}}}", pairs.join(","))
    }
}
