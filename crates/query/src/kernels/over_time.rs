//! The `*_over_time` functions and `changes`/`resets`, over the float values of one series'
//! window, in time order. Callers skip windows without float samples (Prometheus outputs nothing
//! for them); given an empty slice these return the value Prometheus' arithmetic would give.

use super::kahan::kahan_sum_inc;
use super::quantile::quantile;

/// `sum_over_time`: the Kahan-compensated sum (an infinite sum is returned without the
/// compensation, which could only turn it into NaN).
pub(crate) fn sum_over_time(values: &[f64]) -> f64 {
    let (mut sum, mut c) = (0.0, 0.0);
    for &v in values {
        (sum, c) = kahan_sum_inc(v, sum, c);
    }
    if sum.is_infinite() {
        return sum;
    }
    sum + c
}

/// `avg_over_time`: the Kahan-compensated sum divided by the count while the sum stays finite;
/// once adding a value would overflow, it switches to an incremental (Kahan-compensated) mean,
/// which cannot overflow. This is Prometheus' algorithm: the direct mean is the more accurate of
/// the two (see prometheus/prometheus#16714), the incremental one the fallback. NaN for no values.
pub(crate) fn avg_over_time(values: &[f64]) -> f64 {
    let Some((&first, rest)) = values.split_first() else {
        return f64::NAN;
    };
    let (mut sum, mut count) = (first, 1.0);
    let (mut mean, mut c) = (0.0, 0.0);
    let mut incremental = false;
    for (i, &v) in rest.iter().enumerate() {
        count = (i + 2) as f64;
        if !incremental {
            let (new_sum, new_c) = kahan_sum_inc(v, sum, c);
            if !new_sum.is_infinite() {
                (sum, c) = (new_sum, new_c);
                continue;
            }
            incremental = true;
            mean = sum / (count - 1.0);
            c /= count - 1.0;
        }
        let q = (count - 1.0) / count;
        (mean, c) = kahan_sum_inc(v / count, q * mean, q * c);
    }
    if incremental {
        return mean + c;
    }
    sum / count + c / count
}

/// The population variance of `values` by Welford's method with Kahan-compensated mean and sum
/// of squares (Prometheus' `varianceOverTime`). NaN for no values.
fn variance(values: &[f64]) -> f64 {
    let mut count = 0.0;
    let (mut mean, mut c_mean) = (0.0, 0.0);
    let (mut aux, mut c_aux) = (0.0, 0.0);
    for &v in values {
        count += 1.0;
        let delta = v - (mean + c_mean);
        (mean, c_mean) = kahan_sum_inc(delta / count, mean, c_mean);
        (aux, c_aux) = kahan_sum_inc(delta * (v - (mean + c_mean)), aux, c_aux);
    }
    (aux + c_aux) / count
}

/// `stdvar_over_time`: the population variance.
pub(crate) fn stdvar_over_time(values: &[f64]) -> f64 {
    variance(values)
}

/// `stddev_over_time`: the population standard deviation.
pub(crate) fn stddev_over_time(values: &[f64]) -> f64 {
    variance(values).sqrt()
}

/// `mad_over_time`: the median of the absolute deviations from the median.
pub(crate) fn mad_over_time(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    let median = quantile(0.5, &mut sorted);
    let mut deviations: Vec<f64> = values.iter().map(|v| (v - median).abs()).collect();
    quantile(0.5, &mut deviations)
}

/// `quantile_over_time`: the φ-quantile of the values (see [`quantile`]; `values` is sorted in
/// place).
pub(crate) fn quantile_over_time(q: f64, values: &mut [f64]) -> f64 {
    quantile(q, values)
}

/// `changes`: how many times the value differs from the previous one. Two NaNs in a row are not
/// a change; a NaN next to a number is.
pub(crate) fn changes(values: &[f64]) -> f64 {
    values.windows(2).filter(|w| w[1] != w[0] && !(w[1].is_nan() && w[0].is_nan())).count() as f64
}

/// `resets`: how many times the value drops below the previous one (comparisons with NaN never
/// count).
pub(crate) fn resets(values: &[f64]) -> f64 {
    values.windows(2).filter(|w| w[1] < w[0]).count() as f64
}

