//! Which series move with a target series, possibly later or earlier: Pearson and
//! Spearman correlation at every lag in [-max_lag, +max_lag] steps, the best lag per
//! series, ranked by the strength of the correlation.
//!
//! Gaps (NaN) are handled pairwise: at each lag only the pairs where both series have a
//! value count. Each series is centred on its mean first, so sums of products stay
//! accurate for series with a large level (counters, byte totals).

use rayon::prelude::*;

use super::ks::order_key;
use super::xcorr::{overlap, CrossCorrelator, Operand};
use crate::AnalyticsError;

/// Fewest pairs a correlation is computed from: with fewer, |r| near 1 comes by chance
/// too often to mean anything (with 3 pairs, |r| > 0.95 has a chance of about 1 in 5 for
/// two unrelated series). Lags leaving fewer pairs are not scored, nor are windows shorter.
const MIN_PAIRS: usize = 10;

/// Which correlation ranks the series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LagMethod {
    /// Pearson's r: linear relation of the values.
    Pearson,
    /// Spearman's ρ: monotone relation (Pearson's r of the ranks), robust to outliers
    /// and to non-linear scales.
    Spearman,
}

impl LagMethod {
    /// The method by its name, `pearson` or `spearman`.
    pub fn parse(name: &str) -> Result<LagMethod, AnalyticsError> {
        match name {
            "pearson" => Ok(LagMethod::Pearson),
            "spearman" => Ok(LagMethod::Spearman),
            other => Err(AnalyticsError::Invalid(format!("unknown correlation method {other:?}: give pearson or spearman"))),
        }
    }

    /// The method's name, as [`LagMethod::parse`] takes it.
    pub fn name(self) -> &'static str {
        match self {
            LagMethod::Pearson => "pearson",
            LagMethod::Spearman => "spearman",
        }
    }
}

/// The strongest correlation of one series with the target over the lags.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LagBest {
    /// The correlation coefficient, -1 to 1.
    pub r: f64,
    /// The lag in steps: positive when the series follows the target (its value at
    /// `t + lag` goes with the target's at `t`), negative when it leads.
    pub lag: isize,
    /// Number of pairs it was computed from.
    pub pairs: usize,
}

/// One series' correlation with the target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LagScore {
    /// The series' position in the input.
    pub index: usize,
    /// The ranking score: |r| of the chosen method at its best lag.
    pub score: f64,
    /// Pearson's r at its best lag.
    pub pearson: LagBest,
    /// Spearman's ρ at its best lag, exact there: the pairs at that lag are ranked anew.
    /// The best lag, and the ranking, use each series ranked once over the whole window,
    /// which differs from the exact ρ only by the points a lag moves past the window's
    /// edges or that are missing in the other series.
    pub spearman: LagBest,
}

/// Correlates each of `series` (same grid as `target`) with `target` at lags
/// `-max_lag..=max_lag` and returns the `limit` most correlated by `method` (|r|,
/// largest first), and how many could not be scored (constant, or too few pairs). At
/// equal |r| the smaller |lag| wins. The other coefficient is computed for the series
/// returned only (NaN if it cannot be). Runs on rayon's pool.
pub fn rank_lagged(
    target: &[f64],
    series: &[&[f64]],
    max_lag: usize,
    method: LagMethod,
    limit: usize,
) -> Result<(Vec<LagScore>, usize), AnalyticsError> {
    let n = target.len();
    if let Some(bad) = series.iter().position(|s| s.len() != n) {
        return Err(AnalyticsError::Invalid(format!("series {bad} has {} points, the target {n}", series[bad].len())));
    }
    if n < MIN_PAIRS {
        return Err(AnalyticsError::TooShort { what: "lagged correlation", needed: MIN_PAIRS, got: n });
    }
    if max_lag > n / 2 {
        return Err(AnalyticsError::Invalid(format!(
            "a lag of {max_lag} steps is more than half the window's {n} points; widen the window or lower the lag"
        )));
    }
    let correlator = CrossCorrelator::new(n, max_lag);
    let values = Side::new(&correlator, target.to_vec());
    let ranks = Side::new(&correlator, ranked(target));
    // Every series' best lag by the ranking method; the other coefficient only for the
    // series kept, which halves the work. Spearman's ρ is made exact for those at the end.
    let best = |y: &[f64], by: LagMethod| match by {
        LagMethod::Pearson => best_lag(&lag_correlations(&correlator, &values, y.to_vec(), MIN_PAIRS), max_lag),
        LagMethod::Spearman => best_lag(&lag_correlations(&correlator, &ranks, ranked(y), MIN_PAIRS), max_lag),
    };
    let mut found: Vec<(usize, LagBest)> = series.par_iter().enumerate().filter_map(|(index, y)| Some((index, best(y, method)?))).collect();
    let unscored = series.len() - found.len();
    found.sort_by(|a, b| b.1.r.abs().total_cmp(&a.1.r.abs()).then(a.0.cmp(&b.0)));
    found.truncate(limit);
    let none = LagBest { r: f64::NAN, lag: 0, pairs: 0 };
    let mut scores: Vec<LagScore> = found
        .par_iter()
        .map(|&(index, chosen)| {
            let y = series[index];
            let (pearson, approximate) = match method {
                LagMethod::Pearson => (chosen, best(y, LagMethod::Spearman).unwrap_or(none)),
                LagMethod::Spearman => (best(y, LagMethod::Pearson).unwrap_or(none), chosen),
            };
            let spearman = match approximate.r.is_finite() {
                true => {
                    let (r, pairs) = spearman_at(target, y, approximate.lag);
                    LagBest { r, lag: approximate.lag, pairs }
                }
                false => none,
            };
            let score = match method {
                LagMethod::Pearson => pearson.r.abs(),
                LagMethod::Spearman => spearman.r.abs(),
            };
            LagScore { index, score, pearson, spearman }
        })
        .collect();
    scores.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    Ok((scores, unscored))
}

