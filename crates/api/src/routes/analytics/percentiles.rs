//! `/api/v1/analytics/percentiles`: P50, P95, P99 and P99.9 of the values a `query`
//! selects in a window (such as a gauge of request durations), per series and merged
//! across series (per `by` labels when given), with the sketch's stated relative error.
//!
//! Parameters: `query` (required); `start`, `end` (default: the last hour); `by`
//! (comma-separated label names; default: all series merged into one); `step` (only for
//! expressions that are not a plain selector). For a selector, every raw sample with
//! `start < t <= end` counts, as `query[end - start]` selects them; for another
//! expression, its values every `step`, as the subquery `(query)[end - start:step]`.
//! Answer: `relative_error`, `samples` (`raw` or `step`), `series` and `merged`, each a
//! list of `{metric, count, min, max, p50, p95, p99, p99.9}`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Map, Value as Json};
use vitals_analytics::{QuantileSketch, QUANTILES, RELATIVE_ERROR};
use vitals_query::{format_query, Value};

use super::{labels_json, not_series, number, query, seconds, success, Budget, Window, MAX_SERIES};
use crate::error::ApiError;
use crate::params::Params;
use crate::routes::blocking;
use crate::App;

/// The default window, ms.
const SPAN: i64 = 3_600_000;
/// The default number of steps for expressions that are not selectors.
const POINTS: i64 = 3_600;

/// GET or POST: the percentiles of `query`'s values in the window.
pub(crate) async fn percentiles(State(app): State<App>, params: Params) -> Result<Response, ApiError> {
    let budget = Budget::new(&app.ready()?.engine, &params, "percentiles", MAX_SERIES)?;
    blocking("percentiles", move || answer(&budget, &params)).await
}

fn answer(budget: &Budget, params: &Params) -> Result<Response, ApiError> {
    let query = query(params)?;
    let window = Window::from_params(params, SPAN, POINTS)?;
    let range = window
        .end
        .checked_sub(window.start)
        .filter(|r| *r > 0)
        .ok_or_else(|| ApiError::bad_data("invalid parameter \"end\": the window must be longer than zero"))?;
    let by: Vec<&str> = params.get("by").map(|b| b.split(',').map(str::trim).filter(|n| !n.is_empty()).collect()).unwrap_or_default();
    // A selector's raw samples when `query[range]` is valid PromQL, else a subquery.
    let raw = format!("{query}[{}]", duration(range));
    let (expr, samples) = if format_query(&raw).is_ok() {
        (raw, "raw")
    } else {
        (format!("({query})[{}:{}]", duration(range), duration(window.step)), "step")
    };
    let out = budget.engine()?.instant(&expr, window.end).map_err(crate::routes::query::query_error)?;
    let Value::Matrix(series) = out.value else {
        return Err(not_series("query"));
    };
    budget.series("query", series.len())?;
    let mut merged: BTreeMap<Vec<(String, String)>, QuantileSketch> = BTreeMap::new();
    let mut rows = Vec::with_capacity(series.len());
    for (i, s) in series.iter().enumerate() {
        budget.check(i, series.len())?;
        let mut sketch = QuantileSketch::new();
        for &(_, v) in &s.points {
            sketch.add(v);
        }
        if sketch.count() == 0 {
            continue;
        }
        let group: Vec<(String, String)> = by.iter().map(|n| ((*n).to_owned(), s.labels.get(n).unwrap_or_default().to_owned())).collect();
        merged.entry(group).or_default().merge(&sketch);
        rows.push(row(labels_json(&s.labels), &sketch));
    }
    let merged: Vec<Json> = merged
        .iter()
        .map(|(group, sketch)| {
            let metric: Map<String, Json> =
                group.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.clone(), Json::String(v.clone()))).collect();
            row(Json::Object(metric), sketch)
        })
        .collect();
    Ok(success(json!({
        "relative_error": RELATIVE_ERROR,
        "samples": samples,
        "window": {"start": seconds(window.start), "end": seconds(window.end)},
        "series": rows,
        "merged": merged,
    })))
}

/// `ms` (positive) as a PromQL duration: whole seconds and the remaining milliseconds
/// (`4294968s296ms`), as the parser refuses a count of milliseconds of 2^32 or more.
fn duration(ms: i64) -> String {
    match (ms / 1000, ms % 1000) {
        (0, rest) => format!("{rest}ms"),
        (s, 0) => format!("{s}s"),
        (s, rest) => format!("{s}s{rest}ms"),
    }
}

/// One answer row: the label set, the count, min, max and each quantile.
fn row(metric: Json, sketch: &QuantileSketch) -> Json {
    let mut out = Map::new();
    out.insert("metric".into(), metric);
    out.insert("count".into(), json!(sketch.count()));
    out.insert("min".into(), sketch.min().map_or(Json::Null, number));
    out.insert("max".into(), sketch.max().map_or(Json::Null, number));
    for (name, q) in QUANTILES {
        out.insert(name.into(), sketch.quantile(q).ok().flatten().map_or(Json::Null, number));
    }
    Json::Object(out)
}
