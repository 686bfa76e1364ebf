//! The host's collectors (Linux): CPU, memory, disks, file systems, network, time and
//! kernel, read from /proc and /sys under configurable roots, under node_exporter 1.5's
//! metric names and labels. One file per collector, named as node_exporter names it.
//!
//! [`host_collectors`] builds those that are switched on and whose source exists here; the
//! others come back as [`NotRun`] with the reason, for the status API.

mod conntrack;
mod cpu;
mod cpufreq;
mod diskstats;
mod entropy;
mod families;
mod filefd;
mod filesystem;
mod hwmon;
mod loadavg;
mod meminfo;
mod netdev;
mod netstat;
mod pressure;
mod read;
mod sockstat;
mod stat;
mod time;
mod timex;
mod uname;
mod vmstat;

use std::path::Path;

use regex::Regex;
use vitals_config::CollectionConfig;

pub use conntrack::ConntrackCollector;
pub use cpu::CpuCollector;
pub use cpufreq::CpufreqCollector;
pub use diskstats::DiskstatsCollector;
pub use entropy::EntropyCollector;
pub use filefd::FilefdCollector;
pub use filesystem::{FilesystemCollector, FilesystemFilters};
pub use hwmon::HwmonCollector;
pub use loadavg::LoadavgCollector;
pub use meminfo::MeminfoCollector;
pub use netdev::NetdevCollector;
pub use netstat::NetstatCollector;
pub use pressure::PressureCollector;
pub use sockstat::SockstatCollector;
pub use stat::StatCollector;
pub use time::TimeCollector;
pub use timex::TimexCollector;
pub use uname::UnameCollector;
pub use vmstat::VmstatCollector;

use crate::{Collector, CollectorState, NotRun};

/// A filter of the configuration that does not compile.
#[derive(Debug, thiserror::Error)]
#[error("collection.{key}: invalid regular expression: {source}")]
pub struct FilterError {
    /// The key under `collection`.
    pub key: String,
    /// What the regex crate said.
    pub source: regex::Error,
}

/// A filter; an empty pattern filters nothing.
fn filter(key: &'static str, pattern: &str) -> Result<Option<Regex>, FilterError> {
    if pattern.is_empty() {
        return Ok(None);
    }
    Regex::new(pattern).map(Some).map_err(|source| FilterError { key: key.to_owned(), source })
}

/// Collectors to run, and those that do not run with the reason.
pub type Chosen = (Vec<Box<dyn Collector>>, Vec<NotRun>);

