//! Parsing one line of the text format: comments, `# HELP`/`# TYPE`/`# UNIT`/`# EOF`,
//! and samples with their labels, value, timestamp and ignored exemplar.

use std::borrow::Cow;

use crate::cursor::Cursor;
use crate::value::{parse_timestamp, parse_value};
use crate::{Line, LineError, MetricType, SampleLine};

/// Parses one line, given without its line break (a trailing `\r` is ignored).
///
/// Follows Prometheus' own text parser: spaces and tabs may separate tokens,
/// metric names are `[a-zA-Z_:][a-zA-Z0-9_:]*` (or any quoted string inside
/// the braces, `{"my.metric"}`), label names `[a-zA-Z_][a-zA-Z0-9_]*` (or
/// quoted), a trailing comma in the label set is allowed, duplicate label
/// names are not, the value is a Go-style float and the optional timestamp an
/// integer count of milliseconds. An OpenMetrics exemplar after the value or
/// timestamp is checked and ignored. Quoted names containing escape sequences
/// are rejected.
pub fn parse_line(line: &str) -> Result<Line<'_>, LineError> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut cur = Cursor::new(line);
    cur.skip_ws();
    match cur.peek() {
        None => Ok(Line::Empty),
        Some(b'#') => comment(cur),
        Some(_) => sample(cur).map(Line::Sample),
    }
}

/// The keyword lines that `# ` may introduce.
#[derive(Clone, Copy)]
enum Keyword {
    Help,
    Type,
    Unit,
}

impl Keyword {
    fn as_str(self) -> &'static str {
        match self {
            Keyword::Help => "# HELP",
            Keyword::Type => "# TYPE",
            Keyword::Unit => "# UNIT",
        }
    }
}

/// A line starting with `#`: a keyword line, or else an ordinary comment.
fn comment(mut cur: Cursor<'_>) -> Result<Line<'_>, LineError> {
    cur.advance(1);
    if !cur.skip_ws() {
        return Ok(Line::Empty);
    }
    let keyword = match cur.token() {
        "HELP" => Keyword::Help,
        "TYPE" => Keyword::Type,
        "UNIT" => Keyword::Unit,
        "EOF" => {
            cur.skip_ws();
            return Ok(if cur.at_end() { Line::Eof } else { Line::Empty });
        }
        _ => return Ok(Line::Empty),
    };
    // As in Prometheus, a bare "# HELP" with nothing after it is just a comment.
    if !cur.skip_ws() {
        return Ok(Line::Empty);
    }
    let metric = family_name(&mut cur, keyword)?;
    match keyword {
        Keyword::Help => {
            // The text is everything after the one separating space or tab.
            cur.advance(usize::from(cur.at_ws()));
            Ok(Line::Help { metric, text: unescape_help(cur.rest()) })
        }
        Keyword::Type => {
            cur.skip_ws();
            if cur.at_end() {
                return Err(cur.error(format!("expected metric type after metric name \"{metric}\", found end of line")));
            }
            let at = cur.pos();
            let kind: MetricType = cur.token().parse().map_err(|e: crate::UnknownMetricType| cur.error_at(at, e.to_string()))?;
            expect_end(&mut cur, "metric type")?;
            Ok(Line::Type { metric, kind })
        }
        Keyword::Unit => {
            cur.skip_ws();
            let unit = cur.token();
            expect_end(&mut cur, "unit")?;
            Ok(Line::Unit { metric, unit })
        }
    }
}

/// The metric name after `# HELP`, `# TYPE` or `# UNIT`, bare or quoted,
/// followed by whitespace or the end of the line.
fn family_name<'a>(cur: &mut Cursor<'a>, keyword: Keyword) -> Result<&'a str, LineError> {
    if cur.peek() == Some(b'"') {
        let name = cur.quoted_name()?;
        if !cur.at_end() && !cur.at_ws() {
            return Err(cur.error(format!("expected whitespace after metric name \"{name}\", found {}", cur.found())));
        }
        return Ok(name);
    }
    let Some(name) = cur.bare_metric_name() else {
        return Err(cur.error(format!("expected metric name after \"{}\", found {}", keyword.as_str(), cur.found())));
    };
    if !cur.at_end() && !cur.at_ws() {
        return Err(invalid_name_char(cur, name));
    }
    Ok(name)
}

fn invalid_name_char(cur: &Cursor<'_>, name: &str) -> LineError {
    cur.error(format!(
        "invalid character {} in metric name \"{name}\" (allowed: letters, digits, '_' and ':'; \
         quote other names inside the braces, as in {{\"my.metric\"}})",
        cur.found()
    ))
}

/// Skips trailing whitespace and fails if anything else follows `what`.
fn expect_end(cur: &mut Cursor<'_>, what: &str) -> Result<(), LineError> {
    cur.skip_ws();
    if cur.at_end() {
        return Ok(());
    }
    let at = cur.pos();
    let extra = cur.token();
    Err(cur.error_at(at, format!("unexpected \"{}\" after {what}", extra.escape_debug())))
}

