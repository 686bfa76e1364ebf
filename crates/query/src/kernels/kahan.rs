//! Kahan–Neumaier compensated summation, as Prometheus uses for sums, means and regressions.

/// Adds `inc` to the running sum `sum` whose accumulated rounding error is `c`, and returns the
/// new `(sum, c)`. The caller adds `c` to the sum at the end.
///
/// Neumaier's variant: the compensation takes whichever of the two operands is larger in
/// magnitude as the base. Once the sum becomes infinite the compensation is reset to 0, so an
/// infinite sum stays infinite instead of turning into NaN (`Inf - Inf`) in the correction.
#[inline]
pub(crate) fn kahan_sum_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    // The same operations as a branch on the larger operand, written as selects: on real data
    // that branch is unpredictable, and this sits in the inner loop of sums and regressions.
    let larger = sum.abs() >= inc.abs();
    let big = if larger { sum } else { inc };
    let small = if larger { inc } else { sum };
    let next = c + ((big - t) + small);
    (t, if t.is_infinite() { 0.0 } else { next })
}

/// The `sum` aggregation's accumulator: every value is added with [`kahan_sum_inc`] and the
/// compensation is added once at the end, as Prometheus does.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KahanSum {
    sum: f64,
    c: f64,
}

impl KahanSum {
    /// An empty sum.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds one value.
    pub(crate) fn push(&mut self, v: f64) {
        (self.sum, self.c) = kahan_sum_inc(v, self.sum, self.c);
    }

    /// The compensated sum of the values pushed so far (0 when none were).
    pub(crate) fn value(&self) -> f64 {
        self.sum + self.c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensation_recovers_small_terms_lost_next_to_huge_ones() {
        // aggregators.test: sum(2, 8, 1e100, -1e100) = 10.
        let mut s = KahanSum::new();
        for v in [2.0, 8.0, 1e100, -1e100] {
            s.push(v);
        }
        assert_eq!(s.value(), 10.0);
    }

    #[test]
    fn infinite_sum_stays_infinite() {
        let (t, c) = kahan_sum_inc(f64::INFINITY, 1.0, 0.0);
        assert_eq!(t, f64::INFINITY);
        assert_eq!(c, 0.0);
        let (t, c) = kahan_sum_inc(2.0, t, c);
        assert_eq!(t + c, f64::INFINITY);
    }

    #[test]
    fn opposite_infinities_give_nan() {
        let mut s = KahanSum::new();
        s.push(f64::INFINITY);
        s.push(f64::NEG_INFINITY);
        assert!(s.value().is_nan());
    }

    #[test]
    fn nan_propagates() {
        let mut s = KahanSum::new();
        s.push(2.0);
        s.push(f64::NAN);
        assert!(s.value().is_nan());
    }

    #[test]
    fn empty_sum_is_zero() {
        assert_eq!(KahanSum::new().value(), 0.0);
    }
}
