//! The `timex` collector: the kernel clock's discipline state from adjtimex(2) (offset,
//! frequency, errors, PPS), as node_exporter's `node_timex_*`.

use std::path::PathBuf;

use crate::{CollectError, Collector, Emitter, Metric};

/// adjtimex's answer when the clock is not synchronised.
const TIME_ERROR: i32 = 5;
/// `status` bit: offsets and jitter are in nanoseconds, not microseconds.
const STA_NANO: i32 = 0x2000;
/// Scaled parts per million: ppm with a 16-bit fraction.
const PPM16: f64 = 65536.0 * 1e6;

const SYNC: Metric = Metric::gauge("node_timex_sync_status", "Whether the clock is synchronised to a reliable server (1) or not (0).", "");
const OFFSET: Metric = Metric::gauge("node_timex_offset_seconds", "Time offset between the local clock and its reference.", "seconds");
const FREQ: Metric = Metric::gauge("node_timex_frequency_adjustment_ratio", "Local clock frequency adjustment, as a ratio.", "");
const MAXERROR: Metric = Metric::gauge("node_timex_maxerror_seconds", "Maximum error estimate.", "seconds");
const ESTERROR: Metric = Metric::gauge("node_timex_estimated_error_seconds", "Estimated error.", "seconds");
const STATUS: Metric = Metric::gauge("node_timex_status", "Clock status bits (STA_*).", "");
const CONSTANT: Metric = Metric::gauge("node_timex_loop_time_constant", "Phase-locked loop time constant.", "");
const TICK: Metric = Metric::gauge("node_timex_tick_seconds", "Time between clock ticks.", "seconds");
const PPS_FREQ: Metric = Metric::gauge("node_timex_pps_frequency_hertz", "Pulse-per-second frequency.", "hertz");
const PPS_JITTER: Metric = Metric::gauge("node_timex_pps_jitter_seconds", "Pulse-per-second jitter.", "seconds");
const PPS_SHIFT: Metric = Metric::gauge("node_timex_pps_shift_seconds", "Pulse-per-second interval duration (log2 seconds).", "seconds");
const PPS_STABILITY: Metric =
    Metric::gauge("node_timex_pps_stability_hertz", "Pulse-per-second stability: average of recent frequency changes.", "hertz");
const PPS_JITTER_COUNT: Metric = Metric::counter("node_timex_pps_jitter_total", "Pulse-per-second jitter limit exceeded.", "");
const PPS_CALIBRATION: Metric = Metric::counter("node_timex_pps_calibration_total", "Pulse-per-second calibration intervals.", "");
const PPS_ERRORS: Metric = Metric::counter("node_timex_pps_error_total", "Pulse-per-second calibration errors.", "");
const PPS_STABILITY_EXCEEDED: Metric =
    Metric::counter("node_timex_pps_stability_exceeded_total", "Pulse-per-second stability limit exceeded.", "");
const TAI: Metric = Metric::gauge("node_timex_tai_offset_seconds", "International Atomic Time (TAI) offset from UTC.", "seconds");

/// Asks the kernel with adjtimex(2), changing nothing.
#[derive(Default)]
pub struct TimexCollector;

impl Collector for TimexCollector {
    fn name(&self) -> &str {
        "timex"
    }

    fn can_block(&self) -> bool {
        // One system call.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        // SAFETY: adjtimex with modes 0 only reads; it writes into the zeroed struct we own.
        let mut t: libc::timex = unsafe { std::mem::zeroed() };
        let state = unsafe { libc::adjtimex(&mut t) };
        if state < 0 {
            return Err(CollectError::Read { path: PathBuf::from("adjtimex(2)"), source: std::io::Error::last_os_error() });
        }
        let divisor = if t.status & STA_NANO != 0 { 1e9 } else { 1e6 };
        let values: [(&'static Metric, f64); 17] = [
            (&SYNC, if state == TIME_ERROR { 0.0 } else { 1.0 }),
            (&OFFSET, t.offset as f64 / divisor),
            (&FREQ, 1.0 + t.freq as f64 / PPM16),
            (&MAXERROR, t.maxerror as f64 / 1e6),
            (&ESTERROR, t.esterror as f64 / 1e6),
            (&STATUS, f64::from(t.status)),
            (&CONSTANT, t.constant as f64),
            (&TICK, t.tick as f64 / 1e6),
            (&PPS_FREQ, t.ppsfreq as f64 / PPM16),
            (&PPS_JITTER, t.jitter as f64 / divisor),
            (&PPS_SHIFT, f64::from(t.shift)),
            (&PPS_STABILITY, t.stabil as f64 / PPM16),
            (&PPS_JITTER_COUNT, t.jitcnt as f64),
            (&PPS_CALIBRATION, t.calcnt as f64),
            (&PPS_ERRORS, t.errcnt as f64),
            (&PPS_STABILITY_EXCEEDED, t.stbcnt as f64),
            (&TAI, f64::from(t.tai)),
        ];
        for (metric, v) in values {
            out.push(metric, &[], v)?;
        }
        Ok(())
    }
}
