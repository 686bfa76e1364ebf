//! The description of a metric family a collector writes: name, type, help and unit; and
//! the mapping between the exposition format's types and the store's.

use vitals_exposition::MetricType;
use vitals_store::{MetricKind, MetricMetadata};

/// A metric family, declared once as a `const` by the collector that writes it. Its
/// metadata is stored the first time a sample of it is written.
#[derive(Debug, PartialEq, Eq)]
pub struct Metric {
    /// Metric name, following Prometheus conventions (`_total`, `_seconds`, `_bytes`).
    pub name: &'static str,
    /// Counter or gauge.
    pub kind: MetricKind,
    /// One sentence saying what it measures.
    pub help: &'static str,
    /// Base unit (`seconds`, `bytes`), or empty.
    pub unit: &'static str,
}

impl Metric {
    /// A counter: only goes up, resets on restart.
    pub const fn counter(name: &'static str, help: &'static str, unit: &'static str) -> Metric {
        Metric { name, kind: MetricKind::Counter, help, unit }
    }

    /// A gauge: a value that goes up and down.
    pub const fn gauge(name: &'static str, help: &'static str, unit: &'static str) -> Metric {
        Metric { name, kind: MetricKind::Gauge, help, unit }
    }

    /// The metadata the store keeps for the family.
    pub fn metadata(&self) -> MetricMetadata {
        MetricMetadata { kind: self.kind, help: self.help.to_owned(), unit: self.unit.to_owned() }
    }
}

/// The store's kind for a type declared by `# TYPE` (`untyped` and `unknown` are both
/// [`MetricKind::Unknown`]).
pub fn kind_of(t: MetricType) -> MetricKind {
    match t {
        MetricType::Counter => MetricKind::Counter,
        MetricType::Gauge => MetricKind::Gauge,
        MetricType::Histogram => MetricKind::Histogram,
        MetricType::Summary => MetricKind::Summary,
        MetricType::Untyped | MetricType::Unknown => MetricKind::Unknown,
        MetricType::GaugeHistogram => MetricKind::GaugeHistogram,
        MetricType::Info => MetricKind::Info,
        MetricType::StateSet => MetricKind::StateSet,
    }
}

/// The `# TYPE` to write for a kind: the inverse of [`kind_of`], with
/// [`MetricKind::Unknown`] written `untyped` as text format 0.0.4 has it.
pub fn type_of(kind: MetricKind) -> MetricType {
    match kind {
        MetricKind::Counter => MetricType::Counter,
        MetricKind::Gauge => MetricType::Gauge,
        MetricKind::Histogram => MetricType::Histogram,
        MetricKind::Summary => MetricType::Summary,
        MetricKind::Unknown => MetricType::Untyped,
        MetricKind::Info => MetricType::Info,
        MetricKind::StateSet => MetricType::StateSet,
        MetricKind::GaugeHistogram => MetricType::GaugeHistogram,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_types_map_back_and_forth() {
        for t in MetricType::ALL {
            let back = type_of(kind_of(t));
            let same = back == t || (t == MetricType::Unknown && back == MetricType::Untyped);
            assert!(same, "{t:?} came back as {back:?}");
        }
    }
}
