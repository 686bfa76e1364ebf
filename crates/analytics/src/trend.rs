//! Trends: "is this getting worse?" The Theil-Sen slope (the median of the slopes between
//! all pairs of points, robust to outliers) with Sen's confidence interval, and the
//! Mann-Kendall test of a monotonic trend (with the correction for tied values), giving a
//! verdict at a significance level.
//!
//! Up to [`EXACT_MAX`] points every pair's slope is computed (O(n²)). Above, the slopes of
//! [`SAMPLED_PAIRS`] pairs drawn at random with a fixed seed stand in for all of them (so the
//! same series always gives the same answer); the median and the interval's ranks are then
//! taken as the same fractions of the sample. With a million pairs, the sampled median's
//! rank among all the slopes is within 0.1 % of the middle (two standard errors of a
//! sample quantile, 2 x sqrt(0.25 / 10^6)). Mann-Kendall's S is always exact: counted with
//! a Fenwick tree in O(n log n).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use crate::fenwick::{ranks, Fenwick};
use crate::AnalyticsError;

/// Most points for which every pair's slope is computed (about 2 million slopes, 16 MB).
pub const EXACT_MAX: usize = 2000;

/// Pairs drawn above [`EXACT_MAX`] points.
pub const SAMPLED_PAIRS: usize = 1_000_000;

/// The seed of the pair sampling.
const SEED: u64 = 0x5EED_7E4D;

/// Whether a series trends, and how fast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The number of points.
    pub points: usize,
    /// Theil-Sen slope, value units per time unit.
    pub slope: f64,
    /// Lower end of Sen's `1 - alpha` confidence interval of the slope.
    pub slope_low: f64,
    /// Upper end of that interval.
    pub slope_high: f64,
    /// Whether all pairs were used (false: sampled, above [`EXACT_MAX`] points).
    pub exact: bool,
    /// The Mann-Kendall test.
    pub mann_kendall: MannKendall,
    /// The verdict at `alpha`.
    pub verdict: TrendVerdict,
}

/// The Mann-Kendall test of a monotonic trend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannKendall {
    /// S: pairs rising minus pairs falling, in time order.
    pub s: i64,
    /// The variance of S under no trend, corrected for tied values.
    pub variance: f64,
    /// The normal score of S, with the continuity correction.
    pub z: f64,
    /// The two-sided p-value of no trend.
    pub p_value: f64,
    /// Kendall's tau (tau-a): S over the number of pairs.
    pub tau: f64,
}

/// What the test says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TrendVerdict {
    /// A significant upward trend.
    #[serde(rename = "increasing")]
    Increasing,
    /// A significant downward trend.
    #[serde(rename = "decreasing")]
    Decreasing,
    /// No significant trend.
    #[serde(rename = "no trend")]
    NoTrend,
}

/// The trend of `values` taken at `times` (increasing; the slope is per unit of these), at
/// significance level `alpha` (such as 0.05).
pub fn trend(times: &[f64], values: &[f64], alpha: f64) -> Result<Trend, AnalyticsError> {
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(AnalyticsError::Invalid(format!("alpha must be between 0 and 1 (exclusive), got {alpha}")));
    }
    if times.len() != values.len() {
        return Err(AnalyticsError::Invalid(format!("{} times but {} values", times.len(), values.len())));
    }
    if values.len() < 3 {
        return Err(AnalyticsError::TooShort { what: "a trend", needed: 3, got: values.len() });
    }
    for (i, (&t, &v)) in times.iter().zip(values).enumerate() {
        if !t.is_finite() || !v.is_finite() {
            return Err(AnalyticsError::Invalid(format!("point {i} has time {t} and value {v}; give finite numbers")));
        }
        if i > 0 && t <= times[i - 1] {
            return Err(AnalyticsError::Invalid(format!(
                "point {i} (time {t}) is not after the one before it; give times in increasing order"
            )));
        }
    }
    let mann_kendall = mann_kendall(values);
    let n = values.len() as f64;
    let pairs = n * (n - 1.0) / 2.0;
    let z_crit = standard_normal().inverse_cdf(1.0 - alpha / 2.0);
    let c = z_crit * mann_kendall.variance.sqrt();
    // Sen's interval: the slopes of ranks (N - C)/2 and (N + C)/2 + 1 (1-based) among N.
    let (lo_frac, hi_frac) = (((pairs - c) / 2.0 / pairs).max(0.0), (((pairs + c) / 2.0 + 1.0) / pairs).min(1.0));
    let exact = values.len() <= EXACT_MAX;
    let mut slopes = if exact { all_slopes(times, values) } else { sampled_slopes(times, values) };
    let slope = median(&mut slopes);
    let slope_low = quantile(&mut slopes, lo_frac);
    let slope_high = quantile(&mut slopes, hi_frac);
    let verdict = match mann_kendall.s {
        s if mann_kendall.p_value <= alpha && s > 0 => TrendVerdict::Increasing,
        s if mann_kendall.p_value <= alpha && s < 0 => TrendVerdict::Decreasing,
        _ => TrendVerdict::NoTrend,
    };
    Ok(Trend { points: values.len(), slope, slope_low, slope_high, exact, mann_kendall, verdict })
}

