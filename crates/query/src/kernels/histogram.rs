//! `histogram_quantile` and `histogram_fraction` over classic histograms: one cumulative count per
//! `le` bucket upper bound.

/// Relative difference between neighbouring bucket counts below which `histogram_quantile`
/// treats them as equal: such differences come from floating-point error (e.g. sums of rates
/// computed in another order), not from observations. Prometheus' value.
const SMALL_DELTA_TOLERANCE: f64 = 1e-12;

/// One bucket of a classic histogram: the cumulative count of observations `<= upper_bound`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bucket {
    /// The bucket's upper bound (its `le` label).
    pub(crate) upper_bound: f64,
    /// The cumulative count of observations at or below `upper_bound`.
    pub(crate) count: f64,
}

/// The result of [`bucket_quantile`], with what had to be repaired in the buckets (the engine
/// reports the first as an info annotation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BucketQuantile {
    /// The estimated quantile.
    pub(crate) value: f64,
    /// Some bucket count was lower than a previous one and was raised to it.
    pub(crate) forced_monotonic: bool,
    /// Some neighbouring counts differed only by floating-point noise and were made equal.
    pub(crate) fixed_precision: bool,
}

impl BucketQuantile {
    /// A result that needed no repair (or for which repairs are not reported).
    fn plain(value: f64) -> Self {
        Self { value, forced_monotonic: false, fixed_precision: false }
    }
}

/// Whether `a` and `b` differ by less than `epsilon` relative to their magnitude (Prometheus'
/// `almost.Equal`): two NaNs are equal, and near zero the comparison is against `epsilon` times
/// the smallest normal float.
pub(crate) fn almost_equal(a: f64, b: f64, epsilon: f64) -> bool {
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < f64::MIN_POSITIVE {
        return diff < epsilon * f64::MIN_POSITIVE;
    }
    diff / abs_sum.min(f64::MAX) < epsilon
}

/// Sorts the buckets by upper bound and merges buckets with the same bound (e.g. `le="0.2"` and
/// `le="2e-1"`) by adding their counts. Returns whether the highest bound is +Inf, without which
/// no quantile or fraction can be computed.
fn sort_and_coalesce(buckets: &mut Vec<Bucket>) -> bool {
    // A total order, so that sorting never panics even with NaN bounds (which sort to an end and
    // then fail the +Inf check or sit below every real bound).
    buckets.sort_by(|a, b| a.upper_bound.total_cmp(&b.upper_bound));
    if buckets.last().is_none_or(|b| b.upper_bound != f64::INFINITY) {
        return false;
    }
    buckets.dedup_by(|later, kept| {
        if later.upper_bound == kept.upper_bound {
            kept.count += later.count;
            true
        } else {
            false
        }
    });
    true
}

/// Repairs cumulative counts that are not monotonic: a count that differs from the previous
/// (accepted) one by a relative amount below `tolerance` is set equal to it (`fixed_precision`),
/// and a count lower than the previous one is raised to it (`forced_monotonic`). Returns
/// `(forced_monotonic, fixed_precision)`.
fn ensure_monotonic(buckets: &mut [Bucket], tolerance: f64) -> (bool, bool) {
    let (mut forced, mut fixed) = (false, false);
    let Some(first) = buckets.first() else {
        return (false, false);
    };
    let mut prev = first.count;
    for bucket in buckets.iter_mut().skip(1) {
        let curr = bucket.count;
        if curr == prev {
            continue;
        }
        if almost_equal(prev, curr, tolerance) {
            bucket.count = prev;
            fixed = true;
            continue;
        }
        if curr < prev {
            bucket.count = prev;
            forced = true;
            continue;
        }
        prev = curr;
    }
    (forced, fixed)
}

/// The smallest `i` in `0..n` for which `pred(i)` holds, or `n`, found by the same bisection as
/// Go's `sort.Search`. Written out rather than using `partition_point` so that the answer is the
/// same as Prometheus' even when NaN counts make the predicate non-monotonic.
fn go_search(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut i, mut j) = (0, n);
    while i < j {
        let h = i + (j - i) / 2;
        if pred(h) {
            j = h;
        } else {
            i = h + 1;
        }
    }
    i
}

