//! The `collection` section: how often and what Vitals collects, the host collectors'
//! filters, and the services to watch.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Serialize, Serializer};

use crate::config::SECOND;
use crate::duration;

/// The host's collectors, named as node_exporter names its collectors, in the order they
/// are built.
pub const HOST_COLLECTOR_NAMES: &[&str] = &[
    "cpu",
    "cpufreq",
    "loadavg",
    "stat",
    "pressure",
    "meminfo",
    "vmstat",
    "diskstats",
    "filesystem",
    "netdev",
    "netstat",
    "sockstat",
    "conntrack",
    "filefd",
    "entropy",
    "timex",
    "hwmon",
    "uname",
    "time",
];

/// Every collector name `collection.disabled` may hold: Vitals' own (`build`, `process`,
/// `store`), the host's ([`HOST_COLLECTOR_NAMES`]), and the cgroup, service and
/// top-process collectors.
pub fn collector_names() -> impl Iterator<Item = &'static str> {
    ["build", "process", "store"].into_iter().chain(HOST_COLLECTOR_NAMES.iter().copied()).chain(["cgroup", "services", "top_processes"])
}

/// node_exporter 1.5's default `--collector.filesystem.mount-points-exclude`.
pub(crate) const MOUNT_POINTS_EXCLUDE: &str = "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
/// node_exporter 1.5's default `--collector.filesystem.fs-types-exclude`.
pub(crate) const FS_TYPES_EXCLUDE: &str = "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";
/// node_exporter 1.5's default `--collector.diskstats.device-exclude`.
pub(crate) const DEVICES_EXCLUDE: &str = r"^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$";
/// Virtual Ethernet pairs (one per container) come and go; left out by default.
pub(crate) const INTERFACES_EXCLUDE: &str = "^(veth.*)$";

/// Settings of the collectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectionConfig {
    /// How often Vitals collects; at least 100ms.
    #[serde(serialize_with = "duration::serialize")]
    pub interval: Duration,
    /// Names of collectors switched off (from [`collector_names`]).
    pub disabled: Vec<String>,
    /// Where procfs is mounted (`/proc`; `/host/proc` in a container watching its host).
    #[serde(serialize_with = "serialize_path")]
    pub proc_root: PathBuf,
    /// Where sysfs is mounted.
    #[serde(serialize_with = "serialize_path")]
    pub sys_root: PathBuf,
    /// The root of the file systems whose mount points are measured.
    #[serde(serialize_with = "serialize_path")]
    pub rootfs: PathBuf,
    /// Which file systems the `filesystem` collector leaves out.
    pub filesystems: FilesystemsConfig,
    /// Which block devices the `diskstats` collector leaves out.
    pub disks: DisksConfig,
    /// Which network interfaces the `netdev` collector leaves out.
    pub network: NetworkConfig,
    /// How many of the busiest processes the `top_processes` collector reports.
    pub top_processes: u32,
    /// Services to watch, each found by process name, command line, pid file, systemd
    /// unit or cgroup.
    pub services: Vec<ServiceConfig>,
    /// Whether every collected series gets a streaming anomaly score each cycle
    /// (`vitals_anomaly_score` and `vitals_anomaly_flag`).
    pub anomaly_scores: bool,
}

/// File systems left out of `node_filesystem_*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilesystemsConfig {
    /// Regular expression on the mount point; empty leaves none out.
    pub mount_points_exclude: String,
    /// Regular expression on the file system type; empty leaves none out.
    pub fs_types_exclude: String,
}

/// Block devices left out of `node_disk_*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisksConfig {
    /// Regular expression on the device name (`sda1`); empty leaves none out.
    pub devices_exclude: String,
}

/// Network interfaces left out of `node_network_*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkConfig {
    /// Regular expression on the interface name; empty leaves none out.
    pub interfaces_exclude: String,
}

/// A service to watch: its name, and how to find its processes (at least one way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceConfig {
    /// The `service` label of its metrics: letters, digits, `_`, `.` and `-`; unique.
    pub name: String,
    /// Regular expression on a process' name (`/proc/<pid>/comm`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_name: Option<String>,
    /// Regular expression on a process' full command line, arguments joined by spaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmdline: Option<String>,
    /// A file holding the main process' pid.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "serialize_some_path")]
    pub pid_file: Option<PathBuf>,
    /// A systemd unit, such as `postgresql.service`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub systemd_unit: Option<String>,
    /// A cgroup v2 path under `/sys/fs/cgroup`, such as `/system.slice/jellyfin.service`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<String>,
}

impl Default for CollectionConfig {
    fn default() -> Self {
        CollectionConfig {
            interval: Duration::from_secs(SECOND),
            disabled: Vec::new(),
            proc_root: PathBuf::from("/proc"),
            sys_root: PathBuf::from("/sys"),
            rootfs: PathBuf::from("/"),
            filesystems: FilesystemsConfig::default(),
            disks: DisksConfig::default(),
            network: NetworkConfig::default(),
            top_processes: 10,
            services: Vec::new(),
            anomaly_scores: true,
        }
    }
}

impl Default for FilesystemsConfig {
    fn default() -> Self {
        FilesystemsConfig { mount_points_exclude: MOUNT_POINTS_EXCLUDE.to_owned(), fs_types_exclude: FS_TYPES_EXCLUDE.to_owned() }
    }
}

impl Default for DisksConfig {
    fn default() -> Self {
        DisksConfig { devices_exclude: DEVICES_EXCLUDE.to_owned() }
    }
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig { interfaces_exclude: INTERFACES_EXCLUDE.to_owned() }
    }
}

impl CollectionConfig {
    /// Whether the collector called `name` is switched off by `disabled`.
    pub fn is_disabled(&self, name: &str) -> bool {
        self.disabled.iter().any(|d| d == name)
    }
}

/// Writes a path as text; a path that is not UTF-8 gets replacement characters rather than
/// failing the whole rendering.
pub(crate) fn serialize_path<S: Serializer>(path: &Path, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path.to_string_lossy())
}

fn serialize_some_path<S: Serializer>(path: &Option<PathBuf>, serializer: S) -> Result<S::Ok, S::Error> {
    match path {
        Some(path) => serialize_path(path, serializer),
        None => serializer.serialize_none(),
    }
}
