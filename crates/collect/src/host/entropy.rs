//! The `entropy` collector: the kernel's entropy pool, as `node_entropy_available_bits`
//! and `node_entropy_pool_size_bits`.

use std::path::Path;

use crate::host::read::{bad_file, number, read_value, Source};
use crate::{CollectError, Collector, Emitter, Metric};

const AVAILABLE: Metric = Metric::gauge("node_entropy_available_bits", "Bits of entropy available to the kernel's random generator.", "");
const POOL_SIZE: Metric = Metric::gauge("node_entropy_pool_size_bits", "Size of the kernel's entropy pool, in bits.", "");

/// Reads `/proc/sys/kernel/random/{entropy_avail,poolsize}`.
pub struct EntropyCollector {
    files: [(Source, &'static Metric); 2],
    buf: String,
}

impl EntropyCollector {
    /// A collector reading under `<proc_root>/sys/kernel/random`.
    pub fn new(proc_root: &Path) -> EntropyCollector {
        let dir = proc_root.join("sys/kernel/random");
        EntropyCollector {
            files: [(Source::new(dir.join("entropy_avail")), &AVAILABLE), (Source::new(dir.join("poolsize")), &POOL_SIZE)],
            buf: String::new(),
        }
    }
}

impl Collector for EntropyCollector {
    fn name(&self) -> &str {
        "entropy"
    }

    fn can_block(&self) -> bool {
        // Reads procfs values.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        for (path, metric) in &mut self.files {
            let text = read_value(path, &mut self.buf)?;
            let v = number(text).ok_or_else(|| bad_file(path, format!("{text:?} is not a number")))?;
            out.push(metric, &[], v)?;
        }
        Ok(())
    }
}
