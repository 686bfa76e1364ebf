//! Anomaly scores of every collected series, each cycle (`collection.anomaly_scores`): one
//! streaming detector per series (`vitals-analytics`), whose score and flag are appended in
//! the same batch as the samples they judge, as
//! `vitals_anomaly_score{metric="<name>", <labels>}` and `vitals_anomaly_flag{...}`.
//! Counters are judged by their per-second rate. A series that vanishes (its collector no
//! longer writes it, or failed) has its detector dropped and its score and flag marked stale.
//!
//! Detectors can start from a saved set ([`AnomalyScores::new`]) and be snapshot
//! ([`AnomalyScores::snapshot`]), keyed by the text of the score series' labels (which
//! carry the judged series' job, instance, name and labels); `checkpoint.rs` saves them.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::time::Duration;

use vitals_analytics::{AnomalyDetector, AnomalyParams};
use vitals_store::{stale_marker, Labels, MetricKind, Sample, SeriesRef, Store, StoreError, METRIC_NAME_LABEL};

use crate::latest::{Reading, SeriesInfo};
use crate::Metric;

/// The score family.
pub(crate) const SCORE: Metric = Metric::gauge(
    "vitals_anomaly_score",
    "How anomalous the series named by `metric` (its per-second rate, for counters) is at this sample, from 0 (usual) to 1.",
    "",
);
/// The flag family.
pub(crate) const FLAG: Metric = Metric::gauge(
    "vitals_anomaly_flag",
    "1 at a sample where an anomaly of the series named by `metric` starts (score at or above the threshold, first in its suppression period), else 0.",
    "",
);
/// The label that names the judged series' metric; a judged label of that name becomes
/// `exported_metric`, as Prometheus renames clashing labels.
const METRIC_LABEL: &str = "metric";

/// What became of the saved anomaly detectors at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RestoredDetectors {
    /// Detectors found saved.
    pub saved: usize,
    /// Of those, the ones accepted: their series continue from them when collected (the
    /// others were damaged or written by an incompatible version, and start afresh).
    pub restored: usize,
}

/// One judged series.
struct Judged {
    /// The score series' labels as text: the key of its saved state.
    key: String,
    detector: AnomalyDetector,
    /// For counters, the last (time in ms, value), to take the rate from.
    last: Option<(i64, f64)>,
    score: SeriesRef,
    flag: SeriesRef,
}

/// The detectors of every collected series, and what scoring cost so far.
pub(crate) struct AnomalyScores {
    store: Store,
    base: Vec<(String, String)>,
    params: AnomalyParams,
    judged: HashMap<SeriesRef, Judged>,
    /// Restored detectors whose series has not been collected yet.
    unclaimed: HashMap<String, AnomalyDetector>,
    restored: RestoredDetectors,
    metadata_set: bool,
    /// Samples scored so far.
    pub(crate) scored: u64,
    /// CPU time of the scheduler's thread spent scoring them (detectors, and registration
    /// of new series), not wall time: a machine busy elsewhere does not inflate it.
    pub(crate) spent: Duration,
}

impl AnomalyScores {
    /// No detectors yet; score series get the `base` labels (job, instance) like the others.
    /// A series whose key is in `saved` and whose state is accepted continues from it when
    /// first collected; those refused are counted and logged in one warning.
    pub(crate) fn new(store: Store, base: Vec<(String, String)>, params: AnomalyParams, saved: HashMap<String, Vec<u8>>) -> AnomalyScores {
        let mut restored = RestoredDetectors { saved: saved.len(), restored: 0 };
        let mut first_refusal = None;
        let mut unclaimed = HashMap::with_capacity(saved.len());
        for (key, bytes) in saved {
            match AnomalyDetector::from_bytes(&params, &bytes) {
                Ok(detector) => {
                    unclaimed.insert(key, detector);
                }
                Err(e) => {
                    first_refusal.get_or_insert_with(|| format!("{key}: {e}"));
                }
            }
        }
        restored.restored = unclaimed.len();
        if let Some(first) = first_refusal {
            tracing::warn!(
                "{} of {} saved anomaly detectors refused, their series learn afresh (first: {first})",
                restored.saved - restored.restored,
                restored.saved
            );
        }
        AnomalyScores {
            store,
            base,
            params,
            judged: HashMap::new(),
            unclaimed,
            restored,
            metadata_set: false,
            scored: 0,
            spent: Duration::ZERO,
        }
    }

