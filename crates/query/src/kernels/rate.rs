//! `rate`, `increase`, `delta` (extrapolated) and `irate`, `idelta` (last two samples).

/// Seconds in a span of `ms` milliseconds, computed the way Go's `time.Duration.Seconds()` does
/// (whole seconds plus the fraction), so that range lengths divide exactly as in Prometheus.
pub(crate) fn duration_seconds(ms: i64) -> f64 {
    (ms / 1000) as f64 + (ms % 1000) as f64 * 1e6 / 1e9
}

/// Prometheus' `extrapolatedRate` for float samples: `rate` (`is_counter`, `is_rate`),
/// `increase` (`is_counter`) and `delta` (neither).
///
/// `points` are the samples in the window `(range_start_ms, range_end_ms]`, sorted by time, with
/// no stale markers. With `is_counter`, a decrease between two samples is taken as a counter
/// reset. The difference between the first and last sample is then extrapolated towards the
/// window's edges: all the way to an edge if the nearest sample is within 1.1 average sample
/// intervals of it, else by half an average interval; for counters, never below the point where
/// the counter would have been zero. With `is_rate` the result is per second of the window.
///
/// Returns `None` (no output sample) for fewer than 2 points.
pub(crate) fn extrapolated_rate(
    points: &[(i64, f64)],
    range_start_ms: i64,
    range_end_ms: i64,
    is_counter: bool,
    is_rate: bool,
) -> Option<f64> {
    let corrections = points.windows(2).filter(|pair| pair[1].1 < pair[0].1).map(|pair| pair[0].1);
    extrapolated_rate_with(points, range_start_ms, range_end_ms, is_counter, is_rate, corrections)
}

/// [`extrapolated_rate`] given the counter-reset corrections of `points` (the value before
/// each decrease, in time order), e.g. from [`crate::kernels::sliding::Resets`]; they are
/// ignored unless `is_counter`.
pub(crate) fn extrapolated_rate_with(
    points: &[(i64, f64)],
    range_start_ms: i64,
    range_end_ms: i64,
    is_counter: bool,
    is_rate: bool,
    corrections: impl Iterator<Item = f64>,
) -> Option<f64> {
    let (&(first_t, first_v), &(last_t, last_v)) = (points.first()?, points.last()?);
    if points.len() < 2 {
        return None;
    }
    let mut result = last_v - first_v;
    if is_counter {
        for c in corrections {
            result += c;
        }
    }

    // Timestamp differences wrap like Go's int64 arithmetic instead of panicking on absurd input.
    let mut duration_to_start = first_t.wrapping_sub(range_start_ms) as f64 / 1000.0;
    let mut duration_to_end = range_end_ms.wrapping_sub(last_t) as f64 / 1000.0;
    let sampled_interval = last_t.wrapping_sub(first_t) as f64 / 1000.0;
    let average_interval = sampled_interval / (points.len() - 1) as f64;

    let threshold = average_interval * 1.1;
    if duration_to_start >= threshold {
        duration_to_start = average_interval / 2.0;
    }
    if is_counter {
        // A counter cannot go below zero: do not extrapolate further back than the point where
        // the line through the samples reaches zero.
        let mut duration_to_zero = duration_to_start;
        if result > 0.0 && first_v >= 0.0 {
            duration_to_zero = sampled_interval * (first_v / result);
        }
        if duration_to_zero < duration_to_start {
            duration_to_start = duration_to_zero;
        }
    }
    if duration_to_end >= threshold {
        duration_to_end = average_interval / 2.0;
    }

    let mut factor = (sampled_interval + duration_to_start + duration_to_end) / sampled_interval;
    if is_rate {
        factor /= duration_seconds(range_end_ms.wrapping_sub(range_start_ms));
    }
    Some(result * factor)
}

