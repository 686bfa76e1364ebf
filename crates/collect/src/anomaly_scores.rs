//! Anomaly scores of every collected series, each cycle (`collection.anomaly_scores`): one
//! streaming detector per series (`vitals-analytics`), whose score and flag are appended in
//! the same batch as the samples they judge, as
//! `vitals_anomaly_score{metric="<name>", <labels>}` and `vitals_anomaly_flag{...}`.
//! Counters are judged by their per-second rate. A series that vanishes (its collector no
//! longer writes it, or failed) has its detector dropped and its score and flag marked stale.

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

/// One judged series.
struct Judged {
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
    metadata_set: bool,
    /// Samples scored so far.
    pub(crate) scored: u64,
    /// CPU time of the scheduler's thread spent scoring them (detectors, and registration
    /// of new series), not wall time: a machine busy elsewhere does not inflate it.
    pub(crate) spent: Duration,
}

impl AnomalyScores {
    /// No detectors yet; score series get the `base` labels (job, instance) like the others.
    pub(crate) fn new(store: Store, base: Vec<(String, String)>, params: AnomalyParams) -> AnomalyScores {
        AnomalyScores { store, base, params, judged: HashMap::new(), metadata_set: false, scored: 0, spent: Duration::ZERO }
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
                    Ok((score, flag)) => e.insert(Judged { detector: AnomalyDetector::new(&self.params), last: None, score, flag }),
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

/// Registers the score and flag series of `info`, and the families' metadata once.
fn register(
    store: &Store,
    base: &[(String, String)],
    metadata_set: &mut bool,
    info: &SeriesInfo,
) -> Result<(SeriesRef, SeriesRef), StoreError> {
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
    Ok((store.series_ref(&labels(SCORE.name))?, store.series_ref(&labels(FLAG.name))?))
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
        let mut scores = AnomalyScores::new(store.clone(), base, AnomalyParams::default());
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

    #[test]
    fn counter_rates_treat_a_drop_as_a_reset() {
        let mut last = None;
        assert_eq!(rate(&mut last, 1000, 100.0), None);
        assert_eq!(rate(&mut last, 3000, 300.0), Some(100.0));
        assert_eq!(rate(&mut last, 4000, 50.0), Some(50.0));
    }
}
