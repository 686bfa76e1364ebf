//! The shape of the config file: every key optional, unknown keys refused. A file read
//! into these types is laid over [`Config::default`].

use std::path::PathBuf;

use serde::Deserialize;

use crate::collection::{CollectionConfig, DisksConfig, FilesystemsConfig, NetworkConfig, ServiceConfig};
use crate::config::{Config, FsyncPolicy, StorageConfig, TierConfig, WalConfig};
use crate::duration::AsDuration;
use crate::listen::AsListen;
use crate::log_level::AsLogLevel;
use crate::query::QueryConfig;
use crate::scalar::{AsCount, Kind, Parsed};
use crate::size::AsSize;

/// The top level of the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping of settings")]
pub(crate) struct PartialConfig {
    data_dir: Option<PathBuf>,
    listen: Option<Parsed<AsListen>>,
    log_level: Option<Parsed<AsLogLevel>>,
    collection: Option<PartialCollection>,
    storage: Option<PartialStorage>,
    query: Option<PartialQuery>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping of collection settings")]
struct PartialCollection {
    interval: Option<Parsed<AsDuration>>,
    disabled: Option<Vec<String>>,
    proc_root: Option<PathBuf>,
    sys_root: Option<PathBuf>,
    rootfs: Option<PathBuf>,
    filesystems: Option<PartialFilesystems>,
    disks: Option<PartialDisks>,
    network: Option<PartialNetwork>,
    top_processes: Option<Parsed<AsCount>>,
    services: Option<Vec<PartialService>>,
    anomaly_scores: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping of file system filters")]
struct PartialFilesystems {
    mount_points_exclude: Option<String>,
    fs_types_exclude: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping of disk filters")]
struct PartialDisks {
    devices_exclude: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping of network filters")]
struct PartialNetwork {
    interfaces_exclude: Option<String>,
}

/// A service has no default to merge with: `name` is required, the rest optional (the
/// rules ask for at least one way to find its processes).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a service: a mapping with name and process_name, cmdline, pid_file, systemd_unit or cgroup")]
struct PartialService {
    name: String,
    process_name: Option<String>,
    cmdline: Option<String>,
    pid_file: Option<PathBuf>,
    systemd_unit: Option<String>,
    cgroup: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping of query settings")]
struct PartialQuery {
    timeout: Option<Parsed<AsDuration>>,
    max_samples: Option<Parsed<AsCount>>,
    lookback_delta: Option<Parsed<AsDuration>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping of storage settings")]
struct PartialStorage {
    wal: Option<PartialWal>,
    out_of_order_window: Option<Parsed<AsDuration>>,
    head_flush_interval: Option<Parsed<AsDuration>>,
    head_max_samples: Option<Parsed<AsCount>>,
    block_duration: Option<Parsed<AsDuration>>,
    retention: Option<Parsed<AsDuration>>,
    max_disk_size: Option<Parsed<AsSize>>,
    tiers: Option<Vec<PartialTier>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping of WAL settings")]
struct PartialWal {
    fsync: Option<Parsed<AsFsync>>,
    fsync_interval: Option<Parsed<AsDuration>>,
    segment_size: Option<Parsed<AsSize>>,
}

/// A tier has no default to merge with, so both of its keys are required.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a tier: a mapping with resolution and retention")]
struct PartialTier {
    resolution: Parsed<AsDuration>,
    retention: Parsed<AsDuration>,
}

/// Reads a YAML scalar as a WAL fsync policy.
struct AsFsync;

impl Kind for AsFsync {
    type Value = FsyncPolicy;
    const EXPECTING: &'static str = "one of always, interval, never";

