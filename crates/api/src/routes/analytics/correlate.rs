//! `/api/v1/analytics/correlate`: which series changed when something happened, and
//! which move with a given series.
//!
//! Change mode (no `target`): each series of `query` (default: every series,
//! `{__name__=~".+"}`) over the window of interest `start`..`end` (default: the last
//! 5 minutes) against the baseline `baseline_start`..`baseline_end` (default: the 4
//! window lengths just before it), both on the grid of `step`; scored by `method` (`ks`,
//! the default: the two-sample Kolmogorov-Smirnov statistic, or `volume`: the relative
//! change of the mean). Counters (by their metadata, or a name ending in `_total`) are
//! compared by their increases per step.
//!
//! Lagged mode (`target`, a PromQL expression giving one series): each series of `query`
//! (same default, the target itself excluded) over `start`..`end` (default: the last
//! hour), correlated with the target at lags up to `max_lag` (a duration, default 5
//! minutes, at most half the window) by Pearson and Spearman; ranked by `method`
//! (`pearson`, the default, or `spearman`).
//!
//! Both: `limit` (default 20; 0 for all) ranked results, largest first; `max_series`
//! (default 10,000) and `timeout` as for every analysis.

use std::collections::{BTreeMap, HashMap};

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value as Json};
use vitals_analytics::{rank_changes, rank_lagged, AnalyticsError, ChangeInput, ChangeMethod, LagBest, LagMethod};
use vitals_store::{Labels, MetricKind, MetricMetadata};

use super::{evaluate_expr, labels_json, number, seconds, success, time_param, Budget, Grid, Window, MAX_POINTS};
use crate::error::ApiError;
use crate::params::Params;
use crate::routes::blocking;
use crate::time::parse_duration;
use crate::App;

/// Every series, the default `query`.
const ALL_SERIES: &str = "{__name__=~\".+\"}";
/// The default window of interest (change mode), ms.
const CHANGE_SPAN: i64 = 5 * 60_000;
/// The default baseline, in lengths of the window of interest, as Netdata's.
const BASELINE_WINDOWS: i64 = 4;
/// The default window (lagged mode), ms.
const LAGGED_SPAN: i64 = 3_600_000;
/// The default number of points of a window when no `step` is given.
const POINTS: i64 = 3_600;
/// The default `max_lag`, ms.
const MAX_LAG: i64 = 5 * 60_000;
/// The default `limit`.
const LIMIT: usize = 20;
/// The default `max_series`: ranking is one parallel pass, 5,000 series in about a second.
const MAX_SERIES: usize = 10_000;

/// GET or POST: ranks series by change (no `target`) or by lagged correlation.
pub(crate) async fn correlate(State(app): State<App>, params: Params) -> Result<Response, ApiError> {
    let ready = app.ready()?;
    let budget = Budget::new(&ready.engine, &params, "correlation", MAX_SERIES)?;
    let store = ready.store.clone();
    blocking("correlation", move || match params.get("target") {
        Some(target) => lagged(&budget, &params, target),
        None => changes(&budget, &store.metadata(), &params),
    })
    .await
}

fn changes(budget: &Budget, metadata: &BTreeMap<String, MetricMetadata>, params: &Params) -> Result<Response, ApiError> {
    let window = Window::from_params(params, CHANGE_SPAN, POINTS)?;
    let baseline = baseline(params, window)?;
    let method = ChangeMethod::parse(params.get("method").unwrap_or("ks")).map_err(|e| invalid("method", &e))?;
    let limit = limit(params)?;
    let query = params.get("query").unwrap_or(ALL_SERIES);
    let mut before: HashMap<Labels, Vec<f64>> =
        evaluate_expr(budget, "query", query, baseline)?.into_iter().map(|g| (g.labels, g.values)).collect();
    // Every series of either window; one without values in a window is counted, not scored.
    let mut series: Vec<(Labels, Vec<f64>, Vec<f64>)> = evaluate_expr(budget, "query", query, window)?
        .into_iter()
        .map(|g| {
            let old = before.remove(&g.labels).unwrap_or_default();
            (g.labels, old, g.values)
        })
        .collect();
    series.extend(before.into_iter().map(|(labels, old)| (labels, old, Vec::new())));
    let inputs: Vec<ChangeInput<'_>> =
        series.iter().map(|(labels, old, new)| ChangeInput { baseline: old, window: new, counter: is_counter(labels, metadata) }).collect();
    budget.check(0, inputs.len())?;
    let (ranked, unscored) = rank_changes(&inputs, method, limit);
    let result: Vec<Json> = ranked
        .iter()
        .map(|s| {
            let input = &inputs[s.index];
            json!({
                "metric": labels_json(&series[s.index].0),
                "score": number(s.score),
                "p_value": s.p_value.map_or(Json::Null, number),
                "mean_before": number(s.mean_before),
                "mean_after": number(s.mean_after),
                "points_before": s.points_before,
                "points_after": s.points_after,
                "counter": input.counter,
            })
        })
        .collect();
    Ok(success(json!({
        "mode": "change",
        "method": method.name(),
        "baseline": {"start": seconds(baseline.start), "end": seconds(baseline.end)},
        "window": {"start": seconds(window.start), "end": seconds(window.end)},
        "step": seconds(window.step),
        "series": series.len(),
        "unscored": unscored,
        "result": result,
    })))
}

