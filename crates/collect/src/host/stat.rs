//! The `stat` collector: the system-wide lines of `/proc/stat` (context switches,
//! interrupts, forks, running and blocked processes, boot time, softirqs), as node_exporter
//! names them.

use std::path::Path;

use crate::host::read::{bad_file, bad_line, number, read_into, Source};
use crate::{CollectError, Collector, Emitter, Metric};

const BOOT_TIME: Metric = Metric::gauge("node_boot_time_seconds", "When the machine booted, in seconds since the epoch.", "seconds");
const CONTEXT_SWITCHES: Metric = Metric::counter("node_context_switches_total", "Context switches since boot.", "");
const FORKS: Metric = Metric::counter("node_forks_total", "Processes and threads created since boot.", "");
const INTERRUPTS: Metric = Metric::counter("node_intr_total", "Interrupts serviced since boot, all kinds together.", "");
const RUNNING: Metric = Metric::gauge("node_procs_running", "Threads currently runnable.", "");
const BLOCKED: Metric = Metric::gauge("node_procs_blocked", "Threads currently blocked waiting for I/O to complete.", "");
const SOFTIRQS: Metric = Metric::counter("node_softirqs_total", "Software interrupts run since boot, per kind (vector).", "");

/// The softirq vectors in `/proc/stat` order, as node_exporter labels them.
const VECTORS: [&str; 10] = ["hi", "timer", "net_tx", "net_rx", "block", "block_iopoll", "tasklet", "sched", "hrtimer", "rcu"];

/// Reads system-wide counters from `/proc/stat`.
pub struct StatCollector {
    path: Source,
    buf: String,
}

impl StatCollector {
    /// A collector reading `<proc_root>/stat`.
    pub fn new(proc_root: &Path) -> StatCollector {
        StatCollector { path: Source::new(proc_root.join("stat")), buf: String::new() }
    }
}

impl Collector for StatCollector {
    fn name(&self) -> &str {
        "stat"
    }

    fn can_block(&self) -> bool {
        // Reads one procfs file.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        read_into(&mut self.path, &mut self.buf)?;
        let mut found = 0;
        for (n, line) in self.buf.lines().enumerate() {
            let mut fields = line.split_ascii_whitespace();
            let (Some(key), Some(first)) = (fields.next(), fields.next()) else { continue };
            let metric = match key {
                "btime" => &BOOT_TIME,
                "ctxt" => &CONTEXT_SWITCHES,
                "processes" => &FORKS,
                "intr" => &INTERRUPTS,
                "procs_running" => &RUNNING,
                "procs_blocked" => &BLOCKED,
                "softirq" => {
                    for (vector, value) in VECTORS.iter().zip(fields) {
                        match number(value) {
                            Some(v) => out.push(&SOFTIRQS, &[("vector", vector)], v)?,
                            None => out.degrade(bad_line(&self.path, n + 1, format!("softirq {vector}: {value:?} is not a number"))),
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            match number(first) {
                Some(v) => {
                    out.push(metric, &[], v)?;
                    found += 1;
                }
                None => out.degrade(bad_line(&self.path, n + 1, format!("{key}: {first:?} is not a number"))),
            }
        }
        if found == 0 {
            return Err(bad_file(&self.path, "none of btime, ctxt, processes, intr, procs_running, procs_blocked"));
        }
        Ok(())
    }
}
