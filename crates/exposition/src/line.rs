//! What one parsed line is, and the error for a line that could not be parsed.

use std::borrow::Cow;

use crate::MetricType;

/// One line of the text format, borrowing from the line it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub enum Line<'a> {
    /// A blank line, or a comment that is not `# HELP`, `# TYPE`, `# UNIT` or `# EOF`.
    Empty,
    /// `# HELP metric text`; the text has `\\` and `\n` unescaped.
    Help {
        /// The metric family the text describes.
        metric: &'a str,
        /// The help text, unescaped.
        text: Cow<'a, str>,
    },
    /// `# TYPE metric kind`.
    Type {
        /// The metric family.
        metric: &'a str,
        /// Its declared type.
        kind: MetricType,
    },
    /// OpenMetrics `# UNIT metric unit`.
    Unit {
        /// The metric family.
        metric: &'a str,
        /// The unit, e.g. `seconds`; empty when the line gives none.
        unit: &'a str,
    },
    /// OpenMetrics `# EOF`, the end of an exposition.
    Eof,
    /// A sample: `name{labels} value [timestamp]`.
    Sample(SampleLine<'a>),
}

/// One sample line: `name{label="value",...} value [timestamp_ms]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleLine<'a> {
    /// The metric name, written bare or as a quoted string inside the braces.
    pub name: &'a str,
    /// Label names and unescaped values, in the order written; names are unique.
    pub labels: Vec<(&'a str, Cow<'a, str>)>,
    /// The sample value; `NaN`, `+Inf` and `-Inf` included.
    pub value: f64,
    /// Milliseconds since the Unix epoch, if the line gives a timestamp.
    pub timestamp_ms: Option<i64>,
}

/// Why a line could not be parsed, and where.
///
/// Displays as `column C: message`; a caller that knows the line number
/// prefixes it, e.g. `line 12, column 5: ...`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct LineError {
    /// 1-based column, counted in characters, where the problem is.
    pub column: usize,
    /// What was wrong, naming what was expected.
    pub message: String,
}
