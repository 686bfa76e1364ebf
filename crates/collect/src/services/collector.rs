//! The `services` collector: CPU, memory, threads, file descriptors, I/O and context
//! switches of the configured services, each the sum over its processes.

use std::collections::HashSet;
use std::path::PathBuf;

use super::ledger::{Counters, Ledger};
use super::matching::Matcher;
use super::procfs::{self, Got, ProcFiles, Stat};
use super::spec::ServiceSpec;
use crate::{CollectError, Collector, Emitter, Metric};

const UP: Metric = Metric::gauge("vitals_service_up", "Whether any process of the service is running (1) or none is (0).", "");
const PROCESSES: Metric = Metric::gauge("vitals_service_processes", "Number of processes of the service.", "");
const CPU: Metric = Metric::counter(
    "vitals_service_cpu_seconds_total",
    "CPU time spent by the service's processes, including those that have exited, by mode.",
    "seconds",
);
const RESIDENT: Metric = Metric::gauge("vitals_service_resident_memory_bytes", "Resident memory of the service's processes.", "bytes");
const VIRTUAL: Metric = Metric::gauge("vitals_service_virtual_memory_bytes", "Virtual memory size of the service's processes.", "bytes");
const THREADS: Metric = Metric::gauge("vitals_service_threads", "Number of threads of the service's processes.", "");
const OPEN_FDS: Metric = Metric::gauge("vitals_service_open_fds", "Number of file descriptors the service's processes have open.", "");
const READ: Metric = Metric::counter(
    "vitals_service_read_bytes_total",
    "Bytes the service's processes, including those that have exited, read from storage.",
    "bytes",
);
const WRITE: Metric = Metric::counter(
    "vitals_service_write_bytes_total",
    "Bytes the service's processes, including those that have exited, wrote to storage.",
    "bytes",
);
const CTX: Metric = Metric::counter(
    "vitals_service_context_switches_total",
    "Context switches of the main threads of the service's processes, including those that have exited.",
    "",
);
const OLDEST: Metric = Metric::gauge(
    "vitals_service_oldest_start_time_seconds",
    "Start time of the service's oldest process since the Unix epoch.",
    "seconds",
);

/// This scan's gauges of one service.
#[derive(Default)]
struct Gauges {
    processes: u64,
    threads: u64,
    rss_pages: u64,
    vsize: u64,
    fds: u64,
    /// Earliest start, in ticks after boot.
    oldest: Option<u64>,
}

/// Watches the configured services through `/proc`: every process is matched to at most
/// one service (see [`ServiceSpec`]), and each service's series are the sums over its
/// processes. Counters include processes that have exited (see `ledger.rs`), so they never
/// go backwards while Vitals runs. Only the matched processes' `status`, `io` and `fd` are
/// read. Files of other users' processes that cannot be read make the run degraded.
pub struct ServicesCollector {
    files: ProcFiles,
    matcher: Matcher,
    ledgers: Vec<Ledger>,
    /// Per service: some process' I/O counts were readable, so its I/O series exist.
    io_seen: Vec<bool>,
    gauges: Vec<Gauges>,
    pids: Vec<u32>,
    assigned: Vec<(u32, usize)>,
    /// Processes of the previous scan (`None` before the first).
    previous: Option<HashSet<u32>>,
    ticks_per_second: f64,
    page_size: f64,
    boot_time: Option<f64>,
}

impl ServicesCollector {
    /// A collector of `specs` (in configuration order) reading the `/proc` tree at
    /// `proc_root`. Creating it reads nothing.
    pub fn new(proc_root: PathBuf, specs: Vec<ServiceSpec>) -> ServicesCollector {
        let (ticks_per_second, page_size) = procfs::ticks_and_page_size();
        ServicesCollector {
            files: ProcFiles::new(proc_root),
            ledgers: specs.iter().map(|_| Ledger::default()).collect(),
            io_seen: vec![false; specs.len()],
            gauges: specs.iter().map(|_| Gauges::default()).collect(),
            matcher: Matcher::new(specs),
            pids: Vec::new(),
            assigned: Vec::new(),
            previous: None,
            ticks_per_second,
            page_size,
            boot_time: None,
        }
    }

