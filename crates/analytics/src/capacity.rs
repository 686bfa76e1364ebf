//! Capacity planning: when a forecast series crosses a threshold (a disk, memory or the
//! inodes full), for the mean and for the bounds of the 80 % interval, and the sentence a
//! person reads ("full in 9.3 days, 80 % interval 7.1 to 12.0"). Plus the default checks
//! that `/api/v1/analytics/capacity` runs when asked for none in particular.

use crate::forecast::Point;

/// A check run by default: a PromQL expression giving a used share (0 to 1) and the
/// threshold it must not reach.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Check {
    /// What is checked: `filesystem`, `memory`, `inodes`.
    pub name: &'static str,
    /// The expression, one series per thing checked.
    pub query: &'static str,
    /// The label naming each thing checked (such as `mountpoint`), if there are several.
    pub label: Option<&'static str>,
    /// The threshold; 1.0 is full.
    pub threshold: f64,
}

/// The default checks: file system space and inodes per mount point (read-only mounts left
/// out; pseudo file systems are not collected at all) and memory.
pub const DEFAULT_CHECKS: [Check; 3] = [
    Check {
        name: "filesystem",
        query: "1 - node_filesystem_avail_bytes / node_filesystem_size_bytes unless node_filesystem_readonly == 1",
        label: Some("mountpoint"),
        threshold: 1.0,
    },
    Check { name: "memory", query: "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", label: None, threshold: 1.0 },
    Check {
        name: "inodes",
        query: "1 - node_filesystem_files_free / node_filesystem_files unless node_filesystem_readonly == 1",
        label: Some("mountpoint"),
        threshold: 1.0,
    },
];

/// When a series crosses its threshold, in forecast steps after its last value (fractional:
/// the crossing is placed on the straight line between two steps).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crossing {
    /// The threshold.
    pub threshold: f64,
    /// The series' last value.
    pub last: f64,
    /// True when crossing means going up to the threshold or above (a disk filling up),
    /// false when it means going down to it or below (free space running out).
    pub rising: bool,
    /// True when the last value is already at or past the threshold (on the side
    /// crossing leads to).
    pub already: bool,
    /// When the mean forecast crosses; `None`: not within the horizon.
    pub mean: Option<f64>,
    /// When the 80 % interval's bound nearer the threshold crosses: the earliest likely time.
    pub earliest: Option<f64>,
    /// When its other bound crosses: the latest likely time; `None`: not within the horizon.
    pub latest: Option<f64>,
}

/// Where `points` (the forecast steps after a history ending at `last`) cross `threshold`
/// going up (`rising`) or down. A series sitting on its threshold, or past it, is there
/// already.
pub fn crossing(points: &[Point], last: f64, threshold: f64, rising: bool) -> Crossing {
    let already = if rising { last >= threshold } else { last <= threshold };
    let first = |bound: fn(&Point) -> f64| -> Option<f64> {
        let mut before = last;
        for (i, p) in points.iter().enumerate() {
            let v = bound(p);
            let past = if rising { v >= threshold } else { v <= threshold };
            if past {
                let part = if v == before { 1.0 } else { ((threshold - before) / (v - before)).clamp(0.0, 1.0) };
                return Some(i as f64 + part);
            }
            before = v;
        }
        None
    };
    let mean = if already { Some(0.0) } else { first(|p| p.mean) };
    let high: fn(&Point) -> f64 = |p| p.hi80;
    let low: fn(&Point) -> f64 = |p| p.lo80;
    let (near, far) = if rising { (high, low) } else { (low, high) };
    let (earliest, latest) = if already { (Some(0.0), Some(0.0)) } else { (first(near), first(far)) };
    Crossing { threshold, last, rising, already, mean, earliest, latest }
}

/// The sentence for a crossing, such as `full in 9.3 days, 80 % interval 7.1 to 12.0`
/// (`full`: the threshold means full; else `reaches 0.9 in ...`), `already above 0.9
/// (0.95)` or `not full within 30.0 days`; `step_seconds` is the grid step and `horizon`
/// the number of forecast steps.
pub fn describe(c: &Crossing, full: bool, step_seconds: f64, horizon: usize) -> String {
    let horizon_seconds = horizon as f64 * step_seconds;
    let (verb, not) = if full {
        ("full".to_owned(), "not full".to_owned())
    } else {
        (format!("reaches {}", c.threshold), format!("does not reach {}", c.threshold))
    };
    if c.already {
        return if c.last == c.threshold {
            format!("{verb} now")
        } else {
            format!("already {} {} ({})", if c.rising { "above" } else { "below" }, c.threshold, c.last)
        };
    }
    let Some(mean) = c.mean else {
        let (unit, size) = unit(horizon_seconds);
        let within = format!("{not} within {} {unit}", show(horizon_seconds / size));
        return match c.earliest {
            Some(e) => format!("{within}; 80 % interval from {} {unit}", show(e * step_seconds / size)),
            None => within,
        };
    };
    let (unit, size) = unit(mean * step_seconds);
    let at = |steps: f64| show(steps * step_seconds / size);
    let earliest = at(c.earliest.unwrap_or(mean).min(mean));
    let latest = match c.latest {
        Some(l) => at(l.max(mean)),
        None => format!("more than {}", show(horizon_seconds / size)),
    };
    format!("{verb} in {} {unit}, 80 % interval {earliest} to {latest}", at(mean))
}

