//! The `cpu` collector: time each CPU spent per mode, from the `cpuN` lines of
//! `/proc/stat`, as node_exporter's `node_cpu_seconds_total` and
//! `node_cpu_guest_seconds_total`.
//!
//! Kernels are known to let a CPU's idle and iowait counters go backwards. As node_exporter
//! does, each CPU's last values are kept and a mode never reports less than before; when a
//! CPU's idle time jumps back by [`JUMP_BACK_SECONDS`] or more the CPU was most likely
//! replugged, and its kept values start over from the new read.

use std::collections::HashMap;

use crate::host::read::{bad_line, number, read_into, Source};
use crate::host::ticks_per_second;
use crate::{CollectError, Collector, Emitter, Metric};

const SECONDS: Metric = Metric::counter("node_cpu_seconds_total", "Seconds each CPU spent in each mode.", "seconds");
const GUEST: Metric =
    Metric::counter("node_cpu_guest_seconds_total", "Seconds each CPU spent running virtual CPUs of guests, per mode.", "seconds");

/// The columns of a `cpuN` line, in order, as node_exporter names the modes.
const MODES: [&str; 8] = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"];
const GUEST_MODES: [&str; 2] = ["user", "nice"];
/// The column of idle time in a `cpuN` line.
const IDLE: usize = 3;
/// How far back a CPU's idle time must jump for its kept values to start over.
const JUMP_BACK_SECONDS: f64 = 3.0;

/// One CPU's last reported seconds per column, and the read that last listed it.
struct Kept {
    seconds: [f64; 10],
    read: u64,
}

/// Reads per-CPU times from `/proc/stat`.
pub struct CpuCollector {
    path: Source,
    buf: String,
    ticks: f64,
    /// Last reported values by CPU number.
    kept: HashMap<String, Kept>,
    /// How many reads were made: CPUs not listed in the latest are dropped from `kept`.
    reads: u64,
}

impl CpuCollector {
    /// A collector reading `<proc_root>/stat`.
    pub fn new(proc_root: &std::path::Path) -> CpuCollector {
        CpuCollector {
            path: Source::new(proc_root.join("stat")),
            buf: String::new(),
            ticks: ticks_per_second(),
            kept: HashMap::new(),
            reads: 0,
        }
    }
}

impl Collector for CpuCollector {
    fn name(&self) -> &str {
        "cpu"
    }

    fn can_block(&self) -> bool {
        // Reads one procfs file.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        read_into(&mut self.path, &mut self.buf)?;
        self.reads += 1;
        let mut cpus = 0;
        for (n, line) in self.buf.lines().enumerate() {
            let Some(rest) = line.strip_prefix("cpu") else { continue };
            let Some((cpu, fields)) = rest.split_once(' ') else { continue };
            if cpu.is_empty() || !cpu.bytes().all(|b| b.is_ascii_digit()) {
                continue; // the "cpu  ..." line of all CPUs together
            }
            let fields = fields.split_ascii_whitespace();
            // A fixed array, not a Vec: no allocation per line.
            let mut values = [None; 10];
            let mut count = 0;
            for (slot, field) in values.iter_mut().zip(fields) {
                *slot = number(field);
                count += 1;
            }
            if count < MODES.len() || values[..count].iter().any(Option::is_none) {
                out.degrade(bad_line(&self.path, n + 1, format!("cpu{cpu}: expected at least 8 numbers")));
                continue;
            }
            let new = values.map(|v| v.unwrap_or(0.0) / self.ticks);
            let kept = match self.kept.get_mut(cpu) {
                Some(kept) => kept,
                None => self.kept.entry(cpu.to_owned()).or_insert(Kept { seconds: new, read: self.reads }),
            };
            kept.read = self.reads;
            if kept.seconds[IDLE] - new[IDLE] >= JUMP_BACK_SECONDS {
                kept.seconds = new;
            } else {
                for (k, n) in kept.seconds.iter_mut().zip(new) {
                    *k = k.max(n);
                }
            }
            for (mode, v) in MODES.iter().zip(kept.seconds) {
                out.push(&SECONDS, &[("cpu", cpu), ("mode", mode)], v)?;
            }
            for (mode, v) in GUEST_MODES.iter().zip(&kept.seconds[8..count]) {
                out.push(&GUEST, &[("cpu", cpu), ("mode", mode)], *v)?;
            }
            cpus += 1;
        }
        let reads = self.reads;
        self.kept.retain(|_, k| k.read == reads);
        if cpus == 0 {
            return Err(crate::host::read::bad_file(&self.path, "no cpuN lines"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::Harness;

    /// Writes a `/proc/stat` with one `cpuN` line per entry, in ticks.
    fn write_stat(dir: &std::path::Path, cpus: &[(u32, [u64; 10])]) {
        let mut text = String::from("cpu  1 2 3 4 5 6 7 8 9 10\n");
        for (n, v) in cpus {
            let v: Vec<String> = v.iter().map(u64::to_string).collect();
            text.push_str(&format!("cpu{n} {}\n", v.join(" ")));
        }
        std::fs::write(dir.join("stat"), text).unwrap();
    }

    #[test]
    fn counters_never_go_backwards_unless_a_cpu_was_replugged() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = CpuCollector::new(dir.path());
        c.ticks = 100.0;
        let mut h = Harness::new();
        let series = |cpu: u32, mode: &str| format!("node_cpu_seconds_total{{cpu=\"{cpu}\",mode=\"{mode}\"}}");
        write_stat(dir.path(), &[(0, [100, 0, 50, 10_000, 700, 0, 0, 0, 0, 0]), (1, [100, 0, 50, 10_000, 700, 0, 0, 0, 0, 0])]);
        let first = h.run(&mut c);
        assert_eq!(first.get(&series(0, "iowait")), 7.0);
        // iowait decreases on cpu0; cpu1's idle jumps back by 50 s: replugged.
        write_stat(dir.path(), &[(0, [200, 0, 50, 10_100, 600, 0, 0, 0, 0, 0]), (1, [10, 0, 5, 5_000, 100, 0, 0, 0, 0, 0])]);
        let second = h.run(&mut c);
        assert_eq!(second.get(&series(0, "iowait")), 7.0, "iowait went back: the last value is kept");
        assert_eq!(second.get(&series(0, "user")), 2.0);
        assert_eq!(second.get(&series(0, "idle")), 101.0);
        assert_eq!(second.get(&series(1, "idle")), 50.0, "a replugged CPU starts over");
        assert_eq!(second.get(&series(1, "iowait")), 1.0);
        // cpu1 goes offline, then comes back with lower values: nothing of it was kept.
        write_stat(dir.path(), &[(0, [300, 0, 50, 10_200, 800, 0, 0, 0, 0, 0])]);
        let third = h.run(&mut c);
        assert_eq!(third.get(&series(0, "iowait")), 8.0);
        assert!(third.family("node_cpu_seconds_total").iter().all(|(k, _)| k.contains("cpu=\"0\"")));
        write_stat(dir.path(), &[(0, [300, 0, 50, 10_200, 800, 0, 0, 0, 0, 0]), (1, [5, 0, 5, 4_900, 50, 0, 0, 0, 0, 0])]);
        assert_eq!(h.run(&mut c).get(&series(1, "iowait")), 0.5);
    }
}
