//! The effective configuration: its types, its defaults and its YAML rendering.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::collection::{serialize_path, CollectionConfig};
use crate::query::QueryConfig;
use crate::{duration, size};

/// Lengths in seconds, for writing defaults and limits.
pub(crate) const SECOND: u64 = 1;
pub(crate) const MINUTE: u64 = 60 * SECOND;
pub(crate) const HOUR: u64 = 60 * MINUTE;
pub(crate) const DAY: u64 = 24 * HOUR;
/// 365.25 days, as `1y` is read.
const YEAR: u64 = 31_557_600;
/// Sizes in bytes, for writing defaults and limits.
pub(crate) const MIB: u64 = 1 << 20;
pub(crate) const GIB: u64 = 1 << 30;

/// Everything `vitals serve` can be told by its config file. [`Config::default`] is what it
/// runs on without one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Config {
    /// Where the store, the WAL and the SQLite state live.
    #[serde(serialize_with = "serialize_path")]
    pub data_dir: PathBuf,
    /// The HTTP listen address.
    pub listen: SocketAddr,
    /// A tracing filter directive: a level (`info`) or per-target levels (`vitals=debug,info`).
    pub log_level: String,
    /// What Vitals collects and how often.
    pub collection: CollectionConfig,
    /// How samples are written, compacted, rolled up and deleted.
    pub storage: StorageConfig,
    /// Limits and defaults of PromQL queries.
    pub query: QueryConfig,
}

/// Settings of the time-series store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StorageConfig {
    /// The write-ahead log.
    pub wal: WalConfig,
    /// A sample older than its series' newest sample by more than this is rejected; zero
    /// accepts only samples in order.
    #[serde(serialize_with = "duration::serialize")]
    pub out_of_order_window: Duration,
    /// The in-memory head is written out as an immutable block at least this often.
    #[serde(serialize_with = "duration::serialize")]
    pub head_flush_interval: Duration,
    /// ...or as soon as it holds this many samples.
    pub head_max_samples: u64,
    /// Blocks are merged per aligned window of this length; a multiple of every tier
    /// resolution.
    #[serde(serialize_with = "duration::serialize")]
    pub block_duration: Duration,
    /// Raw samples are deleted when older than this; zero keeps them forever.
    #[serde(serialize_with = "duration::serialize")]
    pub retention: Duration,
    /// The oldest data is deleted while the data directory is larger than this many bytes;
    /// zero sets no cap.
    #[serde(serialize_with = "size::serialize")]
    pub max_disk_size: u64,
    /// Rollup tiers, finest first; empty when rollups are off.
    pub tiers: Vec<TierConfig>,
}

/// Settings of the write-ahead log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WalConfig {
    /// When appends reach the disk.
    pub fsync: FsyncPolicy,
    /// With [`FsyncPolicy::Interval`], the longest an acknowledged append waits for its fsync.
    #[serde(serialize_with = "duration::serialize")]
    pub fsync_interval: Duration,
    /// Size in bytes at which a WAL segment file is closed and a new one started.
    #[serde(serialize_with = "size::serialize")]
    pub segment_size: u64,
}

/// When the WAL fsyncs what it has written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FsyncPolicy {
    /// Every append is fsynced before it is acknowledged; concurrent appends share one
    /// fsync (group commit).
    Always,
    /// Every acknowledged append is in the log file (it survives a crash of the process)
    /// and is fsynced within `fsync_interval` (so at most that much is lost to a power cut).
    Interval,
    /// Flushing to disk is left to the operating system.
    Never,
}

/// One rollup tier: the min, max, sum, count and last value of each series per
/// `resolution`, kept for `retention`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TierConfig {
    /// The length of one rollup interval: a whole number of seconds.
    #[serde(serialize_with = "duration::serialize")]
    pub resolution: Duration,
    /// Rollups are deleted when older than this; zero keeps them forever.
    #[serde(serialize_with = "duration::serialize")]
    pub retention: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./vitals-data"),
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 7464)),
            log_level: "info".to_owned(),
            collection: CollectionConfig::default(),
            storage: StorageConfig::default(),
            query: QueryConfig::default(),
        }
    }
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            wal: WalConfig::default(),
            out_of_order_window: Duration::from_secs(10 * MINUTE),
            head_flush_interval: Duration::from_secs(5 * MINUTE),
            head_max_samples: 2_000_000,
            block_duration: Duration::from_secs(2 * HOUR),
            retention: Duration::from_secs(15 * DAY),
            max_disk_size: 10 * GIB,
            tiers: vec![
                TierConfig { resolution: Duration::from_secs(MINUTE), retention: Duration::from_secs(30 * DAY) },
                TierConfig { resolution: Duration::from_secs(5 * MINUTE), retention: Duration::from_secs(90 * DAY) },
                TierConfig { resolution: Duration::from_secs(HOUR), retention: Duration::from_secs(2 * YEAR) },
            ],
        }
    }
}

impl Default for WalConfig {
    fn default() -> Self {
        WalConfig { fsync: FsyncPolicy::Interval, fsync_interval: Duration::from_secs(SECOND), segment_size: 64 * MIB }
    }
}

impl Config {
    /// The configuration as a YAML file, durations and sizes written the way a person
    /// would (`15d`, `64MiB`); [`Config::from_yaml`] reads it back as the same `Config`.
    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).expect("a Config always renders: it holds only strings, numbers, mappings and lists")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_defaults_in_human_units() {
        let yaml = Config::default().to_yaml();
        let expected = "\
data_dir: ./vitals-data
listen: 127.0.0.1:7464
log_level: info
collection:
  interval: 1s
  disabled: []
  proc_root: /proc
  sys_root: /sys
  rootfs: /
  filesystems:
    mount_points_exclude: ^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)
    fs_types_exclude: ^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$
  disks:
    devices_exclude: ^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$
  network:
    interfaces_exclude: ^(veth.*)$
  top_processes: 10
  services: []
  anomaly_scores: true
storage:
  wal:
    fsync: interval
    fsync_interval: 1s
    segment_size: 64MiB
  out_of_order_window: 10m
  head_flush_interval: 5m
  head_max_samples: 2000000
  block_duration: 2h
  retention: 15d
  max_disk_size: 10GiB
  tiers:
  - resolution: 1m
    retention: 30d
  - resolution: 5m
    retention: 90d
  - resolution: 1h
    retention: 2y
query:
  timeout: 2m
  max_samples: 50000000
  lookback_delta: 5m
";
        assert_eq!(yaml, expected);
    }
}