    /// Reads one matched process into its service's ledger and gauges.
    fn read_process(&mut self, pid: u32, service: usize, new: bool, out: &mut Emitter) {
        let stat = match self.matcher.stats.get(&pid) {
            Some((stat, _)) => *stat,
            None => match read_stat(&mut self.files, pid, out) {
                Some(stat) => stat,
                None => return,
            },
        };
        let (voluntary, nonvoluntary) = match self.files.read(pid, "status") {
            Got::Bytes(b) => {
                match (procfs::keyed_value(b, b"voluntary_ctxt_switches"), procfs::keyed_value(b, b"nonvoluntary_ctxt_switches")) {
                    (Ok(v), Ok(n)) => (v.unwrap_or(0), n.unwrap_or(0)),
                    (Err(what), _) | (_, Err(what)) => {
                        out.degrade(format_args!("{}: {what}", self.files.path_of(pid, "status").display()));
                        return;
                    }
                }
            }
            Got::Gone => return,
            Got::Failed(e) => {
                out.degrade(format_args!("reading {}: {e}", self.files.path_of(pid, "status").display()));
                return;
            }
        };
        let mut counters = Counters { user_ticks: stat.utime, system_ticks: stat.stime, voluntary, nonvoluntary, ..Counters::default() };
        let io_known = match self.files.read(pid, "io") {
            Got::Bytes(b) => match (procfs::keyed_value(b, b"read_bytes"), procfs::keyed_value(b, b"write_bytes")) {
                (Ok(Some(r)), Ok(Some(w))) => {
                    counters.read_bytes = r;
                    counters.write_bytes = w;
                    true
                }
                (Err(what), _) | (_, Err(what)) => {
                    out.degrade(format_args!("{}: {what}", self.files.path_of(pid, "io").display()));
                    false
                }
                _ => {
                    out.degrade(format_args!("{}: no read_bytes or write_bytes line", self.files.path_of(pid, "io").display()));
                    false
                }
            },
            Got::Gone => return,
            Got::Failed(e) => {
                out.degrade(format_args!("reading {}: {e}", self.files.path_of(pid, "io").display()));
                false
            }
        };
        let fds = match self.files.count_entries(pid, "fd") {
            Ok(Some(n)) => n as u64,
            Ok(None) => return,
            Err(e) => {
                out.degrade(format_args!("reading {}: {e}", self.files.path_of(pid, "fd").display()));
                0
            }
        };
        self.io_seen[service] |= io_known;
        self.ledgers[service].observe(pid, stat.start, counters, io_known, new);
        let g = &mut self.gauges[service];
        g.processes += 1;
        g.threads = g.threads.saturating_add(stat.threads);
        g.rss_pages = g.rss_pages.saturating_add(stat.rss_pages);
        g.vsize = g.vsize.saturating_add(stat.vsize);
        g.fds = g.fds.saturating_add(fds);
        g.oldest = Some(g.oldest.map_or(stat.start, |o| o.min(stat.start)));
    }

    /// The boot time in seconds since the epoch, read once; while unreadable, the run is degraded.
    fn boot_time(&mut self, out: &mut Emitter) -> Option<f64> {
        if self.boot_time.is_none() {
            match procfs::boot_time(self.files.root()) {
                Ok(t) => self.boot_time = Some(t as f64),
                Err(what) => out.degrade(what),
            }
        }
        self.boot_time
    }

    /// Writes every service's series.
    fn emit(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        let boot_time = if self.gauges.iter().any(|g| g.oldest.is_some()) { self.boot_time(out) } else { None };
        for (i, spec) in self.matcher.specs().iter().enumerate() {
            let labels = [("service", spec.name.as_str())];
            let g = &self.gauges[i];
            let c = self.ledgers[i].totals();
            out.push(&UP, &labels, if g.processes > 0 { 1.0 } else { 0.0 })?;
            out.push(&PROCESSES, &labels, g.processes as f64)?;
            let ticks = self.ticks_per_second;
            out.push(&CPU, &[("service", &spec.name), ("mode", "user")], c.user_ticks as f64 / ticks)?;
            out.push(&CPU, &[("service", &spec.name), ("mode", "system")], c.system_ticks as f64 / ticks)?;
            out.push(&RESIDENT, &labels, g.rss_pages as f64 * self.page_size)?;
            out.push(&VIRTUAL, &labels, g.vsize as f64)?;
            out.push(&THREADS, &labels, g.threads as f64)?;
            out.push(&OPEN_FDS, &labels, g.fds as f64)?;
            if self.io_seen[i] {
                out.push(&READ, &labels, c.read_bytes as f64)?;
                out.push(&WRITE, &labels, c.write_bytes as f64)?;
            }
            out.push(&CTX, &[("service", &spec.name), ("ctxswitch", "voluntary")], c.voluntary as f64)?;
            out.push(&CTX, &[("service", &spec.name), ("ctxswitch", "nonvoluntary")], c.nonvoluntary as f64)?;
            if let (Some(oldest), Some(boot)) = (g.oldest, boot_time) {
                out.push(&OLDEST, &labels, boot + oldest as f64 / ticks)?;
            }
        }
        Ok(())
    }
}

impl Collector for ServicesCollector {
    fn name(&self) -> &str {
        "services"
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        if let Err(source) = self.files.pids(&mut self.pids) {
            return Err(CollectError::Read { path: self.files.root().to_path_buf(), source });
        }
        self.matcher.assign(&mut self.files, &self.pids, &mut self.assigned, out);
        for g in &mut self.gauges {
            *g = Gauges::default();
        }
        let assigned = std::mem::take(&mut self.assigned);
        for &(pid, service) in &assigned {
            let new = self.previous.as_ref().is_none_or(|p| !p.contains(&pid));
            self.read_process(pid, service, new, out);
        }
        self.assigned = assigned;
        for l in &mut self.ledgers {
            l.settle();
        }
        let previous = self.previous.get_or_insert_with(HashSet::new);
        previous.clear();
        previous.extend(self.pids.iter().copied());
        self.emit(out)
    }
}

/// Reads and parses a process' stat; `None` when it is gone or (with a noted problem) unreadable.
fn read_stat(files: &mut ProcFiles, pid: u32, out: &mut Emitter) -> Option<Stat> {
    match files.read(pid, "stat") {
        Got::Bytes(b) => match procfs::parse_stat(b) {
            Ok((_, stat)) => Some(stat),
            Err(what) => {
                out.degrade(format_args!("{}: {what}", files.path_of(pid, "stat").display()));
                None
            }
        },
        Got::Gone => None,
        Got::Failed(e) => {
            out.degrade(format_args!("reading {}: {e}", files.path_of(pid, "stat").display()));
            None
        }
    }
}
