//! The streaming detector: per sample, a raw score from what is unusual now (level, change,
//! volatility, shape), then how unlikely the recent raw scores are given their own history
//! (the "anomaly likelihood" of Numenta's HTM detector), then one flag per event.

use super::context::Contexts;
use super::stats::Ewm;
use super::AnomalyParams;

/// The most raw scores averaged for the likelihood.
const MAX_AVERAGE: usize = 16;
/// The likelihood's tail probability that maps to a score of 1.
const FULL_SCORE_TAIL: f64 = 1e-7;
/// z at which a feature's raw score is 1.
const Z_FULL: f64 = 8.0;
/// The largest raw score. (Letting it reach 4, so that a spike of 50 standard deviations
/// scores above one of 8, scored 38.8 instead of 41.7 on NAB's standard profile.)
const RAW_MAX: f64 = 1.0;

/// One sample's verdict.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnomalyScore {
    /// How anomalous, in [0, 1]: 0 usual, near 1 very unlikely given the series' history.
    pub score: f64,
    /// Whether the sample starts an anomaly: the score reached the threshold and no other
    /// flag was raised within the suppression period before it.
    pub anomalous: bool,
}

impl AnomalyScore {
    const NONE: AnomalyScore = AnomalyScore { score: 0.0, anomalous: false };
}

/// Scores one series' samples as they come. State of fixed size (about 1.3 KiB, see
/// [`AnomalyDetector::state_bytes`]); no allocation per sample.
#[derive(Debug, Clone)]
pub struct AnomalyDetector {
    params: AnomalyParams,
    average: usize,
    last_t: i64,
    prev: f64,
    seen: u32,
    level: Ewm,
    diff: Ewm,
    diff_recent: Ewm,
    contexts: Contexts,
    raw_history: Ewm,
    raw_recent: [f64; MAX_AVERAGE],
    raw_at: usize,
    quiet_until: u32,
}

impl AnomalyDetector {
    /// A detector with no history.
    pub fn new(params: &AnomalyParams) -> AnomalyDetector {
        AnomalyDetector {
            params: params.clone(),
            average: params.average.clamp(1, MAX_AVERAGE),
            last_t: i64::MIN,
            prev: f64::NAN,
            seen: 0,
            level: Ewm::new(params.long),
            diff: Ewm::new(params.long),
            diff_recent: Ewm::new(params.short),
            contexts: Contexts::new(),
            raw_history: Ewm::new(params.history),
            raw_recent: [0.0; MAX_AVERAGE],
            raw_at: 0,
            quiet_until: 0,
        }
    }

    /// Bytes of state per series, the table of contexts included.
    pub fn state_bytes() -> usize {
        std::mem::size_of::<AnomalyDetector>() + super::context::TABLE_BYTES
    }

    /// Scores the sample (`timestamp_ms`, `value`) and learns from it. Samples that are not
    /// finite (gaps, staleness markers) or not after the previous one score 0 and change
    /// nothing.
    pub fn update(&mut self, timestamp_ms: i64, value: f64) -> AnomalyScore {
        if !value.is_finite() || timestamp_ms <= self.last_t {
            return AnomalyScore::NONE;
        }
        self.last_t = timestamp_ms;
        let raw = self.raw(value);
        self.seen = self.seen.saturating_add(1);
        // The likelihood: how far the recent average of raw scores is above their usual.
        let tail = {
            let history = self.raw_history;
            self.raw_recent[self.raw_at] = raw;
            self.raw_at = (self.raw_at + 1) % self.average;
            self.raw_history.push(raw);
            let recent = self.raw_recent[..self.average].iter().sum::<f64>() / self.average as f64;
            let spread = history.std().max(1e-3);
            // The average's spread is smaller than one raw score's by sqrt(average); the more
            // surprising of the two is taken, so a lone spike scores on its own sample.
            let z_recent = (recent - history.mean()) / (spread / (self.average as f64).sqrt());
            let z_now = (raw - history.mean()) / spread;
            0.5 * libm::erfc(z_recent.max(z_now) / std::f64::consts::SQRT_2)
        };
        if self.seen <= self.params.learn {
            return AnomalyScore::NONE;
        }
        let mut score = (tail.max(f64::MIN_POSITIVE).ln() / FULL_SCORE_TAIL.ln()).clamp(0.0, 1.0);
        let mut anomalous = false;
        if self.seen < self.quiet_until {
            score = score.min(self.params.threshold * 0.5);
        } else if score >= self.params.threshold {
            anomalous = true;
            self.quiet_until = self.seen.saturating_add(self.params.suppress);
        }
        AnomalyScore { score, anomalous }
    }

