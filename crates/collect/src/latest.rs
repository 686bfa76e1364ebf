//! The values of the last successful run of every collector, for the `/metrics` page.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::Metric;

/// A series a collector writes, as `/metrics` shows it: without the `job` and `instance`
/// labels, which a scraper adds itself.
#[derive(Debug, PartialEq)]
pub struct SeriesInfo {
    /// Its metric family.
    pub metric: &'static Metric,
    /// Its labels, as the collector gave them.
    pub labels: Vec<(String, String)>,
}

impl SeriesInfo {
    /// Whether this is the series of `metric` with `labels`, in the same order.
    pub(crate) fn is(&self, metric: &Metric, labels: &[(&str, &str)]) -> bool {
        // By name: `&CONST` may point to a different copy at each use.
        self.metric.name == metric.name
            && self.labels.len() == labels.len()
            && self.labels.iter().zip(labels).all(|((n, v), (name, value))| n == name && v == value)
    }
}

/// One current value.
#[derive(Debug, Clone)]
pub struct Reading {
    /// The series.
    pub series: Arc<SeriesInfo>,
    /// Its value at the last run.
    pub value: f64,
}

/// Shared view of the latest readings, per collector. Cheap to clone.
#[derive(Clone, Default)]
pub struct Latest {
    by_collector: Arc<Mutex<BTreeMap<String, Arc<Vec<Reading>>>>>,
}

impl Latest {
    /// Replaces a collector's readings (an empty list when its run failed).
    pub(crate) fn publish(&self, collector: &str, readings: Vec<Reading>) {
        let mut map = self.by_collector.lock().unwrap_or_else(|p| p.into_inner());
        match map.get_mut(collector) {
            Some(list) => *list = Arc::new(readings),
            None => {
                map.insert(collector.to_owned(), Arc::new(readings));
            }
        }
    }

    /// Every current reading, by collector name, in the order each collector wrote them.
    pub fn readings(&self) -> Vec<Reading> {
        let lists: Vec<Arc<Vec<Reading>>> = self.by_collector.lock().unwrap_or_else(|p| p.into_inner()).values().cloned().collect();
        lists.iter().flat_map(|l| l.iter().cloned()).collect()
    }
}