/// The host collectors `config` switches on and this machine can feed, and the rest with
/// the reason they do not run (disabled, or their source is missing).
pub fn host_collectors(config: &CollectionConfig) -> Result<Chosen, FilterError> {
    let (proc, sys, rootfs) = (config.proc_root.as_path(), config.sys_root.as_path(), config.rootfs.as_path());
    let filesystems = FilesystemFilters {
        mount_points_exclude: filter("filesystems.mount_points_exclude", &config.filesystems.mount_points_exclude)?,
        fs_types_exclude: filter("filesystems.fs_types_exclude", &config.filesystems.fs_types_exclude)?,
    };
    let disks = filter("disks.devices_exclude", &config.disks.devices_exclude)?;
    let interfaces = filter("network.interfaces_exclude", &config.network.interfaces_exclude)?;
    let mut filesystems = Some(filesystems);
    let (mut disks, mut interfaces) = (Some(disks), Some(interfaces));
    let mut run: Vec<Box<dyn Collector>> = Vec::new();
    let mut not_run = Vec::new();
    for &name in vitals_config::HOST_COLLECTOR_NAMES {
        if config.is_disabled(name) {
            not_run.push(NotRun { name: name.to_owned(), state: CollectorState::Disabled, reason: "collection.disabled".to_owned() });
            continue;
        }
        if let Err(reason) = available(name, proc, sys) {
            tracing::info!("collector {name} is off: {reason}");
            not_run.push(NotRun { name: name.to_owned(), state: CollectorState::Unavailable, reason });
            continue;
        }
        let collector: Box<dyn Collector> = match name {
            "cpu" => Box::new(CpuCollector::new(proc)),
            "cpufreq" => Box::new(CpufreqCollector::new(sys)),
            "loadavg" => Box::new(LoadavgCollector::new(proc)),
            "stat" => Box::new(StatCollector::new(proc)),
            "pressure" => Box::new(PressureCollector::new(proc)),
            "meminfo" => Box::new(MeminfoCollector::new(proc)),
            "vmstat" => Box::new(VmstatCollector::new(proc)),
            "diskstats" => Box::new(DiskstatsCollector::new(proc, rootfs.join("run/udev/data"), disks.take().flatten())),
            "filesystem" => match filesystems.take() {
                Some(f) => Box::new(FilesystemCollector::new(proc, rootfs, f)),
                None => continue,
            },
            "netdev" => Box::new(NetdevCollector::new(proc, interfaces.take().flatten())),
            "netstat" => Box::new(NetstatCollector::new(proc)),
            "sockstat" => Box::new(SockstatCollector::new(proc)),
            "conntrack" => Box::new(ConntrackCollector::new(proc)),
            "filefd" => Box::new(FilefdCollector::new(proc)),
            "entropy" => Box::new(EntropyCollector::new(proc)),
            "timex" => Box::new(TimexCollector),
            "hwmon" => Box::new(HwmonCollector::new(sys)),
            "uname" => Box::new(UnameCollector),
            _ => Box::new(TimeCollector::new(sys)),
        };
        run.push(collector);
    }
    Ok((run, not_run))
}

/// Whether collector `name` has its source on this machine; the reason when not.
fn available(name: &str, proc: &Path, sys: &Path) -> Result<(), String> {
    let readable = |path: &Path| match std::fs::read(path) {
        Ok(_) => Ok(()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    };
    let any_entry = |dir: &Path| match std::fs::read_dir(dir).map(|mut entries| entries.next().is_some()) {
        Ok(true) => Ok(()),
        Ok(false) => Err(format!("{} is empty", dir.display())),
        Err(e) => Err(format!("cannot read {}: {e}", dir.display())),
    };
    match name {
        "cpu" | "stat" => readable(&proc.join("stat")),
        "cpufreq" => {
            match std::fs::read_dir(sys.join("devices/system/cpu")).map(|e| e.flatten().any(|e| e.path().join("cpufreq").is_dir())) {
                Ok(true) => Ok(()),
                _ => Err(format!("no {}/devices/system/cpu/cpu*/cpufreq", sys.display())),
            }
        }
        "loadavg" => readable(&proc.join("loadavg")),
        "pressure" => readable(&proc.join("pressure/cpu")),
        "meminfo" => readable(&proc.join("meminfo")),
        "vmstat" => readable(&proc.join("vmstat")),
        "diskstats" => readable(&proc.join("diskstats")),
        "filesystem" => readable(&proc.join("1/mounts")).or_else(|_| readable(&proc.join("self/mounts"))),
        "netdev" => readable(&proc.join("net/dev")),
        "netstat" => readable(&proc.join("net/netstat")).or_else(|_| readable(&proc.join("net/snmp"))),
        "sockstat" => readable(&proc.join("net/sockstat")),
        "conntrack" => readable(&proc.join("sys/net/netfilter/nf_conntrack_count")),
        "filefd" => readable(&proc.join("sys/fs/file-nr")),
        "entropy" => readable(&proc.join("sys/kernel/random/entropy_avail")),
        "hwmon" => any_entry(&sys.join("class/hwmon")),
        _ => Ok(()), // timex, uname, time: system calls every Linux has.
    }
}

/// Clock ticks per second (`USER_HZ`), the unit of /proc/stat's CPU times.
pub(crate) fn ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions; it returns -1 for unknown names.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}

/// The memory page size in bytes.
pub(crate) fn page_size() -> f64 {
    // SAFETY: as above.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if page > 0 {
        page as f64
    } else {
        4096.0
    }
}