/// A series made ready: centred values with gaps as 0, their squares and the mask of
/// present points, with prefix sums, and (for the target) their operands.
struct Side {
    values: Vec<f64>,
    squares: Vec<f64>,
    mask: Vec<f64>,
    gaps: bool,
    /// Prefix sums of values, squares and mask: `prefix[i]` sums `0..i`.
    prefix: Vec<[f64; 3]>,
    operands: Option<[Operand; 3]>,
}

impl Side {
    /// The target's side, with its three operands.
    fn new(correlator: &CrossCorrelator, raw: Vec<f64>) -> Side {
        let mut side = Side::prepare(raw);
        side.operands = Some([
            correlator.operand(side.values.clone()),
            correlator.operand(side.squares.clone()),
            correlator.operand(side.mask.clone()),
        ]);
        side
    }

    fn prepare(raw: Vec<f64>) -> Side {
        let (mut sum, mut present) = (0.0, 0usize);
        for v in raw.iter().filter(|v| v.is_finite()) {
            sum += v;
            present += 1;
        }
        let mean = sum / present.max(1) as f64;
        let n = raw.len();
        let mut values = raw;
        let (mut squares, mut mask, mut prefix) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n + 1));
        let mut run = [0.0; 3];
        prefix.push(run);
        for v in &mut values {
            let m = if v.is_finite() { 1.0 } else { 0.0 };
            *v = if m == 1.0 { *v - mean } else { 0.0 };
            squares.push(*v * *v);
            mask.push(m);
            run = [run[0] + *v, run[1] + *v * *v, run[2] + m];
            prefix.push(run);
        }
        let gaps = present < n;
        Side { values, squares, mask, gaps, prefix, operands: None }
    }

    /// Sums of (values, squares, mask) over `lo..hi`.
    fn sums(&self, lo: usize, hi: usize) -> [f64; 3] {
        let (a, b) = (self.prefix[lo], self.prefix[hi]);
        [b[0] - a[0], b[1] - a[1], b[2] - a[2]]
    }
}

/// Pearson's r of the target side `x` with `raw` at each lag (NaN where undefined),
/// with the number of pairs.
fn lag_correlations(correlator: &CrossCorrelator, x: &Side, raw: Vec<f64>, min_pairs: usize) -> Vec<(f64, usize)> {
    let y = Side::prepare(raw);
    let Some([xv, xs, xm]) = &x.operands else { return Vec::new() };
    let yv = correlator.operand(y.values.clone());
    let sxy = correlator.correlate(xv, &yv);
    // Sums over pairs where both are present: from prefix sums when the other side has
    // no gaps, else as cross-correlations with its mask.
    let ym = y.gaps.then(|| correlator.operand(y.mask.clone()));
    let xm_y = x.gaps.then(|| (correlator.correlate(xm, &yv), correlator.correlate(xm, &correlator.operand(y.squares.clone()))));
    let x_ym = ym.as_ref().map(|ym| (correlator.correlate(xv, ym), correlator.correlate(xs, ym), correlator.correlate(xm, ym)));
    let n = x.values.len();
    let max_lag = sxy.len() / 2;
    (0..sxy.len())
        .map(|slot| {
            let k = slot as isize - max_lag as isize;
            let (lo, hi) = overlap(n, k);
            let (ylo, yhi) = ((lo as isize + k) as usize, (hi as isize + k) as usize);
            let (sx, sxx, count) = match &x_ym {
                Some((a, b, c)) => (a[slot], b[slot], c[slot].round()),
                None => {
                    let s = x.sums(lo, hi);
                    (s[0], s[1], if x.gaps { s[2] } else { y.sums(ylo, yhi)[2] })
                }
            };
            let (sy, syy) = match &xm_y {
                Some((a, b)) => (a[slot], b[slot]),
                None => {
                    let s = y.sums(ylo, yhi);
                    (s[0], s[1])
                }
            };
            let pairs = count as usize;
            if pairs < min_pairs {
                return (f64::NAN, pairs);
            }
            (pearson_from_sums(count, sx, sy, sxx, syy, sxy[slot]), pairs)
        })
        .collect()
}

