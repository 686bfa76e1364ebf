//! The streaming detector: per sample, a raw score saying whether the recent shape of the
//! series is new at every resolution (see `context.rs` and [`RESOLUTIONS`]), then how
//! unlikely the recent raw scores are given their own history (the "anomaly likelihood" of Numenta's HTM detector), then one flag
//! per event.

use super::context::{Contexts, Novelty, MAX_LEVELS};
use super::epochs::{Epochs, Turn};
use super::stats::Ewm;
use super::AnomalyParams;

/// The most raw scores averaged for the likelihood.
pub(crate) const MAX_AVERAGE: usize = 16;
/// The likelihood's tail probability that maps to a score of 1.
const FULL_SCORE_TAIL: f64 = 1e-7;
/// The least spread assumed for raw scores, so that a series that was never new (a flat
/// line) does not turn its first change into an infinite z.
const MIN_SPREAD: f64 = 1e-3;
/// The resolutions at which the recent shape is judged: every number of levels from
/// [`FIRST_LEVELS`] (the single resolution used before) to the finest table's. A shape is
/// new only if it is new at every resolution: one grid's arbitrary level edges make a value
/// that wobbles across an edge look new, while grids with edges elsewhere still know it, so
/// requiring all of them removes edge effects (NAB standard 62.4 with one grid of 10 levels
/// and contexts of 3; 74.4 with contexts of 2 at 10 to 16 levels; the coarsest resolution
/// still matters: 72.2 from 8 levels, 73.0 from 12; see docs/analytics.md).
pub(crate) const RESOLUTIONS: usize = MAX_LEVELS - FIRST_LEVELS + 1;
/// The coarsest resolution, in levels.
pub(crate) const FIRST_LEVELS: usize = 10;

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

/// Scores one series' samples as they come. State of fixed size (see
/// [`AnomalyDetector::state_bytes`]: 1,056 bytes on x86-64); no allocation.
#[derive(Debug, Clone)]
pub struct AnomalyDetector {
    pub(crate) params: AnomalyParams,
    pub(crate) average: usize,
    pub(crate) last_t: i64,
    pub(crate) seen: u32,
    pub(crate) contexts: [Contexts; RESOLUTIONS],
    pub(crate) raw_history: Ewm,
    pub(crate) raw_recent: [f64; MAX_AVERAGE],
    pub(crate) raw_at: usize,
    pub(crate) quiet_until: u32,
    /// The score of the last flag: during the quiet period only a higher one is flagged.
    pub(crate) quiet_above: f64,
    /// The long horizon over which contexts and range are forgotten.
    pub(crate) epochs: Epochs,
}

impl AnomalyDetector {
    /// A detector with no history.
    pub fn new(params: &AnomalyParams) -> AnomalyDetector {
        AnomalyDetector {
            params: params.clone(),
            average: params.average.clamp(1, MAX_AVERAGE),
            last_t: i64::MIN,
            seen: 0,
            contexts: std::array::from_fn(|i| Contexts::new(FIRST_LEVELS + i)),
            raw_history: Ewm::new(params.history),
            raw_recent: [0.0; MAX_AVERAGE],
            raw_at: 0,
            quiet_until: 0,
            quiet_above: 0.0,
            epochs: Epochs::new(),
        }
    }

    /// Bytes of state per series (the tables of contexts are inside).
    pub fn state_bytes() -> usize {
        std::mem::size_of::<AnomalyDetector>()
    }

