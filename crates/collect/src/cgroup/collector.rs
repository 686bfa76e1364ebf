//! The `cgroup` collector: CPU, memory, pressure and I/O of every systemd service and
//! container, from their cgroup v2 interface files.

use std::path::{Path, PathBuf};

use super::devices::DeviceNames;
use super::layout::{self, Group};
use super::parse::{self, IoLine};
use crate::services::read_whole;
use crate::{CollectError, Collector, Emitter, Metric};

const CPU: Metric =
    Metric::counter("vitals_cgroup_cpu_seconds_total", "CPU time spent by the group's tasks, by mode (cpu.stat).", "seconds");
const PERIODS: Metric = Metric::counter(
    "vitals_cgroup_cpu_periods_total",
    "Enforcement periods of the group's CPU bandwidth limit that have elapsed (cpu.stat).",
    "",
);
const THROTTLED_PERIODS: Metric = Metric::counter(
    "vitals_cgroup_cpu_throttled_periods_total",
    "Enforcement periods in which the group was throttled by its CPU bandwidth limit (cpu.stat).",
    "",
);
const THROTTLED: Metric = Metric::counter(
    "vitals_cgroup_cpu_throttled_seconds_total",
    "Time the group's tasks were throttled by its CPU limit (cpu.stat).",
    "seconds",
);
const MEMORY: Metric =
    Metric::gauge("vitals_cgroup_memory_usage_bytes", "Memory used by the group, page cache included (memory.current).", "bytes");
const LIMIT: Metric =
    Metric::gauge("vitals_cgroup_memory_limit_bytes", "The group's memory limit (memory.max); absent when it has none.", "bytes");
const SWAP: Metric = Metric::gauge("vitals_cgroup_memory_swap_usage_bytes", "Swap used by the group (memory.swap.current).", "bytes");
const STAT: Metric = Metric::gauge(
    "vitals_cgroup_memory_stat_bytes",
    "The group's memory by type, from memory.stat; types overlap, do not sum them.",
    "bytes",
);
const PGFAULT: Metric =
    Metric::counter("vitals_cgroup_memory_pgfault_total", "Page faults of the group's tasks, major ones included (memory.stat).", "");
const PGMAJFAULT: Metric =
    Metric::counter("vitals_cgroup_memory_pgmajfault_total", "Major page faults of the group's tasks (memory.stat).", "");
const EVENTS: Metric = Metric::counter(
    "vitals_cgroup_memory_events_total",
    "Memory events of the group (memory.events): over memory.high, at memory.max, OOM, OOM kills.",
    "",
);
const WAITING: Metric = Metric::counter(
    "vitals_cgroup_pressure_waiting_seconds_total",
    "Time some of the group's tasks waited for the resource (the \"some\" total of the resource's pressure file).",
    "seconds",
);
const STALLED: Metric = Metric::counter(
    "vitals_cgroup_pressure_stalled_seconds_total",
    "Time all of the group's tasks were stalled on the resource (the \"full\" total of the resource's pressure file).",
    "seconds",
);
const READ_BYTES: Metric = Metric::counter("vitals_cgroup_io_read_bytes_total", "Bytes the group read from the device (io.stat).", "bytes");
const WRITTEN_BYTES: Metric =
    Metric::counter("vitals_cgroup_io_written_bytes_total", "Bytes the group wrote to the device (io.stat).", "bytes");
const READS: Metric = Metric::counter("vitals_cgroup_io_reads_total", "Read operations of the group on the device (io.stat).", "");
const WRITES: Metric = Metric::counter("vitals_cgroup_io_writes_total", "Write operations of the group on the device (io.stat).", "");

/// The `memory.stat` fields written, as the `type` label.
const STAT_TYPES: [&str; 9] = ["anon", "file", "kernel", "shmem", "sock", "slab", "file_mapped", "file_dirty", "file_writeback"];
/// The `memory.events` fields written, as the `event` label.
const EVENT_TYPES: [&str; 4] = ["high", "max", "oom", "oom_kill"];
/// The pressure files, and their `resource` label.
const PRESSURE: [(&str, &str); 3] = [("cpu.pressure", "cpu"), ("memory.pressure", "memory"), ("io.pressure", "io")];

