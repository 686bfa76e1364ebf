//! Least-squares regression behind `deriv` and `predict_linear`.

use super::kahan::kahan_sum_inc;

/// Prometheus' `linearRegression`: the least-squares line through `points`, with time measured in
/// seconds from `intercept_time_ms`. Returns `(slope, intercept)`, the intercept being the line's
/// value at `intercept_time_ms`.
///
/// The four sums are Kahan-compensated. If all values are equal the line is flat at that value
/// (slope 0), unless that value is infinite, which gives `(NaN, NaN)`; an infinite value among
/// others gives NaN through the arithmetic. No points give `(NaN, NaN)`.
pub(crate) fn linear_regression(points: &[(i64, f64)], intercept_time_ms: i64) -> (f64, f64) {
    let Some(&(_, init_y)) = points.first() else {
        return (f64::NAN, f64::NAN);
    };
    // `!=` is true for NaN, so a NaN makes the line not flat, as in Prometheus.
    let const_y = points.iter().all(|&(_, y)| !(y != init_y));
    if const_y {
        if init_y.is_infinite() {
            return (f64::NAN, f64::NAN);
        }
        return (0.0, init_y);
    }
    // This is the inner loop of `deriv` and `predict_linear` over every step of a range
    // query. The sums are first taken without Prometheus' reset of the compensation on an
    // infinite partial sum: while no partial sum is infinite both ways give the same bits,
    // and once one is, that sum stays infinite or NaN to the end; so only sums that end up
    // non-finite are taken again the exact way (rare: infinite or NaN samples).
    let mut sums = fast_sums(points, intercept_time_ms);
    if !sums.iter().all(|(s, _)| s.is_finite()) {
        sums = sums_exact(points, intercept_time_ms);
    }
    let n = points.len() as f64;
    let [sum_x, sum_y, sum_xy, sum_x2] = sums.map(|(s, c)| s + c);
    let cov_xy = sum_xy - sum_x * sum_y / n;
    let var_x = sum_x2 - sum_x * sum_x / n;
    let slope = cov_xy / var_x;
    let intercept = sum_y / n - slope * sum_x / n;
    (slope, intercept)
}

/// The Kahan–Neumaier sums (and their compensations) of x, y, x·y and x² over `points`, x being
/// the time in seconds from `intercept_time_ms`, each value added with `add`.
#[inline(always)]
fn sums(points: &[(i64, f64)], intercept_time_ms: i64, add: impl Fn(f64, f64, f64) -> (f64, f64)) -> [(f64, f64); 4] {
    let mut acc = [(0.0, 0.0); 4];
    for &(t, y) in points {
        let x = t.wrapping_sub(intercept_time_ms) as f64 / 1e3;
        for (a, inc) in acc.iter_mut().zip([x, y, x * y, x * x]) {
            *a = add(inc, a.0, a.1);
        }
    }
    acc
}

/// [`sums`] with [`fast_sum_inc`]: with AVX when the CPU has it (the four sums side by side in
/// one register, each lane doing the same IEEE operations in the same order, so the same bits),
/// else one sum after the other.
fn fast_sums(points: &[(i64, f64)], intercept_time_ms: i64) -> [(f64, f64); 4] {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX, checked just above.
        return unsafe { avx::sums(points, intercept_time_ms) };
    }
    sums(points, intercept_time_ms, fast_sum_inc)
}

/// The regression's sums with AVX, written by hand: the compiler's own vectorisation of
/// [`sums`] for baseline x86-64 shuffles between half-filled SSE2 registers and takes about
/// twice as long, and this loop is most of the time of `deriv` and `predict_linear`.
#[cfg(target_arch = "x86_64")]
mod avx {
    use std::arch::x86_64::{
        _mm256_add_pd, _mm256_and_pd, _mm256_blendv_pd, _mm256_castsi256_pd, _mm256_cmp_pd, _mm256_mul_pd, _mm256_set1_epi64x,
        _mm256_set_pd, _mm256_setzero_pd, _mm256_storeu_pd, _mm256_sub_pd, _CMP_GE_OQ,
    };

