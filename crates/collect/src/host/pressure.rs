//! The `pressure` collector: pressure stall information from `/proc/pressure/{cpu,io,memory}`,
//! the time tasks waited ("some") or all stalled ("full"), as node_exporter names it.

use std::path::Path;

use crate::host::read::{bad_file, number, read_into, Source};
use crate::{CollectError, Collector, Emitter, Metric};

const CPU_WAITING: Metric =
    Metric::counter("node_pressure_cpu_waiting_seconds_total", "Time some runnable tasks waited for a CPU.", "seconds");
const IO_WAITING: Metric = Metric::counter("node_pressure_io_waiting_seconds_total", "Time some tasks waited for I/O.", "seconds");
const IO_STALLED: Metric =
    Metric::counter("node_pressure_io_stalled_seconds_total", "Time all non-idle tasks were stalled on I/O at once.", "seconds");
const MEMORY_WAITING: Metric =
    Metric::counter("node_pressure_memory_waiting_seconds_total", "Time some tasks waited for memory (reclaim, swap-in).", "seconds");
const MEMORY_STALLED: Metric =
    Metric::counter("node_pressure_memory_stalled_seconds_total", "Time all non-idle tasks were stalled on memory at once.", "seconds");

/// One resource's file and its families for "some" and "full" (none: not exported).
struct Resource {
    path: Source,
    some: &'static Metric,
    full: Option<&'static Metric>,
}

/// Reads the three pressure files.
pub struct PressureCollector {
    resources: [Resource; 3],
    buf: String,
}

impl PressureCollector {
    /// A collector reading `<proc_root>/pressure/*`.
    pub fn new(proc_root: &Path) -> PressureCollector {
        let dir = proc_root.join("pressure");
        PressureCollector {
            resources: [
                // node_exporter 1.5 leaves out cpu "full", which older kernels did not have.
                Resource { path: Source::new(dir.join("cpu")), some: &CPU_WAITING, full: None },
                Resource { path: Source::new(dir.join("io")), some: &IO_WAITING, full: Some(&IO_STALLED) },
                Resource { path: Source::new(dir.join("memory")), some: &MEMORY_WAITING, full: Some(&MEMORY_STALLED) },
            ],
            buf: String::new(),
        }
    }
}

/// The `total=` of a `some` or `full` line, in seconds (the file counts microseconds).
fn total_seconds(line: &str) -> Option<f64> {
    line.split_ascii_whitespace().find_map(|f| f.strip_prefix("total=")).and_then(number).map(|us| us / 1e6)
}

impl Collector for PressureCollector {
    fn name(&self) -> &str {
        "pressure"
    }

    fn can_block(&self) -> bool {
        // Reads procfs files.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        let mut read = 0;
        for r in &mut self.resources {
            if let Err(e) = read_into(&mut r.path, &mut self.buf) {
                out.degrade(e);
                continue;
            }
            read += 1;
            for line in self.buf.lines() {
                let (metric, kind) = match line.split_once(' ').map(|(k, _)| k) {
                    Some("some") => (Some(r.some), "some"),
                    Some("full") => (r.full, "full"),
                    _ => continue,
                };
                match (metric, total_seconds(line)) {
                    (Some(m), Some(v)) => out.push(m, &[], v)?,
                    (None, _) => {}
                    (Some(_), None) => out.degrade(bad_file(&r.path, format!("{kind} line without a numeric total=: {line:?}"))),
                }
            }
        }
        if read == 0 {
            return Err(bad_file(&self.resources[0].path, "no pressure file could be read"));
        }
        Ok(())
    }
}
