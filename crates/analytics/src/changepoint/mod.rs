//! Change points: where a series' level shifts, by E-divisive means with Student's t-test
//! as Apache Otava (formerly Hunter, Fleming et al. 2023) does it, for benchmark histories
//! and any other series.
//!
//! The method, in two passes:
//!
//! 1. **Candidates.** The series is cut into windows of `window` points overlapping by half
//!    (the whole series when `window` is `None`). In each window, E-divisive bisection
//!    ([`energy`]) splits a segment where the energy divergence between its sides is
//!    greatest, keeps the split when Student's t-test between the two sides gives a p-value
//!    at or below a looser first-pass threshold (10x the final one below 0.05, as Otava), and
//!    goes on in both halves; sides shorter than `min_size` are never made.
//! 2. **Merge.** Each candidate is tested against its neighbours (the points from the
//!    previous candidate to it, and from it to the next). The weakest (largest p-value;
//!    between two too close to each other, the one with the smaller t) is removed and its
//!    neighbours re-tested, until every one left has p <= `p_value`, a relative change
//!    above `min_change`, and `min_size` points on each side. Unlike Otava, the p-value is
//!    by default adjusted for the split having been chosen as the strongest of its segment
//!    ([`ChangePointOptions::adjust`]).
//!
//! Windows start at fixed multiples of half a window, so appending points changes only the
//! windows that reach the end of the series: [`ChangePointDetector`] keeps the other
//! windows' candidates and redoes only those, then the merge (O(n)), and gives exactly what
//! a full run on the whole series gives.

mod detector;
mod energy;
mod merge;
mod ttest;

pub use detector::ChangePointDetector;

use serde::Serialize;

use crate::AnalyticsError;

/// Largest `min_size`: a million points on each side of a change, far more than any
/// series analysed at once; the bound keeps `2 * min_size` and the like from overflowing.
pub const MAX_MIN_SIZE: usize = 1_000_000;

/// How change points are found; [`Default`] gives Otava's defaults where it has them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangePointOptions {
    /// Largest p-value of Student's t-test for a change point to be reported (default 0.001).
    pub p_value: f64,
    /// Fewest points on each side of a change point (default 5, at least 2).
    pub min_size: usize,
    /// Points per analysis window, overlapping by half (default 200); `None` analyses the
    /// whole series at once (better power for small shifts in long flat stretches, but an
    /// append then redoes the whole series).
    pub window: Option<usize>,
    /// Smallest relative change to report, as a fraction of the smaller mean (default 0: any).
    pub min_change: f64,
    /// Whether the merge multiplies each t-test's p-value by the number of positions the
    /// split could have taken between its neighbours (Bonferroni; default true). The split
    /// is where the two sides differ most, so its raw t-test is too confident: on pure
    /// gaussian noise Otava's raw p-values give several false change points per 1000 points
    /// (see the benchmark); `false` reproduces Otava's raw test.
    pub adjust: bool,
}

impl Default for ChangePointOptions {
    fn default() -> ChangePointOptions {
        ChangePointOptions { p_value: 0.001, min_size: 5, window: Some(200), min_change: 0.0, adjust: true }
    }
}

impl ChangePointOptions {
    /// Checks the options, saying which one is wrong: each message begins with the
    /// option's name (`p_value`, `min_size`, `window`, `min_change`).
    pub fn validate(&self) -> Result<(), AnalyticsError> {
        if !(self.p_value > 0.0 && self.p_value < 1.0) {
            return Err(AnalyticsError::Invalid(format!("p_value must be between 0 and 1 (exclusive), got {}", self.p_value)));
        }
        if !(2..=MAX_MIN_SIZE).contains(&self.min_size) {
            return Err(AnalyticsError::Invalid(format!("min_size must be from 2 to {MAX_MIN_SIZE}, got {}", self.min_size)));
        }
        if let Some(w) = self.window {
            if w < self.min_size.saturating_mul(2) {
                return Err(AnalyticsError::Invalid(format!(
                    "window must hold at least two segments of min_size ({}) points, got {w}",
                    self.min_size
                )));
            }
        }
        if !(self.min_change >= 0.0 && self.min_change.is_finite()) {
            return Err(AnalyticsError::Invalid(format!("min_change must be a non-negative number, got {}", self.min_change)));
        }
        Ok(())
    }

    /// The first pass' looser threshold, as Otava: 10x below 0.05, 2x below 0.5.
    fn first_pass_p_value(&self) -> f64 {
        let p = self.p_value;
        if p < 0.05 {
            p * 10.0
        } else if p < 0.5 {
            p * 2.0
        } else {
            p
        }
    }
}

/// Which way the level moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The mean after is higher.
    Up,
    /// The mean after is lower.
    Down,
}

/// One change point: the series' level differs from this point on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangePoint {
    /// Index of the first point after the change.
    pub index: usize,
    /// Time of that point (the unit the caller gave, ms in Vitals).
    pub time: i64,
    /// Student's t-test p-value between the segments before and after (to the neighbouring
    /// change points or the series' ends), adjusted as [`ChangePointOptions::adjust`] says.
    pub p_value: f64,
    /// Mean of the segment before.
    pub mean_before: f64,
    /// Mean of the segment after.
    pub mean_after: f64,
    /// Standard deviation of the segment before.
    pub stddev_before: f64,
    /// Standard deviation of the segment after.
    pub stddev_after: f64,
    /// `mean_after / mean_before - 1`; `None` when the mean before is 0.
    pub relative_change: Option<f64>,
    /// Which way the mean moved.
    pub direction: Direction,
}

/// The change points of `values` taken at `times` (increasing), oldest first.
pub fn change_points(times: &[i64], values: &[f64], options: ChangePointOptions) -> Result<Vec<ChangePoint>, AnalyticsError> {
    let mut detector = ChangePointDetector::new(options)?;
    detector.extend(times, values)?;
    Ok(detector.change_points().to_vec())
}

/// The split points (absolute indexes) E-divisive bisection finds in `values[start..end]`.
fn bisect(values: &[f64], start: usize, end: usize, options: &ChangePointOptions) -> Vec<usize> {
    let threshold = options.first_pass_p_value();
    let mut found = Vec::new();
    let mut segments = vec![(start, end)];
    while let Some((s, e)) = segments.pop() {
        let Some((k, _)) = energy::best_split(&values[s..e], options.min_size) else { continue };
        let at = s + k;
        if ttest::compare(&values[s..at], &values[at..e]).p_value <= threshold {
            found.push(at);
            segments.push((s, at));
            segments.push((at, e));
        }
    }
    found.sort_unstable();
    found
}

#[cfg(test)]
mod tests;
