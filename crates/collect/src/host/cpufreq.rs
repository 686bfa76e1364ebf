//! The `cpufreq` collector: each CPU's current, lowest and highest frequency from
//! `/sys/devices/system/cpu/cpuN/cpufreq`, as node_exporter's `node_cpu_frequency_*` and
//! `node_cpu_scaling_frequency_*`.

use std::path::{Path, PathBuf};

use crate::host::read::{number, read_path_value};
use crate::{CollectError, Collector, Emitter, Metric};

/// The files read per CPU (kHz) and their families.
const FILES: [(&str, Metric); 6] = [
    ("cpuinfo_cur_freq", Metric::gauge("node_cpu_frequency_hertz", "Current frequency of the CPU, as the hardware reports it.", "hertz")),
    ("cpuinfo_min_freq", Metric::gauge("node_cpu_frequency_min_hertz", "Lowest frequency the CPU can run at.", "hertz")),
    ("cpuinfo_max_freq", Metric::gauge("node_cpu_frequency_max_hertz", "Highest frequency the CPU can run at.", "hertz")),
    (
        "scaling_cur_freq",
        Metric::gauge("node_cpu_scaling_frequency_hertz", "Current frequency of the CPU, as the governor set it.", "hertz"),
    ),
    ("scaling_min_freq", Metric::gauge("node_cpu_scaling_frequency_min_hertz", "Lowest frequency the governor may set.", "hertz")),
    ("scaling_max_freq", Metric::gauge("node_cpu_scaling_frequency_max_hertz", "Highest frequency the governor may set.", "hertz")),
];

/// Reads CPU frequencies.
pub struct CpufreqCollector {
    cpu_dir: PathBuf,
    buf: String,
}

impl CpufreqCollector {
    /// A collector reading under `<sys_root>/devices/system/cpu`.
    pub fn new(sys_root: &Path) -> CpufreqCollector {
        CpufreqCollector { cpu_dir: sys_root.join("devices/system/cpu"), buf: String::new() }
    }
}

impl Collector for CpufreqCollector {
    fn name(&self) -> &str {
        "cpufreq"
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        let entries = std::fs::read_dir(&self.cpu_dir).map_err(|source| CollectError::Read { path: self.cpu_dir.clone(), source })?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(cpu) =
                name.to_str().and_then(|n| n.strip_prefix("cpu")).filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            else {
                continue;
            };
            let dir = entry.path().join("cpufreq");
            for (file, metric) in &FILES {
                // Some files are root-only (cpuinfo_cur_freq) or missing with some drivers: skipped, as node_exporter does.
                let Ok(text) = read_path_value(&dir.join(file), &mut self.buf) else { continue };
                match number(text) {
                    Some(khz) => out.push(metric, &[("cpu", cpu)], khz * 1000.0)?,
                    None => out.degrade(format!("{}: {text:?} is not a number", dir.join(file).display())),
                }
            }
        }
        Ok(())
    }
}
