//! Parsing of test files into commands: `load`, `clear`, `eval` with its expectations.

use vitals_store::Labels;

use super::series::{parse_labels, parse_number, parse_points, split_series_line, Point};

/// How an expected message is matched.
#[derive(Debug, Clone)]
pub enum MsgMatch {
    /// Any message.
    Any,
    /// Exactly this text.
    Exact(String),
    /// A regular expression (unanchored, as Go's `MatchString`).
    Regex(String),
}

/// A query and what it should give.
#[derive(Debug, Clone, Default)]
pub struct EvalCase {
    /// 1-based line of the `eval` command.
    pub line: usize,
    /// The query text.
    pub query: String,
    /// Evaluation time (instant) or start (range), ms.
    pub start: i64,
    /// End of a range query, ms (equal to `start` for instant queries).
    pub end: i64,
    /// Step of a range query, ms; 0 for instant queries.
    pub step: i64,
    /// Whether this is a range query.
    pub range: bool,
    /// `expect fail` lines (none: the query must succeed).
    pub fail: Vec<MsgMatch>,
    /// `expect warn` lines.
    pub warn: Vec<MsgMatch>,
    /// `expect info` lines.
    pub info: Vec<MsgMatch>,
    /// `expect no_warn`.
    pub no_warn: bool,
    /// `expect no_info`.
    pub no_info: bool,
    /// `expect ordered`.
    pub ordered: bool,
    /// Expected series (labels, points); `None` labels is a scalar result.
    pub expected: Vec<(Option<Labels>, Vec<Point>)>,
    /// Whether the case itself uses native histograms (`{{` in the query or results).
    pub native: bool,
}

/// One command of a test file.
#[derive(Debug, Clone)]
pub enum Command {
    /// Add samples; `native` lists metric names that hold native histograms (not loaded).
    Load {
        /// Series and their samples, at `interval` ms apart from 0.
        series: Vec<(Labels, Vec<Point>)>,
        /// Step between samples (ms).
        interval: i64,
        /// Series whose samples are (or are converted to) native histograms (not loaded).
        native: Vec<Labels>,
    },
    /// Remove all data.
    Clear,
    /// Run a query.
    Eval(Box<EvalCase>),
}

/// Parses a test file. Errors name the line.
pub fn parse_script(text: &str) -> Result<Vec<Command>, String> {
    let lines: Vec<&str> = text.lines().map(|l| if l.trim_start().starts_with('#') { "" } else { l }).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        let lineno = i + 1;
        i += 1;
        if line.is_empty() {
            continue;
        }
        let mut block = Vec::new();
        while line != "clear" && i < lines.len() && !lines[i].trim().is_empty() {
            block.push((i + 1, lines[i].trim()));
            i += 1;
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let err = |m: String| format!("line {lineno}: {m}");
        match word {
            "clear" => out.push(Command::Clear),
            "load" | "load_with_nhcb" => out.push(parse_load(rest.trim(), &block, word == "load_with_nhcb").map_err(err)?),
            w if w.starts_with("eval") => out.push(Command::Eval(Box::new(parse_eval(lineno, w, rest.trim(), &block).map_err(err)?))),
            other => return Err(err(format!("unknown command {other:?}"))),
        }
    }
    Ok(out)
}

fn parse_load(interval: &str, block: &[(usize, &str)], nhcb: bool) -> Result<Command, String> {
    let interval = parse_duration(interval)?;
    let mut series = Vec::new();
    let mut native = Vec::new();
    for (n, l) in block {
        let (labels, values) = split_series_line(l);
        let labels = parse_labels(labels).map_err(|e| format!("line {n}: {e}"))?;
        let name = labels.metric_name().unwrap_or("").to_owned();
        if values.contains("{{") {
            native.push(labels);
            continue;
        }
        if nhcb {
            // The converted histogram: the bucket series without `le`, named without `_bucket`.
            if let Some(base) = name.strip_suffix("_bucket") {
                let converted = Labels::from_pairs(
                    labels
                        .iter()
                        .filter(|l| l.name != "le")
                        .map(|l| (l.name.as_str(), if l.name == "__name__" { base } else { l.value.as_str() })),
                );
                native.push(converted);
            }
        }
        series.push((labels, parse_points(values).map_err(|e| format!("line {n}: {e}"))?));
    }
    Ok(Command::Load { series, interval, native })
}