/// Prometheus' `instantValue`: `irate` (`is_rate`) and `idelta` from the last two of `points`
/// (sorted by time).
///
/// For `irate`, a decrease is a counter reset and the result is the last value itself over the
/// interval; a NaN in either sample gives NaN. Returns `None` for fewer than 2 points or when the
/// last two share a timestamp.
pub(crate) fn instant_value(points: &[(i64, f64)], is_rate: bool) -> Option<f64> {
    let [.., (prev_t, prev_v), (last_t, last_v)] = *points else {
        return None;
    };
    let interval_ms = last_t.wrapping_sub(prev_t);
    if interval_ms == 0 {
        return None;
    }
    let mut result = last_v;
    if !is_rate || last_v >= prev_v || last_v.is_nan() || prev_v.is_nan() {
        result = last_v - prev_v;
    }
    if is_rate {
        result /= interval_ms as f64 / 1000.0;
    }
    Some(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_util::{assert_close, series, window, MIN};

    /// Evaluates `rate`/`increase`/`delta` over `[range]` at `at`, like an instant query.
    fn eval(points: &[(i64, f64)], at: i64, range: i64, is_counter: bool, is_rate: bool) -> Option<f64> {
        extrapolated_rate(&window(points, at, range), at - range, at, is_counter, is_rate)
    }

    #[test]
    fn increase_matches_functions_test() {
        let foo = series(0, 5 * MIN, &(0..=10).map(|i| 10.0 * i as f64).collect::<Vec<_>>());
        let mut bar_values: Vec<f64> = (0..=5).map(|i| 18.0 * i as f64).collect();
        bar_values.extend((0..=5).map(|i| 18.0 * i as f64));
        let bar = series(0, 5 * MIN, &bar_values);
        let dings = series(0, 5 * MIN, &(0..=10).map(|i| 10.0 + 10.0 * i as f64).collect::<Vec<_>>());
        let bumms = series(0, 5 * MIN, &(0..=10).map(|i| 1.0 + 10.0 * i as f64).collect::<Vec<_>>());

        assert_close(eval(&foo, 50 * MIN, 50 * MIN, true, false).unwrap(), 100.0);
        assert_close(eval(&bar, 50 * MIN, 50 * MIN, true, false).unwrap(), 160.0);
        assert_close(eval(&dings, 50 * MIN, 50 * MIN, true, false).unwrap(), 100.0);
        assert_close(eval(&bumms, 50 * MIN, 50 * MIN, true, false).unwrap(), 100.0);

        // Extrapolation to the left stops where the counter would reach zero.
        assert_close(eval(&foo, 50 * MIN, 100 * MIN, true, false).unwrap(), 100.0);
        assert_close(eval(&bar, 50 * MIN, 100 * MIN, true, false).unwrap(), 162.0);
        assert_close(eval(&dings, 50 * MIN, 100 * MIN, true, false).unwrap(), 105.0);
        assert_close(eval(&bumms, 50 * MIN, 100 * MIN, true, false).unwrap(), 101.0);
    }

    #[test]
    fn increase_counts_a_reset_as_restart_from_zero() {
        let foo = series(0, 5 * MIN, &[0.0, 1.0, 2.0, 3.0, 2.0, 3.0, 4.0]);
        assert_close(eval(&foo, 30 * MIN, 30 * MIN, true, false).unwrap(), 7.0);
    }

    #[test]
    fn rate_handles_resets_in_the_middle_and_at_the_end() {
        let mut middle: Vec<f64> = (0..=4).map(|i| 27.0 * i as f64).collect();
        middle.extend((0..=5).map(|i| 27.0 * i as f64));
        let middle = series(0, 5 * MIN, &middle);
        assert_close(eval(&middle, 50 * MIN, 50 * MIN, true, true).unwrap(), 0.08);

        let mut end: Vec<f64> = (0..=9).map(|i| 10.0 * i as f64).collect();
        end.extend([0.0, 10.0]);
        let end = series(0, 5 * MIN, &end);
        assert_eq!(eval(&end, 50 * MIN, 5 * MIN, true, true), None);
        assert_close(eval(&end, 50 * MIN, 6 * MIN, true, true).unwrap(), 0.0);
    }

    #[test]
    fn rate_is_per_second_and_honours_offsets() {
        let window_total = series(0, 5 * MIN, &(0..=10).map(|i| 80.0 * i as f64).collect::<Vec<_>>());
        assert_close(eval(&window_total, 50 * MIN, 50 * MIN, true, true).unwrap(), 0.266_666_666_666_666_66);

        // rate(x[10m] offset 5m) at 50m: the window is (35m, 45m].
        let a = series(0, 5 * MIN, &(0..=10).map(|i| 10.0 * i as f64).collect::<Vec<_>>());
        assert_close(eval(&a, 45 * MIN, 10 * MIN, true, true).unwrap(), 0.033_333_333_333_333_33);
    }

    #[test]
    fn rate_zero_cutoff_on_the_left() {
        let expected_at_10m = [0.5, 0.55, 0.6, 0.6, 0.6, 0.6];
        for (start, want) in expected_at_10m.iter().enumerate() {
            let values: Vec<f64> = (0..=10).map(|i| 60.0 * start as f64 + 240.0 * i as f64).collect();
            let s = series(0, 4 * MIN, &values);
            assert_close(eval(&s, 10 * MIN, 20 * MIN, true, true).unwrap(), *want);
            assert_close(eval(&s, 50 * MIN, 20 * MIN, true, true).unwrap(), 0.6);
        }
    }

    #[test]
    fn delta_is_not_reset_aware_and_can_be_negative() {
        let foo = series(0, 5 * MIN, &[0.0, 50.0, 100.0, 150.0, 200.0]);
        let bar = series(0, 5 * MIN, &[200.0, 150.0, 100.0, 50.0, 0.0]);
        assert_close(eval(&foo, 20 * MIN, 20 * MIN, false, false).unwrap(), 200.0);
        assert_close(eval(&bar, 20 * MIN, 20 * MIN, false, false).unwrap(), -200.0);
    }

    #[test]
    fn fewer_than_two_points_give_nothing() {
        assert_eq!(extrapolated_rate(&[], 0, 1000, true, true), None);
        assert_eq!(extrapolated_rate(&[(500, 1.0)], 0, 1000, true, true), None);
    }

    #[test]
    fn nan_and_infinite_values_propagate() {
        let v = extrapolated_rate(&[(1000, 1.0), (2000, f64::NAN)], 0, 2000, true, true).unwrap();
        assert!(v.is_nan());
        let v = extrapolated_rate(&[(1000, 1.0), (2000, f64::INFINITY)], 0, 2000, false, false).unwrap();
        assert_eq!(v, f64::INFINITY);
    }

    #[test]
    fn absurd_timestamps_do_not_panic() {
        let v = extrapolated_rate(&[(i64::MIN, 1.0), (i64::MAX, 2.0)], i64::MIN, i64::MAX, true, true);
        assert!(v.is_some());
    }

    #[test]
    fn duration_seconds_splits_like_go() {
        assert_eq!(duration_seconds(90_000), 90.0);
        assert_eq!(duration_seconds(901_000), 901.0);
        assert_eq!(duration_seconds(1_001), 1.0 + 0.001);
    }

    #[test]
    fn irate_matches_functions_test() {
        let foo = series(0, 5 * MIN, &(0..=10).map(|i| 10.0 * i as f64).collect::<Vec<_>>());
        let mut bar: Vec<f64> = (0..=5).map(|i| 10.0 * i as f64).collect();
        bar.extend((0..=5).map(|i| 10.0 * i as f64));
        let bar = series(0, 5 * MIN, &bar);
        assert_close(instant_value(&window(&foo, 50 * MIN, 50 * MIN), true).unwrap(), 0.033_333_333_333_333_33);
        assert_close(instant_value(&window(&bar, 50 * MIN, 50 * MIN), true).unwrap(), 0.033_333_333_333_333_33);
        // A reset between the last two samples: the last value over the interval, here 0.
        assert_close(instant_value(&window(&foo, 30 * MIN, 50 * MIN), true).unwrap(), 0.033_333_333_333_333_33);
        assert_close(instant_value(&window(&bar, 30 * MIN, 50 * MIN), true).unwrap(), 0.0);
    }

    #[test]
    fn irate_and_idelta_with_nan() {
        let nan = series(0, 5 * MIN, &[1.0, f64::NAN, f64::NAN, 5.0, 11.0]);
        let range = 15 * MIN + 1000;
        assert_eq!(instant_value(&window(&nan, 0, range), true), None);
        for at in [5, 10, 15] {
            assert!(instant_value(&window(&nan, at * MIN, range), true).unwrap().is_nan());
            assert!(instant_value(&window(&nan, at * MIN, range), false).unwrap().is_nan());
        }
        assert_close(instant_value(&window(&nan, 20 * MIN, range), true).unwrap(), 0.02);
        assert_close(instant_value(&window(&nan, 20 * MIN, range), false).unwrap(), 6.0);
    }

    #[test]
    fn idelta_matches_functions_test() {
        let foo = series(0, 5 * MIN, &[0.0, 50.0, 100.0, 150.0]);
        let bar = series(0, 5 * MIN, &[0.0, 50.0, 100.0, 50.0]);
        assert_close(instant_value(&foo, false).unwrap(), 50.0);
        assert_close(instant_value(&bar, false).unwrap(), -50.0);
    }

    #[test]
    fn instant_value_needs_two_distinct_timestamps() {
        assert_eq!(instant_value(&[], true), None);
        assert_eq!(instant_value(&[(1, 1.0)], false), None);
        assert_eq!(instant_value(&[(1, 1.0), (1, 2.0)], true), None);
    }
}
