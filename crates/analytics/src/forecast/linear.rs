//! The linear trend: ordinary least squares of value on time, with the textbook prediction
//! interval for a new observation, `t(n-2) * s * sqrt(1 + 1/n + (x - mean x)^2 / Sxx)`.
//! Written here because it is a few lines; the t quantiles come from statrs.

use statrs::distribution::{ContinuousCDF, StudentsT};

use super::{Point, Z80, Z95};

/// Forecasts `horizon` steps after `y` (at least 3 values) by a least-squares line.
pub(super) fn forecast(y: &[f64], horizon: usize) -> Result<Vec<Point>, String> {
    let n = y.len();
    if n < 3 {
        return Err(format!("a linear trend needs at least 3 points, got {n}"));
    }
    let nf = n as f64;
    let x_mean = (nf - 1.0) / 2.0;
    let y_mean = y.iter().sum::<f64>() / nf;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        let dx = i as f64 - x_mean;
        sxx += dx * dx;
        sxy += dx * (v - y_mean);
    }
    let slope = sxy / sxx;
    let intercept = y_mean - slope * x_mean;
    let sse: f64 = y.iter().enumerate().map(|(i, v)| (v - intercept - slope * i as f64).powi(2)).sum();
    let s = (sse / (nf - 2.0)).sqrt();
    let (t80, t95) = match StudentsT::new(0.0, 1.0, nf - 2.0) {
        Ok(t) => (t.inverse_cdf(0.9), t.inverse_cdf(0.975)),
        Err(_) => (Z80, Z95),
    };
    Ok((1..=horizon)
        .map(|h| {
            let x = (n - 1 + h) as f64;
            let mean = intercept + slope * x;
            let se = s * (1.0 + 1.0 / nf + (x - x_mean).powi(2) / sxx).sqrt();
            Point { mean, lo80: mean - t80 * se, hi80: mean + t80 * se, lo95: mean - t95 * se, hi95: mean + t95 * se }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_line_is_continued_with_no_spread() {
        let y: Vec<f64> = (0..10).map(|i| 2.0 + 0.5 * f64::from(i)).collect();
        let out = forecast(&y, 3).unwrap();
        assert_eq!(out.len(), 3);
        assert!((out[2].mean - (2.0 + 0.5 * 12.0)).abs() < 1e-9);
        assert!((out[2].hi95 - out[2].lo95).abs() < 1e-9);
    }

    #[test]
    fn intervals_widen_with_the_noise_and_the_distance() {
        // Alternating +-1 around a line: s is about 1, so the 95 % interval at the first
        // step is about t(0.975, 98) * 1.0 = 1.98 wide on each side.
        let y: Vec<f64> = (0..100).map(|i| f64::from(i) + if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        let out = forecast(&y, 50).unwrap();
        let half = out[0].hi95 - out[0].mean;
        assert!((1.9..2.1).contains(&half), "{half}");
        assert!(out[49].hi95 - out[49].lo95 > out[0].hi95 - out[0].lo95);
        assert!(out[0].hi80 < out[0].hi95);
    }
}
