//! The Prometheus data model: labels, samples, staleness markers and metric metadata.

use std::fmt;

/// The label that carries a series' metric name.
pub const METRIC_NAME_LABEL: &str = "__name__";

/// Bit pattern of Prometheus' staleness marker: a NaN that no computation produces.
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// The staleness marker as a float (compare with [`is_stale_marker`], never with `==`).
pub fn stale_marker() -> f64 {
    f64::from_bits(STALE_NAN_BITS)
}

/// Whether `v` is the staleness marker (bit-exact comparison).
pub fn is_stale_marker(v: f64) -> bool {
    v.to_bits() == STALE_NAN_BITS
}

/// The most bytes a series' label names and values may take together. Far above anything
/// real (Prometheus' default is no limit, but nobody's labels come near this); it keeps every
/// WAL record well inside the size replay accepts.
pub const MAX_LABELS_BYTES: usize = 64 * 1024;

/// The most bytes a metric family's help text and unit may take together, for the same reason.
pub const MAX_METADATA_BYTES: usize = 64 * 1024;

/// Wall-clock milliseconds since the Unix epoch, the store's time unit (0 before 1970).
pub fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// One label: a name and a value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label {
    /// Label name, `[a-zA-Z_][a-zA-Z0-9_]*` (or `__name__`).
    pub name: String,
    /// Label value, any UTF-8; an empty value means the label is absent.
    pub value: String,
}

/// A series' identity: its labels, sorted by name, without empty values.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Labels(Vec<Label>);

impl Labels {
    /// Builds a label set from pairs: sorts by name and drops empty values.
    /// Duplicate names keep the last value given.
    pub fn from_pairs<N: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (N, V)>) -> Labels {
        let mut v: Vec<Label> =
            pairs.into_iter().map(|(n, v)| Label { name: n.into(), value: v.into() }).filter(|l| !l.value.is_empty()).collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        // Keep the last of duplicate names, as a later assignment overrides an earlier one.
        let mut out: Vec<Label> = Vec::with_capacity(v.len());
        for l in v {
            match out.last_mut() {
                Some(prev) if prev.name == l.name => *prev = l,
                _ => out.push(l),
            }
        }
        Labels(out)
    }

    /// The value of label `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.binary_search_by(|l| l.name.as_str().cmp(name)).ok().map(|i| self.0[i].value.as_str())
    }

    /// The metric name (`__name__`), if present.
    pub fn metric_name(&self) -> Option<&str> {
        self.get(METRIC_NAME_LABEL)
    }

    /// The labels in name order.
    pub fn iter(&self) -> std::slice::Iter<'_, Label> {
        self.0.iter()
    }

    /// How many labels there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Checks that the set can name a series: a metric name, valid label names, and at most
    /// [`MAX_LABELS_BYTES`] of names and values together.
    pub fn validate(&self) -> Result<(), String> {
        let size: usize = self.0.iter().map(|l| l.name.len() + l.value.len()).sum();
        if size > MAX_LABELS_BYTES {
            return Err(format!("labels take {size} bytes, more than the limit of {MAX_LABELS_BYTES}"));
        }
        match self.metric_name() {
            None => return Err("series has no metric name (__name__)".into()),
            Some(n) if !valid_metric_name(n) => return Err(format!("invalid metric name {n:?}")),
            Some(_) => {}
        }
        for l in &self.0 {
            if !valid_label_name(&l.name) {
                return Err(format!("invalid label name {:?}", l.name));
            }
        }
        Ok(())
    }
}

impl fmt::Display for Labels {
    /// Formats as `name{a="1",b="2"}` (Prometheus' notation).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{{", self.metric_name().unwrap_or(""))?;
        let mut first = true;
        for l in self.0.iter().filter(|l| l.name != METRIC_NAME_LABEL) {
            if !first {
                f.write_str(",")?;
            }
            first = false;
            write!(f, "{}={:?}", l.name, l.value)?;
        }
        f.write_str("}")
    }
}

/// Whether `s` is a valid metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
pub fn valid_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Whether `s` is a valid label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
pub fn valid_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The type of a metric family, as the exposition format declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetricKind {
    /// A monotonically increasing value that resets to zero on restart.
    Counter,
    /// A value that goes up and down.
    Gauge,
    /// Classic histogram (`_bucket`, `_sum`, `_count` series).
    Histogram,
    /// Summary (quantile series plus `_sum`, `_count`).
    Summary,
    /// Untyped / unknown.
    Unknown,
    /// OpenMetrics info metric.
    Info,
    /// OpenMetrics stateset.
    StateSet,
    /// OpenMetrics gauge histogram.
    GaugeHistogram,
}

impl MetricKind {
    /// The name the Prometheus metadata API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::Counter => "counter",
            MetricKind::Gauge => "gauge",
            MetricKind::Histogram => "histogram",
            MetricKind::Summary => "summary",
            MetricKind::Unknown => "unknown",
            MetricKind::Info => "info",
            MetricKind::StateSet => "stateset",
            MetricKind::GaugeHistogram => "gaugehistogram",
        }
    }

    /// Parses [`MetricKind::as_str`] output (and `untyped` as unknown).
    pub fn parse(s: &str) -> Option<MetricKind> {
        Some(match s {
            "counter" => MetricKind::Counter,
            "gauge" => MetricKind::Gauge,
            "histogram" => MetricKind::Histogram,
            "summary" => MetricKind::Summary,
            "unknown" | "untyped" => MetricKind::Unknown,
            "info" => MetricKind::Info,
            "stateset" => MetricKind::StateSet,
            "gaugehistogram" => MetricKind::GaugeHistogram,
            _ => return None,
        })
    }
}

/// Metadata of a metric family: type, help text and unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricMetadata {
    /// The family's type.
    pub kind: MetricKind,
    /// Help text.
    pub help: String,
    /// Unit (`seconds`, `bytes`, ...), empty when not declared.
    pub unit: String,
}

/// One timestamped float value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// Milliseconds since the Unix epoch.
    pub t: i64,
    /// The value; may be the staleness marker.
    pub v: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_sorted_deduped_and_empty_dropped() {
        let l = Labels::from_pairs([("b", "2"), ("__name__", "up"), ("a", ""), ("b", "3")]);
        assert_eq!(l.to_string(), r#"up{b="3"}"#);
        assert_eq!(l.get("b"), Some("3"));
        assert_eq!(l.get("a"), None);
    }

    #[test]
    fn validation_names_the_problem() {
        assert!(Labels::from_pairs([("job", "x")]).validate().unwrap_err().contains("no metric name"));
        let bad = Labels::from_pairs([("__name__", "up"), ("1x", "y")]);
        assert_eq!(bad.validate().unwrap_err(), r#"invalid label name "1x""#);
        assert!(Labels::from_pairs([("__name__", "a:b_c")]).validate().is_ok());
    }

    #[test]
    fn oversized_labels_are_refused() {
        let l = Labels::from_pairs([("__name__", "up".to_owned()), ("big", "x".repeat(MAX_LABELS_BYTES))]);
        assert!(l.validate().unwrap_err().contains("more than the limit of 65536"));
    }

    #[test]
    fn stale_marker_is_recognised_bit_exactly() {
        assert!(is_stale_marker(stale_marker()));
        assert!(!is_stale_marker(f64::NAN));
    }
}
