//! What an import reports: counts, malformed lines with their numbers, the first sample
//! the store refused — and the errors that stop an import.

use std::fmt;

use vitals_store::{RejectReason, StoreError};

/// A line that could not be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    /// 1-based line number.
    pub line: u64,
    /// 1-based column (in characters) of the problem, when the parser knows it.
    pub column: Option<usize>,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for LineProblem {
    /// `line 12, column 5: message`, or `line 12: message` without a column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(c) => write!(f, "line {}, column {c}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// A sample the store refused (e.g. older than the out-of-order window allows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedSample {
    /// The line it was on.
    pub line: u64,
    /// The series, as `name{label="value"}`.
    pub series: String,
    /// The sample's timestamp (ms).
    pub t: i64,
    /// Why.
    pub reason: RejectReason,
    /// The newest timestamp the series already had (ms).
    pub series_max_t: i64,
}

impl fmt::Display for RejectedSample {
    /// `line 9: sample of up{} at 1000 ms is ...`, saying why it was refused.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            RejectReason::OutOfWindow => write!(
                f,
                "line {}: sample of {} at {} ms is older than the out-of-order window allows (the series already has a sample at {} ms)",
                self.line, self.series, self.t, self.series_max_t
            ),
            RejectReason::UnknownSeries => write!(f, "line {}: sample of {} at {} ms: unknown series", self.line, self.series, self.t),
            RejectReason::TooFarInFuture => {
                write!(f, "line {}: sample of {} at {} ms is more than a day ahead of this machine's clock", self.line, self.series, self.t)
            }
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestReport {
    /// Lines read.
    pub lines: u64,
    /// Well-formed sample lines.
    pub samples: u64,
    /// Samples stored.
    pub accepted: u64,
    /// Samples identical to one already stored.
    pub duplicates: u64,
    /// Samples the store refused, per reason (only reasons that occurred).
    pub rejected: Vec<(RejectReason, u64)>,
    /// The first refused sample.
    pub first_rejection: Option<RejectedSample>,
    /// Distinct series among the samples.
    pub series: u64,
    /// Metric families whose type, help or unit was recorded.
    pub metadata: u64,
    /// Malformed lines (skipped, or the one that stopped the import).
    pub malformed: u64,
    /// The first malformed lines, up to the limit asked for (with
    /// [`crate::ingest::OnError::Reject`], the one that stopped the import).
    pub problems: Vec<LineProblem>,
}

impl IngestReport {
    /// Total refused samples.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.iter().map(|(_, n)| n).sum()
    }
}

/// Why an import stopped. Each carries the report of what was done until then: with
/// [`crate::ingest::ingest`], the samples it counts as accepted are stored.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The input could not be read (including a broken gzip stream).
    #[error("reading the input: {source}")]
    Read {
        /// What the reader said.
        source: std::io::Error,
        /// What was done before.
        report: Box<IngestReport>,
    },
    /// A malformed line, with [`crate::ingest::OnError::Reject`].
    #[error("{problem}")]
    Malformed {
        /// The line and what is wrong with it.
        problem: LineProblem,
        /// What was done before.
        report: Box<IngestReport>,
    },
    /// The store failed.
    #[error("storing samples: {source}")]
    Store {
        /// What the store said.
        source: StoreError,
        /// What was done before.
        report: Box<IngestReport>,
    },
}

impl IngestError {
    /// What was done before the import stopped.
    pub fn report(&self) -> &IngestReport {
        match self {
            IngestError::Read { report, .. } | IngestError::Malformed { report, .. } | IngestError::Store { report, .. } => report,
        }
    }
}
