//! The store's error type.

use std::path::{Path, PathBuf};

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file-system operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What the store was doing.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Another process holds the data directory.
    #[error("data directory {0} is in use by another Vitals process (lock file {0}/LOCK)")]
    Locked(PathBuf),
    /// A block file is damaged.
    #[error("block {path}: {what}")]
    CorruptBlock {
        /// The block file.
        path: PathBuf,
        /// What is wrong with it.
        what: String,
    },
    /// A series' labels are not acceptable.
    #[error("invalid series {series}: {why}")]
    InvalidSeries {
        /// The series as written.
        series: String,
        /// Why it was refused.
        why: String,
    },
    /// Metadata for a metric family is not acceptable.
    #[error("invalid metadata for {metric}: {why}")]
    InvalidMetadata {
        /// The metric family.
        metric: String,
        /// Why it was refused.
        why: String,
    },
    /// The store has been closed.
    #[error("the store is closed")]
    Closed,
}

/// Builds a closure that wraps an io::Error with what was being done and where.
pub(crate) fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> StoreError + 'a {
    move |source| StoreError::Io { action, path: path.to_path_buf(), source }
}
