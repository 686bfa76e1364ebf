//! `/-/healthy` and `/-/ready`, with Prometheus' wording.

use axum::extract::State;
use axum::http::StatusCode;

use crate::App;

/// 200 whenever the server answers at all.
pub(crate) async fn healthy() -> &'static str {
    "Vitals is Healthy.\n"
}

/// 200 once the store is open and its WAL replayed; 503 before.
pub(crate) async fn ready(State(app): State<App>) -> (StatusCode, &'static str) {
    match app.ready() {
        Ok(_) => (StatusCode::OK, "Vitals is Ready.\n"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "Vitals is not ready: the store is still opening.\n"),
    }
}
