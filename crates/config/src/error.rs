//! What can go wrong reading a config file, worded to point the user at the spot.

use std::io;
use std::path::PathBuf;

/// Why a configuration could not be read. Every variant but [`ConfigError::Read`] names the
/// file, line and column, and all but [`ConfigError::Malformed`] the key (as a dotted path
/// like `storage.wal.fsync` or `storage.tiers[1].resolution`).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The text is not one well-formed YAML document holding a mapping.
    #[error("{file}: line {line}, column {column}: {message}")]
    Malformed {
        /// The file, as given to [`crate::Config::from_yaml`].
        file: String,
        /// Where the problem is, counting from 1.
        line: usize,
        /// Where on the line, in characters, counting from 1.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The file sets a key the configuration does not have.
    #[error(
        "{file}: line {line}, column {column}: unknown key \"{key}\" (known keys here: {})",
        known.join(", ")
    )]
    UnknownKey {
        /// The file, as given to [`crate::Config::from_yaml`].
        file: String,
        /// Where the key is, counting from 1.
        line: usize,
        /// Where on the line, in characters, counting from 1.
        column: usize,
        /// The unknown key's dotted path.
        key: String,
        /// The keys the enclosing mapping does have.
        known: Vec<String>,
    },
    /// A value is missing, of the wrong type, malformed, out of range, or at odds with
    /// another.
    #[error("{file}: line {line}, column {column}: {key}: {message}")]
    Invalid {
        /// The file, as given to [`crate::Config::from_yaml`].
        file: String,
        /// Where the value is, counting from 1.
        line: usize,
        /// Where on the line, in characters, counting from 1.
        column: usize,
        /// The key's dotted path.
        key: String,
        /// What is wrong with the value.
        message: String,
    },
}