    /// [`super::sums`] with [`super::fast_sum_inc`], lanes x, y, x·y, x².
    ///
    /// # Safety
    /// The CPU must have AVX.
    #[target_feature(enable = "avx")]
    pub(super) unsafe fn sums(points: &[(i64, f64)], intercept_time_ms: i64) -> [(f64, f64); 4] {
        let abs = _mm256_castsi256_pd(_mm256_set1_epi64x(i64::MAX));
        let (mut sum, mut c) = (_mm256_setzero_pd(), _mm256_setzero_pd());
        for &(t, y) in points {
            let x = t.wrapping_sub(intercept_time_ms) as f64 / 1e3;
            // [x, y, x, x] * [1, 1, y, x] (`_mm256_set_pd` takes the lanes from the last).
            let inc = _mm256_mul_pd(_mm256_set_pd(x, x, y, x), _mm256_set_pd(x, y, 1.0, 1.0));
            let next = _mm256_add_pd(sum, inc);
            let larger = _mm256_cmp_pd::<_CMP_GE_OQ>(_mm256_and_pd(sum, abs), _mm256_and_pd(inc, abs));
            let sum_base = _mm256_add_pd(_mm256_sub_pd(sum, next), inc);
            let inc_base = _mm256_add_pd(_mm256_sub_pd(inc, next), sum);
            c = _mm256_add_pd(c, _mm256_blendv_pd(inc_base, sum_base, larger));
            sum = next;
        }
        let (mut s, mut cs) = ([0.0; 4], [0.0; 4]);
        // SAFETY: both arrays hold 4 f64, what an unaligned 256-bit store writes.
        unsafe {
            _mm256_storeu_pd(s.as_mut_ptr(), sum);
            _mm256_storeu_pd(cs.as_mut_ptr(), c);
        }
        [(s[0], cs[0]), (s[1], cs[1]), (s[2], cs[2]), (s[3], cs[3])]
    }
}

/// [`sums`] with Prometheus' exact steps ([`kahan_sum_inc`]).
#[inline(never)]
fn sums_exact(points: &[(i64, f64)], intercept_time_ms: i64) -> [(f64, f64); 4] {
    sums(points, intercept_time_ms, kahan_sum_inc)
}

/// [`kahan_sum_inc`] without the reset of the compensation when the new sum is infinite.
#[inline(always)]
fn fast_sum_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let next = if sum.abs() >= inc.abs() { c + ((sum - t) + inc) } else { c + ((inc - t) + sum) };
    (t, next)
}

/// `deriv`: the per-second slope of the least-squares line through `points`, with times taken
/// relative to the first point (for precision, as Prometheus does). `None` for fewer than 2 points.
pub(crate) fn deriv(points: &[(i64, f64)]) -> Option<f64> {
    let &[(first_t, _), _, ..] = points else {
        return None;
    };
    Some(linear_regression(points, first_t).0)
}

