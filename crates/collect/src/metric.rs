//! The description of a metric family a collector writes: name, type, help and unit.

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
