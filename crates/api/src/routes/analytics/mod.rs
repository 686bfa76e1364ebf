//! `/api/v1/analytics/...`: analyses of the series a PromQL expression selects over a time
//! window, by `vitals-analytics`. Each route's module says what it takes and answers; they
//! share the window parameters and the evaluation to a regular grid here.
//!
//! Window parameters: `start` and `end` (Unix seconds or RFC 3339; default: the route's
//! usual span ending now) and `step` (seconds or a duration; default: the span over the
//! route's usual number of points, at least 1 s). Times must lie in the years 1 to 9999.
//! Every route takes `timeout` and `max_series` ([`budget`]). Answers use Prometheus'
//! envelope, `{"status":"success","data":...}`, and its error shape.

pub(crate) mod anomalies;
pub(crate) mod budget;
pub(crate) mod capacity;
pub(crate) mod changepoints;
pub(crate) mod correlate;
pub(crate) mod forecast;
pub(crate) mod percentiles;
pub(crate) mod trend;

#[cfg(test)]
mod forecast_tests;
#[cfg(test)]
mod limits_tests;
#[cfg(test)]
mod shifts_and_trends_tests;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value as Json};
use vitals_query::Value;
use vitals_store::Labels;

use crate::error::ApiError;
use crate::params::Params;
use crate::time::{parse_duration, parse_time};
pub(crate) use budget::Budget;

/// Most points of one series that an analysis reads (in a window or a baseline), as for range queries.
pub(crate) const MAX_POINTS: i64 = 11_000;

/// Default most series an analysis takes in one request (`max_series`), for the analyses
/// that cost little per series; the forecast's is lower.
pub(crate) const MAX_SERIES: usize = 1000;

/// The earliest time an analysis takes, ms: 0001-01-01T00:00:00Z, the start of RFC 3339's range.
const MIN_TIME: i64 = -62_135_596_800_000;
/// The latest time an analysis takes, ms: 9999-12-31T23:59:59.999Z. With [`MIN_TIME`],
/// spans and horizons computed from times cannot overflow.
const MAX_TIME: i64 = 253_402_300_799_999;

/// The time parameter `param`, in ms, refused outside [`MIN_TIME`]..=[`MAX_TIME`].
pub(crate) fn time_param(param: &str, text: &str) -> Result<i64, ApiError> {
    let t = parse_time(param, text)?;
    if !(MIN_TIME..=MAX_TIME).contains(&t) {
        return Err(ApiError::bad_data(format!(
            "invalid parameter \"{param}\": {:?} is outside the times an analysis takes, the years 1 to 9999",
            text.trim()
        )));
    }
    Ok(t)
}

/// The times an analysis looks at: `start`, `start + step`, ... up to `end`, in ms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Window {
    /// First evaluation time.
    pub start: i64,
    /// Last evaluation time (inclusive, when on the grid).
    pub end: i64,
    /// Step between evaluations, positive.
    pub step: i64,
}

impl Window {
    /// The window from the request's `start`, `end` and `step`, each defaulting from
    /// `span` (ms, ending now) and `points` (aimed number of points).
    pub(crate) fn from_params(params: &Params, span: i64, points: i64) -> Result<Window, ApiError> {
        Window::from_params_named(params, ("start", "end", "step"), span, points)
    }

    /// As [`Window::from_params`], with the parameters' names given (for routes that take
    /// two windows, such as a baseline and a window of interest).
    pub(crate) fn from_params_named(
        params: &Params,
        (start_name, end_name, step_name): (&str, &str, &str),
        span: i64,
        points: i64,
    ) -> Result<Window, ApiError> {
        let end = match params.get(end_name) {
            Some(t) => time_param(end_name, t)?,
            None => vitals_store::wall_clock_ms(),
        };
        let start = match params.get(start_name) {
            Some(t) => time_param(start_name, t)?,
            None => end.saturating_sub(span),
        };
        if start < MIN_TIME {
            // Only a default start can get here: a span before `end` reaching past the year 1.
            return Err(ApiError::bad_data(format!(
                "invalid parameter \"{start_name}\": the window would start before the year 1; give a later {start_name} or a shorter span"
            )));
        }
        if end < start {
            return Err(ApiError::bad_data(format!("invalid parameter \"{end_name}\": end timestamp must not be before start time")));
        }
        let step = match params.get(step_name) {
            Some(s) => match parse_duration(step_name, s)? {
                // Durations are truncated to the millisecond: 0.0001 is 0.
                step if step <= 0 => {
                    return Err(ApiError::bad_data(format!(
                        "invalid parameter \"{step_name}\": the step must be at least 1ms, got {:?}",
                        s.trim()
                    )))
                }
                step => step,
            },
            None => (end.saturating_sub(start) / points.max(1)).max(1000),
        };
        if end.saturating_sub(start) / step > MAX_POINTS {
            return Err(ApiError::bad_data(format!(
                "invalid parameter \"{step_name}\": more than {MAX_POINTS} points per series; give a larger step"
            )));
        }
        Ok(Window { start, end, step })
    }

