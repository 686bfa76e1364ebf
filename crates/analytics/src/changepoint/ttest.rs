//! Student's two-sample t-test (pooled variance, two-sided) between the points before and
//! after a candidate change point, as Hunter decides whether a split is significant.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// The two sides of a split and how likely they share one mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Comparison {
    /// Mean of the points before.
    pub mean_before: f64,
    /// Mean of the points from the split on.
    pub mean_after: f64,
    /// Sample standard deviation before (0 for one point).
    pub stddev_before: f64,
    /// Sample standard deviation after (0 for one point).
    pub stddev_after: f64,
    /// The t statistic (after minus before); infinite when both sides are constant and differ.
    pub t: f64,
    /// Two-sided p-value of equal means.
    pub p_value: f64,
}

/// Mean and sum of squared deviations, in two passes for accuracy on large offsets.
fn moments(x: &[f64]) -> (f64, f64) {
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    (mean, x.iter().map(|v| (v - mean) * (v - mean)).sum())
}

/// Compares `before` and `after`, both non-empty.
pub(crate) fn compare(before: &[f64], after: &[f64]) -> Comparison {
    let (n1, n2) = (before.len() as f64, after.len() as f64);
    let (m1, ss1) = moments(before);
    let (m2, ss2) = moments(after);
    let sd = |ss: f64, n: f64| if n > 1.0 { (ss / (n - 1.0)).sqrt() } else { 0.0 };
    let df = n1 + n2 - 2.0;
    let (t, p_value) = if df < 1.0 {
        (0.0, 1.0)
    } else {
        let pooled = (ss1 + ss2) / df;
        let se = (pooled * (1.0 / n1 + 1.0 / n2)).sqrt();
        let diff = m2 - m1;
        if se > 0.0 && se.is_finite() {
            let t = diff / se;
            (t, two_sided(t, df))
        } else if diff == 0.0 {
            (0.0, 1.0)
        } else {
            (diff.signum() * f64::INFINITY, 0.0)
        }
    };
    Comparison { mean_before: m1, mean_after: m2, stddev_before: sd(ss1, n1), stddev_after: sd(ss2, n2), t, p_value }
}

/// P(|T| >= |t|) for Student's t with `df` degrees of freedom.
fn two_sided(t: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) => (2.0 * dist.cdf(-t.abs())).min(1.0),
        Err(_) => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_hand_computed_t_test() {
        // Means 2 and 5, pooled variance 1 (ss 2 + 2 over df 4), se = sqrt(2/3), t = 3.674;
        // scipy.stats.ttest_ind gives p = 0.021311641128756713.
        let c = compare(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]);
        assert_eq!((c.mean_before, c.mean_after, c.stddev_before, c.stddev_after), (2.0, 5.0, 1.0, 1.0));
        assert!((c.t - 3.674234614174767).abs() < 1e-12, "{}", c.t);
        assert!((c.p_value - 0.021311641128756713).abs() < 1e-9, "{}", c.p_value);
    }

    #[test]
    fn constant_sides() {
        let c = compare(&[1.0, 1.0], &[2.0, 2.0]);
        assert_eq!((c.t, c.p_value), (f64::INFINITY, 0.0));
        let c = compare(&[1.0, 1.0], &[1.0, 1.0]);
        assert_eq!((c.t, c.p_value), (0.0, 1.0));
        assert_eq!(compare(&[1.0], &[2.0]).p_value, 1.0);
    }
}
