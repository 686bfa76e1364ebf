//! API errors in Prometheus' response shape.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An error response: `{"status":"error","errorType":...,"error":...}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Prometheus' error type: `bad_data`, `unavailable` or `internal`.
    pub error_type: &'static str,
    /// What went wrong, for the caller.
    pub message: String,
}

impl ApiError {
    /// 400: the request is wrong; the message says what and where.
    pub(crate) fn bad_data(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, error_type: "bad_data", message: message.into() }
    }

    /// 503: Vitals cannot answer now (starting or stopping).
    pub(crate) fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::SERVICE_UNAVAILABLE, error_type: "unavailable", message: message.into() }
    }

    /// 500: something failed inside Vitals, not because of the request.
    pub(crate) fn internal(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::INTERNAL_SERVER_ERROR, error_type: "internal", message: message.into() }
    }

    /// Another 4xx status with `bad_data`.
    pub(crate) fn with_status(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, error_type: "bad_data", message: message.into() }
    }

    /// A request body that could not be read: 413 when it is larger than `limit` bytes
    /// ([`http_body_util::LengthLimitError`] somewhere in the error's sources), else 400
    /// with the reason.
    pub(crate) fn body(e: &axum::Error, what: &str, limit: usize) -> ApiError {
        let mut causes = std::iter::successors(Some(e as &(dyn std::error::Error + 'static)), |e| e.source());
        if causes.any(|c| c.is::<http_body_util::LengthLimitError>()) {
            ApiError::with_status(StatusCode::PAYLOAD_TOO_LARGE, format!("{what} is larger than the limit of {} MiB", limit >> 20))
        } else {
            ApiError::bad_data(format!("reading {what}: {e}"))
        }
    }

    /// A store failure: 503 once the store is closed (shutting down), else 500.
    pub(crate) fn store(e: vitals_store::StoreError) -> ApiError {
        match e {
            vitals_store::StoreError::Closed => ApiError::unavailable("Vitals is shutting down"),
            e => ApiError::internal(e.to_string()),
        }
    }

    /// The response body: `{"status":"error","errorType":...,"error":...}`.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::json!({"status": "error", "errorType": self.error_type, "error": self.message})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = %self.status, "{}", self.message);
        }
        let body = self.json();
        (self.status, Json(body)).into_response()
    }
}