/// Pearson's r from the sums over `c` pairs; NaN when either side is constant.
fn pearson_from_sums(c: f64, sx: f64, sy: f64, sxx: f64, syy: f64, sxy: f64) -> f64 {
    let vx = c * sxx - sx * sx;
    let vy = c * syy - sy * sy;
    // Relative to the sums of squares, to ignore the rounding of FFT sums.
    if vx <= 1e-10 * c * sxx || vy <= 1e-10 * c * syy || vx <= 0.0 || vy <= 0.0 {
        return f64::NAN;
    }
    ((c * sxy - sx * sy) / (vx * vy).sqrt()).clamp(-1.0, 1.0)
}

/// The lag with the largest |r|, looking at lags in order of |lag| so that the smallest
/// wins a tie.
fn best_lag(by_lag: &[(f64, usize)], max_lag: usize) -> Option<LagBest> {
    let mut best: Option<LagBest> = None;
    for step in 0..=max_lag as isize {
        for k in if step == 0 { vec![0] } else { vec![-step, step] } {
            let (r, pairs) = by_lag[(k + max_lag as isize) as usize];
            if r.is_finite() && best.is_none_or(|b| r.abs() > b.r.abs()) {
                best = Some(LagBest { r, lag: k, pairs });
            }
        }
    }
    best
}

/// Spearman's ρ of `x[i]` with `y[i + lag]` over the pairs present in both, ranked anew.
fn spearman_at(x: &[f64], y: &[f64], lag: isize) -> (f64, usize) {
    let (lo, hi) = overlap(x.len(), lag);
    let (px, py): (Vec<f64>, Vec<f64>) =
        (lo..hi).map(|i| (x[i], y[(i as isize + lag) as usize])).filter(|(a, b)| a.is_finite() && b.is_finite()).unzip();
    let (rx, ry) = (ranked(&px), ranked(&py));
    let c = rx.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / c, ry.iter().sum::<f64>() / c);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        let (a, b) = (a - mx, b - my);
        sxy += a * b;
        sxx += a * a;
        syy += b * b;
    }
    let r = if sxx > 0.0 && syy > 0.0 { (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0) } else { f64::NAN };
    (r, rx.len())
}

