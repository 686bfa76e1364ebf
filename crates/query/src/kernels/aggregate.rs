//! Running accumulators for the `avg`, `stddev` and `stdvar` aggregations (the `sum`
//! accumulator is [`super::kahan::KahanSum`]). Values are pushed in the order the engine meets
//! the series, as in Prometheus.

use super::kahan::kahan_sum_inc;

/// The `avg` aggregation: a Kahan-compensated sum divided by the count while the sum stays
/// finite, switching to an incremental mean once adding a value would overflow (Prometheus'
/// algorithm, see prometheus/prometheus#16714).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct MeanAcc {
    count: f64,
    sum: f64,
    mean: f64,
    c: f64,
    incremental: bool,
}

impl MeanAcc {
    /// An accumulator that has seen no value.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds one value.
    pub(crate) fn push(&mut self, v: f64) {
        if self.count == 0.0 {
            *self = Self { count: 1.0, sum: v, mean: v, c: 0.0, incremental: false };
            return;
        }
        self.count += 1.0;
        if !self.incremental {
            let (sum, c) = kahan_sum_inc(v, self.sum, self.c);
            if !sum.is_infinite() {
                (self.sum, self.c) = (sum, c);
                return;
            }
            // The sum would overflow: continue with the mean so far, updated incrementally.
            self.incremental = true;
            self.mean = self.sum / (self.count - 1.0);
            self.c /= self.count - 1.0;
        }
        if self.mean.is_infinite() {
            // An infinite mean stays as it is for a same-signed infinity or any finite value;
            // subtracting it below would turn it into NaN.
            if v.is_infinite() && (self.mean > 0.0) == (v > 0.0) {
                return;
            }
            if v.is_finite() {
                return;
            }
        }
        let current = self.mean + self.c;
        (self.mean, self.c) = kahan_sum_inc(v / self.count - current / self.count, self.mean, self.c);
    }

    /// The mean of the values pushed so far (NaN if none).
    pub(crate) fn value(&self) -> f64 {
        if self.count == 0.0 {
            return f64::NAN;
        }
        if self.incremental {
            return self.mean + self.c;
        }
        (self.sum + self.c) / self.count
    }
}

/// The `stdvar`/`stddev` aggregations: Welford's running mean and sum of squared deviations,
/// uncompensated, as in Prometheus' aggregation code. A first value that is NaN or infinite
/// makes the result NaN.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct VarianceAcc {
    count: f64,
    mean: f64,
    squares: f64,
}

impl VarianceAcc {
    /// An accumulator that has seen no value.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds one value.
    pub(crate) fn push(&mut self, v: f64) {
        if self.count == 0.0 {
            let squares = if v.is_finite() { 0.0 } else { f64::NAN };
            *self = Self { count: 1.0, mean: v, squares };
            return;
        }
        self.count += 1.0;
        let delta = v - self.mean;
        self.mean += delta / self.count;
        self.squares += delta * (v - self.mean);
    }

    /// The population variance (`stdvar`) of the values pushed so far (NaN if none).
    pub(crate) fn variance(&self) -> f64 {
        self.squares / self.count
    }

    /// The population standard deviation (`stddev`) of the values pushed so far (NaN if none).
    pub(crate) fn stddev(&self) -> f64 {
        self.variance().sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_util::assert_close;

    const INF: f64 = f64::INFINITY;
    /// `9.988465674311579e+307` in Prometheus' test files, written with the digits an f64 holds.
    const BIG: f64 = 9.988_465_674_311_58e307;

    fn avg(values: &[f64]) -> f64 {
        let mut acc = MeanAcc::new();
        values.iter().for_each(|&v| acc.push(v));
        acc.value()
    }

    fn var(values: &[f64]) -> VarianceAcc {
        let mut acc = VarianceAcc::new();
        values.iter().for_each(|&v| acc.push(v));
        acc
    }

    #[test]
    fn avg_matches_aggregators_test() {
        let cases: &[(&[f64], f64)] = &[
            (&[INF, INF, INF, -INF], f64::NAN),
            (&[-INF, 0.0, INF], f64::NAN),
            (&[BIG, BIG, BIG, BIG], BIG),
            (&[-BIG, -BIG, -BIG, -BIG], -BIG),
            (&[-BIG, -BIG, BIG, BIG], 0.0),
            (&[2.0, 8.0, 1e100, -1e100], 2.5),
            (&[INF, 2.0], INF),
            (&[2.0, INF], INF),
            (&[-INF, 2.0], -INF),
            (&[2.0, -INF], -INF),
            (&[INF, -INF], f64::NAN),
            (&[f64::NAN, 2.0], f64::NAN),
            (&[2.0, f64::NAN], f64::NAN),
            (&[10.0], 10.0),
        ];
        for (values, want) in cases {
            assert_close(avg(values), *want);
        }
        assert!(MeanAcc::new().value().is_nan());
    }

    #[test]
    fn avg_of_a_constant_is_exact() {
        for n in 8..=12 {
            assert_eq!(avg(&vec![52.0; n]), 52.0);
        }
    }

    #[test]
    fn avg_after_overflow_stays_accurate() {
        assert_close(avg(&[1.5e308, 1.5e308, 1.5e308, 0.0]), 1.125e308);
        assert_close(avg(&[BIG, BIG, 0.0, 0.0]), BIG / 2.0);
    }

    #[test]
    fn variance_matches_aggregators_test() {
        // http_requests at 50m: 100..800 by 100 over 8 series.
        let all: Vec<f64> = (1..=8).map(|i| 100.0 * i as f64).collect();
        assert_close(var(&all).stddev(), 229.128_784_747_79);
        assert_close(var(&all).variance(), 52500.0);
        let instance0 = [100.0, 300.0, 500.0, 700.0];
        assert_close(var(&instance0).stddev(), 223.606_797_749_98);
        assert_close(var(&instance0).variance(), 50000.0);
        // Three equal values that are not exact binary fractions.
        assert_eq!(var(&[13.3, 13.3, 13.3]).variance(), 0.0);
        assert_close(var(&[1.0, 2.0]).stddev(), 0.5);
        assert_close(var(&[1.0, 2.0]).variance(), 0.25);
        assert_eq!(var(&[1.0]).variance(), 0.0);
    }

    #[test]
    fn variance_with_nan_and_inf_is_nan() {
        for values in [&[1.0, 2.0, f64::NAN][..], &[f64::NAN, 1.0, 2.0], &[f64::NAN], &[1.0, 2.0, INF], &[INF, 1.0, 2.0], &[INF]] {
            assert!(var(values).variance().is_nan(), "{values:?}");
            assert!(var(values).stddev().is_nan(), "{values:?}");
        }
        assert!(VarianceAcc::new().variance().is_nan());
    }
}