    /// The number of grid points.
    pub(crate) fn len(&self) -> usize {
        self.end.checked_sub(self.start).and_then(|d| usize::try_from(d / self.step.max(1)).ok()).map_or(0, |n| n.saturating_add(1))
    }

    /// The time of grid point `i`, in ms.
    pub(crate) fn time(&self, i: usize) -> i64 {
        self.start.saturating_add(self.step.saturating_mul(i64::try_from(i).unwrap_or(i64::MAX)))
    }
}

/// One series on the window's grid: `values[i]` is its value at `window.time(i)`, NaN where
/// the expression had no value there.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grid {
    /// The series' labels.
    pub labels: Labels,
    /// One value per grid point.
    pub values: Vec<f64>,
}

/// Evaluates `query` (the request's `query` parameter, required) over `window` within
/// `budget` (its deadline, and its cap on the series) and lays each resulting series on the
/// grid. Runs the engine: call it on the blocking pool.
pub(crate) fn evaluate(budget: &Budget, params: &Params, window: Window) -> Result<Vec<Grid>, ApiError> {
    evaluate_expr(budget, "query", query(params)?, window)
}

/// The request's `query` parameter, which the analyses need.
pub(crate) fn query(params: &Params) -> Result<&str, ApiError> {
    params.get("query").ok_or_else(|| ApiError::bad_data("invalid parameter \"query\": give a PromQL expression"))
}

/// The error for an expression (the parameter `param`) that gives no range of series: a
/// scalar, a string or an instant vector.
pub(crate) fn not_series(param: &str) -> ApiError {
    ApiError::bad_data(format!("invalid parameter \"{param}\": the expression must give series"))
}

/// As [`evaluate`], for the expression `query` given as the parameter `param`.
pub(crate) fn evaluate_expr(budget: &Budget, param: &str, query: &str, window: Window) -> Result<Vec<Grid>, ApiError> {
    let out = budget.engine()?.range(query, window.start, window.end, window.step).map_err(|e| super::query::query_error_in(param, e))?;
    let series = match out.value {
        Value::Matrix(m) => m,
        Value::Scalar { .. } | Value::String { .. } | Value::Vector(_) => return Err(not_series(param)),
    };
    budget.series(param, series.len())?;
    let n = window.len();
    Ok(series
        .into_iter()
        .map(|s| {
            let mut values = vec![f64::NAN; n];
            for (t, v) in s.points {
                let i = (t - window.start) / window.step;
                if let Some(slot) = usize::try_from(i).ok().and_then(|i| values.get_mut(i)) {
                    *slot = v;
                }
            }
            Grid { labels: s.labels, values }
        })
        .collect())
}

/// A label set as a JSON object, as Prometheus' `metric` field.
pub(crate) fn labels_json(labels: &Labels) -> Json {
    let mut map = Map::new();
    for l in labels.iter() {
        map.insert(l.name.clone(), Json::String(l.value.clone()));
    }
    Json::Object(map)
}

/// The success envelope around `data`.
pub(crate) fn success(data: Json) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], json!({"status": "success", "data": data}).to_string()).into_response()
}

/// Milliseconds as the API's Unix seconds.
pub(crate) fn seconds(ms: i64) -> Json {
    number(ms as f64 / 1000.0)
}

/// A number for JSON: finite numbers as they are, others as `null`.
pub(crate) fn number(v: f64) -> Json {
    serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number)
}
