//! `/api/v1/format_query`: the `query` parameter parsed and printed back in PromQL's
//! canonical layout, or the parse error (400 `bad_data`) with its position.

use axum::Json;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::params::Params;
use crate::routes::blocking;

/// `{"status":"success","data":"<formatted query>"}`.
pub(crate) async fn format_query(params: Params) -> Result<Json<Value>, ApiError> {
    // Parsing compiles the query's regular expressions: off the async threads.
    let formatted = blocking("formatting the query", move || {
        vitals_query::format_query(params.get("query").unwrap_or_default())
            .map_err(|e| ApiError::bad_data(format!("invalid parameter \"query\": {e}")))
    })
    .await?;
    Ok(Json(json!({"status": "success", "data": formatted})))
}
