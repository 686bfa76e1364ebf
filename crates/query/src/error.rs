//! Query errors, with the error type and HTTP status Prometheus' API gives them.

use std::time::Duration;

/// Why a query could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// Syntax error, with where it is when known.
    #[error("{}", parse_text(message, *line_column))]
    Parse {
        /// What the parser said.
        message: String,
        /// Byte offset of the problem in the query, when known.
        position: Option<usize>,
        /// The same place as Prometheus gives it: line and column (bytes), both from 1.
        line_column: Option<(usize, usize)>,
    },
    /// The query is well-formed but wrong (type errors, unknown function, bad argument values).
    #[error("{0}")]
    BadData(String),
    /// Evaluation failed (duplicate series, many-to-many matching...).
    #[error("{0}")]
    Execution(String),
    /// The query ran longer than the engine's timeout.
    #[error("query timed out in expression evaluation")]
    Timeout(Duration),
    /// The query would hold more samples at once than the engine's limit.
    #[error("query processing would load too many samples into memory in query execution")]
    TooManySamples(usize),
    /// Reading the store failed.
    #[error("storage read failed: {0}")]
    Store(String),
}

impl QueryError {
    /// Prometheus' `errorType` for this error: "bad_data", "execution", "timeout" or "internal".
    pub fn error_type(&self) -> &'static str {
        match self {
            QueryError::Parse { .. } | QueryError::BadData(_) => "bad_data",
            QueryError::Execution(_) | QueryError::TooManySamples(_) => "execution",
            QueryError::Timeout(_) => "timeout",
            QueryError::Store(_) => "internal",
        }
    }

    /// The HTTP status Prometheus' API answers this error with.
    pub fn http_status(&self) -> u16 {
        match self {
            QueryError::Parse { .. } | QueryError::BadData(_) => 400,
            QueryError::Execution(_) | QueryError::TooManySamples(_) => 422,
            QueryError::Timeout(_) => 503,
            QueryError::Store(_) => 500,
        }
    }
}

/// `parse error: ...`, prefixed with the position as Prometheus does (`1:5: parse error: ...`).
fn parse_text(message: &str, line_column: Option<(usize, usize)>) -> String {
    match line_column {
        Some((line, col)) => format!("{line}:{col}: parse error: {message}"),
        None => format!("parse error: {message}"),
    }
}

impl From<vitals_store::StoreError> for QueryError {
    fn from(e: vitals_store::StoreError) -> Self {
        QueryError::Store(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_statuses_follow_prometheus() {
        let e = QueryError::Parse { message: "unexpected <op:*>".into(), position: Some(4), line_column: Some((1, 5)) };
        assert_eq!((e.error_type(), e.http_status()), ("bad_data", 400));
        assert_eq!(e.to_string(), "1:5: parse error: unexpected <op:*>");
        let e = QueryError::TooManySamples(10);
        assert_eq!((e.error_type(), e.http_status()), ("execution", 422));
        assert_eq!(e.to_string(), "query processing would load too many samples into memory in query execution");
        let e = QueryError::Timeout(Duration::from_secs(1));
        assert_eq!((e.error_type(), e.http_status()), ("timeout", 503));
        assert_eq!(QueryError::Store("x".into()).http_status(), 500);
    }
}
