//! Rendering metric families and samples in the text format, for a `/metrics` page.

use std::fmt::{self, Write};

use crate::names::{is_bare_label_name, is_bare_metric_name, is_quotable_name};
use crate::value::write_value;
use crate::MetricType;

/// Why something could not be rendered. Nothing of the offending line is
/// written when a name, label or unit is refused.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// The metric name is empty or contains `"`, `\` or a line break.
    #[error("metric name \"{0}\" cannot be written: it is empty or contains '\"', '\\' or a line break")]
    InvalidMetricName(String),
    /// The label name is empty or contains `"`, `\` or a line break.
    #[error("label name \"{0}\" cannot be written: it is empty or contains '\"', '\\' or a line break")]
    InvalidLabelName(String),
    /// The same label name was given twice for one sample.
    #[error("label name \"{0}\" is given twice for one sample")]
    DuplicateLabel(String),
    /// The unit contains whitespace or a line break.
    #[error("unit \"{0}\" cannot be written: it contains whitespace or a line break")]
    InvalidUnit(String),
    /// The underlying writer failed.
    #[error("writing the exposition failed")]
    Write(#[from] fmt::Error),
}

/// Writes the text format to any [`fmt::Write`], e.g. a `String`.
///
/// Names matching the classic patterns are written bare; other names are
/// written in the quoted form (`{"my.metric"}`, `"my.label"="v"`). Values are
/// printed as Go's Prometheus client prints them (`1`, `0.1`, `1e+06`, `+Inf`,
/// `NaN`). Everything written parses back with [`crate::parse_line`] to the
/// same name, labels, value (bit for bit, NaN payloads aside) and timestamp.
pub struct Encoder<W> {
    out: W,
}

impl<W: Write> Encoder<W> {
    /// An encoder appending to `out`.
    pub fn new(out: W) -> Self {
        Encoder { out }
    }

    /// Gives back the writer.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// Starts a metric family: `# HELP` (left out when `help` is empty, and
    /// with `\` and line breaks escaped), `# TYPE` and, when given, the
    /// OpenMetrics `# UNIT`. Pages scraped as text format 0.0.4 should stick
    /// to the types counter, gauge, histogram, summary and untyped.
    ///
    /// A carriage return at the very end of `help` does not survive parsing,
    /// which drops one before the line break.
    pub fn family(&mut self, name: &str, help: &str, kind: MetricType, unit: Option<&str>) -> Result<(), EncodeError> {
        check_metric_name(name)?;
        if let Some(unit) = unit {
            if unit.contains([' ', '\t', '\n', '\r']) {
                return Err(EncodeError::InvalidUnit(unit.to_string()));
            }
        }
        if !help.is_empty() {
            self.out.write_str("# HELP ")?;
            self.family_name(name)?;
            self.out.write_char(' ')?;
            write_escaped(&mut self.out, help, false)?;
            self.out.write_char('\n')?;
        }
        self.out.write_str("# TYPE ")?;
        self.family_name(name)?;
        writeln!(self.out, " {}", kind.as_str())?;
        if let Some(unit) = unit {
            self.out.write_str("# UNIT ")?;
            self.family_name(name)?;
            writeln!(self.out, " {unit}")?;
        }
        Ok(())
    }

    /// Writes one sample line: `name{labels} value [timestamp_ms]`, with label
    /// values escaped (`\\`, `\"`, `\n`).
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64, timestamp_ms: Option<i64>) -> Result<(), EncodeError> {
        check_metric_name(name)?;
        for (i, (label, _)) in labels.iter().enumerate() {
            if !is_bare_label_name(label) && !is_quotable_name(label) {
                return Err(EncodeError::InvalidLabelName(label.to_string()));
            }
            if labels[..i].iter().any(|(seen, _)| seen == label) {
                return Err(EncodeError::DuplicateLabel(label.to_string()));
            }
        }

        let bare = is_bare_metric_name(name);
        if bare {
            self.out.write_str(name)?;
        }
        if !bare || !labels.is_empty() {
            self.out.write_char('{')?;
            if !bare {
                write!(self.out, "\"{name}\"")?;
            }
            for (i, (label, label_value)) in labels.iter().enumerate() {
                if i > 0 || !bare {
                    self.out.write_char(',')?;
                }
                if is_bare_label_name(label) {
                    self.out.write_str(label)?;
                } else {
                    write!(self.out, "\"{label}\"")?;
                }
                self.out.write_str("=\"")?;
                write_escaped(&mut self.out, label_value, true)?;
                self.out.write_char('"')?;
            }
            self.out.write_char('}')?;
        }
        self.out.write_char(' ')?;
        write_value(&mut self.out, value)?;
        if let Some(ts) = timestamp_ms {
            write!(self.out, " {ts}")?;
        }
        self.out.write_char('\n')?;
        Ok(())
    }

    /// The name after `# HELP`/`# TYPE`/`# UNIT`, quoted when not bare.
    fn family_name(&mut self, name: &str) -> fmt::Result {
        if is_bare_metric_name(name) {
            self.out.write_str(name)
        } else {
            write!(self.out, "\"{name}\"")
        }
    }
}

fn check_metric_name(name: &str) -> Result<(), EncodeError> {
    if is_bare_metric_name(name) || is_quotable_name(name) {
        Ok(())
    } else {
        Err(EncodeError::InvalidMetricName(name.to_string()))
    }
}

/// Escapes `\` and line breaks, and `"` too in label values.
fn write_escaped(out: &mut impl Write, text: &str, quote: bool) -> fmt::Result {
    let mut rest = text;
    while let Some(i) = rest.find(|c| c == '\\' || c == '\n' || (quote && c == '"')) {
        out.write_str(&rest[..i])?;
        out.write_str(match rest.as_bytes()[i] {
            b'\\' => "\\\\",
            b'\n' => "\\n",
            _ => "\\\"",
        })?;
        rest = &rest[i + 1..];
    }
    out.write_str(rest)
}
