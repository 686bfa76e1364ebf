//! The Prometheus metadata APIs: `/api/v1/series`, `/api/v1/labels` and
//! `/api/v1/label/{name}/values`, with `match[]`, `start`, `end` and `limit`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Map, Value};
use vitals_store::valid_label_name;

use crate::error::ApiError;
use crate::params::Params;
use crate::routes::blocking;
use crate::App;

/// Series matching any `match[]` selector (at least one is required) with samples between
/// `start` and `end`, as label objects.
pub(crate) async fn series(State(app): State<App>, params: Params) -> Result<Json<Value>, ApiError> {
    let store = app.ready()?.store.clone();
    let (found, limit) = blocking("series lookup", move || {
        let sets = params.required_matcher_sets()?;
        let (start, end) = params.time_range()?;
        let limit = params.limit()?;
        Ok((store.series(&sets, start, end), limit))
    })
    .await?;
    let data = found
        .iter()
        .take(limit)
        .map(|labels| Value::Object(labels.iter().map(|l| (l.name.clone(), json!(l.value))).collect::<Map<_, _>>()));
    Ok(success(data.collect(), found.len() > limit))
}

/// Label names of the selected series (all series without `match[]`).
pub(crate) async fn labels(State(app): State<App>, params: Params) -> Result<Json<Value>, ApiError> {
    let store = app.ready()?.store.clone();
    let (names, limit) = blocking("label lookup", move || {
        let sets = params.matcher_sets()?;
        let (start, end) = params.time_range()?;
        let limit = params.limit()?;
        Ok((store.label_names(&sets, start, end), limit))
    })
    .await?;
    Ok(strings(names, limit))
}

/// Values of label `name` among the selected series (all series without `match[]`). A
/// path the router cannot decode (such as invalid UTF-8 in `%FF`) is a 400 like any other
/// bad parameter.
pub(crate) async fn label_values(
    State(app): State<App>,
    name: Result<Path<String>, PathRejection>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let Path(name) = name.map_err(|e| ApiError::bad_data(format!("invalid label name in the path: {}", e.body_text())))?;
    if !valid_label_name(&name) {
        return Err(ApiError::bad_data(format!("invalid label name: {name:?}")));
    }
    let store = app.ready()?.store.clone();
    let (values, limit) = blocking("label lookup", move || {
        let sets = params.matcher_sets()?;
        let (start, end) = params.time_range()?;
        let limit = params.limit()?;
        Ok((store.label_values(&name, &sets, start, end), limit))
    })
    .await?;
    Ok(strings(values, limit))
}

fn strings(all: Vec<String>, limit: usize) -> Json<Value> {
    let truncated = all.len() > limit;
    success(all.into_iter().take(limit).map(Value::String).collect(), truncated)
}

/// `{"status":"success","data":[...]}`, with Prometheus' warning when `limit` cut the list.
fn success(data: Vec<Value>, truncated: bool) -> Json<Value> {
    let mut body = json!({"status": "success", "data": data});
    if truncated {
        body["warnings"] = json!(["results truncated due to limit"]);
    }
    Json(body)
}
