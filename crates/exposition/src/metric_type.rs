//! The metric types a `# TYPE` line can declare.

use std::fmt;
use std::str::FromStr;

/// A metric family's type, as declared by `# TYPE`.
///
/// The first five are the 0.0.4 text format's; the rest are OpenMetrics'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricType {
    /// `counter`
    Counter,
    /// `gauge`
    Gauge,
    /// `histogram`
    Histogram,
    /// `summary`
    Summary,
    /// `untyped`
    Untyped,
    /// `unknown` (OpenMetrics)
    Unknown,
    /// `gaugehistogram` (OpenMetrics)
    GaugeHistogram,
    /// `info` (OpenMetrics)
    Info,
    /// `stateset` (OpenMetrics)
    StateSet,
}

impl MetricType {
    /// Every type, in the order they are listed in error messages.
    pub const ALL: [MetricType; 9] = [
        MetricType::Counter,
        MetricType::Gauge,
        MetricType::Histogram,
        MetricType::Summary,
        MetricType::Untyped,
        MetricType::Unknown,
        MetricType::GaugeHistogram,
        MetricType::Info,
        MetricType::StateSet,
    ];

    /// The keyword written after `# TYPE name`, e.g. `"counter"`.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::Summary => "summary",
            MetricType::Untyped => "untyped",
            MetricType::Unknown => "unknown",
            MetricType::GaugeHistogram => "gaugehistogram",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
        }
    }
}

impl fmt::Display for MetricType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `# TYPE` keyword that names no known type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid metric type \"{0}\" (expected counter, gauge, histogram, summary, untyped, \
     unknown, gaugehistogram, info or stateset)"
)]
pub struct UnknownMetricType(pub String);

impl FromStr for MetricType {
    type Err = UnknownMetricType;

    /// Parses the lowercase keyword, exactly as written by exporters.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MetricType::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| UnknownMetricType(s.escape_debug().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_round_trip() {
        for t in MetricType::ALL {
            assert_eq!(t.as_str().parse::<MetricType>(), Ok(t));
            assert_eq!(t.to_string(), t.as_str());
        }
    }

    #[test]
    fn unknown_keyword_is_named_in_the_error() {
        let err = "Counter".parse::<MetricType>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid metric type \"Counter\" (expected counter, gauge, histogram, summary, \
             untyped, unknown, gaugehistogram, info or stateset)"
        );
    }
}
