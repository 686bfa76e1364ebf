//! NAB's "windowed Gaussian" reference detector (published standard score 39.6): the score
//! is one minus the upper tail probability of the value's distance from the mean of a window
//! of up to 6400 past values, which moves forward 100 values at a time. Here for comparison
//! in the NAB benchmark; its window makes it too heavy for every series of a monitor.

/// Values in the window.
const WINDOW: usize = 6400;
/// Values added to the window at a time once it is full.
const STEP: usize = 100;

/// The windowed Gaussian detector's state.
#[derive(Debug, Clone, Default)]
pub struct WindowedGaussian {
    window: Vec<f64>,
    pending: Vec<f64>,
    mean: f64,
    std: f64,
}

impl WindowedGaussian {
    /// A detector with no history.
    pub fn new() -> WindowedGaussian {
        WindowedGaussian { window: Vec::new(), pending: Vec::new(), mean: 0.0, std: 1.0 }
    }

    /// Scores `value` against the window, then adds it.
    pub fn update(&mut self, value: f64) -> f64 {
        let score = if self.window.is_empty() {
            0.0
        } else {
            let z = (value - self.mean).abs() / self.std;
            1.0 - 0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
        };
        if self.window.len() < WINDOW {
            self.window.push(value);
            self.refit();
        } else {
            self.pending.push(value);
            if self.pending.len() == STEP {
                self.window.drain(..STEP);
                self.window.append(&mut self.pending);
                self.refit();
            }
        }
        score
    }

    fn refit(&mut self) {
        let n = self.window.len() as f64;
        self.mean = self.window.iter().sum::<f64>() / n;
        let var = self.window.iter().map(|v| (v - self.mean).powi(2)).sum::<f64>() / n;
        self.std = if var > 0.0 { var.sqrt() } else { 1e-6 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_by_distance_from_the_window_mean() {
        let mut g = WindowedGaussian::new();
        assert_eq!(g.update(1.0), 0.0);
        g.update(3.0); // mean 2, std 1 after these two
        assert!((g.update(2.0) - 0.5).abs() < 1e-12);
        let far = g.update(50.0);
        assert!(far > 0.999_999, "{far}");
    }
}
