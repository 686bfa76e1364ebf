//! `/api/v1/metadata`: each metric family's type, help and unit, from the metadata the
//! store keeps (the `# TYPE`, `# HELP` and `# UNIT` lines it was sent).
//!
//! Parameters as Prometheus: `metric` (one family), `limit` (most families; a negative
//! number means no limit, 0 gives none) and `limit_per_metric` (most entries per family when
//! above 0; Vitals keeps one entry per family).

use axum::extract::State;
use axum::Json;
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::params::Params;
use crate::App;

/// `{"status":"success","data":{"<family>":[{"type":...,"help":...,"unit":...}]}}`.
pub(crate) async fn metadata(State(app): State<App>, params: Params) -> Result<Json<Value>, ApiError> {
    let limit = number(&params, "limit")?;
    let per_metric = number(&params, "limit_per_metric")?;
    let metric = params.get("metric");
    let all = app.ready()?.store.metadata();
    let mut data = Map::new();
    for (name, md) in all.iter().filter(|(name, _)| metric.is_none_or(|m| m == name.as_str())) {
        if limit >= 0 && i64::try_from(data.len()).unwrap_or(i64::MAX) >= limit {
            break;
        }
        let mut entries = vec![json!({"type": md.kind.as_str(), "help": md.help, "unit": md.unit})];
        if per_metric > 0 {
            entries.truncate(usize::try_from(per_metric).unwrap_or(usize::MAX));
        }
        data.insert(name.clone(), Value::Array(entries));
    }
    Ok(Json(json!({"status": "success", "data": data})))
}

/// A whole-number parameter, -1 when absent; Prometheus' error text otherwise.
fn number(params: &Params, name: &str) -> Result<i64, ApiError> {
    match params.get(name) {
        None => Ok(-1),
        Some(text) => text.trim().parse().map_err(|_| ApiError::bad_data(format!("{name} must be a number"))),
    }
}