/// Unescapes `\\` and `\n` in HELP text; other backslashes are kept as written.
fn unescape_help(text: &str) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.clone().next() {
            Some('\\') => {
                out.push('\\');
                chars.next();
            }
            Some('n') => {
                out.push('\n');
                chars.next();
            }
            _ => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

/// `name{labels} value [timestamp] [# exemplar]`.
fn sample(mut cur: Cursor<'_>) -> Result<SampleLine<'_>, LineError> {
    let mut name = None;
    if cur.peek() != Some(b'{') {
        let Some(bare) = cur.bare_metric_name() else {
            return Err(cur.error(format!("expected metric name, found {}", cur.found())));
        };
        if !cur.at_end() && !cur.at_ws() && cur.peek() != Some(b'{') {
            return Err(invalid_name_char(&cur, bare));
        }
        name = Some(bare);
        cur.skip_ws();
    }
    let mut labels: Vec<(&str, Cow<'_, str>)> = Vec::new();
    if cur.peek() == Some(b'{') {
        let open = cur.pos();
        label_set(&mut cur, Some(&mut name), |cur, at, label, value| {
            if labels.iter().any(|(seen, _)| *seen == label) {
                return Err(cur.error_at(at, format!("duplicate label name \"{label}\"")));
            }
            labels.push((label, value));
            Ok(())
        })?;
        if name.is_none() {
            return Err(cur.error_at(open, "missing metric name: write it before '{' or as a quoted string inside the braces"));
        }
        cur.skip_ws();
    }
    let name = name.unwrap_or_default();

    if cur.at_end() {
        return Err(cur.error(format!("missing value for metric \"{name}\"")));
    }
    let at = cur.pos();
    let token = cur.token();
    let value = parse_value(token).map_err(|why| cur.error_at(at, format!("invalid value \"{}\": {why}", token.escape_debug())))?;

    cur.skip_ws();
    let mut timestamp_ms = None;
    if !cur.at_end() && cur.peek() != Some(b'#') {
        let at = cur.pos();
        let token = cur.token();
        timestamp_ms =
            Some(parse_timestamp(token).map_err(|why| cur.error_at(at, format!("invalid timestamp \"{}\": {why}", token.escape_debug())))?);
        cur.skip_ws();
    }
    if cur.peek() == Some(b'#') {
        exemplar(&mut cur)?;
    } else {
        expect_end(&mut cur, "timestamp")?;
    }
    Ok(SampleLine { name, labels, value, timestamp_ms })
}

/// Reads `{label="value",...}` with the cursor on `{`, handing each label to
/// `on_label` with the byte offset of its name. Where `metric` is given, a
/// lone quoted string in the set is taken as the metric name.
fn label_set<'a>(
    cur: &mut Cursor<'a>,
    mut metric: Option<&mut Option<&'a str>>,
    mut on_label: impl FnMut(&Cursor<'a>, usize, &'a str, Cow<'a, str>) -> Result<(), LineError>,
) -> Result<(), LineError> {
    cur.advance(1);
    loop {
        cur.skip_ws();
        let at = cur.pos();
        let (label, quoted) = match cur.peek() {
            Some(b'}') => {
                cur.advance(1);
                return Ok(());
            }
            None => return Err(cur.error("unterminated label set: missing '}'")),
            Some(b'"') => (cur.quoted_name()?, true),
            Some(_) => match cur.bare_label_name() {
                Some(label) => (label, false),
                None => return Err(cur.error(format!("expected label name or '}}', found {}", cur.found()))),
            },
        };
        cur.skip_ws();
        match (quoted, cur.peek(), metric.as_deref_mut()) {
            (true, Some(b',' | b'}'), Some(slot)) => {
                if let Some(first) = slot {
                    return Err(cur.error_at(at, format!("metric name given twice: \"{first}\" and \"{label}\"")));
                }
                *slot = Some(label);
            }
            _ => {
                if !cur.eat(b'=') {
                    return Err(cur.error(format!("expected '=' after label name \"{label}\", found {}", cur.found())));
                }
                cur.skip_ws();
                if cur.peek() != Some(b'"') {
                    return Err(cur.error(format!("expected '\"' to start the value of label \"{label}\", found {}", cur.found())));
                }
                let value = cur.label_value(label)?;
                on_label(cur, at, label, value)?;
                cur.skip_ws();
            }
        }
        match cur.peek() {
            Some(b',') => cur.advance(1),
            Some(b'}') => {}
            _ => return Err(cur.error(format!("expected ',' or '}}' after label \"{label}\", found {}", cur.found()))),
        }
    }
}

/// An OpenMetrics exemplar, ` # {labels} value [timestamp]`, which is checked
/// and dropped; the cursor is on `#`.
fn exemplar(cur: &mut Cursor<'_>) -> Result<(), LineError> {
    cur.advance(1);
    cur.skip_ws();
    if cur.peek() != Some(b'{') {
        return Err(cur.error(format!("expected '{{' to start an exemplar after '#', found {}", cur.found())));
    }
    label_set(cur, None, |_, _, _, _| Ok(()))?;
    cur.skip_ws();
    if cur.at_end() {
        return Err(cur.error("missing exemplar value"));
    }
    for what in ["exemplar value", "exemplar timestamp"] {
        let at = cur.pos();
        let token = cur.token();
        parse_value(token).map_err(|why| cur.error_at(at, format!("invalid {what} \"{}\": {why}", token.escape_debug())))?;
        cur.skip_ws();
        if cur.at_end() {
            return Ok(());
        }
    }
    expect_end(cur, "exemplar")
}
