//! Helpers shared by the kernels' unit tests.

use super::histogram::almost_equal;

/// Asserts that `actual` matches `expected` as a Prometheus test script would accept it: equal
/// within a relative 1e-6, two NaNs being equal.
#[track_caller]
pub(crate) fn assert_close(actual: f64, expected: f64) {
    assert!(almost_equal(actual, expected, 1e-6), "expected {expected}, got {actual}");
}

/// Points `start, start+step, ...` (milliseconds) carrying `values`, as a test script's `load`
/// builds them.
pub(crate) fn series(start_ms: i64, step_ms: i64, values: &[f64]) -> Vec<(i64, f64)> {
    values.iter().enumerate().map(|(i, &v)| (start_ms + step_ms * i as i64, v)).collect()
}

/// The points of `points` inside the left-open window `(end - range, end]`, as a range selector
/// at evaluation time `end` selects them.
pub(crate) fn window(points: &[(i64, f64)], end_ms: i64, range_ms: i64) -> Vec<(i64, f64)> {
    points.iter().copied().filter(|&(t, _)| t > end_ms - range_ms && t <= end_ms).collect()
}

/// The values of `points`, in time order.
pub(crate) fn values(points: &[(i64, f64)]) -> Vec<f64> {
    points.iter().map(|&(_, v)| v).collect()
}

/// One minute in milliseconds.
pub(crate) const MIN: i64 = 60_000;