    /// What became of the saved detectors given to [`AnomalyScores::new`].
    pub(crate) fn restored(&self) -> RestoredDetectors {
        self.restored
    }

    /// Every detector's learnt state, keyed by its score series' labels: those of the
    /// series collected, and restored ones whose series has not come back yet, unless
    /// `drop_unclaimed` (they are dropped for good then).
    /// Keys are unique: should two judged series ever have the same score labels (a series'
    /// own `job` or `instance`, or own `metric` and `exported_metric` labels), one of them is
    /// saved, rather than the save failing on the duplicate.
    pub(crate) fn snapshot(&mut self, drop_unclaimed: bool) -> Vec<(String, Vec<u8>)> {
        if drop_unclaimed && !self.unclaimed.is_empty() {
            // Some series end (processes, devices); none coming back means the keys changed.
            let hint = if self.unclaimed.len() == self.restored.restored {
                "none was: was the listen address, part of every key as the `instance` label, changed?"
            } else {
                "their series ended"
            };
            tracing::info!(
                "{} of {} restored anomaly detectors were not claimed by a collected series since the start and are dropped ({hint})",
                self.unclaimed.len(),
                self.restored.restored
            );
            self.unclaimed = HashMap::new();
        }
        let judged = self.judged.values().map(|j| (j.key.clone(), j.detector.to_bytes()));
        let all: HashMap<String, Vec<u8>> = self.unclaimed.iter().map(|(key, d)| (key.clone(), d.to_bytes())).chain(judged).collect();
        all.into_iter().collect()
    }

    /// How many series have a detector.
    pub(crate) fn series(&self) -> usize {
        self.judged.len()
    }

    /// Scores a collector run's `samples` (with their `readings`, in the same order) at
    /// `t_ms`, pushing scores and flags to `batch`. Info metrics are not scored.
    pub(crate) fn observe(&mut self, t_ms: i64, samples: &[(SeriesRef, f64)], readings: &[Reading], batch: &mut Vec<(SeriesRef, Sample)>) {
        let started = thread_cpu_time();
        for (&(series, value), reading) in samples.iter().zip(readings) {
            let kind = reading.series.metric.kind;
            // Info metrics (always 1, by type or by Prometheus' `_info` naming) say nothing.
            if kind == MetricKind::Info || reading.series.metric.name.ends_with("_info") {
                continue;
            }
            let judged = match self.judged.entry(series) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => match register(&self.store, &self.base, &mut self.metadata_set, &reading.series) {
                    Ok((key, score, flag)) => {
                        let detector = self.unclaimed.remove(&key).unwrap_or_else(|| AnomalyDetector::new(&self.params));
                        e.insert(Judged { key, detector, last: None, score, flag })
                    }
                    Err(err) => {
                        tracing::warn!(metric = reading.series.metric.name, "registering its anomaly score series: {err}");
                        continue;
                    }
                },
            };
            let input = if kind == MetricKind::Counter { rate(&mut judged.last, t_ms, value) } else { Some(value) };
            let Some(x) = input.filter(|x| x.is_finite()) else { continue };
            let verdict = judged.detector.update(t_ms, x);
            batch.push((judged.score, Sample { t: t_ms, v: verdict.score }));
            batch.push((judged.flag, Sample { t: t_ms, v: if verdict.anomalous { 1.0 } else { 0.0 } }));
            self.scored += 1;
        }
        self.spent += thread_cpu_time().saturating_sub(started);
    }

    /// Drops the detectors of series `gone`, marking their scores and flags stale at `t_ms`.
    pub(crate) fn forget(&mut self, t_ms: i64, gone: impl Iterator<Item = SeriesRef>, batch: &mut Vec<(SeriesRef, Sample)>) {
        for series in gone {
            if let Some(j) = self.judged.remove(&series) {
                batch.push((j.score, Sample { t: t_ms, v: stale_marker() }));
                batch.push((j.flag, Sample { t: t_ms, v: stale_marker() }));
            }
        }
    }
}

