//! What a query returns: a scalar, a string, an instant vector or a matrix, plus annotations.

use vitals_store::Labels;

/// The result of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryOutput {
    /// The value.
    pub value: Value,
    /// "PromQL warning: ..." texts.
    pub warnings: Vec<String>,
    /// "PromQL info: ..." texts.
    pub infos: Vec<String>,
    /// Total samples touched (for stats).
    pub samples_read: u64,
}

/// A query's value, in Prometheus' four result types.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number at a time.
    Scalar {
        /// Evaluation time (ms).
        t: i64,
        /// The number.
        v: f64,
    },
    /// A string at a time.
    String {
        /// Evaluation time (ms).
        t: i64,
        /// The string.
        s: String,
    },
    /// Instant vector (for instant queries).
    Vector(Vec<InstantSample>),
    /// Range vector / range query result: series sorted by labels.
    Matrix(Vec<RangeSeries>),
}

/// One element of an instant vector.
#[derive(Debug, Clone, PartialEq)]
pub struct InstantSample {
    /// The series' labels.
    pub labels: Labels,
    /// Timestamp (ms).
    pub t: i64,
    /// Value.
    pub v: f64,
}

/// One series of a matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeSeries {
    /// The series' labels.
    pub labels: Labels,
    /// Its points, in time order.
    pub points: Vec<(i64, f64)>,
}
