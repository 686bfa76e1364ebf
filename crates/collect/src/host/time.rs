//! The `time` collector: the system clock (`node_time_seconds`), the local time zone's
//! offset and the kernel's clock sources, as node_exporter names them.

use std::ffi::CStr;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::host::read::{read_value, Source};
use crate::{CollectError, Collector, Emitter, Metric};

const NOW: Metric = Metric::gauge("node_time_seconds", "The system clock, in seconds since the epoch.", "seconds");
const ZONE: Metric = Metric::gauge("node_time_zone_offset_seconds", "Offset of the local time zone from UTC.", "seconds");
const AVAILABLE: Metric = Metric::gauge("node_time_clocksource_available_info", "Always 1; a clock source the kernel can use.", "");
const CURRENT: Metric = Metric::gauge("node_time_clocksource_current_info", "Always 1; the clock source the kernel uses.", "");

/// Reads the clock, the time zone and `/sys/devices/system/clocksource`.
pub struct TimeCollector {
    /// (device number, its directory), listed once: clock source devices do not come and go.
    clocksources: Vec<(String, Source, Source)>,
    buf: String,
}

impl TimeCollector {
    /// A collector reading clock sources under `sys_root`.
    pub fn new(sys_root: &Path) -> TimeCollector {
        let dir = sys_root.join("devices/system/clocksource");
        let mut clocksources: Vec<(String, PathBuf, PathBuf)> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let device = name.strip_prefix("clocksource")?.to_owned();
                Some((device, e.path().join("available_clocksource"), e.path().join("current_clocksource")))
            })
            .collect();
        clocksources.sort();
        let clocksources = clocksources.into_iter().map(|(device, a, c)| (device, Source::new(a), Source::new(c))).collect();
        TimeCollector { clocksources, buf: String::new() }
    }
}

impl Collector for TimeCollector {
    fn name(&self) -> &str {
        "time"
    }

    fn can_block(&self) -> bool {
        // Reads the clock and the clocksource names in sysfs, kept in memory by the kernel.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
        out.push(&NOW, &[], now)?;
        // SAFETY: localtime_r writes into the zeroed struct we own; tm_zone then points at
        // a static string of the C library (or is null).
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        let secs = now as libc::time_t;
        if unsafe { !libc::localtime_r(&secs, &mut tm).is_null() } {
            let zone = if tm.tm_zone.is_null() { "".into() } else { unsafe { CStr::from_ptr(tm.tm_zone) }.to_string_lossy() };
            out.push(&ZONE, &[("time_zone", &zone)], tm.tm_gmtoff as f64)?;
        } else {
            out.degrade("localtime_r failed: no time zone offset");
        }
        for (device, available, current) in &mut self.clocksources {
            match read_value(available, &mut self.buf) {
                Ok(list) => {
                    for source in list.split_ascii_whitespace() {
                        out.push(&AVAILABLE, &[("clocksource", source), ("device", device)], 1.0)?;
                    }
                }
                Err(e) => out.degrade(e),
            }
            match read_value(current, &mut self.buf) {
                Ok(source) => out.push(&CURRENT, &[("clocksource", source), ("device", device)], 1.0)?,
                Err(e) => out.degrade(e),
            }
        }
        Ok(())
    }
}
