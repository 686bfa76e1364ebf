//! The `top_processes` collector: without any configuration, the processes that use the
//! most CPU and memory, grouped by process name so the series stay few.
//!
//! Gauges, not counters: a group enters and leaves the top as ranks change, and a counter
//! that appears and disappears would make `rate()` see resets and gaps. Instead the
//! collector works out each group's CPU use over the last interval itself
//! (`vitals_top_process_cpu_usage_ratio`, in cores) and reports it with the group's resident
//! memory and process count. A group that leaves the top simply stops being written, and the
//! scheduler marks its series stale.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use super::procfs::{self, Got, ProcFiles};
use crate::{CollectError, Collector, Emitter, Metric};

const CPU: Metric = Metric::gauge(
    "vitals_top_process_cpu_usage_ratio",
    "CPU used over the last collection interval by the processes of this name, in cores (1 = one core busy).",
    "",
);
const RESIDENT: Metric =
    Metric::gauge("vitals_top_process_resident_memory_bytes", "Resident memory of the processes of this name.", "bytes");
/// Every this many scans the known kernel threads are read again.
const RECHECK_KERNEL_THREADS: u64 = 60;

const COUNT: Metric = Metric::gauge("vitals_top_process_count", "Number of processes of this name.", "");

/// One process name's totals in the current scan.
#[derive(Debug, Default)]
struct Group {
    /// CPU ticks used since the previous scan.
    cpu_ticks: u64,
    rss_pages: u64,
    count: u64,
    /// In one of the tops this scan.
    chosen: Cell<bool>,
}

/// Reports the top `n` process names by CPU use over the last interval and the top `n` by
/// resident memory (a name in both lists is written once, with all three series), from every
/// user-space process' `/proc/<pid>/stat` (kernel threads are skipped). A process started
/// since the previous scan counts all its CPU time; the last moments of one that exited
/// between scans are not seen.
pub struct TopProcessesCollector {
    files: ProcFiles,
    n: usize,
    pids: Vec<u32>,
    /// Per pid: start time and CPU ticks at the previous scan.
    previous: HashMap<u32, (u64, u64)>,
    current: HashMap<u32, (u64, u64)>,
    groups: HashMap<String, Group>,
    /// When the previous scan ran (`None` before the first).
    last_scan: Option<Instant>,
    /// Pids seen to be kernel threads, not read again: usually most of the pids, and a pid
    /// stays a kernel thread until it exits. A pid no longer listed leaves the set; in case
    /// one was reused between two scans, the set is emptied every `RECHECK_KERNEL_THREADS`.
    kernel_threads: HashSet<u32>,
    scans: u64,
    ticks_per_second: f64,
    page_size: f64,
}

impl TopProcessesCollector {
    /// A collector of the top `n` names, reading the `/proc` tree at `proc_root`.
    pub fn new(proc_root: PathBuf, n: usize) -> TopProcessesCollector {
        let (ticks_per_second, page_size) = procfs::ticks_and_page_size();
        TopProcessesCollector {
            files: ProcFiles::new(proc_root),
            n,
            pids: Vec::new(),
            previous: HashMap::new(),
            current: HashMap::new(),
            groups: HashMap::new(),
            last_scan: None,
            kernel_threads: HashSet::new(),
            scans: 0,
            ticks_per_second,
            page_size,
        }
    }