/// Prometheus' `BucketQuantile`: the φ-quantile of a classic histogram, interpolating linearly
/// inside the bucket the rank falls in. `buckets` is sorted, coalesced and repaired in place.
///
/// A natural lower bound of 0 is assumed for the lowest bucket if its upper bound is positive;
/// if it is not, a rank in the lowest bucket gives that upper bound. A rank in the +Inf bucket
/// gives the second-highest bound. NaN if `q` is NaN, the highest bound is not +Inf, fewer than 2
/// distinct bounds remain, or there are no observations; −Inf for `q < 0`, +Inf for `q > 1`.
pub(crate) fn bucket_quantile(q: f64, buckets: &mut Vec<Bucket>) -> BucketQuantile {
    if q.is_nan() {
        return BucketQuantile::plain(f64::NAN);
    }
    if q < 0.0 {
        return BucketQuantile::plain(f64::NEG_INFINITY);
    }
    if q > 1.0 {
        return BucketQuantile::plain(f64::INFINITY);
    }
    if !sort_and_coalesce(buckets) {
        return BucketQuantile::plain(f64::NAN);
    }
    let (forced_monotonic, fixed_precision) = ensure_monotonic(buckets, SMALL_DELTA_TOLERANCE);

    let n = buckets.len();
    if n < 2 {
        return BucketQuantile::plain(f64::NAN);
    }
    let observations = buckets[n - 1].count;
    if observations == 0.0 {
        return BucketQuantile::plain(f64::NAN);
    }
    let result = |value| BucketQuantile { value, forced_monotonic, fixed_precision };

    let mut rank = q * observations;
    let b = go_search(n - 1, |i| buckets[i].count >= rank);
    if b == n - 1 {
        return result(buckets[n - 2].upper_bound);
    }
    if b == 0 && buckets[0].upper_bound <= 0.0 {
        return result(buckets[0].upper_bound);
    }
    let mut bucket_start = 0.0;
    let bucket_end = buckets[b].upper_bound;
    let mut count = buckets[b].count;
    if b > 0 {
        bucket_start = buckets[b - 1].upper_bound;
        count -= buckets[b - 1].count;
        rank -= buckets[b - 1].count;
    }
    result(bucket_start + (bucket_end - bucket_start) * (rank / count))
}

