//! One parsed exposition line turned into what the importer does with it.

use std::borrow::Cow;

use vitals_exposition::{Line, LineError, MetricType};
use vitals_store::{Labels, MetricKind, METRIC_NAME_LABEL};

use crate::ingest::LineProblem;

/// What a line contributes.
pub(crate) enum Item<'a> {
    /// Nothing: a blank line, a comment or `# EOF`.
    Nothing,
    /// `# HELP`.
    Help(&'a str, Cow<'a, str>),
    /// `# TYPE`.
    Type(&'a str, MetricKind),
    /// `# UNIT`.
    Unit(&'a str, &'a str),
    /// A sample of a valid series.
    Sample {
        /// Its series.
        labels: Labels,
        /// Its value.
        value: f64,
        /// Its timestamp, if the line gives one.
        timestamp_ms: Option<i64>,
    },
}

/// How far after the import's time a sample may be. One far-future sample would move the
/// store's notion of "now", and retention would then delete everything older.
pub(crate) const MAX_FUTURE_MS: i64 = 24 * 3600 * 1000;

/// Interprets line `number`: a parse error, a series the store would refuse or a
/// timestamp more than [`MAX_FUTURE_MS`] after `now_ms` is a [`LineProblem`].
pub(crate) fn interpret(number: u64, parsed: Result<Line<'_>, LineError>, now_ms: i64) -> Result<Item<'_>, LineProblem> {
    let line = parsed.map_err(|e| LineProblem { line: number, column: Some(e.column), message: e.message })?;
    Ok(match line {
        Line::Empty | Line::Eof => Item::Nothing,
        Line::Help { metric, text } => Item::Help(metric, text),
        Line::Type { metric, kind } => Item::Type(metric, kind_of(kind)),
        Line::Unit { metric, unit } => Item::Unit(metric, unit),
        Line::Sample(s) => {
            let invalid = |message: String| LineProblem { line: number, column: None, message };
            if s.labels.iter().any(|(n, _)| *n == METRIC_NAME_LABEL) {
                return Err(invalid(format!("label {METRIC_NAME_LABEL} is reserved for the metric name \"{}\"", s.name)));
            }
            let labels =
                Labels::from_pairs(std::iter::once((METRIC_NAME_LABEL, s.name)).chain(s.labels.iter().map(|(n, v)| (*n, v.as_ref()))));
            labels.validate().map_err(|why| invalid(format!("{why} (Vitals stores only names like [a-zA-Z_:][a-zA-Z0-9_:]*)")))?;
            if let Some(t) = s.timestamp_ms.filter(|t| *t > now_ms.saturating_add(MAX_FUTURE_MS)) {
                return Err(invalid(format!(
                    "timestamp {t} is more than a day after the time of the import ({now_ms}); timestamps are milliseconds since the epoch"
                )));
            }
            Item::Sample { labels, value: s.value, timestamp_ms: s.timestamp_ms }
        }
    })
}

fn kind_of(t: MetricType) -> MetricKind {
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

#[cfg(test)]
mod tests {
    use vitals_exposition::parse_line;

    use super::*;

    fn problem(text: &str) -> String {
        match interpret(7, parse_line(text), 1_700_000_000_000) {
            Err(p) => p.to_string(),
            Ok(_) => panic!("{text:?} was accepted"),
        }
    }

    #[test]
    fn parse_errors_keep_their_column() {
        assert_eq!(problem(r#"up{job "x"} 1"#), r#"line 7, column 8: expected '=' after label name "job", found "\"""#);
    }

    #[test]
    fn names_the_store_refuses_are_problems_without_a_column() {
        assert_eq!(
            problem(r#"{"my.metric"} 1"#),
            r#"line 7: invalid metric name "my.metric" (Vitals stores only names like [a-zA-Z_:][a-zA-Z0-9_:]*)"#
        );
        assert!(problem(r#"up{"a.b"="1"} 1"#).starts_with(r#"line 7: invalid label name "a.b""#));
        assert_eq!(problem(r#"up{__name__="x"} 1"#), r#"line 7: label __name__ is reserved for the metric name "up""#);
    }

    #[test]
    fn far_future_timestamps_are_problems() {
        assert_eq!(
            problem("up 1 1700000000000000"),
            "line 7: timestamp 1700000000000000 is more than a day after the time of the import (1700000000000); \
             timestamps are milliseconds since the epoch"
        );
        assert!(interpret(1, parse_line("up 1 1700086400000"), 1_700_000_000_000).is_ok(), "a day ahead is still fine");
    }

    #[test]
    fn samples_get_their_series() {
        let Ok(Item::Sample { labels, value, timestamp_ms }) =
            interpret(1, parse_line(r#"up{job="node",empty=""} 1.5 1700000000000"#), 1_700_000_000_000)
        else {
            panic!("not a sample")
        };
        assert_eq!(labels.to_string(), r#"up{job="node"}"#);
        assert_eq!((value, timestamp_ms), (1.5, Some(1_700_000_000_000)));
    }
}