/// Reads the cgroup v2 files of systemd services and containers (see `layout.rs` for
/// which groups and their labels). A file missing from a group (its controller is not
/// enabled there, as for memory and I/O on a hybrid host) is skipped; a group that vanishes
/// during the run is skipped; a file that cannot be read or parsed makes the run degraded.
pub struct CgroupCollector {
    root: PathBuf,
    devices: DeviceNames,
    groups: Vec<Group>,
    files: Files,
    io: Vec<IoLine>,
}

impl CgroupCollector {
    /// A collector of the cgroup v2 hierarchy under `sys_root` (normally `/sys`): at
    /// `fs/cgroup`, or `fs/cgroup/unified` on a hybrid host. The error says why there is
    /// none (no cgroup v2 mounted), so the collector is unavailable.
    pub fn detect(sys_root: &Path) -> Result<CgroupCollector, String> {
        let root = layout::find_root(sys_root)?;
        Ok(CgroupCollector {
            root,
            devices: DeviceNames::new(sys_root.join("dev/block")),
            groups: Vec::new(),
            files: Files::default(),
            io: Vec::new(),
        })
    }

    /// Writes one group's series.
    fn group(&mut self, group: &Group, out: &mut Emitter) -> Result<(), CollectError> {
        let base = [("cgroup", group.path.as_str()), (group.id_label, group.id.as_str())];
        let with = |name, value| [base[0], base[1], (name, value)];

        if let Some(text) = self.files.read(&group.dir, "cpu.stat", out) {
            let mut v = [None; 5];
            let keys = ["user_usec", "system_usec", "nr_periods", "nr_throttled", "throttled_usec"];
            let result = parse::flat_keyed(text, |k, value| {
                if let Some(i) = keys.iter().position(|&key| key == k) {
                    v[i] = Some(value);
                }
            });
            if parsed(result, &group.dir, "cpu.stat", out).is_some() {
                for (i, mode) in [(0, "user"), (1, "system")] {
                    if let Some(usec) = v[i] {
                        out.push(&CPU, &with("mode", mode), usec as f64 / 1e6)?;
                    }
                }
                for (i, metric, scale) in [(2, &PERIODS, 1.0), (3, &THROTTLED_PERIODS, 1.0), (4, &THROTTLED, 1e-6)] {
                    if let Some(value) = v[i] {
                        out.push(metric, &base, value as f64 * scale)?;
                    }
                }
            }
        }

        for (file, metric) in [("memory.current", &MEMORY), ("memory.max", &LIMIT), ("memory.swap.current", &SWAP)] {
            if let Some(text) = self.files.read(&group.dir, file, out) {
                if let Some(Some(value)) = parsed(parse::single(text), &group.dir, file, out) {
                    out.push(metric, &base, value as f64)?;
                }
            }
        }

        if let Some(text) = self.files.read(&group.dir, "memory.stat", out) {
            let mut v = [None; STAT_TYPES.len() + 2];
            let result = parse::flat_keyed(text, |k, value| {
                if let Some(i) = STAT_TYPES.iter().chain(&["pgfault", "pgmajfault"]).position(|&key| key == k) {
                    v[i] = Some(value);
                }
            });
            if parsed(result, &group.dir, "memory.stat", out).is_some() {
                for (t, value) in STAT_TYPES.iter().zip(v) {
                    if let Some(value) = value {
                        out.push(&STAT, &with("type", t), value as f64)?;
                    }
                }
                for (metric, value) in [(&PGFAULT, v[STAT_TYPES.len()]), (&PGMAJFAULT, v[STAT_TYPES.len() + 1])] {
                    if let Some(value) = value {
                        out.push(metric, &base, value as f64)?;
                    }
                }
            }
        }

        if let Some(text) = self.files.read(&group.dir, "memory.events", out) {
            let mut v = [None; EVENT_TYPES.len()];
            let result = parse::flat_keyed(text, |k, value| {
                if let Some(i) = EVENT_TYPES.iter().position(|&key| key == k) {
                    v[i] = Some(value);
                }
            });
            if parsed(result, &group.dir, "memory.events", out).is_some() {
                for (event, value) in EVENT_TYPES.iter().zip(v) {
                    if let Some(value) = value {
                        out.push(&EVENTS, &with("event", event), value as f64)?;
                    }
                }
            }
        }

        for (file, resource) in PRESSURE {
            if let Some(text) = self.files.read(&group.dir, file, out) {
                if let Some((some, full)) = parsed(parse::pressure(text), &group.dir, file, out) {
                    for (metric, usec) in [(&WAITING, some), (&STALLED, full)] {
                        if let Some(usec) = usec {
                            out.push(metric, &with("resource", resource), usec as f64 / 1e6)?;
                        }
                    }
                }
            }
        }

        if let Some(text) = self.files.read(&group.dir, "io.stat", out) {
            self.io.clear();
            let result = parse::io_stat(text, |line| self.io.push(line));
            if parsed(result, &group.dir, "io.stat", out).is_some() {
                for line in &self.io {
                    let device = self.devices.name(line.major, line.minor);
                    let labels = [base[0], base[1], ("device", device)];
                    out.push(&READ_BYTES, &labels, line.rbytes as f64)?;
                    out.push(&WRITTEN_BYTES, &labels, line.wbytes as f64)?;
                    out.push(&READS, &labels, line.rios as f64)?;
                    out.push(&WRITES, &labels, line.wios as f64)?;
                }
            }
        }
        Ok(())
    }
}