    /// Scores the sample (`timestamp_ms`, `value`) and learns from it. Samples that are not
    /// finite (gaps, staleness markers) or not after the previous one score 0 and change
    /// nothing.
    pub fn update(&mut self, timestamp_ms: i64, value: f64) -> AnomalyScore {
        if !value.is_finite() || timestamp_ms <= self.last_t {
            return AnomalyScore::NONE;
        }
        self.last_t = timestamp_ms;
        // Every resolution learns the sample; its shape is new only if new at all of them.
        let (mut beyond, mut all_new) = (false, true);
        for contexts in &mut self.contexts {
            match contexts.push(value) {
                Novelty::Known => all_new = false,
                Novelty::NewContext => {}
                Novelty::BeyondRange => beyond = true,
            }
        }
        let raw = if beyond || all_new { 1.0 } else { 0.0 };
        let range = (self.contexts[0].lo, self.contexts[0].hi);
        match self.epochs.push(value, range) {
            Turn::Same => {}
            Turn::Age => self.contexts.iter_mut().for_each(Contexts::age),
            Turn::Narrow(lo, hi) => self.contexts.iter_mut().for_each(|c| {
                c.narrow(lo, hi);
                c.age();
            }),
        }
        self.seen = self.seen.saturating_add(1);
        // The likelihood: how far the raw score, and the recent average of raw scores, are
        // above their usual, in standard deviations (of one score, and of an average).
        let history = self.raw_history;
        self.raw_recent[self.raw_at] = raw;
        self.raw_at = (self.raw_at + 1) % self.average;
        self.raw_history.push(raw);
        let recent = self.raw_recent[..self.average].iter().sum::<f64>() / self.average as f64;
        let spread = history.std().max(MIN_SPREAD);
        let z_recent = (recent - history.mean()) / (spread / (self.average as f64).sqrt());
        let z_now = (raw - history.mean()) / spread;
        let tail = 0.5 * libm::erfc(z_recent.max(z_now) / std::f64::consts::SQRT_2);
        if self.seen <= self.params.learn {
            return AnomalyScore::NONE;
        }
        // A value beyond the range seen scores 1 outright, as in Numenta's NAB detector.
        let mut score = if beyond { 1.0 } else { (tail.max(f64::MIN_POSITIVE).ln() / FULL_SCORE_TAIL.ln()).clamp(0.0, 1.0) };
        let mut anomalous = false;
        let quiet = self.seen < self.quiet_until;
        if score >= self.params.threshold && (!quiet || score > self.quiet_above) {
            // A new event, or a stronger one during the quiet period.
            anomalous = true;
            self.quiet_until = self.seen.saturating_add(self.params.suppress);
            self.quiet_above = score;
        } else if quiet {
            score = score.min(self.params.threshold * 0.5);
        }
        AnomalyScore { score, anomalous }
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
        assert!(spike.anomalous && spike.score > 0.9, "{spike:?}");
        // The return to usual right after is within the suppression period: not flagged again.
        let after = run(&mut d, 601..700, usual);
        assert!(after.iter().all(|s| !s.anomalous), "flagged again after the spike");
        assert!(after.iter().all(|s| (0.0..=1.0).contains(&s.score)));
    }

    #[test]
    fn a_wobble_across_one_resolution_s_level_edge_is_not_new_but_a_jump_is() {
        let mut d = AnomalyDetector::new(&AnomalyParams::default());
        // Range 0 to 10, then a steady 4.99: just below the edge at 5 of the 10-level grid.
        run(&mut d, 0..2, |i| i as f64 * 10.0);
        let steady = run(&mut d, 2..500, |_| 4.99);
        assert!(steady[100..].iter().all(|s| s.score < 0.1 && !s.anomalous));
        // 5.01 is in a new level of the 10-level grid, but in the same level of the finer
        // grids, whose edges are elsewhere: not new behaviour.
        let wobble = d.update(500_000, 5.01);
        assert!(wobble.score < 0.1 && !wobble.anomalous, "{wobble:?}");
        // A jump to 8 is new at every resolution.
        let jump = d.update(501_000, 8.0);
        assert!(jump.anomalous && jump.score > 0.9, "{jump:?}");
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
    fn a_glitch_is_forgotten_after_two_epochs() {
        use crate::anomaly::epochs::EPOCH;
        let epoch = i64::from(EPOCH);
        let mut d = AnomalyDetector::new(&AnomalyParams::default());
        // A level around 10, and one glitch to 1000 early on.
        run(&mut d, 0..epoch, |i| if i == 100 { 1000.0 } else { usual(i) });
        // Within the glitch's range, 40 is one more value in the bottom level: not new.
        let before = d.clone().update(epoch * 1000, 40.0);
        assert!(!before.anomalous && before.score < 0.5, "{before:?}");
        // Two epochs after the glitch's the range is what the level reached (the finer levels
        // are learnt anew, which may flag once): 40 is far beyond it.
        let settled = 3 * epoch + 1000;
        run(&mut d, epoch..settled, usual);
        assert!(d.contexts[0].hi < 11.0, "range narrowed to the level: {}", d.contexts[0].hi);
        let after = d.update(settled * 1000, 40.0);
        assert!(after.anomalous && after.score == 1.0, "{after:?}");
    }

    #[test]
    fn nothing_is_scored_while_learning_and_state_is_small() {
        let mut d = AnomalyDetector::new(&AnomalyParams::default());
        assert!(run(&mut d, 0..30, |i| if i == 20 { 1e6 } else { 1.0 }).iter().all(|s| *s == AnomalyScore::NONE));
        // 1,056 bytes on x86-64: 14 tables of contexts (two epochs x 7 resolutions) and the rest.
        assert!(AnomalyDetector::state_bytes() <= 1100, "{}", AnomalyDetector::state_bytes());
    }
}
