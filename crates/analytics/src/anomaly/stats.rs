//! Exponentially weighted mean and variance: the detector's memory of "usual", in a few
//! bytes whatever the series' length. Until `1/alpha` samples have been seen the weight is
//! `1/n`, so early estimates are plain averages rather than biased towards the first value.

/// A running mean and variance with a horizon of about `1/alpha` samples.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ewm {
    alpha: f64,
    pub(crate) n: u32,
    pub(crate) mean: f64,
    pub(crate) var: f64,
}

impl Ewm {
    /// A new estimate with a horizon of `horizon` samples (at least 1).
    pub(crate) fn new(horizon: u32) -> Ewm {
        Ewm { alpha: 1.0 / f64::from(horizon.max(1)), n: 0, mean: 0.0, var: 0.0 }
    }

    /// Adds `x` (finite).
    pub(crate) fn push(&mut self, x: f64) {
        self.n = self.n.saturating_add(1);
        let w = self.alpha.max(1.0 / f64::from(self.n));
        let d = x - self.mean;
        self.mean += w * d;
        // West's weighted update: stays non-negative and equals the sample variance while w = 1/n.
        self.var = (1.0 - w) * (self.var + w * d * d);
    }

    /// The current mean.
    pub(crate) fn mean(&self) -> f64 {
        self.mean
    }

    /// The current standard deviation.
    pub(crate) fn std(&self) -> f64 {
        self.var.max(0.0).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn early_estimates_are_plain_averages() {
        let mut e = Ewm::new(100);
        for x in [1.0, 2.0, 3.0, 4.0] {
            e.push(x);
        }
        assert!((e.mean() - 2.5).abs() < 1e-12);
        // Population variance of 1..4 is 1.25.
        assert!((e.std() - 1.25_f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn forgets_with_its_horizon() {
        let mut e = Ewm::new(10);
        for _ in 0..100 {
            e.push(0.0);
        }
        for _ in 0..100 {
            e.push(5.0);
        }
        assert!((e.mean() - 5.0).abs() < 1e-3);
        assert!(e.std() < 0.05, "{}", e.std());
    }
}