/// The ranks (1-based, ties sharing their average rank) of the finite values, NaN
/// elsewhere.
fn ranked(values: &[f64]) -> Vec<f64> {
    // Sorting (order key, index) packed in one integer is several times faster than
    // sorting indices by their values.
    let mut order: Vec<u128> =
        values.iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(i, v)| (u128::from(order_key(*v)) << 64) | i as u128).collect();
    order.sort_unstable();
    let mut out = vec![f64::NAN; values.len()];
    let key = |packed: u128| (packed >> 64) as u64;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && key(order[end]) == key(order[start]) {
            end += 1;
        }
        let rank = (start + end + 1) as f64 / 2.0;
        for &packed in &order[start..end] {
            out[packed as u64 as usize] = rank;
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wave(n: usize, seed: u64) -> Vec<f64> {
        let mut x = seed;
        let mut level = 0.0;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                level = 0.9 * level + ((x >> 11) as f64 / (1u64 << 53) as f64 - 0.5);
                level
            })
            .collect()
    }

    #[test]
    fn a_lagged_copy_is_found_at_its_lag() {
        let n = 600;
        let target = wave(n, 1);
        // Follows the target by 7 steps, scaled and offset (same Pearson), with gaps.
        let mut follower: Vec<f64> = (0..n).map(|i| if i >= 7 { 1000.0 + 3.0 * target[i - 7] } else { 1000.0 }).collect();
        follower[100] = f64::NAN;
        follower[350] = f64::NAN;
        // Leads by 4 steps, through a monotone but non-linear map (Spearman sees it fully).
        let leader: Vec<f64> = (0..n).map(|i| if i + 4 < n { target[i + 4].exp() } else { 1.0 }).collect();
        let others: Vec<Vec<f64>> = (2..30).map(|s| wave(n, s)).collect();
        let mut series: Vec<&[f64]> = others.iter().map(Vec::as_slice).collect();
        series.insert(5, &follower);
        series.insert(17, &leader);
        for max_lag in [10, 200] {
            let (ranked, unscored) = rank_lagged(&target, &series, max_lag, LagMethod::Pearson, 3).unwrap();
            assert_eq!(unscored, 0);
            assert_eq!(ranked[0].index, 5, "max_lag {max_lag}: {ranked:?}");
            assert_eq!(ranked[0].pearson.lag, 7);
            assert!(ranked[0].pearson.r > 0.99, "{ranked:?}");
            assert_eq!(ranked[0].pearson.pairs, n - 7 - 2);
            // Both are monotone in the target, so both have ρ = 1; the leader's Pearson r
            // is lower, as its relation is not linear.
            let (ranked, _) = rank_lagged(&target, &series, max_lag, LagMethod::Spearman, 2).unwrap();
            let leader = ranked.iter().find(|s| s.index == 17).unwrap();
            assert_eq!(leader.spearman.lag, -4);
            assert!(leader.spearman.r > 0.999 && leader.pearson.r < 0.99, "{ranked:?}");
            assert_eq!(leader.score, leader.spearman.r.abs());
        }
    }

    #[test]
    fn gaps_in_the_target_and_inverse_relations() {
        let n = 400;
        let mut target = wave(n, 3);
        for i in (0..n).step_by(37) {
            target[i] = f64::NAN;
        }
        let mut inverse: Vec<f64> = target.iter().map(|v| -2.0 * v).collect();
        inverse[11] = f64::NAN;
        let noise = wave(n, 9);
        for max_lag in [3, 150] {
            let (ranked, _) = rank_lagged(&target, &[&noise, &inverse], max_lag, LagMethod::Pearson, 2).unwrap();
            assert_eq!(ranked[0].index, 1);
            assert_eq!(ranked[0].pearson.lag, 0);
            assert!((ranked[0].pearson.r + 1.0).abs() < 1e-9, "{ranked:?}");
            assert!((ranked[0].spearman.r + 1.0).abs() < 1e-9, "{ranked:?}");
        }
    }

    #[test]
    fn constant_series_are_unscored() {
        let target = wave(100, 4);
        let flat = vec![5.0; 100];
        let (ranked, unscored) = rank_lagged(&target, &[&flat], 5, LagMethod::Pearson, 10).unwrap();
        assert!(ranked.is_empty());
        assert_eq!(unscored, 1);
    }

    #[test]
    fn bad_input_is_named() {
        let target = wave(100, 4);
        let short = vec![1.0; 50];
        let err = rank_lagged(&target, &[&short], 5, LagMethod::Pearson, 10).unwrap_err().to_string();
        assert_eq!(err, "series 0 has 50 points, the target 100");
        let err = rank_lagged(&target, &[], 60, LagMethod::Pearson, 10).unwrap_err().to_string();
        assert!(err.contains("more than half the window's 100 points"), "{err}");
        assert!(LagMethod::parse("kendall").is_err());
    }

    #[test]
    fn too_few_pairs_are_not_scored() {
        let target: Vec<f64> = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0, 8.0].to_vec();
        let err = rank_lagged(&target[..9], &[], 2, LagMethod::Pearson, 10).unwrap_err();
        assert_eq!(err, AnalyticsError::TooShort { what: "lagged correlation", needed: MIN_PAIRS, got: 9 });
        // A copy 6 steps later matches at lag 6 over 6 pairs only: not enough to count.
        let mut later = vec![f64::NAN; 6];
        later.extend_from_slice(&target[..6]);
        let (ranked, unscored) = rank_lagged(&target, &[&later], 6, LagMethod::Pearson, 10).unwrap();
        assert!(ranked.is_empty(), "{ranked:?}");
        assert_eq!(unscored, 1);
    }

    #[test]
    fn ranks_share_ties() {
        let r = ranked(&[3.0, 1.0, f64::NAN, 3.0, 2.0]);
        assert_eq!(r[..2], [3.5, 1.0]);
        assert!(r[2].is_nan());
        assert_eq!(r[3..], [3.5, 2.0]);
    }
}
