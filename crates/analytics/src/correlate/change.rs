//! Which series changed: each series' values in a window of interest (a spike, an
//! incident) against a baseline window, scored and ranked, as Netdata's Metric
//! Correlations does.

use rayon::prelude::*;

use super::ks::{ks_sorted, order_key};
use crate::AnalyticsError;

/// How a series' change between the two windows is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeMethod {
    /// The two-sample Kolmogorov-Smirnov statistic D (0: same distribution of values,
    /// 1: no overlap), with its p-value. Sees changes of level, spread and shape.
    Ks,
    /// Netdata's volume heuristic: the relative change of the mean,
    /// |after - before| / (|before| + |after|), 0 (same mean) to 1 (from or to zero, or
    /// a change of sign). Cheaper, and blind to changes that keep the mean.
    Volume,
}

impl ChangeMethod {
    /// The method by its name, `ks` or `volume`.
    pub fn parse(name: &str) -> Result<ChangeMethod, AnalyticsError> {
        match name {
            "ks" => Ok(ChangeMethod::Ks),
            "volume" => Ok(ChangeMethod::Volume),
            other => Err(AnalyticsError::Invalid(format!("unknown change method {other:?}: give ks or volume"))),
        }
    }

    /// The method's name, as [`ChangeMethod::parse`] takes it.
    pub fn name(self) -> &'static str {
        match self {
            ChangeMethod::Ks => "ks",
            ChangeMethod::Volume => "volume",
        }
    }
}

/// One series' values in both windows, NaN where it had none.
#[derive(Debug, Clone, Copy)]
pub struct ChangeInput<'a> {
    /// Values in the baseline window, in time order.
    pub baseline: &'a [f64],
    /// Values in the window of interest, in time order.
    pub window: &'a [f64],
    /// Whether the series is a counter: then its increases from one point to the next
    /// are compared (a counter's level only says how long it has been counting), with a
    /// drop taken as a reset, as `increase()` does.
    pub counter: bool,
}

/// How much one series changed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangeScore {
    /// The series' position in the input.
    pub index: usize,
    /// The ranking score, higher for a larger change: D for [`ChangeMethod::Ks`], the
    /// relative change of the mean for [`ChangeMethod::Volume`].
    pub score: f64,
    /// The Kolmogorov-Smirnov p-value ([`ChangeMethod::Ks`] only).
    pub p_value: Option<f64>,
    /// Mean of the compared values in the baseline (increases per step for counters).
    pub mean_before: f64,
    /// Mean of the compared values in the window of interest.
    pub mean_after: f64,
    /// Number of compared values in the baseline.
    pub points_before: usize,
    /// Number of compared values in the window of interest.
    pub points_after: usize,
}

/// Scores every series and returns the `limit` with the largest change, largest first
/// (ties: smaller p-value, then input order), and how many series could not be scored
/// (no values in one of the windows). A series whose values are the same constant in
/// both windows scores 0 under either method. Runs on rayon's pool.
pub fn rank_changes(series: &[ChangeInput<'_>], method: ChangeMethod, limit: usize) -> (Vec<ChangeScore>, usize) {
    let mut scores: Vec<ChangeScore> = series.par_iter().enumerate().filter_map(|(index, input)| score(index, input, method)).collect();
    let unscored = series.len() - scores.len();
    scores.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then(a.p_value.unwrap_or(1.0).total_cmp(&b.p_value.unwrap_or(1.0))).then(a.index.cmp(&b.index))
    });
    scores.truncate(limit);
    (scores, unscored)
}

fn score(index: usize, input: &ChangeInput<'_>, method: ChangeMethod) -> Option<ChangeScore> {
    let before = compared(input.baseline, input.counter);
    let after = compared(input.window, input.counter);
    if before.is_empty() || after.is_empty() {
        return None;
    }
    let mean_before = mean(&before);
    let mean_after = mean(&after);
    let (score, p_value) = match method {
        ChangeMethod::Ks => {
            let sorted = |values: &[f64]| {
                let mut keys: Vec<u64> = values.iter().map(|v| order_key(*v)).collect();
                keys.sort_unstable();
                keys
            };
            let test = ks_sorted(&sorted(&before), &sorted(&after))?;
            (test.statistic, Some(test.p_value))
        }
        ChangeMethod::Volume => {
            let scale = mean_before.abs() + mean_after.abs();
            let score = if scale > 0.0 && scale.is_finite() { (mean_after - mean_before).abs() / scale } else { 0.0 };
            (score, None)
        }
    };
    Some(ChangeScore { index, score, p_value, mean_before, mean_after, points_before: before.len(), points_after: after.len() })
}

