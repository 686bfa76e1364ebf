//! Which seasonal periods a history has, in grid steps: the calendar's day and week when the
//! history covers at least two of them, and the strongest peaks of augurs' Welch
//! periodogram of the detrended history. Each is then checked on the autocorrelation of the
//! detrended history: a season repeats (high correlation at its period) and is out of step
//! half-way (lower correlation at half its period). Noise has neither, and a wandering level
//! correlates less at a longer lag, so neither passes. Periodogram peaks are moved to the
//! nearby lag of highest autocorrelation, as the spectrum's bins are coarse.

use augurs::seasons::{Detector, PeriodogramDetector};

/// Fewest points for the periodogram to say anything.
const MIN_PERIODOGRAM_POINTS: usize = 32;
/// Most periods handed to the seasonal decomposition.
const MAX_PERIODS: usize = 3;
/// Most periodogram peaks kept.
const MAX_PEAKS: usize = 2;
/// Least excess of the autocorrelation at the period over that at half the period.
const MIN_SEASON_CONTRAST: f64 = 0.3;

/// The seasonal periods of `y` (gap-free) sampled every `step_seconds`, ascending, each
/// with at least two full cycles in `y`.
pub(super) fn periods(y: &[f64], step_seconds: f64) -> Vec<usize> {
    let n = y.len();
    let detrended = detrend(y);
    let variance = detrended.iter().map(|v| v * v).sum::<f64>();
    let acf = |lag: usize| -> f64 {
        if lag >= n || variance <= 0.0 {
            return 0.0;
        }
        detrended.iter().zip(&detrended[lag..]).map(|(a, b)| a * b).sum::<f64>() / variance
    };
    let seasonal = |p: usize| acf(p) - acf(p / 2) >= MIN_SEASON_CONTRAST;
    let mut out: Vec<usize> = Vec::new();
    for calendar in [86_400.0, 7.0 * 86_400.0] {
        let steps = calendar / step_seconds;
        let p = steps.round();
        if p >= 4.0 && (steps - p).abs() <= 0.01 * p && n as f64 >= 2.0 * p && seasonal(p as usize) {
            out.push(p as usize);
        }
    }
    if n >= MIN_PERIODOGRAM_POINTS {
        let detected = PeriodogramDetector::builder().build().detect(&detrended);
        // The detector lists peaks from the weakest to the strongest.
        for p in detected.into_iter().rev().take(MAX_PEAKS) {
            let p = p as usize;
            let p = (p - p / 10..=p + p / 10).max_by(|&a, &b| acf(a).total_cmp(&acf(b))).unwrap_or(p);
            let near_known = out.iter().any(|&q| p.abs_diff(q) * 10 <= q);
            if p >= 2 && n >= 2 * p && !near_known && seasonal(p) {
                out.push(p);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out.truncate(MAX_PERIODS);
    out
}

/// `y` minus its least-squares line, so that a trend does not swamp the spectrum.
fn detrend(y: &[f64]) -> Vec<f64> {
    let n = y.len() as f64;
    let x_mean = (n - 1.0) / 2.0;
    let y_mean = y.iter().sum::<f64>() / n;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        let dx = i as f64 - x_mean;
        sxx += dx * dx;
        sxy += dx * (v - y_mean);
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    y.iter().enumerate().map(|(i, v)| v - y_mean - slope * (i as f64 - x_mean)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_daily_cycle_at_five_minutes_is_found_as_288_steps() {
        let y: Vec<f64> = (0..288 * 4).map(|i| (f64::from(i) * std::f64::consts::TAU / 288.0).sin() + 0.001 * f64::from(i)).collect();
        assert!(periods(&y, 300.0).contains(&288));
    }

    #[test]
    fn a_cycle_of_24_steps_is_found_without_the_calendar() {
        // 10 s steps: a day is 8640 steps, longer than the history, so only the periodogram can see 24.
        let y: Vec<f64> = (0..600).map(|i| (f64::from(i) * std::f64::consts::TAU / 24.0).sin()).collect();
        assert_eq!(periods(&y, 10.0), vec![24]);
    }

    #[test]
    fn noise_and_a_wandering_level_have_no_season() {
        let mut state = 1u64;
        let mut level = 0.0;
        let y: Vec<f64> = (0..2000)
            .map(|_| {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                level = 0.9 * level + ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5);
                level
            })
            .collect();
        assert_eq!(periods(&y, 300.0), Vec::<usize>::new());
    }

    #[test]
    fn a_day_is_not_offered_with_less_than_two_days() {
        let y: Vec<f64> = (0..300).map(f64::from).collect();
        assert!(!periods(&y, 300.0).contains(&288));
    }
}