/// Scans the points as Prometheus' `compareOverTime` does: the running pick starts at the first
/// point and is replaced by every later point for which `replace(candidate, pick)` holds, or
/// whenever the pick is NaN (so any value replaces a NaN). Returns the pick, or `None` if there
/// are no points.
fn pick_over_time(mut points: impl Iterator<Item = (i64, f64)>, replace: impl Fn(f64, f64) -> bool) -> Option<(i64, f64)> {
    let mut pick = points.next()?;
    for (t, v) in points {
        if replace(v, pick.1) || pick.1.is_nan() {
            pick = (t, v);
        }
    }
    Some(pick)
}

/// The values as points with a dummy timestamp, for the value-only functions built on
/// [`pick_over_time`].
fn untimed(values: &[f64]) -> impl Iterator<Item = (i64, f64)> + '_ {
    values.iter().map(|&v| (0, v))
}

/// `min_over_time`: the smallest value. A NaN is replaced by whatever value follows it and never
/// replaces a number, so the result is NaN only if all values are NaN (or there are none).
pub(crate) fn min_over_time(values: &[f64]) -> f64 {
    pick_over_time(untimed(values), |v, min| v < min).map_or(f64::NAN, |(_, v)| v)
}

/// `max_over_time`: the largest value, with the same NaN handling as [`min_over_time`].
pub(crate) fn max_over_time(values: &[f64]) -> f64 {
    pick_over_time(untimed(values), |v, max| v > max).map_or(f64::NAN, |(_, v)| v)
}

/// `ts_of_min_over_time`: the timestamp (in seconds) of the last occurrence of the smallest
/// value, with [`min_over_time`]'s NaN handling. NaN for no points.
pub(crate) fn ts_of_min_over_time(points: &[(i64, f64)]) -> f64 {
    pick_over_time(points.iter().copied(), |v, min| v <= min).map_or(f64::NAN, |(t, _)| t as f64 / 1000.0)
}

