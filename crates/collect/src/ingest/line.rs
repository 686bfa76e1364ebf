//! One exposition line turned into what the importer does with it.

use std::borrow::Cow;

use vitals_exposition::{parse_line, Line, SampleLine};
use vitals_store::{valid_metric_name, Labels, MetricKind, MAX_FUTURE_MS, METRIC_NAME_LABEL};

use crate::ingest::LineProblem;
use crate::kind_of;

/// The names the store accepts, for messages about one it refuses.
const NAME_RULE: &str = "Vitals stores only names like [a-zA-Z_:][a-zA-Z0-9_:]*";

/// What a line contributes.
pub(crate) enum Item<'a> {
    /// Nothing: a blank line, a comment or `# EOF`.
    Nothing,
    /// `# HELP`, `# TYPE` or `# UNIT` of a valid metric name.
    Meta(&'a str, Declaration<'a>),
    /// A sample line whose timestamp is acceptable; its series is checked by
    /// [`series_labels`].
    Sample(SampleLine<'a>),
}

/// What a metadata line declares about its family.
pub(crate) enum Declaration<'a> {
    /// `# HELP`: the help text.
    Help(Cow<'a, str>),
    /// `# TYPE`: the type.
    Type(MetricKind),
    /// `# UNIT`: the unit.
    Unit(&'a str),
}

/// Parses line `number`: a parse error, a metadata line for a metric name the store would
/// refuse or a timestamp more than [`MAX_FUTURE_MS`] after `now_ms` is a [`LineProblem`].
pub(crate) fn interpret(number: u64, text: &str, now_ms: i64) -> Result<Item<'_>, LineProblem> {
    let invalid = |message: String| LineProblem { line: number, column: None, message };
    let line = parse_line(text).map_err(|e| LineProblem { line: number, column: Some(e.column), message: e.message })?;
    let (metric, declared) = match line {
        Line::Empty | Line::Eof => return Ok(Item::Nothing),
        Line::Sample(s) => {
            if let Some(t) = s.timestamp_ms.filter(|t| *t > now_ms.saturating_add(MAX_FUTURE_MS)) {
                return Err(invalid(format!(
                    "timestamp {t} is more than a day after the time of the import ({now_ms}); timestamps are milliseconds since the epoch"
                )));
            }
            return Ok(Item::Sample(s));
        }
        Line::Help { metric, text } => (metric, Declaration::Help(text)),
        Line::Type { metric, kind } => (metric, Declaration::Type(kind_of(kind))),
        Line::Unit { metric, unit } => (metric, Declaration::Unit(unit)),
    };
    if !valid_metric_name(metric) {
        return Err(invalid(format!("invalid metric name {metric:?} ({NAME_RULE})")));
    }
    Ok(Item::Meta(metric, declared))
}

/// The series of sample line `number`, if the store can take it.
pub(crate) fn series_labels(number: u64, s: &SampleLine<'_>) -> Result<Labels, LineProblem> {
    let invalid = |message: String| LineProblem { line: number, column: None, message };
    if s.labels.iter().any(|(n, _)| *n == METRIC_NAME_LABEL) {
        return Err(invalid(format!("label {METRIC_NAME_LABEL} is reserved for the metric name \"{}\"", s.name)));
    }
    let labels = Labels::from_pairs(std::iter::once((METRIC_NAME_LABEL, s.name)).chain(s.labels.iter().map(|(n, v)| (*n, v.as_ref()))));
    labels.validate().map_err(|why| invalid(format!("{why} ({NAME_RULE})")))?;
    Ok(labels)
}

/// The series part of a sample line that parsed: the name and the label set as written,
/// without leading whitespace, up to the value. Lines with the same series text have the
/// same series, so an import resolves each text once.
pub(crate) fn series_text(line: &str) -> &str {
    let line = line.trim_start_matches([' ', '\t']);
    let bytes = line.as_bytes();
    let is_ws = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t'));
    // A bare name ends at whitespace or '{' (the parser checked that).
    let name_end = bytes.iter().position(|&b| matches!(b, b' ' | b'\t' | b'{')).unwrap_or(bytes.len());
    let mut i = name_end;
    while is_ws(bytes.get(i)) {
        i += 1;
    }
    if bytes.get(i) != Some(&b'{') {
        return &line[..name_end];
    }
    // The label set ends at the first '}' outside a quoted string.
    let (mut quoted, mut escaped) = (false, false);
    for (j, &b) in bytes.iter().enumerate().skip(i) {
        if escaped {
            escaped = false;
        } else if quoted {
            match b {
                b'\\' => escaped = true,
                b'"' => quoted = false,
                _ => {}
            }
        } else if b == b'"' {
            quoted = true;
        } else if b == b'}' {
            return &line[..=j];
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> String {
        let item = interpret(7, text, 1_700_000_000_000).and_then(|item| match item {
            Item::Sample(s) => series_labels(7, &s).map(|_| ()),
            _ => Ok(()),
        });
        match item {
            Err(p) => p.to_string(),
            Ok(()) => panic!("{text:?} was accepted"),
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
    fn metadata_lines_for_names_the_store_refuses_are_problems() {
        for line in [r#"# HELP "my.metric" Help."#, r#"# TYPE "my.metric" gauge"#, r#"# UNIT "my.metric" seconds"#] {
            assert_eq!(
                problem(line),
                r#"line 7: invalid metric name "my.metric" (Vitals stores only names like [a-zA-Z_:][a-zA-Z0-9_:]*)"#,
                "{line}"
            );
        }
        assert!(matches!(interpret(1, "# TYPE up gauge", 0), Ok(Item::Meta("up", Declaration::Type(MetricKind::Gauge)))));
    }

    #[test]
    fn far_future_timestamps_are_problems() {
        assert_eq!(
            problem("up 1 1700000000000000"),
            "line 7: timestamp 1700000000000000 is more than a day after the time of the import (1700000000000); \
             timestamps are milliseconds since the epoch"
        );
        assert!(interpret(1, "up 1 1700086400000", 1_700_000_000_000).is_ok(), "a day ahead is still fine");
    }

    #[test]
    fn samples_get_their_series() {
        let Ok(Item::Sample(s)) = interpret(1, r#"up{job="node",empty=""} 1.5 1700000000000"#, 1_700_000_000_000) else {
            panic!("not a sample")
        };
        assert_eq!(series_labels(1, &s).unwrap().to_string(), r#"up{job="node"}"#);
        assert_eq!((s.value, s.timestamp_ms), (1.5, Some(1_700_000_000_000)));
    }

    #[test]
    fn the_series_text_is_everything_before_the_value() {
        for (line, series) in [
            ("up 1", "up"),
            ("  up\t1 1000", "up"),
            (r#"up{job="a"} 1"#, r#"up{job="a"}"#),
            (r#"up {job="a"} 1"#, r#"up {job="a"}"#),
            (r#"{"my.metric", a="}"} 1"#, r#"{"my.metric", a="}"}"#),
            (r#"x{a="q\"} 1",b="\\"} 2 # {t="}"} 1"#, r#"x{a="q\"} 1",b="\\"}"#),
        ] {
            assert!(parse_line(line).is_ok(), "{line}");
            assert_eq!(series_text(line), series, "{line}");
        }
    }
}
