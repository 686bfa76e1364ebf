//! The `loadavg` collector: `/proc/loadavg` as `node_load1`, `node_load5`, `node_load15`.

use std::path::Path;

use crate::host::read::{bad_file, read_into, Source};
use crate::{CollectError, Collector, Emitter, Metric};

const LOAD: [Metric; 3] = [
    Metric::gauge("node_load1", "Load average over 1 minute: runnable and uninterruptible threads.", ""),
    Metric::gauge("node_load5", "Load average over 5 minutes.", ""),
    Metric::gauge("node_load15", "Load average over 15 minutes.", ""),
];

/// Reads `/proc/loadavg`.
pub struct LoadavgCollector {
    path: Source,
    buf: String,
}

impl LoadavgCollector {
    /// A collector reading `<proc_root>/loadavg`.
    pub fn new(proc_root: &Path) -> LoadavgCollector {
        LoadavgCollector { path: Source::new(proc_root.join("loadavg")), buf: String::new() }
    }
}

impl Collector for LoadavgCollector {
    fn name(&self) -> &str {
        "loadavg"
    }

    fn can_block(&self) -> bool {
        // Reads one procfs file.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        read_into(&mut self.path, &mut self.buf)?;
        let mut fields = self.buf.split_ascii_whitespace();
        let mut values = [0.0; 3];
        for v in &mut values {
            let text = fields.next().unwrap_or("");
            *v = text.parse().map_err(|_| bad_file(&self.path, format!("{text:?} is not a load average")))?;
        }
        for (metric, v) in LOAD.iter().zip(values) {
            out.push(metric, &[], v)?;
        }
        Ok(())
    }
}