    /// The raw score of finite `x`: the most unusual of its level, its change from the
    /// previous sample, the recent volatility of changes and the novelty of its context.
    fn raw(&mut self, x: f64) -> f64 {
        let floor = 1e-9 + 1e-6 * self.level.mean().abs();
        let level_z = if self.level.count() > 0 { (x - self.level.mean()).abs() / self.level.std().max(floor) } else { 0.0 };
        self.level.push(x);
        let mut change_z = 0.0;
        let mut volatility = 0.0;
        if self.prev.is_finite() {
            let d = x - self.prev;
            if self.diff.count() > 1 {
                let usual = self.diff.std().max(floor);
                change_z = (d - self.diff.mean()).abs() / usual;
                self.diff_recent.push(d.abs());
                // Volatility rising or collapsing, as a log ratio of recent to usual size of changes.
                let recent = self.diff_recent.mean().max(floor);
                volatility = (recent / usual).ln().abs() / 12.0;
            }
            self.diff.push(d);
        }
        self.prev = x;
        let novelty = self.contexts.push(x);
        (level_z / Z_FULL).max(change_z / Z_FULL).max(volatility).max(novelty).min(RAW_MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wobbling level: 10 plus a repeating pattern of period 7.
    fn usual(i: i64) -> f64 {
        10.0 + [0.0, 0.3, -0.2, 0.5, -0.4, 0.1, -0.3][(i % 7) as usize]
    }

    fn run(d: &mut AnomalyDetector, range: std::ops::Range<i64>, value: impl Fn(i64) -> f64) -> Vec<AnomalyScore> {
        range.map(|i| d.update(i * 1000, value(i))).collect()
    }

    #[test]
    fn a_spike_is_flagged_once_and_usual_values_are_not() {
        let mut d = AnomalyDetector::new(&AnomalyParams::default());
        let before = run(&mut d, 0..600, usual);
        assert!(before[100..].iter().all(|s| !s.anomalous && s.score < 0.4), "usual values flagged");
        let spike = d.update(600_000, 30.0);
        assert!(spike.anomalous && spike.score > 0.6, "{spike:?}");
        // The return to usual right after is within the suppression period: not flagged again.
        let after = run(&mut d, 601..700, usual);
        assert!(after.iter().all(|s| !s.anomalous), "flagged again after the spike");
        assert!(after.iter().all(|s| (0.0..=1.0).contains(&s.score)));
    }

    #[test]
    fn gaps_and_bad_values_change_nothing() {
        let params = AnomalyParams::default();
        let (mut clean, mut gappy) = (AnomalyDetector::new(&params), AnomalyDetector::new(&params));
        for i in 0..500 {
            let want = clean.update(i * 1000, usual(i));
            if i % 50 == 0 {
                for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                    assert_eq!(gappy.update(i * 1000 - 500, bad), AnomalyScore::NONE);
                }
            }
            assert_eq!(gappy.update(i * 1000, usual(i)), want, "at {i}");
            // Not after the previous sample: ignored.
            assert_eq!(gappy.update(i * 1000, 1e9), AnomalyScore::NONE);
        }
    }

    #[test]
    fn nothing_is_scored_while_learning_and_state_is_small() {
        let mut d = AnomalyDetector::new(&AnomalyParams::default());
        assert!(run(&mut d, 0..30, |i| if i == 20 { 1e6 } else { 1.0 }).iter().all(|s| *s == AnomalyScore::NONE));
        assert!(AnomalyDetector::state_bytes() < 1500, "{}", AnomalyDetector::state_bytes());
    }
}
