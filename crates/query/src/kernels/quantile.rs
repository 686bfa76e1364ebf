//! The φ-quantile of a set of values, as the `quantile` aggregation, `quantile_over_time` and
//! `mad_over_time` compute it.

use std::cmp::Ordering;

/// The order Prometheus sorts values in for quantiles: NaN before everything, then ascending.
/// (Equal values, and -0 and +0, compare equal; their order does not change the result.)
pub(crate) fn nan_first_cmp(a: &f64, b: &f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
    }
}

/// Prometheus' `quantile`: sorts `values` in place (NaN first) and interpolates linearly between
/// the two values around rank `q·(n−1)`.
///
/// NaN for no values or a NaN `q`; −Inf for `q < 0`; +Inf for `q > 1`. The interpolation is the
/// plain weighted sum `lower·(1−w) + upper·w`, so, as in Prometheus, an infinite neighbour with
/// weight 0 gives NaN.
pub(crate) fn quantile(q: f64, values: &mut [f64]) -> f64 {
    if values.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    values.sort_unstable_by(nan_first_cmp);

    let n = values.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0);
    let upper = (n - 1.0).min(lower + 1.0);
    let weight = rank - rank.floor();
    // Both indices are whole numbers in [0, n-1], so the casts are exact.
    values[lower as usize] * (1.0 - weight) + values[upper as usize] * weight
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_util::assert_close;

    #[test]
    fn matches_aggregators_test() {
        assert_close(quantile(0.8, &mut [0.0, 1.0]), 0.8);
        assert_close(quantile(0.8, &mut [2.0, 0.0, 1.0]), 1.6);
        assert_close(quantile(0.8, &mut [4.0, 1.0, 0.0]), 2.8);
    }

    #[test]
    fn out_of_range_and_nan_quantiles() {
        assert_eq!(quantile(-0.1, &mut [1.0, 2.0]), f64::NEG_INFINITY);
        assert_eq!(quantile(1.01, &mut [1.0, 2.0]), f64::INFINITY);
        assert!(quantile(f64::NAN, &mut [1.0, 2.0]).is_nan());
        assert!(quantile(0.5, &mut []).is_nan());
    }

    #[test]
    fn sorts_in_place_with_nan_first() {
        let mut v = [3.0, f64::NAN, 1.0, 2.0];
        assert_close(quantile(1.0, &mut v), 3.0);
        assert!(v[0].is_nan());
        assert_eq!(&v[1..], &[1.0, 2.0, 3.0]);
        // The NaN is the lowest value, so low quantiles see it.
        assert!(quantile(0.0, &mut v).is_nan());
    }

    #[test]
    fn single_value_and_extremes() {
        assert_eq!(quantile(0.3, &mut [7.0]), 7.0);
        assert_eq!(quantile(0.0, &mut [5.0, -1.0, 3.0]), -1.0);
        assert_eq!(quantile(1.0, &mut [5.0, -1.0, 3.0]), 5.0);
        // Weight 0 times an infinite neighbour is NaN, as in Prometheus, even at the ends.
        assert!(quantile(0.0, &mut [1.0, f64::INFINITY]).is_nan());
        assert!(quantile(1.0, &mut [1.0, f64::INFINITY]).is_nan());
        assert_eq!(quantile(0.5, &mut [1.0, f64::INFINITY]), f64::INFINITY);
    }
}
