//! What can go wrong in an analysis: input that cannot be analysed, said with where.

/// Why an analysis could not be done.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AnalyticsError {
    /// Fewer points than the method needs.
    #[error("{what} needs at least {needed} points, got {got}")]
    TooShort {
        /// The method or step that needs them.
        what: &'static str,
        /// How many it needs.
        needed: usize,
        /// How many there were.
        got: usize,
    },
    /// A parameter or input value that the method cannot use.
    #[error("{0}")]
    Invalid(String),
    /// A malformed line of an input file.
    #[error("line {line}: {message}")]
    Line {
        /// The 1-based line number.
        line: usize,
        /// What was wrong with it.
        message: String,
    },
}