impl Collector for CgroupCollector {
    fn name(&self) -> &str {
        "cgroup"
    }

    fn can_block(&self) -> bool {
        // Reads cgroupfs files, which the kernel fills from memory.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        let mut groups = std::mem::take(&mut self.groups);
        layout::walk(&self.root, &mut groups, &mut |problem| out.degrade(problem));
        let result = groups.iter().try_for_each(|g| self.group(g, out));
        self.groups = groups;
        self.devices.end_read();
        result
    }
}

/// Reads interface files into a reused buffer.
#[derive(Default)]
struct Files {
    path: PathBuf,
    buf: Vec<u8>,
}

impl Files {
    /// Reads `<dir>/<file>`: `None` when it does not exist (the controller is not enabled
    /// for the group, or the group is gone) or, with the run degraded, cannot be read.
    fn read(&mut self, dir: &Path, file: &str, out: &mut Emitter) -> Option<&str> {
        let path = self.path.as_mut_os_string();
        path.clear();
        path.push(dir.as_os_str());
        path.push("/");
        path.push(file);
        match std::fs::File::open(&self.path).and_then(|mut f| read_whole(&mut f, &mut self.buf, true)) {
            Ok(len) => match std::str::from_utf8(&self.buf[..len]) {
                Ok(text) => Some(text),
                Err(e) => {
                    out.degrade(format_args!("{}: not UTF-8 text ({e})", self.path.display()));
                    None
                }
            },
            Err(e) if is_absent(&e) => None,
            Err(e) => {
                out.degrade(format_args!("reading {}: {e}", self.path.display()));
                None
            }
        }
    }
}

/// A file's parsed content; if it did not parse, `None` and the run is degraded with what
/// was wrong.
fn parsed<T>(result: Result<T, String>, dir: &Path, file: &str, out: &mut Emitter) -> Option<T> {
    result.map_err(|what| out.degrade(format_args!("{}: {what}", dir.join(file).display()))).ok()
}

/// Whether a read error means the file is not there for this group: missing (controller
/// off, group removed), or a removed group's or a disabled pressure file's error.
fn is_absent(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::NotFound || matches!(e.raw_os_error(), Some(libc::ENODEV) | Some(libc::EOPNOTSUPP))
}
