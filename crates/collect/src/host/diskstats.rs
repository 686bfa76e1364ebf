//! The `diskstats` collector: `/proc/diskstats` as node_exporter 1.5's `node_disk_*`, per
//! whole device (partitions, loop and RAM disks left out by `collection.disks.devices_exclude`),
//! and `node_disk_info` with the udev properties node_exporter adds when udev knows them.

use std::path::{Path, PathBuf};

use regex::Regex;

use crate::device_cache::DeviceCache;
use crate::host::read::{bad_file, bad_line, read_into, Source};
use crate::{CollectError, Collector, Emitter, Metric};

/// Bytes in one sector as `/proc/diskstats` counts them, whatever the device's own.
const SECTOR: f64 = 512.0;

const INFO: Metric = Metric::gauge("node_disk_info", "Always 1; the labels describe the block device.", "");

/// The counted columns of a line (after major, minor and name), in order: family and
/// how to scale the value (`SECTOR` for sectors to bytes, 0.001 for ms to seconds).
const COLUMNS: [(Metric, f64); 17] = [
    (Metric::counter("node_disk_reads_completed_total", "Reads completed.", ""), 1.0),
    (Metric::counter("node_disk_reads_merged_total", "Adjacent reads merged into one.", ""), 1.0),
    (Metric::counter("node_disk_read_bytes_total", "Bytes read.", "bytes"), SECTOR),
    (Metric::counter("node_disk_read_time_seconds_total", "Time spent by all reads.", "seconds"), 0.001),
    (Metric::counter("node_disk_writes_completed_total", "Writes completed.", ""), 1.0),
    (Metric::counter("node_disk_writes_merged_total", "Adjacent writes merged into one.", ""), 1.0),
    (Metric::counter("node_disk_written_bytes_total", "Bytes written.", "bytes"), SECTOR),
    (Metric::counter("node_disk_write_time_seconds_total", "Time spent by all writes.", "seconds"), 0.001),
    (Metric::gauge("node_disk_io_now", "I/Os in progress right now.", ""), 1.0),
    (Metric::counter("node_disk_io_time_seconds_total", "Time the device had I/O in progress (busy time).", "seconds"), 0.001),
    (
        Metric::counter(
            "node_disk_io_time_weighted_seconds_total",
            "Time spent doing I/Os, weighted by the number in progress (queue length times time).",
            "seconds",
        ),
        0.001,
    ),
    (Metric::counter("node_disk_discards_completed_total", "Discards completed.", ""), 1.0),
    (Metric::counter("node_disk_discards_merged_total", "Adjacent discards merged into one.", ""), 1.0),
    (Metric::counter("node_disk_discarded_sectors_total", "Sectors discarded.", ""), 1.0),
    (Metric::counter("node_disk_discard_time_seconds_total", "Time spent by all discards.", "seconds"), 0.001),
    (Metric::counter("node_disk_flush_requests_total", "Flush requests completed.", ""), 1.0),
    (Metric::counter("node_disk_flush_requests_time_seconds_total", "Time spent by all flush requests.", "seconds"), 0.001),
];

/// udev properties node_exporter puts on `node_disk_info`, and its label for each.
const UDEV_LABELS: [(&str, &str); 5] =
    [("ID_PATH", "path"), ("ID_WWN", "wwn"), ("ID_MODEL", "model"), ("ID_SERIAL_SHORT", "serial"), ("ID_REVISION", "revision")];

/// Reads `/proc/diskstats`.
pub struct DiskstatsCollector {
    path: Source,
    udev_dir: PathBuf,
    exclude: Option<Regex>,
    buf: String,
    /// udev labels per `major:minor`, read once per device (again now and then while udev
    /// has no record of it), forgotten once the device is gone.
    udev: DeviceCache<Vec<(&'static str, String)>>,
}

impl DiskstatsCollector {
    /// A collector reading `<proc_root>/diskstats` and udev's database under `udev_dir`,
    /// leaving out devices whose name `exclude` matches.
    pub fn new(proc_root: &Path, udev_dir: PathBuf, exclude: Option<Regex>) -> DiskstatsCollector {
        DiskstatsCollector {
            path: Source::new(proc_root.join("diskstats")),
            udev_dir,
            exclude,
            buf: String::new(),
            udev: DeviceCache::new(),
        }
    }
}

/// The labels node_exporter takes from udev's record of block device `major:minor`
/// (lines `E:KEY=VALUE`), and whether udev has a record (none: no labels).
fn udev_labels(dir: &Path, major: &str, minor: &str) -> (Vec<(&'static str, String)>, bool) {
    let Ok(text) = std::fs::read_to_string(dir.join(format!("b{major}:{minor}"))) else { return (Vec::new(), false) };
    let mut labels = Vec::new();
    for (key, label) in UDEV_LABELS {
        let value = text.lines().filter_map(|l| l.strip_prefix("E:")).find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')));
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            labels.push((label, v.to_owned()));
        }
    }
    (labels, true)
}

impl Collector for DiskstatsCollector {
    fn name(&self) -> &str {
        "diskstats"
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        read_into(&mut self.path, &mut self.buf)?;
        let mut lines = 0;
        for (n, line) in self.buf.lines().enumerate() {
            let mut fields = line.split_ascii_whitespace();
            let (Some(major), Some(minor), Some(device)) = (fields.next(), fields.next(), fields.next()) else {
                if !line.trim().is_empty() {
                    out.degrade(bad_line(&self.path, n + 1, "fewer than 3 fields"));
                }
                continue;
            };
            lines += 1;
            if self.exclude.as_ref().is_some_and(|r| r.is_match(device)) {
                continue;
            }
            let mut values = [0.0; 17];
            let mut count = 0;
            let mut bad = None;
            for (slot, text) in values.iter_mut().zip(fields) {
                match text.parse::<u64>() {
                    Ok(v) => *slot = v as f64,
                    Err(_) => bad = bad.or(Some(text)),
                }
                count += 1;
            }
            // Kernels before 4.18 have 11 columns, before 5.5 15; the rest are left out.
            if let Some(text) = bad.or(if count < 11 { Some("") } else { None }) {
                out.degrade(bad_line(&self.path, n + 1, format!("device {device:?}: expected at least 11 whole numbers, got {text:?}")));
                continue;
            }
            for ((metric, scale), v) in COLUMNS.iter().zip(&values[..count]) {
                out.push(metric, &[("device", device)], v * scale)?;
            }
            let (Ok(maj), Ok(min)) = (major.parse::<u32>(), minor.parse::<u32>()) else {
                out.degrade(bad_line(&self.path, n + 1, format!("device {device:?}: major {major:?} or minor {minor:?} is not a number")));
                continue;
            };
            let udev_dir = &self.udev_dir;
            let extra: &[(&str, String)] = self.udev.get((maj, min), || udev_labels(udev_dir, major, minor));
            let mut labels: [(&str, &str); 8] = [("", ""); 8];
            labels[0] = ("device", device);
            labels[1] = ("major", major);
            labels[2] = ("minor", minor);
            for (slot, (name, value)) in labels[3..].iter_mut().zip(extra) {
                *slot = (name, value.as_str());
            }
            out.push(&INFO, &labels[..3 + extra.len()], 1.0)?;
        }
        self.udev.end_read();
        if lines == 0 {
            return Err(bad_file(&self.path, "no devices"));
        }
        Ok(())
    }
}
