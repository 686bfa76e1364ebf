//! The series notation of test files: `metric{label="value"} 1 2+3x4 _ stale`.

use promql_parser::parser::{self, Expr};
use vitals_store::{Labels, METRIC_NAME_LABEL};

/// One value of an expanded series: a number, a staleness marker, or nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Point {
    /// A float value.
    Value(f64),
    /// A staleness marker.
    Stale,
    /// No sample at this position (`_`).
    Missing,
}

/// Splits a series line into the label part and the values part.
pub fn split_series_line(line: &str) -> (&str, &str) {
    let line = line.trim();
    let mut in_quote = None;
    let mut depth = 0;
    let mut prev_backslash = false;
    for (i, c) in line.char_indices() {
        if let Some(q) = in_quote {
            if c == q && !prev_backslash {
                in_quote = None;
            }
            prev_backslash = c == '\\' && !prev_backslash;
            continue;
        }
        match c {
            '"' | '\'' | '`' => in_quote = Some(c),
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return (&line[..=i], line[i + 1..].trim());
                }
            }
            c if c.is_whitespace() && depth == 0 => return (&line[..i], line[i..].trim()),
            _ => {}
        }
    }
    (line, "")
}

/// Parses `name{a="b"}` (or `{}`) into labels.
pub fn parse_labels(text: &str) -> Result<Labels, String> {
    let t = text.trim();
    if t.is_empty() || t == "{}" {
        return Ok(Labels::default());
    }
    let expr = parser::parse(t).map_err(|e| format!("bad series {t:?}: {e}"))?;
    let Expr::VectorSelector(vs) = expr else { return Err(format!("bad series {t:?}: not a selector")) };
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Some(n) = vs.name {
        pairs.push((METRIC_NAME_LABEL.to_owned(), n));
    }
    for m in vs.matchers.matchers {
        if !matches!(m.op, promql_parser::label::MatchOp::Equal) {
            return Err(format!("bad series {t:?}: only = is allowed"));
        }
        pairs.push((m.name, m.value));
    }
    Ok(Labels::from_pairs(pairs))
}

/// Expands the values notation (`1 2+3x4 _ _x3 stale 5x2`) into points.
pub fn parse_points(text: &str) -> Result<Vec<Point>, String> {
    let mut out = Vec::new();
    for tok in text.split_whitespace() {
        if tok == "_" {
            out.push(Point::Missing);
            continue;
        }
        if tok == "stale" {
            out.push(Point::Stale);
            continue;
        }
        if let Some((base, times)) = tok.rsplit_once('x') {
            if let Ok(n) = times.parse::<usize>() {
                if base == "_" {
                    out.extend(std::iter::repeat_n(Point::Missing, n));
                    continue;
                }
                if base == "stale" {
                    out.extend(std::iter::repeat_n(Point::Stale, n));
                    continue;
                }
                let (start, inc) = split_increment(base)?;
                for i in 0..=n {
                    out.push(Point::Value(start + inc * i as f64));
                }
                continue;
            }
        }
        out.push(Point::Value(parse_number(tok)?));
    }
    Ok(out)
}

/// `a+b` / `a-b` / `a` into (a, b).
fn split_increment(s: &str) -> Result<(f64, f64), String> {
    let bytes = s.as_bytes();
    for i in (1..bytes.len()).rev() {
        let c = bytes[i];
        if (c == b'+' || c == b'-') && !matches!(bytes[i - 1], b'e' | b'E') {
            let a = parse_number(&s[..i])?;
            let b = parse_number(&s[i + 1..])?;
            return Ok((a, if c == b'-' { -b } else { b }));
        }
    }
    Ok((parse_number(s)?, 0.0))
}

/// A number as the test language writes it (also `Inf`, `-Inf`, `NaN`, hex).
pub fn parse_number(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let (neg, body) = match lower.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, lower.strip_prefix('+').unwrap_or(&lower)),
    };
    let v = match body {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        b if b.starts_with("0x") => i64::from_str_radix(&b[2..], 16).map_err(|_| format!("bad number {t:?}"))? as f64,
        b => b.parse::<f64>().map_err(|_| format!("bad number {t:?}"))?,
    };
    Ok(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_the_notation() {
        let p = parse_points("-2+4x3 1-2x2 _x2 stale 5x1 1e3").unwrap();
        let v: Vec<String> = p
            .iter()
            .map(|x| match x {
                Point::Value(v) => v.to_string(),
                Point::Stale => "S".into(),
                Point::Missing => "_".into(),
            })
            .collect();
        assert_eq!(v.join(" "), "-2 2 6 10 1 -1 -3 _ _ S 5 5 1000");
    }

    #[test]
    fn splits_series_lines() {
        assert_eq!(split_series_line(r#"m{a="x y}"} 1 2"#), (r#"m{a="x y}"}"#, "1 2"));
        assert_eq!(split_series_line("m 1"), ("m", "1"));
        assert_eq!(parse_labels(r#"m{a="1"}"#).unwrap().to_string(), r#"m{a="1"}"#);
        assert!(parse_labels("{}").unwrap().is_empty());
    }
}
