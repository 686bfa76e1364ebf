//! The two-sample Kolmogorov-Smirnov test: the largest distance between two samples'
//! empirical distribution functions, and how likely a distance at least that large is
//! when both samples come from one distribution.
//!
//! Written here rather than taken from a statistics crate: the ranking runs it on
//! thousands of series per request, so the statistic is computed in one merge pass over
//! the sorted samples with integer arithmetic (which makes the exact p-value's path
//! count exact too), and the crates that offer the test allocate and sort per call.

/// Up to this many `n * m`, the p-value is exact (when there are no ties); above, the
/// asymptotic Kolmogorov distribution (as scipy switches). Just above the switch (100 x
/// 100 values) the asymptotic p-value is some 15 % low around p = 0.02, and closer for
/// larger samples; rankings use the statistic, the p-value only breaks ties.
const EXACT_UP_TO: u64 = 10_000;

/// The outcome of one test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsTest {
    /// The statistic D: the largest vertical distance between the two empirical
    /// distribution functions, in [0, 1].
    pub statistic: f64,
    /// The probability of a D at least this large if both samples came from the same
    /// continuous distribution (two-sided).
    pub p_value: f64,
    /// Whether `p_value` is exact (small samples without ties) or asymptotic.
    pub exact: bool,
}

/// Tests whether `a` and `b` come from the same distribution. Both must be sorted
/// ascending (by `f64::total_cmp`), free of NaN and non-empty; `None` otherwise.
///
/// Ties (equal values, within or across the samples, common in monitoring data) are
/// handled as the definition says: the distribution functions are compared only after
/// all values equal to a point have been counted on both sides. With ties, the exact
/// p-value no longer applies and the asymptotic one is used; it is then conservative
/// (too large), so a change is never overstated.
pub fn ks_two_sample(a: &[f64], b: &[f64]) -> Option<KsTest> {
    ks_sorted(a, b)
}

/// [`ks_two_sample`] over any ordered values, such as [`order_key`]s.
pub(super) fn ks_sorted<T: PartialOrd + Copy>(a: &[T], b: &[T]) -> Option<KsTest> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let (n, m) = (a.len() as u64, b.len() as u64);
    let (mut i, mut j) = (0usize, 0usize);
    // D * n * m as an integer: |i/n - j/m| * n * m = |i*m - j*n|.
    let mut widest = 0u64;
    let mut ties = false;
    while i < a.len() && j < b.len() {
        let x = if a[i] <= b[j] { a[i] } else { b[j] };
        let (start_i, start_j) = (i, j);
        while i < a.len() && a[i] == x {
            i += 1;
        }
        while j < b.len() && b[j] == x {
            j += 1;
        }
        ties |= i > start_i && j > start_j;
        widest = widest.max((i as u64 * m).abs_diff(j as u64 * n));
    }
    // Once one sample is used up the distance only shrinks towards 0. Ties within one
    // sample matter for exactness only.
    ties |= a.windows(2).any(|w| w[0] == w[1]) || b.windows(2).any(|w| w[0] == w[1]);
    let statistic = widest as f64 / (n * m) as f64;
    let exact = !ties && n * m <= EXACT_UP_TO;
    let p_value = if exact { exact_p(n, m, widest) } else { asymptotic_p(n, m, statistic) };
    Some(KsTest { statistic, p_value: p_value.clamp(0.0, 1.0), exact })
}

