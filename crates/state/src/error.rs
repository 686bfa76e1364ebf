//! What can go wrong with the state database, naming the file and what was being done.

use std::path::PathBuf;

/// Why the state database could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The data directory could not be created.
    #[error("creating data directory {}: {source}", path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// An SQLite operation failed.
    #[error("state database {}: {action}: {source}", path.display())]
    Sql {
        /// The database file.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// SQLite refused WAL journal mode (the file system may not support shared memory).
    #[error("state database {}: cannot use WAL journal mode (SQLite kept {mode:?}); put the data directory on a local file system", path.display())]
    NoWal {
        /// The database file.
        path: PathBuf,
        /// The journal mode SQLite reported.
        mode: String,
    },
    /// The file was written by a newer Vitals with a schema this one does not know.
    #[error(
        "state database {}: schema version {found} is newer than this Vitals knows (up to {known}); run a newer Vitals",
        path.display()
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The version found in the file.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// A stored audit detail is not valid JSON (the file was edited by hand or damaged).
    #[error("state database {}: audit entry {id}: detail is not JSON: {source}", path.display())]
    BadDetail {
        /// The database file.
        path: PathBuf,
        /// The entry's id.
        id: i64,
        /// What the JSON parser said.
        source: serde_json::Error,
    },
}
