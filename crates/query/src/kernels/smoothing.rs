//! `double_exponential_smoothing` (formerly `holt_winters`).

/// A smoothing or trend factor outside the open interval (0, 1), which Prometheus rejects with a
/// query error.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub(crate) enum SmoothingError {
    /// The smoothing factor (second argument) is not in (0, 1).
    #[error("invalid smoothing factor. Expected: 0 < sf < 1, got: {0:.6}")]
    SmoothingFactor(f64),
    /// The trend factor (third argument) is not in (0, 1).
    #[error("invalid trend factor. Expected: 0 < tf < 1, got: {0:.6}")]
    TrendFactor(f64),
}

/// Checks both factors as Prometheus does before smoothing any series: each must lie strictly
/// between 0 and 1 (NaN passes, as it does in Prometheus, and makes the result NaN).
pub(crate) fn check_factors(smoothing_factor: f64, trend_factor: f64) -> Result<(), SmoothingError> {
    if smoothing_factor <= 0.0 || smoothing_factor >= 1.0 {
        return Err(SmoothingError::SmoothingFactor(smoothing_factor));
    }
    if trend_factor <= 0.0 || trend_factor >= 1.0 {
        return Err(SmoothingError::TrendFactor(trend_factor));
    }
    Ok(())
}

/// Holt's linear (double exponential) smoothing of `values` (in time order): returns the last
/// smoothed value, or `None` for fewer than 2 values. The factors are not checked here; see
/// [`check_factors`].
pub(crate) fn double_exponential_smoothing(values: &[f64], smoothing_factor: f64, trend_factor: f64) -> Option<f64> {
    let (sf, tf) = (smoothing_factor, trend_factor);
    let &[first, second, ..] = values else {
        return None;
    };
    // s1 is the current smoothed value, s0 the previous one, trend the current trend.
    let mut s0 = 0.0;
    let mut s1 = first;
    let mut trend = second - first;
    for (i, &v) in values.iter().enumerate().skip(1) {
        let scaled = sf * v;
        // The initial trend is used as is for the first step; after that it is itself smoothed.
        if i > 1 {
            trend = tf * (s1 - s0) + (1.0 - tf) * trend;
        }
        let carried = (1.0 - sf) * (s1 + trend);
        s0 = s1;
        s1 = scaled + carried;
    }
    Some(s1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_util::assert_close;

    /// The last 6 samples (a `[1m]` window at 10s steps) of `start+step x N`, ending at index `end`.
    fn tail(start: f64, step: f64, end: usize) -> Vec<f64> {
        ((end - 5)..=end).map(|i| start + step * i as f64).collect()
    }

    #[test]
    fn linear_series_are_followed_exactly() {
        // functions.test: at 8000s the window holds samples 795..800 of `0+Nx1000`.
        for (step, want) in [(10.0, 8000.0), (20.0, 16000.0), (30.0, 24000.0), (40.0, 32000.0)] {
            assert_close(double_exponential_smoothing(&tail(0.0, step, 800), 0.01, 0.1).unwrap(), want);
        }
        // Negative trends.
        assert_close(double_exponential_smoothing(&tail(8000.0, -10.0, 800), 0.01, 0.1).unwrap(), 0.0);
        assert_close(double_exponential_smoothing(&tail(0.0, -20.0, 800), 0.01, 0.1).unwrap(), -16000.0);
    }

    #[test]
    fn too_few_values() {
        assert_eq!(double_exponential_smoothing(&[], 0.5, 0.5), None);
        assert_eq!(double_exponential_smoothing(&[1.0], 0.5, 0.5), None);
        assert_close(double_exponential_smoothing(&[1.0, 2.0], 0.5, 0.5).unwrap(), 2.0);
    }

    #[test]
    fn nan_propagates() {
        assert!(double_exponential_smoothing(&[1.0, f64::NAN, 3.0], 0.5, 0.5).unwrap().is_nan());
    }

    #[test]
    fn factors_must_be_strictly_between_zero_and_one() {
        assert_eq!(check_factors(0.5, 0.5), Ok(()));
        assert_eq!(check_factors(0.0, 0.5), Err(SmoothingError::SmoothingFactor(0.0)));
        assert_eq!(check_factors(0.5, 1.0), Err(SmoothingError::TrendFactor(1.0)));
        assert_eq!(SmoothingError::SmoothingFactor(1.5).to_string(), "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.500000");
        assert!(check_factors(f64::NAN, 0.5).is_ok());
    }
}