/// The baseline window: `baseline_start`..`baseline_end`, by default the
/// [`BASELINE_WINDOWS`] window lengths just before `window`, on the window's step.
fn baseline(params: &Params, window: Window) -> Result<Window, ApiError> {
    let end = match params.get("baseline_end") {
        Some(t) => time_param("baseline_end", t)?,
        None => window.start.saturating_sub(window.step),
    };
    let start = match params.get("baseline_start") {
        Some(t) => time_param("baseline_start", t)?,
        None => end
            .saturating_sub(BASELINE_WINDOWS.saturating_mul(window.end.saturating_sub(window.start).saturating_add(window.step)))
            .saturating_add(window.step),
    };
    if end < start {
        return Err(ApiError::bad_data("invalid parameter \"baseline_end\": the baseline must not end before it starts"));
    }
    if end.saturating_sub(start) / window.step > MAX_POINTS {
        return Err(ApiError::bad_data(format!(
            "invalid parameter \"step\": more than {MAX_POINTS} points in the baseline; give a larger step or a shorter baseline"
        )));
    }
    Ok(Window { start, end, step: window.step })
}

fn lagged(budget: &Budget, params: &Params, target: &str) -> Result<Response, ApiError> {
    let window = Window::from_params(params, LAGGED_SPAN, POINTS)?;
    let method = LagMethod::parse(params.get("method").unwrap_or("pearson")).map_err(|e| invalid("method", &e))?;
    let limit = limit(params)?;
    let max_lag = match params.get("max_lag") {
        Some(text) => parse_duration("max_lag", text)? / window.step,
        None => (MAX_LAG / window.step).min(i64::try_from(window.len() / 2).unwrap_or(i64::MAX)),
    };
    let max_lag = usize::try_from(max_lag).map_err(|_| ApiError::bad_data("invalid parameter \"max_lag\": it must not be negative"))?;
    let mut targets = evaluate_expr(budget, "target", target, window)?;
    let target = match targets.len() {
        1 => targets.remove(0),
        n => {
            return Err(ApiError::bad_data(format!(
                "invalid parameter \"target\": the expression must give exactly one series, it gave {n}"
            )))
        }
    };
    let others: Vec<Grid> = evaluate_expr(budget, "query", params.get("query").unwrap_or(ALL_SERIES), window)?
        .into_iter()
        .filter(|g| g.labels != target.labels)
        .collect();
    let slices: Vec<&[f64]> = others.iter().map(|g| g.values.as_slice()).collect();
    budget.check(0, slices.len())?;
    let (ranked, unscored) = rank_lagged(&target.values, &slices, max_lag, method, limit).map_err(|e| match e {
        AnalyticsError::TooShort { needed, got, .. } => ApiError::bad_data(format!(
            "invalid parameter \"step\": the window gives {got} points at this step, lagged correlation needs at least {needed}; give a longer window (start, end) or a smaller step"
        )),
        e => invalid("max_lag", &e),
    })?;
    let best = |b: &LagBest| {
        json!({
            "r": number(b.r),
            "lag": seconds(i64::try_from(b.lag).unwrap_or(0) * window.step),
            "lag_steps": b.lag,
            "pairs": b.pairs,
        })
    };
    let result: Vec<Json> = ranked
        .iter()
        .map(|s| {
            json!({
                "metric": labels_json(&others[s.index].labels),
                "score": number(s.score),
                "pearson": best(&s.pearson),
                "spearman": best(&s.spearman),
            })
        })
        .collect();
    Ok(success(json!({
        "mode": "lagged",
        "method": method.name(),
        "target": labels_json(&target.labels),
        "window": {"start": seconds(window.start), "end": seconds(window.end)},
        "step": seconds(window.step),
        "max_lag": seconds(i64::try_from(max_lag).unwrap_or(i64::MAX).saturating_mul(window.step)),
        "series": others.len(),
        "unscored": unscored,
        "result": result,
    })))
}

/// Whether a series is a counter: its family's metadata says so, or (without
/// metadata) its name ends in `_total`, as Prometheus' naming conventions have it.
fn is_counter(labels: &Labels, metadata: &BTreeMap<String, MetricMetadata>) -> bool {
    let Some(name) = labels.get("__name__") else { return false };
    match metadata.get(name).or_else(|| name.strip_suffix("_total").and_then(|family| metadata.get(family))) {
        Some(meta) => meta.kind == MetricKind::Counter,
        None => name.ends_with("_total"),
    }
}

fn limit(params: &Params) -> Result<usize, ApiError> {
    match params.get("limit") {
        None => Ok(LIMIT),
        Some(_) => params.limit(),
    }
}

fn invalid(param: &str, e: &AnalyticsError) -> ApiError {
    ApiError::bad_data(format!("invalid parameter \"{param}\": {e}"))
}

#[cfg(test)]
#[path = "correlate_tests.rs"]
mod tests;