/// CPU time of the calling thread so far (zero if the clock cannot be read).
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own; the clock id is a constant.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    match (ok, u64::try_from(ts.tv_sec), u32::try_from(ts.tv_nsec)) {
        (true, Ok(secs), Ok(nanos)) => Duration::new(secs, nanos),
        _ => Duration::ZERO,
    }
}

/// The per-second rate of a counter from its `last` sample to (`t_ms`, `value`), updating
/// `last`; a value below the last is a reset (counted from 0). `None` for the first sample.
fn rate(last: &mut Option<(i64, f64)>, t_ms: i64, value: f64) -> Option<f64> {
    let previous = last.replace((t_ms, value));
    let (t0, v0) = previous?;
    if t_ms <= t0 {
        return None;
    }
    let increase = if value >= v0 { value - v0 } else { value };
    Some(increase * 1000.0 / (t_ms - t0) as f64)
}

/// Registers the score and flag series of `info`, and the families' metadata once; returns
/// the score series' labels as text too (the key of the detector's saved state).
fn register(
    store: &Store,
    base: &[(String, String)],
    metadata_set: &mut bool,
    info: &SeriesInfo,
) -> Result<(String, SeriesRef, SeriesRef), StoreError> {
    if !*metadata_set {
        store.set_metadata(SCORE.name, SCORE.metadata())?;
        store.set_metadata(FLAG.name, FLAG.metadata())?;
        *metadata_set = true;
    }
    let labels = |family: &'static str| {
        let own = info.labels.iter().map(|(n, v)| (if n == METRIC_LABEL { "exported_metric" } else { n.as_str() }, v.as_str()));
        Labels::from_pairs(
            base.iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .chain([(METRIC_NAME_LABEL, family), (METRIC_LABEL, info.metric.name)])
                .chain(own),
        )
    };
    let score = labels(SCORE.name);
    Ok((score.to_string(), store.series_ref(&score)?, store.series_ref(&labels(FLAG.name))?))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use vitals_store::StoreOptions;

    use super::*;

    const LOAD: Metric = Metric::gauge("node_load1", "1m load average.", "");
    const BYTES: Metric = Metric::counter("node_network_receive_bytes_total", "Bytes received.", "bytes");

    fn reading(metric: &'static Metric, labels: &[(&str, &str)], value: f64) -> Reading {
        let labels = labels.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        Reading { series: Arc::new(SeriesInfo { metric, labels }), value }
    }

    #[test]
    fn scores_gauges_and_counter_rates_and_forgets_vanished_series() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let base = vec![("job".to_owned(), "vitals".to_owned())];
        let mut scores = AnomalyScores::new(store.clone(), base, AnomalyParams::default(), HashMap::new());
        let load_ref = store.series_ref(&Labels::from_pairs([("__name__", "node_load1")])).unwrap();
        let bytes_ref = store.series_ref(&Labels::from_pairs([("__name__", "node_network_receive_bytes_total")])).unwrap();
        let mut flagged_at = Vec::new();
        let mut total = 0.0;
        for i in 0..400_i64 {
            let t = 1_000_000 + i * 1000;
            // A steady counter (1000 B/s with a little wobble) that bursts at 300 s.
            total += if i == 300 { 1_000_000.0 } else { 1000.0 + (i % 7) as f64 };
            let load = 1.0 + 0.1 * ((i % 5) as f64);
            let samples = [(load_ref, load), (bytes_ref, total)];
            let readings = [reading(&LOAD, &[], load), reading(&BYTES, &[("device", "eth0"), ("metric", "x")], total)];
            let mut batch = Vec::new();
            scores.observe(t, &samples, &readings, &mut batch);
            // Gauge: every cycle; counter: from the second (a rate needs two samples).
            assert_eq!(batch.len(), if i == 0 { 2 } else { 4 });
            if batch.len() == 4 && batch[3].1.v == 1.0 {
                flagged_at.push(i);
            }
        }
        assert!(flagged_at.contains(&300), "the burst was flagged: {flagged_at:?}");
        assert_eq!(scores.series(), 2);
        let score_of_bytes = Labels::from_pairs([
            ("__name__", "vitals_anomaly_score"),
            ("job", "vitals"),
            ("metric", "node_network_receive_bytes_total"),
            ("device", "eth0"),
            ("exported_metric", "x"),
        ]);
        let score_ref = store.series_ref(&score_of_bytes).unwrap();
        let mut batch = Vec::new();
        scores.forget(2_000_000, [bytes_ref].into_iter(), &mut batch);
        assert_eq!(scores.series(), 1);
        assert_eq!(batch.len(), 2);
        assert_eq!(batch[0].0, score_ref);
        assert_eq!(batch[0].1.v.to_bits(), stale_marker().to_bits());
    }

    /// A gauge and a counter, whose values at cycle `i` are `load(i)` and `totals[i]`.
    struct Two {
        store: Store,
        refs: [SeriesRef; 2],
        totals: Vec<f64>,
    }

    impl Two {
        /// The gauge spikes at `spikes.0`, the counter's rate at `spikes.1`.
        fn new(store: &Store, spikes: (i64, i64)) -> Two {
            let refs = ["node_load1", "node_network_receive_bytes_total"]
                .map(|n| store.series_ref(&Labels::from_pairs([("__name__", n)])).unwrap());
            let mut total = 0.0;
            let totals = (0..500_i64)
                .map(|i| {
                    // Rates of 1000, 1003 or 1006 in a scrambled order, so that every pair of
                    // them follows one another before long: a sample skipped (the first after
                    // a restart has no rate) makes no new pattern.
                    total += if i == spikes.1 { 1_000_000.0 } else { 1000.0 + 3.0 * ((i.wrapping_mul(2_654_435_761) >> 7) % 3) as f64 };
                    total
                })
                .collect();
            Two { store: store.clone(), refs, totals }
        }

        fn load(i: i64, spike: i64) -> f64 {
            if i == spike {
                9.0
            } else {
                1.0 + 0.1 * ((i % 5) as f64)
            }
        }

        /// Each cycle's batch of scores and flags for cycles `range`.
        fn run(&self, scores: &mut AnomalyScores, range: std::ops::Range<i64>, gauge_spike: i64) -> Vec<Vec<(SeriesRef, Sample)>> {
            range
                .map(|i| {
                    let (load, total) = (Two::load(i, gauge_spike), self.totals[i as usize]);
                    let samples = [(self.refs[0], load), (self.refs[1], total)];
                    let readings = [reading(&LOAD, &[], load), reading(&BYTES, &[("device", "eth0")], total)];
                    let mut batch = Vec::new();
                    scores.observe(1_000_000 + i * 1000, &samples, &readings, &mut batch);
                    batch
                })
                .collect()
        }

        fn scores(&self, saved: HashMap<String, Vec<u8>>) -> AnomalyScores {
            AnomalyScores::new(self.store.clone(), vec![("job".to_owned(), "vitals".to_owned())], AnomalyParams::default(), saved)
        }
    }

    fn flagged(batches: &[Vec<(SeriesRef, Sample)>], at: usize) -> Vec<usize> {
        batches.iter().enumerate().filter(|(_, b)| b.get(at).is_some_and(|(_, s)| s.v == 1.0)).map(|(i, _)| i).collect()
    }

    #[test]
    fn series_whose_score_labels_collide_are_saved_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let mut scores =
            AnomalyScores::new(store.clone(), vec![("job".to_owned(), "vitals".to_owned())], AnomalyParams::default(), HashMap::new());
        // Own `metric` becomes `exported_metric`: both series get the same score labels.
        let a = store.series_ref(&Labels::from_pairs([("__name__", "node_load1"), ("metric", "x")])).unwrap();
        let b = store.series_ref(&Labels::from_pairs([("__name__", "node_load1"), ("exported_metric", "x")])).unwrap();
        for i in 0..5_i64 {
            let readings = [reading(&LOAD, &[("metric", "x")], 1.0), reading(&LOAD, &[("exported_metric", "x")], 2.0)];
            scores.observe(1_000_000 + i * 1000, &[(a, 1.0), (b, 2.0)], &readings, &mut Vec::new());
        }
        assert_eq!(scores.series(), 2);
        let saved = scores.snapshot(false);
        assert_eq!(saved.len(), 1, "{:?}", saved.iter().map(|(k, _)| k).collect::<Vec<_>>());
        // So the save of the whole set succeeds.
        let state = vitals_state::State::open(dir.path()).unwrap();
        state.save_detectors(&saved).unwrap();
        assert_eq!(state.load_detectors().unwrap().len(), 1);
    }

    #[test]
    fn restored_detectors_continue_as_the_originals() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        // Spikes after the restart, within what would be a fresh detector's learning.
        let two = Two::new(&store, (415, 420));
        let mut original = two.scores(HashMap::new());
        two.run(&mut original, 0..400, 415);
        let saved: HashMap<String, Vec<u8>> = original.snapshot(false).into_iter().collect();
        let mut keys: Vec<&str> = saved.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                r#"vitals_anomaly_score{device="eth0",job="vitals",metric="node_network_receive_bytes_total"}"#,
                r#"vitals_anomaly_score{job="vitals",metric="node_load1"}"#
            ]
        );
        let mut restored = two.scores(saved);
        assert_eq!(restored.restored(), RestoredDetectors { saved: 2, restored: 2 });
        let want = two.run(&mut original, 400..440, 415);
        let got = two.run(&mut restored, 400..440, 415);
        // The gauge continues exactly.
        let gauge = |batches: &[Vec<(SeriesRef, Sample)>]| batches.iter().map(|b| b[..2].to_vec()).collect::<Vec<_>>();
        assert_eq!(gauge(&got), gauge(&want));
        // The counter's first sample after the restart has no rate and no score; from its
        // second on it continues, having learnt one sample less than the original (its
        // usual scores differ in the fourth decimal), with the same flags.
        assert_eq!(got[0].len(), 2);
        for (i, (got, want)) in got.iter().zip(&want).enumerate().skip(1) {
            assert!((got[2].1.v - want[2].1.v).abs() < 0.01, "cycle {i}: score {} against {}", got[2].1.v, want[2].1.v);
            assert_eq!(got[3], want[3], "cycle {i}");
        }
        // Cycle 415: the gauge's spike; cycle 420: the counter's burst (indices 1 and 3 are the flags).
        assert_eq!((flagged(&got, 1), flagged(&got, 3)), (vec![15], vec![20]));
        assert_eq!(restored.series(), 2);
    }

    #[test]
    fn a_refused_detector_learns_afresh_and_unclaimed_ones_wait_for_a_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let two = Two::new(&store, (415, 420));
        let mut trained = two.scores(HashMap::new());
        two.run(&mut trained, 0..400, 415);
        let mut saved: HashMap<String, Vec<u8>> = trained.snapshot(false).into_iter().collect();
        let gauge_key = r#"vitals_anomaly_score{job="vitals",metric="node_load1"}"#;
        saved.insert(gauge_key.to_owned(), vec![1, 2, 3]);
        let gone = r#"vitals_anomaly_score{job="vitals",metric="node_gone"}"#;
        saved.insert(gone.to_owned(), trained.snapshot(false)[0].1.clone());
        let mut scores = two.scores(saved);
        assert_eq!(scores.restored(), RestoredDetectors { saved: 3, restored: 2 });
        let got = two.run(&mut scores, 400..430, 415);
        // The gauge learns afresh: its spike is within the learning samples, not flagged; the
        // restored counter's burst is.
        assert_eq!((flagged(&got, 1), flagged(&got, 3)), (vec![], vec![20]));
        let keys = |snapshot: Vec<(String, Vec<u8>)>| snapshot.into_iter().filter(|(k, _)| k == gone).count();
        assert_eq!(keys(scores.snapshot(false)), 1, "kept until its series has had a checkpoint's time to come back");
        assert_eq!(keys(scores.snapshot(true)), 0);
        assert_eq!(scores.snapshot(false).len(), 2);
    }

    #[test]
    fn counter_rates_treat_a_drop_as_a_reset() {
        let mut last = None;
        assert_eq!(rate(&mut last, 1000, 100.0), None);
        assert_eq!(rate(&mut last, 3000, 300.0), Some(100.0));
        assert_eq!(rate(&mut last, 4000, 50.0), Some(50.0));
    }
}
