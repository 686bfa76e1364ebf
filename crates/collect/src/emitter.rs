//! Where collectors write samples: resolves each series once and then reuses its reference.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use vitals_store::{Labels, SeriesRef, Store, METRIC_NAME_LABEL};

use crate::latest::{Reading, SeriesInfo};
use crate::{CollectError, Metric};

/// Label names a collector may not use: the scheduler's and the metric name's.
const RESERVED: [&str; 3] = ["job", "instance", METRIC_NAME_LABEL];

/// A resolved series: its store reference and its description for `/metrics`.
struct Cached {
    series_ref: SeriesRef,
    info: Arc<SeriesInfo>,
}

/// Collects one run's samples. The first sample of a series registers it in the store
/// (with the scheduler's `job` and `instance` labels added) and stores its family's
/// metadata; later runs find it with one map lookup on a reused key buffer.
pub struct Emitter {
    store: Store,
    base: Vec<(String, String)>,
    cache: HashMap<String, Cached>,
    key: String,
    samples: Vec<(SeriesRef, f64)>,
    readings: Vec<Reading>,
}

impl Emitter {
    /// An emitter writing to `store`, adding `base` labels to every series.
    pub(crate) fn new(store: Store, base: Vec<(String, String)>) -> Emitter {
        Emitter { store, base, cache: HashMap::new(), key: String::new(), samples: Vec::new(), readings: Vec::new() }
    }

    /// Writes one sample of `metric` with `labels`. Label names must be valid, and must not
    /// be `job` or `instance` (the scheduler sets them) nor `__name__`: such a label is a
    /// [`CollectError::ReservedLabel`].
    pub fn push(&mut self, metric: &'static Metric, labels: &[(&str, &str)], value: f64) -> Result<(), CollectError> {
        self.key.clear();
        self.key.push_str(metric.name);
        for (name, value) in labels {
            // Length-prefixed values keep the key unambiguous whatever the values hold.
            let _ = write!(self.key, "\0{name}\0{}:{value}", value.len());
        }
        let (series_ref, info) = match self.cache.get(self.key.as_str()) {
            Some(c) => (c.series_ref, c.info.clone()),
            None => self.resolve(metric, labels)?,
        };
        self.samples.push((series_ref, value));
        self.readings.push(Reading { series: info, value });
        Ok(())
    }

    /// Registers a series met for the first time, and its family's metadata.
    fn resolve(&mut self, metric: &'static Metric, labels: &[(&str, &str)]) -> Result<(SeriesRef, Arc<SeriesInfo>), CollectError> {
        // Checked only here: a series with such a label is never cached, so it always ends up here.
        if let Some((name, _)) = labels.iter().find(|(n, _)| RESERVED.contains(n) || self.base.iter().any(|(b, _)| b == n)) {
            return Err(CollectError::ReservedLabel { metric: metric.name, label: (*name).to_owned() });
        }
        let base = self.base.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        let all = Labels::from_pairs(base.chain([(METRIC_NAME_LABEL, metric.name)]).chain(labels.iter().copied()));
        let series_ref = self.store.series_ref(&all)?;
        self.store.set_metadata(metric.name, metric.metadata())?;
        let own = labels.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        let info = Arc::new(SeriesInfo { metric, labels: own });
        self.cache.insert(self.key.clone(), Cached { series_ref, info: info.clone() });
        Ok((series_ref, info))
    }

    /// Drops whatever a run left behind, before the next one.
    pub(crate) fn clear(&mut self) {
        self.samples.clear();
        self.readings.clear();
    }

    /// Hands over the run's samples and readings.
    pub(crate) fn take(&mut self) -> (Vec<(SeriesRef, f64)>, Vec<Reading>) {
        (std::mem::take(&mut self.samples), std::mem::take(&mut self.readings))
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
        let (first, readings) = e.take();
        e.push(&UP, &[("mode", "a")], 3.0).unwrap();
        let (second, _) = e.take();
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
    fn an_invalid_label_name_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let mut e = Emitter::new(store, Vec::new());
        let err = e.push(&UP, &[("bad-name", "x")], 1.0).unwrap_err();
        assert!(err.to_string().contains("invalid label name \"bad-name\""), "{err}");
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
        assert!(e.take().0.is_empty(), "nothing was written");
        assert_eq!(store.stats().series, 0);
    }
}