/// `ts_of_max_over_time`: the timestamp (in seconds) of the last occurrence of the largest
/// value, with [`max_over_time`]'s NaN handling. NaN for no points.
pub(crate) fn ts_of_max_over_time(points: &[(i64, f64)]) -> f64 {
    pick_over_time(points.iter().copied(), |v, max| v >= max).map_or(f64::NAN, |(t, _)| t as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_util::{assert_close, series, values, window, MIN};

    const NAN: f64 = f64::NAN;
    const INF: f64 = f64::INFINITY;
    /// `9.988465674311579e+307` in Prometheus' test files, written with the digits an f64 holds.
    const BIG: f64 = 9.988_465_674_311_58e307;

    #[test]
    fn big_is_the_test_files_value() {
        assert_eq!(BIG, "9.988465674311579e+307".parse::<f64>().unwrap());
    }

    #[test]
    fn avg_over_time_special_values() {
        let cases: &[(&[f64], f64)] = &[
            (&[1.0, 2.0, 3.0, 4.0, 5.0], 3.0),
            (&[5.0], 5.0),
            (&[1.0, 2.0, 3.0, 4.0, INF], INF),
            (&[1.0, 2.0, 3.0, 4.0, -INF], -INF),
            (&[1.0, 2.0, 3.0, INF, -INF], NAN),
            (&[INF, 0.0, INF], INF),
            (&[INF, INF, INF, -INF], NAN),
            (&[1.0, 2.0, 3.0, -INF, -INF], -INF),
            (&[-INF, 0.0, -INF], -INF),
            (&[-INF, -INF, -INF, INF], NAN),
            (&[1.0, 2.0, -INF, -INF, INF], NAN),
            (&[BIG, BIG], BIG),
            (&[-BIG, -BIG, -BIG], -BIG),
            (&[-BIG, BIG], 0.0),
            (&[1.0, 2.0, 3.0], 2.0),
            (&[1.0, 2.0, 3.0, NAN], NAN),
            (&[1.0, 1e100, 1.0, -1e100], 0.5),
        ];
        for (values, want) in cases {
            assert_close(avg_over_time(values), *want);
        }
    }

    #[test]
    fn sum_over_time_special_values() {
        // sum_over_time(x)/count_over_time(x) in functions.test.
        let cases: &[(&[f64], f64)] = &[
            (&[1.0, 2.0, 3.0, 4.0, INF], INF),
            (&[1.0, 2.0, 3.0, INF, -INF], NAN),
            (&[INF, 0.0, INF], INF),
            (&[-INF, -INF, -INF, INF], NAN),
            (&[BIG, BIG], INF),
            (&[-BIG, -BIG, -BIG], -INF),
            (&[-BIG, BIG], 0.0),
            (&[1.0, 1e100, 1.0, -1e100], 2.0),
        ];
        for (values, want) in cases {
            assert_close(sum_over_time(values), *want);
        }
        assert_eq!(sum_over_time(&[]), 0.0);
    }

    #[test]
    fn sum_over_time_on_dense_samples() {
        let ones = vec![1.0; 4001];
        for n in [1000, 1001, 1002, 1003, 2000, 2001, 2002, 2003, 3000, 3001, 3002, 3003] {
            assert_eq!(sum_over_time(&ones[..n]), n as f64);
        }
    }

    #[test]
    fn avg_over_time_extreme_magnitudes() {
        let cases: &[(&[f64], f64)] = &[
            (&[1e10, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6], 1.666_666_666_666_667_5e9),
            (
                &[5.30921651659898, 0.961118537914768, 1.62091361305318, 0.865089463758091, 0.323055185914577, 0.951811357687154],
                1.67186744582113,
            ),
            (&[1.78264e50, 0.76342771, 1.9592258, 7.69805412, 458.90154], 3.56528e49),
            (&[0.76342771, 1.9592258, 7.69805412, 1.78264e50, 458.90154], 3.56528e49),
            (&[1.78264E+50, 0.76342771, 1.9592258, 2.258E+220, 7.69805412, 458.90154], 3.76333333333333E+219),
            (&[-1.78264E+50, 0.76342771, 1.9592258, 2.258E+220, 7.69805412, -458.90154], 3.76333333333333E+219),
            (&[-1.78264E+50, 0.76342771, 1.9592258, -2.258E+220, 7.69805412, -458.90154], -3.76333333333333E+219),
            (&[-1.78264E+215, 0.76342771, 1.9592258, 2.258E+220, 7.69805412, -458.90154], 3.76330362266667E+219),
            (&[-1.78264E+215, 0.76342771, 1.9592258, 2.258E+220, 7.69805412, 1.78264E+215, -458.90154], 3.225714285714286e+219),
            (
                &[-1.78264E+219, 0.76342771, 1.9592258, 2.3757689E+217, -2.3757689E+217, 2.258E+220, 7.69805412, 1.78264E+219, -458.90154],
                2.5088888888888888e+219,
            ),
            // Kahan summation cannot recover the small values here either; Prometheus gives 0.
            (
                &[
                    -2.258E+220,
                    -1.78264E+219,
                    0.76342771,
                    1.9592258,
                    2.3757689E+217,
                    -2.3757689E+217,
                    2.258E+220,
                    7.69805412,
                    1.78264E+219,
                    -458.90154,
                ],
                0.0,
            ),
        ];
        for (values, want) in cases {
            assert_close(avg_over_time(values), *want);
        }
    }

    #[test]
    fn avg_over_time_of_a_constant_is_exact() {
        for n in [10, 11, 12, 13] {
            assert_eq!(avg_over_time(&vec![52.0; n]), 52.0);
        }
    }

    #[test]
    fn avg_over_time_switches_to_incremental_mean_on_overflow() {
        let big = 1.5e308;
        assert_close(avg_over_time(&[big, big, big, 0.0]), 1.125e308);
        assert!(avg_over_time(&[]).is_nan());
    }

    #[test]
    fn variance_matches_functions_test() {
        let v = [0.0, 8.0, 8.0, 2.0, 3.0];
        assert_close(stdvar_over_time(&v), 10.56);
        assert_close(stddev_over_time(&v), 3.249615);
        let same = [1.5990505637277868; 3];
        assert_eq!(stdvar_over_time(&same), 0.0);
        assert_eq!(stddev_over_time(&same), 0.0);
        assert_eq!(stdvar_over_time(&[7.0]), 0.0);
        assert!(stdvar_over_time(&[1.0, INF]).is_nan());
        assert!(stddev_over_time(&[1.0, NAN]).is_nan());
        assert!(stdvar_over_time(&[]).is_nan());
    }

    #[test]
    fn mad_matches_functions_test() {
        // At 70s over [70s] the window holds all samples but the first: 6 2 1 999 1 2.
        let s = series(0, 10_000, &[4.0, 6.0, 2.0, 1.0, 999.0, 1.0, 2.0]);
        assert_close(mad_over_time(&values(&window(&s, 70_000, 70_000))), 1.0);
        assert_close(mad_over_time(&[1.0, 1.0, 1.0]), 0.0);
        assert!(mad_over_time(&[]).is_nan());
    }

    #[test]
    fn quantile_over_time_matches_functions_test() {
        let cases: [(f64, [f64; 3]); 7] = [
            (0.0, [0.0, 0.0, 0.0]),
            (0.5, [0.5, 1.0, 1.0]),
            (0.75, [0.75, 1.5, 2.5]),
            (0.8, [0.8, 1.6, 2.8]),
            (1.0, [1.0, 2.0, 4.0]),
            (-1.0, [-INF, -INF, -INF]),
            (2.0, [INF, INF, INF]),
        ];
        for (q, want) in cases {
            assert_close(quantile_over_time(q, &mut [0.0, 1.0]), want[0]);
            assert_close(quantile_over_time(q, &mut [0.0, 1.0, 2.0]), want[1]);
            assert_close(quantile_over_time(q, &mut [0.0, 1.0, 4.0]), want[2]);
        }
    }

    #[test]
    fn changes_and_resets_match_functions_test() {
        let foo = series(0, 5 * MIN, &[1.0, 2.0, 3.0, 0.0, 1.0, 0.0, 0.0, 1.0, 2.0, 0.0]);
        let bar = series(0, 5 * MIN, &[1.0, 2.0, 3.0, 4.0, 5.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        let biz = series(0, 5 * MIN, &[0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
        let at = 50 * MIN;
        let resets_at = |s: &[(i64, f64)], range| resets(&values(&window(s, at, range)));
        let changes_at = |s: &[(i64, f64)], range| changes(&values(&window(s, at, range)));

        for (range, want) in
            [(10 * MIN, [0.0, 0.0, 0.0]), (20 * MIN, [1.0, 0.0, 0.0]), (32 * MIN, [2.0, 1.0, 0.0]), (50 * MIN, [3.0, 1.0, 0.0])]
        {
            assert_eq!([resets_at(&foo, range), resets_at(&bar, range), resets_at(&biz, range)], want);
        }
        for (range, want) in
            [(6 * MIN, [0.0, 0.0, 0.0]), (20 * MIN, [2.0, 2.0, 0.0]), (30 * MIN, [3.0, 4.0, 0.0]), (50 * MIN, [7.0, 8.0, 1.0])]
        {
            assert_eq!([changes_at(&foo, range), changes_at(&bar, range), changes_at(&biz, range)], want);
        }
    }

    #[test]
    fn changes_treats_nan_runs_as_unchanged() {
        assert_eq!(changes(&[NAN, NAN, NAN]), 0.0);
        assert_eq!(changes(&[0.0, NAN, 0.0]), 2.0);
        assert_eq!(changes(&[]), 0.0);
        assert_eq!(resets(&[1.0, NAN, 0.0]), 0.0);
    }

    #[test]
    fn min_and_max_replace_nan_by_numbers() {
        let cases: [([f64; 3], f64, f64); 5] = [
            ([2.0, 0.0, 3.0], 0.0, 3.0),
            ([2.0, 0.0, NAN], 0.0, 2.0),
            ([2.0, NAN, 1.0], 1.0, 2.0),
            ([NAN, 0.0, 1.0], 0.0, 1.0),
            ([NAN, NAN, NAN], NAN, NAN),
        ];
        for (v, min, max) in cases {
            assert_close(min_over_time(&v), min);
            assert_close(max_over_time(&v), max);
        }
        assert!(min_over_time(&[]).is_nan());
    }

    #[test]
    fn ts_of_min_and_max_match_functions_test() {
        let s = series(0, 10_053, &[1.0, 2.0, 3.0, 0.0, 5.0, 6.0, 2.0, 1.0, 4.0]);
        let w = window(&s, 90_000, 90_000);
        assert_close(ts_of_min_over_time(&w), 30.159);
        assert_close(ts_of_max_over_time(&w), 50.265);
        // The last occurrence of a tie wins.
        assert_close(ts_of_max_over_time(&[(1000, 5.0), (2000, 5.0), (3000, 1.0)]), 2.0);
        assert!(ts_of_min_over_time(&[]).is_nan());
    }
}