/// Prometheus 3.5's `BucketFraction`: the estimated fraction of a classic histogram's
/// observations in `(lower, upper]`, interpolating linearly inside buckets. `buckets` is sorted
/// and coalesced in place; counts are used as they are (no monotonicity repair).
///
/// NaN if the highest bound is not +Inf, there are no observations, or either bound is NaN; 0 if
/// `lower >= upper`. As in Prometheus 3.5, the lowest bucket is taken to start at −Inf, so a
/// finite bound falling inside it gives NaN (prometheus/prometheus#17367); a bound of −Inf, or
/// one on a bucket boundary, is fine.
pub(crate) fn bucket_fraction(lower: f64, upper: f64, buckets: &mut Vec<Bucket>) -> f64 {
    if !sort_and_coalesce(buckets) {
        return f64::NAN;
    }
    let total = buckets[buckets.len() - 1].count;
    if total == 0.0 || lower.is_nan() || upper.is_nan() {
        return f64::NAN;
    }
    if lower >= upper {
        return 0.0;
    }

    // `rank` is the cumulative count below the current bucket.
    let mut rank = 0.0;
    let (mut lower_rank, mut upper_rank) = (None, None);
    let mut bucket_start = f64::NEG_INFINITY;
    for bucket in buckets.iter() {
        let bucket_end = bucket.upper_bound;
        let interpolate = |v: f64| rank + (bucket.count - rank) * (v - bucket_start) / (bucket_end - bucket_start);
        if lower_rank.is_none() && bucket_start >= lower {
            lower_rank = Some(rank);
        }
        if upper_rank.is_none() && bucket_start >= upper {
            upper_rank = Some(rank);
        }
        if lower_rank.is_some() && upper_rank.is_some() {
            break;
        }
        if lower_rank.is_none() && bucket_start < lower && bucket_end > lower {
            lower_rank = Some(interpolate(lower));
        }
        if upper_rank.is_none() && bucket_start < upper && bucket_end > upper {
            upper_rank = Some(interpolate(upper));
        }
        if lower_rank.is_some() && upper_rank.is_some() {
            break;
        }
        rank = bucket.count;
        bucket_start = bucket_end;
    }
    // A bound beyond every bucket, or a rank above the total, counts as the total.
    let clamp = |r: Option<f64>| match r {
        Some(r) if r <= total || r.is_nan() => r,
        _ => total,
    };
    (clamp(upper_rank) - clamp(lower_rank)) / total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_util::assert_close;

    const INF: f64 = f64::INFINITY;

    fn buckets(pairs: &[(f64, f64)]) -> Vec<Bucket> {
        pairs.iter().map(|&(upper_bound, count)| Bucket { upper_bound, count }).collect()
    }

    fn q(quantile: f64, pairs: &[(f64, f64)]) -> f64 {
        bucket_quantile(quantile, &mut buckets(pairs)).value
    }

    /// histograms.test `testhistogram` at 50m (10 increments).
    const POSITIVE: [(f64, f64); 4] = [(0.1, 50.0), (0.2, 70.0), (1.0, 110.0), (INF, 120.0)];
    const NEGATIVE: [(f64, f64); 4] = [(-0.2, 10.0), (-0.1, 20.0), (0.3, 20.0), (INF, 30.0)];

    #[test]
    fn quantiles_match_histograms_test() {
        let cases = [(0.0, 0.0, -0.2), (1.0, 1.0, 0.3), (0.2, 0.048, -0.2), (0.5, 0.15, -0.15), (0.8, 0.72, 0.3)];
        for (quantile, pos, neg) in cases {
            assert_close(q(quantile, &POSITIVE), pos);
            assert_close(q(quantile, &NEGATIVE), neg);
        }
    }

    #[test]
    fn quantiles_with_zero_and_negative_lowest_buckets() {
        // testhistogram3 at 50m.
        let pos = [(0.0, 0.0), (0.1, 50.0), (0.2, 70.0), (1.0, 110.0), (INF, 110.0)];
        let neg = [(-0.25, 0.0), (-0.2, 10.0), (-0.1, 20.0), (0.3, 20.0), (INF, 20.0)];
        for (quantile, p, n) in [(0.0, 0.0, -0.25), (0.25, 0.055, -0.225), (0.5, 0.125, -0.2), (0.75, 0.45, -0.15), (1.0, 1.0, -0.1)] {
            assert_close(q(quantile, &pos), p);
            assert_close(q(quantile, &neg), n);
        }
    }

    #[test]
    fn quantiles_in_the_middle_of_buckets() {
        // testhistogram2 at 7m (one increment).
        let h = [(0.0, 0.0), (2.0, 1.0), (4.0, 2.0), (6.0, 3.0), (INF, 3.0)];
        assert_close(q(1.0 / 6.0, &h), 1.0);
        assert_close(q(0.5, &h), 3.0);
        assert_close(q(5.0 / 6.0, &h), 5.0);
    }

    #[test]
    fn aggregated_rates() {
        // sum by (le) of the four request_duration_seconds rates (per 10m window, scaled).
        let all = [(0.1, 10.0), (0.2, 19.0), (INF, 25.0)];
        assert_close(q(0.3, &all), 0.075);
        assert_close(q(0.5, &all), 0.127_777_777_777_777_8);
        assert_close(q(0.3, &[(0.1, 3.0), (0.2, 5.0), (INF, 6.0)]), 0.06);
        assert_close(q(0.5, &[(0.1, 4.0), (0.2, 7.0), (INF, 9.0)]), 0.116_666_666_666_666_7);
    }

    #[test]
    fn out_of_range_quantiles() {
        assert_eq!(q(-0.1, &POSITIVE), f64::NEG_INFINITY);
        assert_eq!(q(1.01, &POSITIVE), INF);
        assert!(q(f64::NAN, &POSITIVE).is_nan());
    }

    #[test]
    fn nonmonotonic_buckets_are_repaired_and_reported() {
        let h = [(0.1, 20.0), (1.0, 10.0), (10.0, 50.0), (100.0, 40.0), (1000.0, 90.0), (INF, 80.0)];
        for (quantile, want) in [(0.01, 0.0045), (0.5, 8.5), (0.99, 979.75)] {
            let r = bucket_quantile(quantile, &mut buckets(&h));
            assert_close(r.value, want);
            assert!(r.forced_monotonic);
            assert!(!r.fixed_precision);
        }
        let r = bucket_quantile(0.5, &mut buckets(&POSITIVE));
        assert!(!r.forced_monotonic && !r.fixed_precision);
    }

    #[test]
    fn floating_point_noise_is_ignored_and_reported() {
        let noisy = [(1.0, 10.0), (2.0, 10.0 - 1e-14), (INF, 20.0)];
        let r = bucket_quantile(0.5, &mut buckets(&noisy));
        assert_close(r.value, 1.0);
        assert!(r.fixed_precision);
        assert!(!r.forced_monotonic);
    }

    #[test]
    fn equal_bounds_are_merged() {
        // mixed_bucket: 0.1, 0.2, 2e-1, 2.0e-1 and +Inf; the three 0.2 buckets add up.
        let h = [(0.1, 1.0), (0.2, 1.0), (0.2, 1.0), (0.2, 1.0), (INF, 4.0)];
        assert_close(q(0.5, &h), 0.15);
        assert_close(q(0.75, &h), 0.2);
        assert_close(q(1.0, &h), 0.2);
        // Only +Inf buckets: fewer than 2 bounds.
        assert!(q(0.5, &[(INF, 0.0), (INF, 0.0)]).is_nan());
    }

    #[test]
    fn degenerate_histograms_give_nan() {
        assert!(q(0.5, &[]).is_nan());
        assert!(q(0.5, &[(1.0, 1.0), (2.0, 2.0)]).is_nan());
        assert!(q(0.5, &[(1.0, 0.0), (INF, 0.0)]).is_nan());
        // A NaN bound sorts above +Inf, so the histogram has no +Inf bucket.
        assert!(q(0.5, &[(f64::NAN, 1.0), (1.0, 1.0), (INF, 2.0)]).is_nan());
    }

    #[test]
    fn unsorted_input_is_sorted_in_place() {
        let mut b = buckets(&[(INF, 4.0), (0.2, 3.0), (0.1, 1.0)]);
        bucket_quantile(0.5, &mut b);
        assert_eq!(b.iter().map(|b| b.upper_bound).collect::<Vec<_>>(), [0.1, 0.2, INF]);
    }

    fn f(lower: f64, upper: f64, pairs: &[(f64, f64)]) -> f64 {
        bucket_fraction(lower, upper, &mut buckets(pairs))
    }

    #[test]
    fn fractions_match_histograms_test() {
        let h2 = [(0.0, 0.0), (2.0, 10.0), (4.0, 20.0), (6.0, 30.0), (INF, 30.0)];
        assert_close(f(0.0, 4.0, &h2), 0.666_666_666_666_666_6);
        assert_close(f(0.0, 6.0, &h2), 1.0);
        assert_close(f(0.0, 3.5, &h2), 0.583_333_333_333_333_4);
        let pos = [(0.0, 0.0), (0.1, 50.0), (0.2, 70.0), (1.0, 110.0), (INF, 110.0)];
        let neg = [(-0.25, 0.0), (-0.2, 10.0), (-0.1, 20.0), (0.3, 20.0), (INF, 20.0)];
        assert_close(f(0.0, 0.2, &pos), 0.636_363_636_363_636_4);
        assert_close(f(0.0, 0.2, &neg), 0.0);
    }

    #[test]
    fn fraction_edge_cases() {
        assert_close(f(f64::NEG_INFINITY, 0.2, &POSITIVE), 70.0 / 120.0);
        assert_close(f(0.2, INF, &POSITIVE), 50.0 / 120.0);
        assert_close(f(f64::NEG_INFINITY, INF, &POSITIVE), 1.0);
        assert_eq!(f(1.0, 1.0, &POSITIVE), 0.0);
        assert_eq!(f(2.0, 1.0, &POSITIVE), 0.0);
        assert!(f(f64::NAN, 1.0, &POSITIVE).is_nan());
        assert!(f(0.0, 1.0, &[(1.0, 0.0), (INF, 0.0)]).is_nan());
        assert!(f(0.0, 1.0, &[(1.0, 1.0), (2.0, 2.0)]).is_nan());
        assert!(f(0.0, 1.0, &[]).is_nan());
        // Prometheus 3.5 takes the lowest bucket to start at -Inf: a finite bound inside it is NaN.
        assert!(f(0.0, 1.5, &[(1.0, 1.0), (2.0, 3.0), (INF, 100.0)]).is_nan());
    }

    #[test]
    fn almost_equal_is_relative() {
        assert!(almost_equal(1.0, 1.0 + 1e-13, 1e-12));
        assert!(!almost_equal(1.0, 1.0 + 1e-11, 1e-12));
        assert!(almost_equal(f64::NAN, f64::NAN, 1e-12));
        assert!(!almost_equal(0.0, 1e-300, 1e-12));
        assert!(almost_equal(INF, INF, 1e-12));
    }
}
