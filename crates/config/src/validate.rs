//! The rules a configuration must follow beyond each value's own syntax: ranges, and how
//! the rollup tiers, retention and block duration fit together.

use std::time::Duration;

use crate::collection_rules;
use crate::config::{Config, StorageConfig, DAY, GIB, HOUR, MIB, MINUTE, SECOND};
use crate::duration::format_duration;
use crate::size::format_size;

/// A rule a configuration breaks.
#[derive(Debug)]
pub(crate) struct Violation {
    /// The key to blame.
    pub key: String,
    /// What is wrong with its value.
    pub message: String,
    /// For a rule between two keys: the other key, with a message worded for it, to blame
    /// instead when the file sets that one and not `key`.
    pub instead: Option<(String, String)>,
}

impl Violation {
    /// A violation of a rule about one key.
    pub(crate) fn of(key: &str, message: String) -> Violation {
        Violation { key: key.to_owned(), message, instead: None }
    }
}

/// Checks every rule, reporting the first one broken.
pub(crate) fn check(config: &Config) -> Result<(), Violation> {
    if config.data_dir.as_os_str().is_empty() {
        return Err(Violation::of("data_dir", "must not be empty".to_owned()));
    }
    at_least("collection.interval", config.collection.interval, Duration::from_millis(100))?;
    collection_rules::check_collection(&config.collection)?;
    collection_rules::check_query(&config.query)?;
    let storage = &config.storage;
    between("storage.wal.fsync_interval", storage.wal.fsync_interval, Duration::from_millis(10), Duration::from_secs(MINUTE))?;
    let segment_size = storage.wal.segment_size;
    if !(MIB..=GIB).contains(&segment_size) {
        return Err(Violation::of("storage.wal.segment_size", format!("must be between 1MiB and 1GiB, got {}", format_size(segment_size))));
    }
    between("storage.head_flush_interval", storage.head_flush_interval, Duration::from_secs(10 * SECOND), Duration::from_secs(2 * HOUR))?;
    if storage.head_max_samples < 1_000 {
        return Err(Violation::of("storage.head_max_samples", format!("must be at least 1000, got {}", storage.head_max_samples)));
    }
    between("storage.block_duration", storage.block_duration, Duration::from_secs(MINUTE), Duration::from_secs(7 * DAY))?;
    check_tiers(storage)
}

fn at_least(key: &str, value: Duration, min: Duration) -> Result<(), Violation> {
    if value < min {
        return Err(Violation::of(key, format!("must be at least {}, got {}", format_duration(min), format_duration(value))));
    }
    Ok(())
}

fn between(key: &str, value: Duration, min: Duration, max: Duration) -> Result<(), Violation> {
    if value < min || value > max {
        return Err(Violation::of(
            key,
            format!("must be between {} and {}, got {}", format_duration(min), format_duration(max), format_duration(value)),
        ));
    }
    Ok(())
}

/// A retention as the rules speak of it: zero is forever.
fn retention(duration: Duration) -> String {
    if duration.is_zero() {
        "0 = forever".to_owned()
    } else {
        format_duration(duration)
    }
}

fn check_tiers(storage: &StorageConfig) -> Result<(), Violation> {
    let mut previous: Option<(String, Duration)> = None;
    for (index, tier) in storage.tiers.iter().enumerate() {
        let resolution_key = format!("storage.tiers[{index}].resolution");
        let resolution = tier.resolution;
        let shown = format_duration(resolution);
        if resolution.is_zero() {
            return Err(Violation::of(&resolution_key, "must be more than 0".to_owned()));
        }
        if resolution.subsec_nanos() != 0 {
            return Err(Violation::of(&resolution_key, format!("must be a whole number of seconds, got {shown}")));
        }
        if let Some((previous_key, previous)) = &previous {
            let before = format_duration(*previous);
            if resolution <= *previous {
                return Err(Violation::of(
                    &resolution_key,
                    format!(
                        "{shown} is not longer than {previous_key} ({before}); \
                         tier resolutions must increase"
                    ),
                ));
            }
            if !resolution.as_nanos().is_multiple_of(previous.as_nanos()) {
                return Err(Violation::of(
                    &resolution_key,
                    format!(
                        "{shown} is not a multiple of {previous_key} ({before}); \
                         each tier resolution must be a multiple of the one before"
                    ),
                ));
            }
        }

        let retention_key = format!("storage.tiers[{index}].retention");
        let raw = storage.retention;
        if !tier.retention.is_zero() && (raw.is_zero() || tier.retention < raw) {
            let rule = "a tier must keep its rollups at least as long as raw samples are kept \
                        (0 = forever)";
            return Err(Violation {
                key: retention_key.clone(),
                message: format!("{} is shorter than storage.retention ({}); {rule}", format_duration(tier.retention), retention(raw)),
                instead: Some((
                    "storage.retention".to_owned(),
                    format!(
                        "{} is longer than {retention_key} ({}, the default); {rule}",
                        if raw.is_zero() { "0 (forever)".to_owned() } else { format_duration(raw) },
                        format_duration(tier.retention)
                    ),
                )),
            });
        }

        let block = storage.block_duration;
        if !block.as_nanos().is_multiple_of(resolution.as_nanos()) {
            let rule = "the block duration must be a multiple of every tier resolution";
            return Err(Violation {
                key: "storage.block_duration".to_owned(),
                message: format!("{} is not a multiple of {resolution_key} ({shown}); {rule}", format_duration(block)),
                instead: Some((
                    resolution_key.clone(),
                    format!("{shown} does not divide storage.block_duration ({}, the default); {rule}", format_duration(block)),
                )),
            });
        }
        previous = Some((resolution_key, resolution));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TierConfig;

    fn first_blame(config: &Config) -> (String, String) {
        let violation = check(config).unwrap_err();
        (violation.key, violation.message)
    }

    #[test]
    fn the_defaults_pass() {
        assert!(check(&Config::default()).is_ok());
    }

    #[test]
    fn no_tiers_pass() {
        let mut config = Config::default();
        config.storage.tiers.clear();
        assert!(check(&config).is_ok());
    }

    #[test]
    fn zero_retentions_keep_forever() {
        let mut config = Config::default();
        config.storage.retention = Duration::ZERO;
        for tier in &mut config.storage.tiers {
            tier.retention = Duration::ZERO;
        }
        assert!(check(&config).is_ok());
    }

    #[test]
    fn raw_forever_needs_tiers_forever() {
        let mut config = Config::default();
        config.storage.retention = Duration::ZERO;
        let (key, message) = first_blame(&config);
        assert_eq!(key, "storage.tiers[0].retention");
        assert!(message.starts_with("30d is shorter than storage.retention (0 = forever);"));
    }

    #[test]
    fn a_resolution_must_be_whole_seconds() {
        let mut config = Config::default();
        config.storage.tiers = vec![TierConfig { resolution: Duration::from_millis(1_500), retention: Duration::ZERO }];
        let (key, message) = first_blame(&config);
        assert_eq!(key, "storage.tiers[0].resolution");
        assert_eq!(message, "must be a whole number of seconds, got 1500ms");
    }
}