/// An integer with the order of the finite float `v` (-0 and +0 equal): integers sort
/// several times faster than floats compared with `total_cmp`, which matters when
/// thousands of series are tested per request.
pub(super) fn order_key(v: f64) -> u64 {
    let bits = (v + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// P(D >= widest / (n m)) for samples without ties: one minus the share of the
/// C(n+m, n) equally likely merge orders whose path (i, j) stays strictly inside
/// |i m - j n| < widest. Counts fit an f64 for n m <= [`EXACT_UP_TO`] (at most C(200, 100)).
fn exact_p(n: u64, m: u64, widest: u64) -> f64 {
    if widest == 0 {
        return 1.0;
    }
    let inside = |i: u64, j: u64| (i * m).abs_diff(j * n) < widest;
    let mut paths = vec![0.0f64; m as usize + 1];
    for (j, slot) in paths.iter_mut().enumerate() {
        let j = j as u64;
        *slot = if inside(0, j) { 1.0 } else { break };
    }
    for i in 1..=n {
        let mut left = 0.0;
        for (j, slot) in paths.iter_mut().enumerate() {
            *slot = if inside(i, j as u64) { *slot + left } else { 0.0 };
            left = *slot;
        }
    }
    let mut total = 1.0f64;
    for k in 1..=n.min(m) {
        total = total * (n + m - n.min(m) + k) as f64 / k as f64;
    }
    1.0 - paths[m as usize] / total
}

/// The asymptotic p-value with Stephens' small-sample correction of the effective size.
fn asymptotic_p(n: u64, m: u64, d: f64) -> f64 {
    let en = ((n * m) as f64 / (n + m) as f64).sqrt();
    kolmogorov_q((en + 0.12 + 0.11 / en) * d)
}

/// Kolmogorov's Q(λ) = 2 Σ (-1)^(k-1) exp(-2 k² λ²), 1 for small λ where the series
/// converges too slowly to matter.
fn kolmogorov_q(lambda: f64) -> f64 {
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    let mut sign = 1.0;
    for k in 1..=100 {
        let k = f64::from(k);
        let term = sign * (-2.0 * k * k * lambda * lambda).exp();
        sum += term;
        if term.abs() < 1e-12 * sum.abs() {
            break;
        }
        sign = -sign;
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut v: Vec<f64>) -> Vec<f64> {
        v.sort_by(f64::total_cmp);
        v
    }

    #[test]
    fn identical_samples_do_not_differ() {
        let a: Vec<f64> = (0..50).map(f64::from).collect();
        let t = ks_two_sample(&a, &a).unwrap();
        assert_eq!(t.statistic, 0.0);
        assert_eq!(t.p_value, 1.0);
    }

    #[test]
    fn disjoint_samples_differ_fully() {
        let a: Vec<f64> = (0..5).map(f64::from).collect();
        let b: Vec<f64> = (10..15).map(f64::from).collect();
        let t = ks_two_sample(&a, &b).unwrap();
        assert_eq!(t.statistic, 1.0);
        assert!(t.exact);
        // Only 2 of the C(10, 5) = 252 orders put one sample wholly before the other.
        assert!((t.p_value - 2.0 / 252.0).abs() < 1e-12, "{}", t.p_value);
    }

    #[test]
    fn exact_p_counts_every_order() {
        // Enumerate all C(13, 6) = 1716 ways to interleave 6 and 7 values and count those
        // at least as far apart as the observed pair.
        let a = [1.0, 2.0, 3.0, 4.5, 5.5, 6.5];
        let b = [4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        let t = ks_two_sample(&a, &b).unwrap();
        assert!((t.statistic - 4.0 / 7.0).abs() < 1e-12, "{}", t.statistic);
        assert!(t.exact);
        let (mut total, mut extreme) = (0u32, 0u32);
        for mask in 0u32..(1 << 13) {
            if mask.count_ones() != 6 {
                continue;
            }
            let (x, y): (Vec<f64>, Vec<f64>) = (0..13).map(|k| (k, f64::from(k))).fold((vec![], vec![]), |(mut x, mut y), (k, v)| {
                if mask & (1 << k) != 0 {
                    x.push(v)
                } else {
                    y.push(v)
                }
                (x, y)
            });
            total += 1;
            if ks_two_sample(&x, &y).unwrap().statistic >= t.statistic - 1e-12 {
                extreme += 1;
            }
        }
        assert_eq!(total, 1716);
        assert!((t.p_value - f64::from(extreme) / 1716.0).abs() < 1e-12, "{} vs {extreme}/1716", t.p_value);
    }

    #[test]
    fn exact_p_is_a_distribution() {
        // Summing P(D = d) over every attainable d gives 1: the tail at the smallest
        // positive distance is 1, and tails fall as the distance grows.
        let (n, m) = (6u64, 7u64);
        let mut last = 1.0;
        for widest in 1..=n * m {
            let p = exact_p(n, m, widest);
            assert!(p <= last + 1e-12, "tail rose at {widest}");
            last = p;
        }
        assert!((exact_p(n, m, n * m) - 2.0 / 1716.0).abs() < 1e-12);
    }

    #[test]
    fn ties_are_counted_together() {
        // All equal values: the distributions agree everywhere, whatever the sizes.
        let t = ks_two_sample(&[1.0; 40], &[1.0; 7]).unwrap();
        assert_eq!(t.statistic, 0.0);
        assert!(!t.exact);
        // A step: half the values move from 0 to 1.
        let t = ks_two_sample(&[0.0; 100], &sorted([vec![0.0; 50], vec![1.0; 50]].concat())).unwrap();
        assert!((t.statistic - 0.5).abs() < 1e-12);
        assert!(t.p_value < 1e-6, "{}", t.p_value);
    }

    #[test]
    fn asymptotic_is_near_exact_at_the_switch() {
        let a: Vec<f64> = (0..100).map(|i| f64::from(i) + 0.25).collect();
        let b: Vec<f64> = (0..100).map(|i| f64::from(i) + 20.5).collect();
        let t = ks_two_sample(&a, &b).unwrap();
        assert!(t.exact);
        let approx = asymptotic_p(100, 100, t.statistic);
        assert!((approx - t.p_value).abs() < 0.2 * t.p_value, "exact {} asymptotic {approx}", t.p_value);
    }

    #[test]
    fn order_keys_sort_like_the_floats() {
        let values = [-1e300, -2.5, -1e-300, -0.0, 0.0, 1e-300, 3.0, 1e300];
        let keys: Vec<u64> = values.iter().map(|v| order_key(*v)).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{keys:?}");
        assert_eq!(keys[3], keys[4]);
        assert!(keys[2] < keys[3] && keys[4] < keys[5]);
    }

    #[test]
    fn empty_samples_cannot_be_tested() {
        assert_eq!(ks_two_sample(&[], &[1.0]), None);
    }
}
