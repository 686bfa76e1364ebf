//! `/api/v1/query` and `/api/v1/query_range`: PromQL over the store, with Prometheus'
//! parameters, checks, error texts and status codes.
//!
//! Parameters: `query`; `time` (instant; default now) or `start`, `end` and `step` (range);
//! `timeout` (only shortens the configured one), `limit` (most series returned; 0 means no
//! limit; cutting adds the warning "results truncated due to limit") and `lookback_delta`.
//! `stats` is accepted and ignored. Errors: bad parameters and queries that do not parse or
//! type-check are 400 `bad_data`; failing evaluation (too many samples, duplicate series)
//! is 422 `execution`; a timeout is 503 `timeout`.

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use vitals_query::{Engine, EngineOptions, QueryError, QueryOutput, Value};

use crate::error::ApiError;
use crate::params::Params;
use crate::result::encode;
use crate::routes::blocking;
use crate::time::{parse_duration, parse_time};
use crate::App;

/// Prometheus' bound on the points of one series in a range query's answer.
const MAX_POINTS: i64 = 11_000;

/// The warning Prometheus adds when `limit` cut the result.
const TRUNCATED: &str = "results truncated due to limit";

/// Queries that took less than this the last time they ran are run on the request's own
/// thread: handing them to the blocking pool (two thread switches) would cost more than
/// running them. Others, and queries not seen recently, go to the blocking pool.
const QUICK: Duration = Duration::from_millis(2);

/// An instant query at `time`.
pub(crate) async fn instant(State(app): State<App>, params: Params) -> Result<Response, ApiError> {
    let engine = app.ready()?.engine.clone();
    let time = match params.get("time") {
        Some(t) => parse_time("time", t)?,
        None => vitals_store::wall_clock_ms(),
    };
    let quick = was_quick(&engine, &params, time, time, 1);
    run(quick, "query", move || {
        let limit = params.limit()?;
        let engine = with_request_options(&engine, &params)?;
        let out = engine.instant(query(&params)?, time).map_err(query_error)?;
        respond(out, limit)
    })
    .await
}

/// A range query from `start` to `end` every `step`.
pub(crate) async fn range(State(app): State<App>, params: Params) -> Result<Response, ApiError> {
    let engine = app.ready()?.engine.clone();
    let start = parse_time("start", params.get("start").unwrap_or_default())?;
    let end = parse_time("end", params.get("end").unwrap_or_default())?;
    if end < start {
        return Err(ApiError::bad_data("invalid parameter \"end\": end timestamp must not be before start time"));
    }
    let step = parse_duration("step", params.get("step").unwrap_or_default())?;
    if step <= 0 {
        return Err(ApiError::bad_data(
            "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer",
        ));
    }
    if end.saturating_sub(start) / step > MAX_POINTS {
        return Err(ApiError::bad_data(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
        ));
    }
    let quick = was_quick(&engine, &params, start, end, step);
    run(quick, "range query", move || {
        let limit = params.limit()?;
        let engine = with_request_options(&engine, &params)?;
        let out = engine.range(query(&params)?, start, end, step).map_err(query_error)?;
        respond(out, limit)
    })
    .await
}

/// Whether the request's query ran quickly the last time it ran over such a span. Never
/// for a request giving `timeout` or `lookback_delta`: the recorded durations are those of
/// runs with the configured options, which say nothing of runs with others.
fn was_quick(engine: &Engine, params: &Params, start: i64, end: i64, step: i64) -> bool {
    if params.get("timeout").is_some() || params.get("lookback_delta").is_some() {
        return false;
    }
    params.get("query").and_then(|q| engine.last_duration(q, start, end, step)).is_some_and(|d| d < QUICK)
}

/// Runs `f` here when `quick`, else on the blocking pool.
async fn run(
    quick: bool,
    what: &'static str,
    f: impl FnOnce() -> Result<Response, ApiError> + Send + 'static,
) -> Result<Response, ApiError> {
    if quick {
        f()
    } else {
        blocking(what, f).await
    }
}

/// The `query` parameter; a missing or empty one is a parse error, as in Prometheus.
fn query(params: &Params) -> Result<&str, ApiError> {
    params.get("query").ok_or_else(|| ApiError::bad_data("invalid parameter \"query\": parse error: no expression found in input"))
}

/// The engine with the request's `timeout` (never longer than the configured one) and
/// `lookback_delta`, if given; engines are cheap to make.
fn with_request_options(engine: &Engine, params: &Params) -> Result<Engine, ApiError> {
    let lookback = params.get("lookback_delta").map(|t| parse_duration("lookback_delta", t)).transpose()?;
    if params.get("timeout").is_none() && lookback.is_none() {
        return Ok(engine.clone());
    }
    let mut opts: EngineOptions = engine.options().clone();
    opts.timeout = request_timeout(engine, params)?;
    // Zero or less keeps the configured lookback, as in Prometheus.
    if let Some(ms) = lookback.filter(|ms| *ms > 0) {
        opts.lookback_delta = Duration::from_millis(ms.unsigned_abs());
    }
    Ok(engine.with_options(opts))
}

/// The configured query timeout, shortened (never lengthened) by the request's `timeout`.
pub(crate) fn request_timeout(engine: &Engine, params: &Params) -> Result<Duration, ApiError> {
    let configured = engine.options().timeout;
    match params.get("timeout") {
        // A zero or negative timeout has already expired, as a context deadline would.
        Some(text) => Ok(configured.min(Duration::from_millis(u64::try_from(parse_duration("timeout", text)?).unwrap_or(0)))),
        None => Ok(configured),
    }
}

/// Prometheus' status, error type and text for a failed query; errors in the query itself
/// name the parameter, as Prometheus' do.
pub(crate) fn query_error(e: QueryError) -> ApiError {
    query_error_in("query", e)
}

/// As [`query_error`], for a query given as the parameter `param`.
pub(crate) fn query_error_in(param: &str, e: QueryError) -> ApiError {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = match e {
        QueryError::Parse { .. } | QueryError::BadData(_) => format!("invalid parameter \"{param}\": {e}"),
        _ => e.to_string(),
    };
    ApiError { status, error_type: e.error_type(), message }
}

/// The success body, with the series cut to `limit`.
fn respond(mut out: QueryOutput, limit: usize) -> Result<Response, ApiError> {
    let truncated = match &mut out.value {
        Value::Vector(v) if v.len() > limit => {
            v.truncate(limit);
            true
        }
        Value::Matrix(m) if m.len() > limit => {
            m.truncate(limit);
            true
        }
        _ => false,
    };
    let body =
        encode(&out, if truncated { &[TRUNCATED] } else { &[] }).map_err(|e| ApiError::internal(format!("writing the answer: {e}")))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