/// `predict_linear`: the value the least-squares line through `points` reaches
/// `duration_seconds` after `eval_time_ms`, the time of the evaluation step (also when the range
/// selector has an `@` modifier: the window moves, the prediction's origin does not). `None` for
/// fewer than 2 points.
pub(crate) fn predict_linear(points: &[(i64, f64)], eval_time_ms: i64, duration_seconds: f64) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let (slope, intercept) = linear_regression(points, eval_time_ms);
    Some(slope * duration_seconds + intercept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_util::{assert_close, series, window, MIN};

    /// `testcounter_reset_middle_total 0+10x4 0+10x5` at 5m intervals.
    fn reset_middle() -> Vec<(i64, f64)> {
        let mut v: Vec<f64> = (0..=4).map(|i| 10.0 * i as f64).collect();
        v.extend((0..=5).map(|i| 10.0 * i as f64));
        series(0, 5 * MIN, &v)
    }

    #[test]
    fn deriv_matches_functions_test() {
        let total = series(0, 5 * MIN, &(0..=10).map(|i| 80.0 * i as f64).collect::<Vec<_>>());
        assert_close(deriv(&window(&total, 50 * MIN, 50 * MIN)).unwrap(), 0.266_666_666_666_666_66);
        assert_close(deriv(&window(&reset_middle(), 50 * MIN, 100 * MIN)).unwrap(), 0.010_606_060_606_060_607);
    }

    #[test]
    fn regression_sums_match_the_worked_example() {
        // X/s = 0..3000 step 300, Y = 0 10 20 30 40 0 10 20 30 40 50: slope 0.0106..., intercept
        // at t=0 6.8181..., at t=3000 38.6363...
        let points = reset_middle();
        let (slope, intercept) = linear_regression(&points, 0);
        assert_close(slope, 0.010_606_060_606_060_607);
        assert_close(intercept, 6.818_181_818_181_818);
        assert_close(linear_regression(&points, 3_000_000).1, 38.636_363_636_363_64);
    }

    #[test]
    fn predict_linear_matches_functions_test() {
        let s = reset_middle();
        assert_close(predict_linear(&window(&s, 50 * MIN, 50 * MIN), 50 * MIN, 3600.0).unwrap(), 70.0);
        // With `@ 3000` the window ends at 3000s but the prediction starts at the evaluation time.
        let at_3000 = window(&s, 3_000_000, 55 * MIN);
        assert_close(predict_linear(&at_3000, 50 * MIN, 3600.0).unwrap(), 76.818_181_818_181_81);
        assert_close(predict_linear(&at_3000, 10 * MIN, 3600.0).unwrap(), 51.363_636_363_636_37);
        assert_close(predict_linear(&at_3000, 70 * MIN, 3600.0).unwrap(), 89.545_454_545_454_55);
    }

    #[test]
    fn infinities_give_nan() {
        let mut v = vec![f64::NEG_INFINITY];
        v.extend((0..=10).map(|i| 80.0 * i as f64));
        v.push(f64::INFINITY);
        let s = window(&series(0, 5 * MIN, &v), 100 * MIN, 100 * MIN);
        assert!(deriv(&s).unwrap().is_nan());
        assert!(predict_linear(&s, 100 * MIN, 6000.0).unwrap().is_nan());
    }

    #[test]
    fn constant_values_give_a_flat_line() {
        let s = series(0, 1000, &[3.5, 3.5, 3.5]);
        assert_eq!(linear_regression(&s, 0), (0.0, 3.5));
        assert_eq!(deriv(&s), Some(0.0));
        let inf = series(0, 1000, &[f64::INFINITY, f64::INFINITY]);
        let (slope, intercept) = linear_regression(&inf, 0);
        assert!(slope.is_nan() && intercept.is_nan());
    }

    #[test]
    fn too_few_points() {
        assert_eq!(deriv(&[]), None);
        assert_eq!(deriv(&[(0, 1.0)]), None);
        assert_eq!(predict_linear(&[(0, 1.0)], 0, 10.0), None);
        let (slope, intercept) = linear_regression(&[], 0);
        assert!(slope.is_nan() && intercept.is_nan());
    }

    #[test]
    fn fast_sums_give_the_bits_of_the_exact_ones() {
        // Irregular times and values of mixed signs and magnitudes, so that both operands of
        // the compensation take turns being the larger.
        let mut points = Vec::new();
        let (mut t, mut v) = (1_700_000_000_123_i64, 1.0e10);
        for i in 0..500_i64 {
            t += 997 + (i * 7919) % 61;
            v = -v * 0.37 + (i % 13) as f64 * 1.0e-3 - 5.0e9 * ((i % 3) as f64);
            points.push((t, v));
        }
        for intercept in [points[0].0, points[250].0, points[499].0 + 3_600_000] {
            let fast = fast_sums(&points, intercept);
            assert_eq!(
                fast.map(|(s, c)| (s.to_bits(), c.to_bits())),
                sums_exact(&points, intercept).map(|(s, c)| (s.to_bits(), c.to_bits()))
            );
            assert_eq!(
                fast.map(|(s, c)| (s.to_bits(), c.to_bits())),
                sums(&points, intercept, fast_sum_inc).map(|(s, c)| (s.to_bits(), c.to_bits()))
            );
        }
    }

    #[test]
    fn infinite_partial_sums_are_summed_as_prometheus_does() {
        // An infinite partial sum resets the compensation, so the y sum stays +Inf instead of
        // becoming NaN; the slope is then NaN (Inf - Inf), as in Prometheus.
        let s = series(0, 1000, &[1.0, f64::INFINITY, 2.0, 3.0]);
        assert_eq!(sums_exact(&s, 0)[1], (f64::INFINITY, 0.0));
        let (slope, intercept) = linear_regression(&s, 0);
        assert!(slope.is_nan() && intercept.is_nan());
    }

    #[test]
    fn same_timestamp_twice_gives_nan_slope() {
        // Zero variance in x: 0/0, as in Prometheus (no panic, no special case).
        assert!(deriv(&[(1000, 1.0), (1000, 2.0)]).unwrap().is_nan());
    }
}