fn parse_eval(line: usize, word: &str, rest: &str, block: &[(usize, &str)]) -> Result<EvalCase, String> {
    let mut case = EvalCase { line, ..Default::default() };
    match word {
        "eval" => {}
        "eval_fail" => case.fail.push(MsgMatch::Any),
        "eval_warn" => case.warn.push(MsgMatch::Any),
        "eval_info" => case.info.push(MsgMatch::Any),
        "eval_ordered" => case.ordered = true,
        other => return Err(format!("unknown command {other:?}")),
    }
    let (kind, rest) = rest.split_once(char::is_whitespace).ok_or("eval needs instant or range")?;
    let rest = rest.trim_start();
    match kind {
        "instant" => {
            let rest = rest.strip_prefix("at").ok_or("expected `at` after instant")?.trim_start();
            let (at, query) = rest.split_once(char::is_whitespace).ok_or("missing query")?;
            case.start = parse_duration(at)?;
            case.end = case.start;
            case.query = query.trim().to_owned();
        }
        "range" => {
            let mut rest = rest;
            let mut word = |expect: Option<&str>| -> Result<&str, String> {
                let t = rest.trim_start();
                let (w, r) = t.split_once(char::is_whitespace).ok_or("range eval needs from, to, step and a query")?;
                rest = r;
                match expect {
                    Some(e) if e != w => Err(format!("expected {e:?}, found {w:?}")),
                    _ => Ok(w),
                }
            };
            word(Some("from"))?;
            case.start = parse_duration(word(None)?)?;
            word(Some("to"))?;
            case.end = parse_duration(word(None)?)?;
            word(Some("step"))?;
            case.step = parse_duration(word(None)?)?;
            case.query = rest.trim().to_owned();
            case.range = true;
        }
        other => return Err(format!("unknown eval kind {other:?}")),
    }
    case.native = case.query.contains("{{");
    for (n, l) in block {
        if let Some(e) = l.strip_prefix("expect ") {
            parse_expect(&mut case, e.trim()).map_err(|e| format!("line {n}: {e}"))?;
        } else if let Some(m) = l.strip_prefix("expected_fail_message") {
            case.fail = vec![MsgMatch::Exact(m.trim().to_owned())];
        } else if let Some(m) = l.strip_prefix("expected_fail_regexp") {
            case.fail = vec![MsgMatch::Regex(m.trim().to_owned())];
        } else if l.contains("{{") {
            case.native = true;
        } else if !l.contains(char::is_whitespace) && parse_number(l).is_ok() {
            case.expected.push((None, vec![Point::Value(parse_number(l)?)]));
        } else {
            let (labels, values) = split_series_line(l);
            let labels = parse_labels(labels).map_err(|e| format!("line {n}: {e}"))?;
            case.expected.push((Some(labels), parse_points(values).map_err(|e| format!("line {n}: {e}"))?));
        }
    }
    Ok(case)
}

fn parse_expect(case: &mut EvalCase, e: &str) -> Result<(), String> {
    let (kind, rest) = e.split_once(char::is_whitespace).unwrap_or((e, ""));
    let rest = rest.trim();
    let matcher = if let Some(m) = rest.strip_prefix("msg:") {
        MsgMatch::Exact(unquote(m.trim()))
    } else if let Some(m) = rest.strip_prefix("regex:") {
        MsgMatch::Regex(unquote(m.trim()))
    } else {
        MsgMatch::Any
    };
    match kind {
        "fail" => case.fail.push(matcher),
        "warn" => case.warn.push(matcher),
        "info" => case.info.push(matcher),
        "no_warn" => case.no_warn = true,
        "no_info" => case.no_info = true,
        "ordered" => case.ordered = true,
        other => return Err(format!("unknown expectation {other:?}")),
    }
    Ok(())
}

fn unquote(s: &str) -> String {
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        s[1..s.len() - 1].to_owned()
    } else {
        s.to_owned()
    }
}

/// Parses a Prometheus duration (`1h30m`, `5m`, `10s`, `1ms`, `0`) into milliseconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    if s == "0" {
        return Ok(0);
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let mut total: i64 = 0;
    let mut rest = body;
    if rest.is_empty() {
        return Err(format!("bad duration {s:?}"));
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("bad duration {s:?}"));
        }
        let n: i64 = rest[..digits].parse().map_err(|_| format!("bad duration {s:?}"))?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let ms = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 7 * 86_400_000,
            "y" => 365 * 86_400_000,
            _ => return Err(format!("bad duration {s:?}")),
        };
        rest = &rest[unit_len..];
        total = total.saturating_add(n.saturating_mul(ms));
    }
    Ok(if neg { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000);
        assert_eq!(parse_duration("0").unwrap(), 0);
        assert_eq!(parse_duration("5m59s").unwrap(), 359_000);
        assert!(parse_duration("5x").is_err());
    }

    #[test]
    fn parses_commands() {
        let s = "load 5m\n  m{a=\"1\"} 1 2\n\n# c\neval instant at 5m m\n  expect warn msg: x\n  m{a=\"1\"} 2\n\neval range from 0 to 10m step 5m m * 2\n  {a=\"1\"} 2 4 _\n\neval instant at 0 1\n  1\n";
        let cmds = parse_script(s).unwrap();
        assert_eq!(cmds.len(), 4);
        let Command::Eval(e) = &cmds[2] else { panic!() };
        assert_eq!((e.start, e.end, e.step, e.query.as_str()), (0, 600_000, 300_000, "m * 2"));
        let Command::Eval(e) = &cmds[1] else { panic!() };
        assert!(matches!(&e.warn[0], MsgMatch::Exact(m) if m == "x"));
        let Command::Eval(e) = &cmds[3] else { panic!() };
        assert!(e.expected[0].0.is_none());
    }
}
