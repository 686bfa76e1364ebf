//! The Vitals configuration: one optional YAML file that `vitals serve` reads, with a
//! default for every key.
//!
//! [`Config::load`] and [`Config::from_yaml`] read a file, lay it over
//! [`Config::default`] and check it. Any problem a user can cause, an unknown key, a
//! value of the wrong type, a malformed duration or a broken rule between keys, comes
//! back as a [`ConfigError`] naming the file, line, column and key. [`Config::to_yaml`]
//! prints the effective configuration, and [`parse_duration`], [`parse_size`] and
//! [`parse_listen`] read the same notations for command-line flags.

mod collection;
mod collection_rules;
mod config;
mod duration;
mod error;
mod listen;
mod load;
mod log_level;
mod partial;
mod positions;
mod query;
mod scalar;
mod size;
mod validate;
mod yaml_error;

pub use collection::{
    collector_names, CollectionConfig, DisksConfig, FilesystemsConfig, NetworkConfig, ServiceConfig, HOST_COLLECTOR_NAMES,
};
pub use config::{Config, FsyncPolicy, StorageConfig, TierConfig, WalConfig};
pub use duration::{format_duration, parse_duration};
pub use error::ConfigError;
pub use listen::parse_listen;
pub use query::QueryConfig;
pub use size::{format_size, parse_size};
