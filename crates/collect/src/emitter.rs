//! Where collectors write samples: resolves each series once and then reuses its reference.

use std::collections::HashMap;
use std::fmt::{Display, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use vitals_store::{Labels, SeriesRef, Store, METRIC_NAME_LABEL};

use crate::latest::{Reading, SeriesInfo};
use crate::{CollectError, Metric};

/// Label names a collector may not use: the scheduler's and the metric name's.
const RESERVED: [&str; 3] = ["job", "instance", METRIC_NAME_LABEL];

/// How many runs a cached series may go unpushed before it is forgotten; the cache is
/// also swept every this many runs. Label values churn (process names, transient units,
/// hot-plugged disks), so without this the cache would only grow.
const FORGET_AFTER_RUNS: u64 = 64;

/// A resolved series: its store reference, its description for `/metrics`, and the last
/// run that pushed it.
struct Cached {
    series_ref: SeriesRef,
    info: Arc<SeriesInfo>,
    /// Atomic only so it can be set through the `Arc` shared by the map and `order`.
    last_used: AtomicU64,
}

/// Collects one run's samples. The first sample of a series registers it in the store
/// (with the scheduler's `job` and `instance` labels added) and stores its family's
/// metadata. Later runs mostly write the same series in the same order, so each push is
/// first compared with the series pushed at the same position in the previous run (a few
/// string comparisons); only when that differs is the series looked up in a map, by a key
/// built in a reused buffer. Series not pushed for [`FORGET_AFTER_RUNS`] runs are dropped
/// from the map (the store keeps them; pushing one again finds the same reference).
pub struct Emitter {
    store: Store,
    base: Vec<(String, String)>,
    cache: HashMap<String, Arc<Cached>>,
    key: String,
    /// The series of the previous run (and of this one so far), in the order pushed.
    order: Vec<Arc<Cached>>,
    /// How many runs were handed over so far: the number of the current run.
    run: u64,
    /// This run's pushes so far: the position in `order` to compare with.
    position: usize,
    samples: Vec<(SeriesRef, f64)>,
    readings: Vec<Reading>,
    degraded: Option<String>,
    more_problems: usize,
}

/// What one run wrote: its samples, its readings for `/metrics`, and why it was degraded
/// (wrote some series but failed part of its reading), if it was.
#[derive(Debug, Default)]
pub(crate) struct RunOutput {
    /// Sample values by series.
    pub samples: Vec<(SeriesRef, f64)>,
    /// The same values with their series' descriptions.
    pub readings: Vec<Reading>,
    /// The first problem met, and how many more there were.
    pub degraded: Option<String>,
}

impl Emitter {
    /// An emitter writing to `store`, adding `base` labels to every series.
    pub(crate) fn new(store: Store, base: Vec<(String, String)>) -> Emitter {
        Emitter {
            store,
            base,
            cache: HashMap::new(),
            key: String::new(),
            order: Vec::new(),
            run: 0,
            position: 0,
            samples: Vec::new(),
            readings: Vec::new(),
            degraded: None,
            more_problems: 0,
        }
    }

    /// Writes one sample of `metric` with `labels`. Label names must be valid, and must not
    /// be `job` or `instance` (the scheduler sets them) nor `__name__`: such a label is a
    /// [`CollectError::ReservedLabel`].
    pub fn push(&mut self, metric: &'static Metric, labels: &[(&str, &str)], value: f64) -> Result<(), CollectError> {
        if let Some(c) = self.order.get(self.position).filter(|c| c.info.is(metric, labels)) {
            c.last_used.store(self.run, Ordering::Relaxed);
            self.samples.push((c.series_ref, value));
            self.readings.push(Reading { series: c.info.clone(), value });
            self.position += 1;
            return Ok(());
        }
        let c = self.lookup(metric, labels)?;
        c.last_used.store(self.run, Ordering::Relaxed);
        self.samples.push((c.series_ref, value));
        self.readings.push(Reading { series: c.info.clone(), value });
        self.order.truncate(self.position);
        self.order.push(c);
        self.position += 1;
        Ok(())
    }

    /// Finds a series in the map, or registers it.
    fn lookup(&mut self, metric: &'static Metric, labels: &[(&str, &str)]) -> Result<Arc<Cached>, CollectError> {
        self.key.clear();
        self.key.push_str(metric.name);
        for (name, value) in labels {
            // Length-prefixed values keep the key unambiguous whatever the values hold.
            let _ = write!(self.key, "\0{name}\0{}:{value}", value.len());
        }
        match self.cache.get(self.key.as_str()) {
            Some(c) => Ok(c.clone()),
            None => self.resolve(metric, labels),
        }
    }

    /// Registers a series met for the first time, and its family's metadata.
    fn resolve(&mut self, metric: &'static Metric, labels: &[(&str, &str)]) -> Result<Arc<Cached>, CollectError> {
        // Checked only here: a series with such a label is never cached, so it always ends up here.
        if let Some((name, _)) = labels.iter().find(|(n, _)| RESERVED.contains(n) || self.base.iter().any(|(b, _)| b == n)) {
            return Err(CollectError::ReservedLabel { metric: metric.name, label: (*name).to_owned() });
        }
        let base = self.base.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        let all = Labels::from_pairs(base.chain([(METRIC_NAME_LABEL, metric.name)]).chain(labels.iter().copied()));
        let series_ref = self.store.series_ref(&all)?;
        self.store.set_metadata(metric.name, metric.metadata())?;
        let own = labels.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        let cached =
            Arc::new(Cached { series_ref, info: Arc::new(SeriesInfo { metric, labels: own }), last_used: AtomicU64::new(self.run) });
        self.cache.insert(self.key.clone(), cached.clone());
        Ok(cached)
    }

    /// Records that part of this run's reading failed (one unreadable file among many, a
    /// malformed line) while the rest was written: the collector is reported degraded,
    /// with the first problem as the reason. Only the first problem is kept as text.
    pub fn degrade(&mut self, problem: impl Display) {
        if self.degraded.is_none() {
            self.degraded = Some(problem.to_string());
        } else {
            self.more_problems += 1;
        }
    }

    /// Drops whatever a run left behind, before the next one.
    pub(crate) fn clear(&mut self) {
        self.position = 0;
        self.samples.clear();
        self.readings.clear();
        self.degraded = None;
        self.more_problems = 0;
    }

    /// Hands over the run's samples, readings and degradation.
    pub(crate) fn take(&mut self) -> RunOutput {
        let mut degraded = self.degraded.take();
        if let Some(reason) = degraded.as_mut().filter(|_| self.more_problems > 0) {
            let _ = write!(reason, " (and {} more problems)", self.more_problems);
        }
        self.more_problems = 0;
        self.forget_unused();
        // The next run likely writes as many: one allocation each instead of a doubling series.
        let (n_samples, n_readings) = (self.samples.len(), self.readings.len());
        let samples = std::mem::replace(&mut self.samples, Vec::with_capacity(n_samples));
        let readings = std::mem::replace(&mut self.readings, Vec::with_capacity(n_readings));
        RunOutput { samples, readings, degraded }
    }

    /// Ends the current run: keeps in `order` only its series; every [`FORGET_AFTER_RUNS`] runs, drops the series no run
    /// pushed in the last [`FORGET_AFTER_RUNS`].
    fn forget_unused(&mut self) {
        // What the next run compares with is exactly this run's series, all of them in the map.
        self.order.truncate(self.position);
        self.run += 1;
        if self.run.is_multiple_of(FORGET_AFTER_RUNS) {
            let run = self.run;
            self.cache.retain(|_, c| run - c.last_used.load(Ordering::Relaxed) <= FORGET_AFTER_RUNS);
        }
    }
}

#[cfg(test)]
mod tests {
    use vitals_store::{Matcher, StoreOptions};

    use super::*;

    const UP: Metric = Metric::gauge("test_up", "Whether the test is up.", "");

    #[test]
    fn series_are_registered_once_with_base_labels_and_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let mut e = Emitter::new(store.clone(), vec![("job".into(), "vitals".into()), ("instance".into(), "127.0.0.1:1".into())]);
        e.push(&UP, &[("mode", "a")], 1.0).unwrap();
        e.push(&UP, &[("mode", "b")], 2.0).unwrap();
        let RunOutput { samples: first, readings, .. } = e.take();
        e.push(&UP, &[("mode", "a")], 3.0).unwrap();
        let second = e.take().samples;
        assert_eq!(first.len(), 2);
        assert_ne!(first[0].0, first[1].0);
        assert_eq!(second[0].0, first[0].0);
        assert_eq!(readings[1].series.labels, vec![("mode".to_owned(), "b".to_owned())]);
        assert_eq!(store.metadata()["test_up"].help, "Whether the test is up.");
        let series = store.series(&[vec![Matcher::equal("__name__", "test_up")]], i64::MIN, i64::MAX);
        assert!(series.is_empty(), "registered series without samples are not listed");
        store.append(&first.iter().map(|&(r, v)| (r, vitals_store::Sample { t: 1000, v })).collect::<Vec<_>>()).unwrap();
        let series = store.series(&[vec![Matcher::equal("__name__", "test_up")]], i64::MIN, i64::MAX);
        assert_eq!(series[0].to_string(), r#"test_up{instance="127.0.0.1:1",job="vitals",mode="a"}"#);
    }

    #[test]
    fn series_pushed_in_another_order_keep_their_references() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let mut e = Emitter::new(store, Vec::new());
        let refs = |e: &mut Emitter, modes: &[&str]| -> Vec<(SeriesRef, String)> {
            e.clear();
            for m in modes {
                e.push(&UP, &[("mode", m)], 1.0).unwrap();
            }
            let out = e.take();
            out.samples.iter().zip(&out.readings).map(|((series_ref, _), r)| (*series_ref, r.series.labels[0].1.clone())).collect()
        };
        let first = refs(&mut e, &["a", "b", "c"]);
        let of = |name: &str| first.iter().find(|(_, m)| m == name).unwrap().0;
        for modes in [&["c", "a", "b"][..], &["a", "x", "b", "c"], &["a", "b", "c"], &["b"]] {
            for (series_ref, mode) in refs(&mut e, modes) {
                if mode != "x" {
                    assert_eq!(series_ref, of(&mode), "{mode} in {modes:?}");
                }
            }
        }
        e.clear();
        e.push(&UP, &[("mode", "a"), ("extra", "1")], 1.0).unwrap();
        assert_ne!(e.take().samples[0].0, of("a"), "more labels: another series");
    }

    #[test]
    fn series_not_pushed_for_many_runs_are_forgotten_and_found_again() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let mut e = Emitter::new(store, Vec::new());
        let run = |e: &mut Emitter, modes: &[&str]| -> Vec<SeriesRef> {
            e.clear();
            for m in modes {
                e.push(&UP, &[("mode", m)], 1.0).unwrap();
            }
            e.take().samples.iter().map(|(r, _)| *r).collect()
        };
        let first = run(&mut e, &["kept", "gone"]);
        assert_eq!(e.cache.len(), 2);
        for _ in 0..2 * FORGET_AFTER_RUNS {
            assert_eq!(run(&mut e, &["kept"]), [first[0]]);
        }
        assert_eq!(e.cache.len(), 1, "the series not pushed for {FORGET_AFTER_RUNS} runs was dropped");
        assert!(e.cache.keys().all(|k| k.contains("kept")));
        assert_eq!(run(&mut e, &["kept", "gone"]), first, "pushed again: the store's same reference");
        assert_eq!(e.cache.len(), 2);
    }

    #[test]
    fn an_invalid_label_name_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let mut e = Emitter::new(store, Vec::new());
        let err = e.push(&UP, &[("bad-name", "x")], 1.0).unwrap_err();
        assert!(err.to_string().contains("invalid label name \"bad-name\""), "{err}");
    }

    #[test]
    fn the_first_problem_is_the_reason_and_the_rest_are_counted() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let mut e = Emitter::new(store, Vec::new());
        e.push(&UP, &[], 1.0).unwrap();
        e.degrade("/proc/x: unreadable");
        e.degrade("/proc/y: unreadable");
        e.degrade("/proc/z: unreadable");
        let out = e.take();
        assert_eq!(out.degraded.as_deref(), Some("/proc/x: unreadable (and 2 more problems)"));
        assert_eq!(out.samples.len(), 1);
        e.clear();
        e.degrade("only one");
        assert_eq!(e.take().degraded.as_deref(), Some("only one"));
        assert_eq!(e.take().degraded, None, "a run without problems is not degraded");
    }

    #[test]
    fn job_instance_and_name_labels_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let mut e = Emitter::new(store.clone(), vec![("job".into(), "vitals".into())]);
        for label in ["job", "instance", "__name__"] {
            let err = e.push(&UP, &[("mode", "a"), (label, "x")], 1.0).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "test_up: label {label:?} is not a collector's to set (the scheduler sets job and instance; the metric name is __name__)"
                )
            );
        }
        assert!(e.take().samples.is_empty(), "nothing was written");
        assert_eq!(store.stats().series, 0);
    }
}