    fn parse(text: &str) -> Result<FsyncPolicy, String> {
        match text {
            "always" => Ok(FsyncPolicy::Always),
            "interval" => Ok(FsyncPolicy::Interval),
            "never" => Ok(FsyncPolicy::Never),
            _ => Err(format!("unknown variant {text:?}, expected one of always, interval, never")),
        }
    }
}

/// The value written in the file, or else the default.
fn or<K: Kind>(value: Option<Parsed<K>>, default: K::Value) -> K::Value {
    value.map_or(default, |Parsed(value)| value)
}

impl PartialConfig {
    /// The configuration this file describes: what it sets, and the defaults for the rest.
    pub(crate) fn into_config(self) -> Config {
        let defaults = Config::default();
        Config {
            data_dir: self.data_dir.unwrap_or(defaults.data_dir),
            listen: or(self.listen, defaults.listen),
            log_level: or(self.log_level, defaults.log_level),
            collection: self.collection.map_or(defaults.collection, PartialCollection::into_config),
            storage: self.storage.map_or(defaults.storage, PartialStorage::into_config),
            query: self.query.map_or(defaults.query, PartialQuery::into_config),
        }
    }
}

impl PartialCollection {
    fn into_config(self) -> CollectionConfig {
        let defaults = CollectionConfig::default();
        let filesystems = self.filesystems.map_or(defaults.filesystems.clone(), |f| FilesystemsConfig {
            mount_points_exclude: f.mount_points_exclude.unwrap_or(defaults.filesystems.mount_points_exclude),
            fs_types_exclude: f.fs_types_exclude.unwrap_or(defaults.filesystems.fs_types_exclude),
        });
        CollectionConfig {
            interval: or(self.interval, defaults.interval),
            disabled: self.disabled.unwrap_or(defaults.disabled),
            proc_root: self.proc_root.unwrap_or(defaults.proc_root),
            sys_root: self.sys_root.unwrap_or(defaults.sys_root),
            rootfs: self.rootfs.unwrap_or(defaults.rootfs),
            filesystems,
            disks: DisksConfig { devices_exclude: self.disks.and_then(|d| d.devices_exclude).unwrap_or(defaults.disks.devices_exclude) },
            network: NetworkConfig {
                interfaces_exclude: self.network.and_then(|n| n.interfaces_exclude).unwrap_or(defaults.network.interfaces_exclude),
            },
            // Out-of-range counts are caught by the rules; saturating keeps them out of range.
            top_processes: self.top_processes.map_or(defaults.top_processes, |Parsed(n)| u32::try_from(n).unwrap_or(u32::MAX)),
            services: self.services.map_or(defaults.services, |services| {
                services
                    .into_iter()
                    .map(|s| ServiceConfig {
                        name: s.name,
                        process_name: s.process_name,
                        cmdline: s.cmdline,
                        pid_file: s.pid_file,
                        systemd_unit: s.systemd_unit,
                        cgroup: s.cgroup,
                    })
                    .collect()
            }),
            anomaly_scores: self.anomaly_scores.unwrap_or(defaults.anomaly_scores),
        }
    }
}

impl PartialQuery {
    fn into_config(self) -> QueryConfig {
        let defaults = QueryConfig::default();
        QueryConfig {
            timeout: or(self.timeout, defaults.timeout),
            max_samples: or(self.max_samples, defaults.max_samples),
            lookback_delta: or(self.lookback_delta, defaults.lookback_delta),
        }
    }
}

impl PartialStorage {
    fn into_config(self) -> StorageConfig {
        let defaults = StorageConfig::default();
        StorageConfig {
            wal: self.wal.map_or(defaults.wal, PartialWal::into_config),
            out_of_order_window: or(self.out_of_order_window, defaults.out_of_order_window),
            head_flush_interval: or(self.head_flush_interval, defaults.head_flush_interval),
            head_max_samples: or(self.head_max_samples, defaults.head_max_samples),
            block_duration: or(self.block_duration, defaults.block_duration),
            retention: or(self.retention, defaults.retention),
            max_disk_size: or(self.max_disk_size, defaults.max_disk_size),
            tiers: self.tiers.map_or(defaults.tiers, |tiers| {
                tiers.into_iter().map(|tier| TierConfig { resolution: tier.resolution.0, retention: tier.retention.0 }).collect()
            }),
        }
    }
}

impl PartialWal {
    fn into_config(self) -> WalConfig {
        let defaults = WalConfig::default();
        WalConfig {
            fsync: or(self.fsync, defaults.fsync),
            fsync_interval: or(self.fsync_interval, defaults.fsync_interval),
            segment_size: or(self.segment_size, defaults.segment_size),
        }
    }
}
