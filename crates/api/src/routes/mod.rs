//! The router and its routes.

mod analytics;
mod collectors;
mod export;
mod format;
mod health;
mod import;
mod live;
mod metadata;
mod metrics;
mod query;
mod series;
mod status;
mod web;

use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};
use axum::Router;

use crate::error::ApiError;
use crate::App;

/// All of Vitals' routes (see the crate documentation), sharing `app`.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/metrics", get(metrics::metrics))
        .route("/-/healthy", get(health::healthy))
        .route("/-/ready", get(health::ready))
        .route("/api/v1/query", get(query::instant).post(query::instant))
        .route("/api/v1/query_range", get(query::range).post(query::range))
        .route("/api/v1/format_query", get(format::format_query).post(format::format_query))
        .route("/api/v1/series", get(series::series).post(series::series))
        .route("/api/v1/labels", get(series::labels).post(series::labels))
        .route("/api/v1/label/{name}/values", get(series::label_values).post(series::label_values))
        .route("/api/v1/metadata", get(metadata::metadata))
        .route("/api/v1/status/buildinfo", get(status::buildinfo))
        .route("/api/v1/status/runtimeinfo", get(status::runtimeinfo))
        .route("/api/v1/export", get(export::export).post(export::export))
        .route("/api/v1/import/prometheus", post(import::import))
        .route("/api/v1/status/collectors", get(collectors::collectors))
        .route("/api/v1/analytics/forecast", get(analytics::forecast::forecast).post(analytics::forecast::forecast))
        .route("/api/v1/analytics/capacity", get(analytics::capacity::capacity).post(analytics::capacity::capacity))
        .route("/api/v1/analytics/changepoints", get(analytics::changepoints::changepoints).post(analytics::changepoints::changepoints))
        .route("/api/v1/analytics/trend", get(analytics::trend::trend).post(analytics::trend::trend))
        .route("/api/v1/analytics/correlate", get(analytics::correlate::correlate).post(analytics::correlate::correlate))
        .route("/api/v1/analytics/percentiles", get(analytics::percentiles::percentiles).post(analytics::percentiles::percentiles))
        .route("/api/v1/analytics/anomalies", get(analytics::anomalies::anomalies).post(analytics::anomalies::anomalies))
        .route("/api/v1/live", get(live::live))
        .route("/", get(web::index))
        .route("/assets/{file}", get(web::fallback))
        .fallback(web::fallback)
        .with_state(app)
}

/// Runs `f` on the blocking pool: store reads, regular expressions, SQLite. `what` names
/// the work if the task fails.
async fn blocking<T: Send + 'static>(what: &'static str, f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::internal(format!("{what} failed: {e}")))?
}

async fn not_found(uri: Uri) -> (StatusCode, String) {
    (StatusCode::NOT_FOUND, format!("404 page not found: {}\n", uri.path()))
}

#[cfg(test)]
mod test_fixture;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod query_tests;

#[cfg(test)]
mod live_tests;

#[cfg(test)]
mod web_tests;