fn standard_normal() -> Normal {
    Normal::standard()
}

/// The Mann-Kendall test of `values` in time order.
fn mann_kendall(values: &[f64]) -> MannKendall {
    let (rank, distinct) = ranks(values);
    let mut tree = Fenwick::new(distinct);
    let mut s: i64 = 0;
    for (j, (&r, &v)) in rank.iter().zip(values).enumerate() {
        let (below, _) = tree.below(r);
        let (not_above, _) = tree.below(r + 1);
        let above = j as u64 - not_above;
        s += below as i64 - above as i64;
        tree.insert(r, v);
    }
    // Tie groups: how many points share each rank.
    let mut group = vec![0u64; distinct];
    for &r in &rank {
        group[r] += 1;
    }
    let n = values.len() as f64;
    let ties: f64 = group.iter().map(|&t| t as f64).map(|t| t * (t - 1.0) * (2.0 * t + 5.0)).sum();
    let variance = (n * (n - 1.0) * (2.0 * n + 5.0) - ties) / 18.0;
    let z = match s {
        0 => 0.0,
        _ if variance <= 0.0 => 0.0,
        s if s > 0 => (s as f64 - 1.0) / variance.sqrt(),
        s => (s as f64 + 1.0) / variance.sqrt(),
    };
    let p_value = (2.0 * standard_normal().cdf(-z.abs())).min(1.0);
    MannKendall { s, variance, z, p_value, tau: s as f64 / (n * (n - 1.0) / 2.0) }
}

fn all_slopes(times: &[f64], values: &[f64]) -> Vec<f64> {
    let n = values.len();
    let mut slopes = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            slopes.push((values[j] - values[i]) / (times[j] - times[i]));
        }
    }
    slopes
}

fn sampled_slopes(times: &[f64], values: &[f64]) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let n = values.len();
    (0..SAMPLED_PAIRS)
        .map(|_| {
            let a = rng.gen_range(0..n);
            let b = (a + rng.gen_range(1..n)) % n;
            let (i, j) = (a.min(b), a.max(b));
            (values[j] - values[i]) / (times[j] - times[i])
        })
        .collect()
}

/// The median (the mean of the two middle ones for an even count); `slopes` not empty.
fn median(slopes: &mut [f64]) -> f64 {
    let n = slopes.len();
    let (_, &mut hi, _) = slopes.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        return hi;
    }
    let lo = slopes[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lo + hi) / 2.0
}

/// The slope at 1-based rank `fraction * len` (rounded, clamped), as Sen's interval takes it.
fn quantile(slopes: &mut [f64], fraction: f64) -> f64 {
    let n = slopes.len();
    let rank = ((fraction * n as f64).round() as usize).clamp(1, n);
    *slopes.select_nth_unstable_by(rank - 1, f64::total_cmp).1
}

#[cfg(test)]
mod tests {
    use rand_distr::{Distribution, Normal as Gauss};

    use super::*;

    #[test]
    fn a_straight_line_by_hand() {
        let t = [0.0, 1.0, 2.0, 3.0, 4.0];
        let tr = trend(&t, &[1.0, 2.0, 3.0, 4.0, 5.0], 0.05).unwrap();
        assert_eq!((tr.slope, tr.slope_low, tr.slope_high), (1.0, 1.0, 1.0));
        // S = 10, Var = 5*4*15/18 = 16.667, Z = 9/4.0825 = 2.2045, p = 0.02749.
        let mk = tr.mann_kendall;
        assert_eq!((mk.s, mk.tau), (10, 1.0));
        assert!((mk.variance - 50.0 / 3.0).abs() < 1e-12);
        assert!((mk.z - 2.204540768504859).abs() < 1e-12, "{}", mk.z);
        assert!((mk.p_value - 0.027486).abs() < 1e-5, "{}", mk.p_value);
        assert_eq!(tr.verdict, TrendVerdict::Increasing);
        assert_eq!(trend(&t, &[1.0, 2.0, 3.0, 4.0, 5.0], 0.01).unwrap().verdict, TrendVerdict::NoTrend);
    }