    /// Reads every process' stat into the groups.
    fn scan(&mut self, out: &mut Emitter) {
        for g in self.groups.values_mut() {
            *g = Group::default();
        }
        self.current.clear();
        let first = self.last_scan.is_none();
        if self.scans.is_multiple_of(RECHECK_KERNEL_THREADS) {
            self.kernel_threads.clear();
        } else {
            let pids = &self.pids;
            self.kernel_threads.retain(|p| pids.binary_search(p).is_ok());
        }
        self.scans += 1;
        for &pid in &self.pids {
            if self.kernel_threads.contains(&pid) {
                continue;
            }
            let (comm, stat) = match self.files.read(pid, "stat") {
                Got::Bytes(b) => match procfs::parse_stat(b) {
                    Ok((comm, stat)) => (comm, stat),
                    Err(what) => {
                        out.degrade(format_args!("{}: {what}", self.files.path_of(pid, "stat").display()));
                        continue;
                    }
                },
                Got::Gone => continue,
                Got::Failed(e) => {
                    out.degrade(format_args!("reading {}: {e}", self.files.path_of(pid, "stat").display()));
                    continue;
                }
            };
            if stat.kernel_thread {
                self.kernel_threads.insert(pid);
                self.files.close(pid, "stat");
                continue;
            }
            let ticks = stat.utime.saturating_add(stat.stime);
            self.current.insert(pid, (stat.start, ticks));
            let used = match self.previous.get(&pid) {
                Some(&(start, before)) if start == stat.start => ticks.saturating_sub(before),
                // New since the previous scan: all its time was spent in the interval.
                _ if !first => ticks,
                _ => 0,
            };
            let name = String::from_utf8_lossy(comm);
            let group = match self.groups.get_mut(name.as_ref()) {
                Some(g) => g,
                None => self.groups.entry(name.into_owned()).or_default(),
            };
            group.cpu_ticks = group.cpu_ticks.saturating_add(used);
            group.rss_pages = group.rss_pages.saturating_add(stat.rss_pages);
            group.count = group.count.saturating_add(1);
        }
        self.groups.retain(|_, g| g.count > 0);
        std::mem::swap(&mut self.previous, &mut self.current);
    }

    /// Marks the top `n` groups by `key`, leaving out zeros.
    fn choose_top(&self, key: impl Fn(&Group) -> f64) {
        let mut ranked: Vec<(f64, &str, &Group)> =
            self.groups.iter().map(|(name, g)| (key(g), name.as_str(), g)).filter(|(value, _, _)| *value > 0.0).collect();
        // Highest first; ties by name, so the choice is stable.
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        for (_, _, g) in ranked.iter().take(self.n) {
            g.chosen.set(true);
        }
    }
}

impl Collector for TopProcessesCollector {
    fn name(&self) -> &str {
        "top_processes"
    }

    fn can_block(&self) -> bool {
        // Reads only `/proc/<pid>/stat`, which the kernel fills without waiting on the process' memory.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        if let Err(source) = self.files.pids(&mut self.pids) {
            return Err(CollectError::Read { path: self.files.root().to_path_buf(), source });
        }
        let now = Instant::now();
        let elapsed = self.last_scan.map(|t| now.duration_since(t).as_secs_f64()).filter(|&s| s > 0.0);
        self.scan(out);
        self.last_scan = Some(now);

        if elapsed.is_some() {
            self.choose_top(|g| g.cpu_ticks as f64);
        }
        self.choose_top(|g| g.rss_pages as f64);
        for (name, g) in self.groups.iter().filter(|(_, g)| g.chosen.get()) {
            let labels = [("name", name.as_str())];
            if let Some(seconds) = elapsed {
                out.push(&CPU, &labels, g.cpu_ticks as f64 / self.ticks_per_second / seconds)?;
            }
            out.push(&RESIDENT, &labels, g.rss_pages as f64 * self.page_size)?;
            out.push(&COUNT, &labels, g.count as f64)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::Harness;

    #[test]
    fn only_user_processes_stat_files_stay_open() {
        let mut top = TopProcessesCollector::new("/proc".into(), 10);
        let mut h = Harness::new();
        for _ in 0..2 {
            assert_eq!(h.run(&mut top).degraded, None);
        }
        // Which ones depends on the machine's processes (the limit may fill with lower pids
        // first): only that some are, within the limit, and that none is a kernel thread's.
        let kept = top.files.kept.len();
        assert!(kept > 0 && kept <= top.files.keep_limit, "{kept} files kept open, limit {}", top.files.keep_limit);
        for &(pid, _) in top.files.kept.keys() {
            if let Ok(text) = std::fs::read(format!("/proc/{pid}/stat")) {
                assert!(!procfs::parse_stat(&text).unwrap().1.kernel_thread, "{pid} is a kernel thread");
            }
        }
    }
}
