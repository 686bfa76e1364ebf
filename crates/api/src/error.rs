//! API errors in Prometheus' response shape.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An error response: `{"status":"error","errorType":...,"error":...}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub error_type: &'static str,
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

    /// A store failure: 503 once the store is closed (shutting down), else 500.
    pub(crate) fn store(e: vitals_store::StoreError) -> ApiError {
        match e {
            vitals_store::StoreError::Closed => ApiError::unavailable("Vitals is shutting down"),
            e => ApiError::internal(e.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = %self.status, "{}", self.message);
        }
        let body = serde_json::json!({"status": "error", "errorType": self.error_type, "error": self.message});
        (self.status, Json(body)).into_response()
    }
}