    #[test]
    fn ties_correct_the_variance() {
        // Pairs: + + + 0 + + gives S = 5; Var = (4*3*13 - 2*1*9)/18 = 7.667; Z = 4/2.7689.
        let tr = trend(&[0.0, 1.0, 2.0, 3.0], &[1.0, 2.0, 2.0, 3.0], 0.05).unwrap();
        let mk = tr.mann_kendall;
        assert_eq!(mk.s, 5);
        assert!((mk.variance - 138.0 / 18.0).abs() < 1e-12);
        assert!((mk.z - 1.4446).abs() < 1e-4, "{}", mk.z);
        assert!((mk.p_value - 0.14857).abs() < 1e-4, "{}", mk.p_value);
        // Slopes 1, 0.5, 0.667, 0, 0.5, 1: median 0.583.
        assert!((tr.slope - 0.5833333333333333).abs() < 1e-12, "{}", tr.slope);
        assert_eq!(tr.verdict, TrendVerdict::NoTrend);
    }

    #[test]
    fn an_outlier_does_not_move_the_slope() {
        let t: Vec<f64> = (0..9).map(f64::from).collect();
        let mut y: Vec<f64> = t.iter().map(|x| 10.0 - 2.0 * x).collect();
        y[4] = 1000.0;
        let tr = trend(&t, &y, 0.05).unwrap();
        assert_eq!(tr.slope, -2.0);
        assert_eq!(tr.verdict, TrendVerdict::Decreasing);
    }

    fn noisy_line(seed: u64, n: usize, slope: f64) -> (Vec<f64>, Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let noise = Gauss::new(0.0, 1.0).unwrap();
        let t: Vec<f64> = (0..n).map(|i| 1.7e9 + 60.0 * i as f64).collect();
        let y = t.iter().map(|x| 500.0 + slope * (x - t[0]) + noise.sample(&mut rng)).collect();
        (t, y)
    }

    #[test]
    fn a_noisy_line_with_a_known_slope() {
        // 0.001 per second is 0.06 per point against noise of 1: 500 points rise by 30 sigma.
        let (t, y) = noisy_line(7, 500, 0.001);
        let tr = trend(&t, &y, 0.05).unwrap();
        assert!(tr.exact);
        assert!((tr.slope - 0.001).abs() < 2e-5, "{tr:?}");
        assert!(tr.slope_low < 0.001 && 0.001 < tr.slope_high && tr.slope_high - tr.slope_low < 1e-4, "{tr:?}");
        assert_eq!(tr.verdict, TrendVerdict::Increasing);
        assert!(tr.mann_kendall.p_value < 1e-10 && tr.mann_kendall.tau > 0.5, "{tr:?}");
    }

    #[test]
    fn sampling_above_the_exact_limit_keeps_the_slope() {
        let (t, y) = noisy_line(8, 5000, -0.0001);
        let tr = trend(&t, &y, 0.05).unwrap();
        assert!(!tr.exact);
        assert!((tr.slope + 0.0001).abs() < 2e-6, "{tr:?}");
        assert!(tr.slope_low < -0.0001 && -0.0001 < tr.slope_high, "{tr:?}");
        assert_eq!(tr.verdict, TrendVerdict::Decreasing);
        assert_eq!(trend(&t, &y, 0.05).unwrap(), tr, "the same series gives the same answer");
    }

    #[test]
    fn flat_noise_has_no_trend() {
        let (t, y) = noisy_line(9, 400, 0.0);
        let tr = trend(&t, &y, 0.05).unwrap();
        assert_eq!(tr.verdict, TrendVerdict::NoTrend, "{tr:?}");
        assert!(tr.slope_low < 0.0 && 0.0 < tr.slope_high);
        let flat = trend(&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0], 0.05).unwrap();
        assert_eq!((flat.slope, flat.mann_kendall.p_value, flat.verdict), (0.0, 1.0, TrendVerdict::NoTrend));
    }

    #[test]
    fn bad_input_is_refused_with_reasons() {
        assert_eq!(trend(&[1.0, 2.0], &[1.0, 2.0], 0.05).unwrap_err().to_string(), "a trend needs at least 3 points, got 2");
        assert_eq!(
            trend(&[1.0, 2.0, 3.0], &[1.0, f64::NAN, 2.0], 0.05).unwrap_err().to_string(),
            "point 1 has time 2 and value NaN; give finite numbers"
        );
        assert_eq!(
            trend(&[1.0, 1.0, 3.0], &[1.0, 2.0, 2.0], 0.05).unwrap_err().to_string(),
            "point 1 (time 1) is not after the one before it; give times in increasing order"
        );
        assert_eq!(
            trend(&[1.0, 2.0, 3.0], &[1.0, 2.0, 2.0], 1.0).unwrap_err().to_string(),
            "alpha must be between 0 and 1 (exclusive), got 1"
        );
    }
}
