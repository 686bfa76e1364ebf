//! `GET /api/v1/status/collectors`: every collector's state (up, degraded, down,
//! unavailable, disabled, or pending before its first run), why, its last run's duration
//! and its interval, in Prometheus' envelope.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};
use vitals_collect::CollectorStatus;

use crate::error::ApiError;
use crate::App;

/// The collectors that run, in the scheduler's order, then those that do not.
pub(crate) async fn collectors(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    let all = app.ready()?.collectors.snapshot();
    Ok(Json(json!({"status": "success", "data": all.iter().map(entry).collect::<Vec<_>>()})))
}

/// One collector as JSON: `summary` is the state, followed by `: <reason>` when there is one.
fn entry(s: &CollectorStatus) -> Value {
    let summary = match &s.reason {
        Some(reason) => format!("{}: {reason}", s.state.as_str()),
        None => s.state.as_str().to_owned(),
    };
    json!({
        "name": s.name,
        "state": s.state.as_str(),
        "reason": s.reason,
        "summary": summary,
        "last_duration_seconds": s.last_duration.map(|d| d.as_secs_f64()),
        "last_run": s.last_run_ms.map(|t| t as f64 / 1000.0),
        "interval_seconds": s.interval.as_secs_f64(),
    })
}