/// The values compared: the finite values, or for a counter the increases between
/// consecutive finite values.
fn compared(values: &[f64], counter: bool) -> Vec<f64> {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    if !counter {
        return finite.collect();
    }
    let mut out = Vec::with_capacity(values.len());
    let mut last = None;
    for v in finite {
        if let Some(prev) = last {
            out.push(if v >= prev { v - prev } else { v });
        }
        last = Some(v);
    }
    out
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(seed: u64, n: usize, level: f64) -> Vec<f64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                level + (x >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect()
    }

    #[test]
    fn the_shifted_series_ranks_first() {
        let quiet: Vec<(Vec<f64>, Vec<f64>)> = (0..20).map(|s| (noise(s, 240, 10.0), noise(s + 100, 60, 10.0))).collect();
        let shifted = (noise(7, 240, 10.0), noise(8, 60, 10.8));
        let mut inputs: Vec<ChangeInput<'_>> = quiet.iter().map(|(b, w)| ChangeInput { baseline: b, window: w, counter: false }).collect();
        inputs.insert(13, ChangeInput { baseline: &shifted.0, window: &shifted.1, counter: false });
        for method in [ChangeMethod::Ks, ChangeMethod::Volume] {
            let (ranked, unscored) = rank_changes(&inputs, method, 5);
            assert_eq!(unscored, 0);
            assert_eq!(ranked.len(), 5);
            assert_eq!(ranked[0].index, 13, "{method:?}: {ranked:?}");
            assert!((ranked[0].mean_after - ranked[0].mean_before - 0.8).abs() < 0.1);
        }
        let (ranked, _) = rank_changes(&inputs, ChangeMethod::Ks, 1);
        assert!(ranked[0].score > 0.5 && ranked[0].p_value.unwrap() < 1e-9, "{ranked:?}");
    }

    #[test]
    fn constant_series_score_zero() {
        let flat = vec![3.0; 100];
        let inputs = [ChangeInput { baseline: &flat, window: &flat[..20], counter: false }];
        for method in [ChangeMethod::Ks, ChangeMethod::Volume] {
            let (ranked, _) = rank_changes(&inputs, method, 10);
            assert_eq!(ranked[0].score, 0.0, "{method:?}");
        }
    }

    #[test]
    fn counters_compare_their_increases() {
        // A counter growing by 1 per step throughout has not changed, though its level has.
        let steady: Vec<f64> = (0..100).map(f64::from).collect();
        // One that grows 5 per step in the window has, and one reset is not a change.
        let mut faster: Vec<f64> = (0..80).map(f64::from).collect();
        faster.extend((0..20).map(|i| 100.0 + 5.0 * f64::from(i)));
        let mut reset: Vec<f64> = (0..80).map(f64::from).collect();
        reset.extend((0..20).map(f64::from));
        let inputs = [
            ChangeInput { baseline: &steady[..80], window: &steady[80..], counter: true },
            ChangeInput { baseline: &faster[..80], window: &faster[80..], counter: true },
            ChangeInput { baseline: &reset[..80], window: &reset[80..], counter: true },
        ];
        let (ranked, _) = rank_changes(&inputs, ChangeMethod::Ks, 3);
        assert_eq!(ranked[0].index, 1);
        assert_eq!(ranked[0].mean_after, 5.0);
        let steady_score = ranked.iter().find(|s| s.index == 0).unwrap();
        assert_eq!(steady_score.score, 0.0);
        let reset_score = ranked.iter().find(|s| s.index == 2).unwrap();
        assert!(reset_score.score < 0.1, "{reset_score:?}");
    }

    #[test]
    fn gaps_are_skipped_and_empty_windows_unscored() {
        let with_gaps = [f64::NAN, 1.0, f64::NAN, 2.0];
        let empty = [f64::NAN; 4];
        let inputs = [
            ChangeInput { baseline: &with_gaps, window: &with_gaps, counter: false },
            ChangeInput { baseline: &with_gaps, window: &empty, counter: false },
        ];
        let (ranked, unscored) = rank_changes(&inputs, ChangeMethod::Ks, 10);
        assert_eq!(unscored, 1);
        assert_eq!(ranked.len(), 1);
        assert_eq!((ranked[0].points_before, ranked[0].mean_before), (2, 1.5));
    }

    #[test]
    fn methods_by_name() {
        assert_eq!(ChangeMethod::parse("volume").unwrap().name(), "volume");
        assert!(ChangeMethod::parse("t-test").unwrap_err().to_string().contains("give ks or volume"));
    }
}
