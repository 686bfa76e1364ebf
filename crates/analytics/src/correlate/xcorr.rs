//! Sums of products of two series at every lag in [-max_lag, +max_lag]: directly when
//! few lags are asked, through real FFTs (realfft) when that is cheaper.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

/// Computes `Σ_i a[i] b[i + k]` over `0 <= i, i + k < n` for every lag `k`.
pub(super) struct CrossCorrelator {
    n: usize,
    max_lag: usize,
    fft: Option<Fft>,
}

struct Fft {
    size: usize,
    forward: Arc<dyn RealToComplex<f64>>,
    inverse: Arc<dyn ComplexToReal<f64>>,
}

/// One side of a cross-correlation: its values, and their spectrum when using FFTs.
pub(super) struct Operand {
    values: Vec<f64>,
    spectrum: Vec<Complex<f64>>,
}

impl CrossCorrelator {
    /// For series of `n` points and lags up to `max_lag` steps either way. Picks FFTs
    /// when one forward and one inverse transform cost less than the direct sums.
    pub(super) fn new(n: usize, max_lag: usize) -> CrossCorrelator {
        // Zero padding to n + max_lag keeps the circular correlation from wrapping.
        let size = (n + max_lag + 1).next_power_of_two();
        let direct_cost = n * (2 * max_lag + 1);
        let fft_cost = 3 * size * (size.trailing_zeros() as usize).max(1);
        let fft = (direct_cost > fft_cost).then(|| {
            let mut planner = RealFftPlanner::<f64>::new();
            Fft { size, forward: planner.plan_fft_forward(size), inverse: planner.plan_fft_inverse(size) }
        });
        CrossCorrelator { n, max_lag, fft }
    }

    /// `values` (of length `n`) made ready for [`CrossCorrelator::correlate`].
    pub(super) fn operand(&self, values: Vec<f64>) -> Operand {
        let spectrum = match &self.fft {
            None => Vec::new(),
            Some(fft) => {
                let mut padded = fft.forward.make_input_vec();
                padded[..values.len()].copy_from_slice(&values);
                let mut spectrum = fft.forward.make_output_vec();
                // The lengths come from the plan itself, so the transform cannot fail.
                let _ = fft.forward.process(&mut padded, &mut spectrum);
                spectrum
            }
        };
        Operand { values, spectrum }
    }

    /// `out[k + max_lag] = Σ_i a[i] b[i + k]` for `k` in `-max_lag..=max_lag`.
    pub(super) fn correlate(&self, a: &Operand, b: &Operand) -> Vec<f64> {
        let lags = 2 * self.max_lag + 1;
        match &self.fft {
            None => (0..lags)
                .map(|slot| {
                    let k = slot as isize - self.max_lag as isize;
                    let (lo, hi) = overlap(self.n, k);
                    let shifted = &b.values[(lo as isize + k) as usize..(hi as isize + k) as usize];
                    a.values[lo..hi].iter().zip(shifted).map(|(x, y)| x * y).sum()
                })
                .collect(),
            Some(fft) => {
                let mut product: Vec<Complex<f64>> = a.spectrum.iter().zip(&b.spectrum).map(|(x, y)| x.conj() * y).collect();
                // Real signals' spectra are real at 0 and at the Nyquist frequency; clear
                // the rounding there, which the inverse transform refuses.
                if let Some(first) = product.first_mut() {
                    first.im = 0.0;
                }
                if let Some(last) = product.last_mut() {
                    last.im = 0.0;
                }
                let mut circular = fft.inverse.make_output_vec();
                let _ = fft.inverse.process(&mut product, &mut circular);
                let scale = 1.0 / fft.size as f64;
                (0..lags)
                    .map(|slot| {
                        let k = slot as isize - self.max_lag as isize;
                        circular[k.rem_euclid(fft.size as isize) as usize] * scale
                    })
                    .collect()
            }
        }
    }
}

/// The indices `i` with both `i` and `i + k` in `0..n`, as `lo..hi`.
pub(super) fn overlap(n: usize, k: isize) -> (usize, usize) {
    let lo = (-k).max(0) as usize;
    let hi = (n as isize - k.max(0)).max(lo as isize) as usize;
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fft_and_direct_agree() {
        let n = 300;
        let a: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin() + 0.01 * i as f64).collect();
        let b: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).cos() * 2.0).collect();
        let slow = CrossCorrelator::new(n, 3);
        let fast = CrossCorrelator::new(n, 120);
        assert!(slow.fft.is_none() && fast.fft.is_some());
        let wide = fast.correlate(&fast.operand(a.clone()), &fast.operand(b.clone()));
        let narrow = slow.correlate(&slow.operand(a.clone()), &slow.operand(b.clone()));
        for (slot, v) in narrow.iter().enumerate() {
            assert!((v - wide[slot + 117]).abs() < 1e-9, "lag {}: {v} vs {}", slot as isize - 3, wide[slot + 117]);
        }
        // Lag 5 by hand.
        let by_hand: f64 = (0..n - 5).map(|i| a[i] * b[i + 5]).sum();
        assert!((wide[125] - by_hand).abs() < 1e-9);
        let by_hand: f64 = (5..n).map(|i| a[i] * b[i - 5]).sum();
        assert!((wide[115] - by_hand).abs() < 1e-9);
    }

    #[test]
    fn overlaps() {
        assert_eq!(overlap(10, 3), (0, 7));
        assert_eq!(overlap(10, -3), (3, 10));
        assert_eq!(overlap(10, 0), (0, 10));
    }
}