/// The unit to state `seconds` in, and its size in seconds.
fn unit(seconds: f64) -> (&'static str, f64) {
    if seconds < 2.0 * 3600.0 {
        ("minutes", 60.0)
    } else if seconds < 2.0 * 86_400.0 {
        ("hours", 3600.0)
    } else {
        ("days", 86_400.0)
    }
}

/// A number with one decimal.
fn show(v: f64) -> String {
    format!("{v:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(from: f64, slope: f64, spread: f64, steps: usize) -> Vec<Point> {
        (1..=steps)
            .map(|h| {
                let mean = from + slope * h as f64;
                let w = spread * h as f64;
                Point { mean, lo80: mean - w, hi80: mean + w, lo95: mean - 2.0 * w, hi95: mean + 2.0 * w }
            })
            .collect()
    }

    #[test]
    fn a_rising_ramp_is_full_at_the_right_time_with_its_interval() {
        // From 0.5, 0.01 a step (an hour): the mean reaches 1.0 after 50 steps; the upper 80 %
        // bound (0.012 a step) after 41.67, the lower (0.008) after 62.5.
        let points = ramp(0.5, 0.01, 0.002, 100);
        let c = crossing(&points, 0.5, 1.0, true);
        assert!(c.rising && !c.already);
        assert!((c.mean.unwrap() - 50.0).abs() < 1e-9);
        assert!((c.earliest.unwrap() - 41.666).abs() < 0.01);
        assert!((c.latest.unwrap() - 62.5).abs() < 1e-9);
        assert_eq!(describe(&c, true, 3600.0, 100), "full in 2.1 days, 80 % interval 1.7 to 2.6");
    }

    #[test]
    fn beyond_the_horizon_is_said_so() {
        let points = ramp(0.5, 0.01, 0.005, 40);
        let c = crossing(&points, 0.5, 1.0, true);
        assert_eq!(c.mean, None);
        assert_eq!(describe(&c, true, 3600.0, 40), "not full within 40.0 hours; 80 % interval from 33.3 hours");
        let c = crossing(&ramp(0.5, 0.0, 0.0, 40), 0.5, 1.0, true);
        assert_eq!(describe(&c, true, 60.0, 40), "not full within 40.0 minutes");
        // The far bound beyond the horizon: the interval is open-ended.
        let c = crossing(&ramp(0.5, 0.01, 0.006, 60), 0.5, 1.0, true);
        assert_eq!(describe(&c, true, 86_400.0, 60), "full in 50.0 days, 80 % interval 31.2 to more than 60.0");
    }

    #[test]
    fn falling_and_already_past() {
        let c = crossing(&ramp(10.0, -1.0, 0.0, 20), 10.0, 0.0, false);
        assert!(!c.rising && !c.already);
        assert_eq!(c.mean, Some(10.0));
        assert_eq!(describe(&c, false, 60.0, 20), "reaches 0 in 10.0 minutes, 80 % interval 10.0 to 10.0");
        let c = crossing(&ramp(10.0, 0.0, 0.0, 20), 10.0, 0.0, false);
        assert_eq!(describe(&c, false, 60.0, 20), "does not reach 0 within 20.0 minutes");
        let c = crossing(&ramp(1.0, 0.0, 0.0, 5), 1.0, 1.0, true);
        assert_eq!(describe(&c, true, 60.0, 5), "full now");
        // Past the threshold, flat: there already, whichever way crossing goes.
        let c = crossing(&ramp(0.95, 0.0, 0.0, 5), 0.95, 0.9, true);
        assert!(c.already && c.rising);
        assert_eq!((c.mean, c.earliest, c.latest), (Some(0.0), Some(0.0), Some(0.0)));
        assert_eq!(describe(&c, false, 60.0, 5), "already above 0.9 (0.95)");
        let c = crossing(&ramp(0.05, 0.0, 0.0, 5), 0.05, 0.1, false);
        assert!(c.already && !c.rising);
        assert_eq!(describe(&c, false, 60.0, 5), "already below 0.1 (0.05)");
    }
}
