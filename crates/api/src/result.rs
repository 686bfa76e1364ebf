//! Query results in the Prometheus API's JSON:
//! `{"status":"success","data":{"resultType":"vector","result":[...]},"warnings":[...],"infos":[...]}`.
//!
//! Written straight into one string rather than through `serde_json::Value`: a range query's
//! answer can hold millions of points, and Prometheus' own formats are not what serde would
//! write for them: times are seconds with exactly the milliseconds' digits (`1435781430.781`),
//! values are strings in Go's shortest decimal form without exponent (`"0.0001"`, `"NaN"`,
//! `"+Inf"`).

use std::fmt::{self, Write};

use vitals_query::{QueryOutput, Value};
use vitals_store::Labels;

/// The response body for `out` (whose series the caller has already cut to any limit),
/// with `extra_warnings` after the engine's own warnings.
pub(crate) fn encode(out: &QueryOutput, extra_warnings: &[&str]) -> Result<String, fmt::Error> {
    // A hint only, capped so that a huge answer grows the buffer as it goes instead of
    // asking for it all at once.
    let mut w = String::with_capacity((64 + points(&out.value).saturating_mul(24)).min(64 << 20));
    w.push_str(r#"{"status":"success","data":{"resultType":""#);
    w.push_str(match out.value {
        Value::Scalar { .. } => "scalar",
        Value::String { .. } => "string",
        Value::Vector(_) => "vector",
        Value::Matrix(_) => "matrix",
    });
    w.push_str(r#"","result":"#);
    match &out.value {
        Value::Scalar { t, v } => pair(&mut w, *t, |w| value(w, *v))?,
        Value::String { t, s } => pair(&mut w, *t, |w| {
            json_string(w, s);
            Ok(())
        })?,
        Value::Vector(samples) => {
            w.push('[');
            for (i, s) in samples.iter().enumerate() {
                if i > 0 {
                    w.push(',');
                }
                w.push_str(r#"{"metric":"#);
                labels(&mut w, &s.labels);
                w.push_str(r#","value":"#);
                pair(&mut w, s.t, |w| value(w, s.v))?;
                w.push('}');
            }
            w.push(']');
        }
        Value::Matrix(series) => {
            w.push('[');
            for (i, s) in series.iter().enumerate() {
                if i > 0 {
                    w.push(',');
                }
                w.push_str(r#"{"metric":"#);
                labels(&mut w, &s.labels);
                w.push_str(r#","values":["#);
                for (j, (t, v)) in s.points.iter().enumerate() {
                    if j > 0 {
                        w.push(',');
                    }
                    pair(&mut w, *t, |w| value(w, *v))?;
                }
                w.push_str("]}");
            }
            w.push(']');
        }
    }
    w.push('}');
    let warnings: Vec<&str> = out.warnings.iter().map(String::as_str).chain(extra_warnings.iter().copied()).collect();
    annotations(&mut w, "warnings", &warnings);
    annotations(&mut w, "infos", &out.infos.iter().map(String::as_str).collect::<Vec<_>>());
    w.push('}');
    Ok(w)
}

/// How many points the value holds, to size the buffer.
fn points(v: &Value) -> usize {
    match v {
        Value::Scalar { .. } | Value::String { .. } => 1,
        Value::Vector(s) => s.len() * 4,
        Value::Matrix(s) => s.iter().map(|s| s.points.len() + 4).sum(),
    }
}

/// `,"warnings":["..."]`, left out when there are none (as Prometheus does).
fn annotations(w: &mut String, key: &str, texts: &[&str]) {
    if texts.is_empty() {
        return;
    }
    w.push_str(",\"");
    w.push_str(key);
    w.push_str("\":[");
    for (i, t) in texts.iter().enumerate() {
        if i > 0 {
            w.push(',');
        }
        json_string(w, t);
    }
    w.push(']');
}

/// `[<time>,<second>]`.
fn pair(w: &mut String, t: i64, second: impl FnOnce(&mut String) -> fmt::Result) -> fmt::Result {
    w.push('[');
    time(w, t)?;
    w.push(',');
    second(w)?;
    w.push(']');
    Ok(())
}

/// Milliseconds as seconds with the millisecond digits, like Prometheus: `1435781430.781`,
/// `1435781430.05` is written `1435781430.050`, whole seconds without a point.
pub(crate) fn time(w: &mut String, t: i64) -> fmt::Result {
    if t < 0 {
        w.push('-');
    }
    let t = t.unsigned_abs();
    write!(w, "{}", t / 1000)?;
    match t % 1000 {
        0 => Ok(()),
        ms => write!(w, ".{ms:03}"),
    }
}

/// A sample value as a JSON string in Go's `strconv.FormatFloat(v, 'f', -1, 64)` form,
/// which Rust's `Display` for `f64` matches (shortest round-trip digits, no exponent).
pub(crate) fn value(w: &mut String, v: f64) -> fmt::Result {
    w.push('"');
    if v.is_nan() {
        w.push_str("NaN");
    } else if v.is_infinite() {
        w.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    } else {
        write!(w, "{v}")?;
    }
    w.push('"');
    Ok(())
}

/// A label set as a JSON object, names in order.
fn labels(w: &mut String, labels: &Labels) {
    w.push('{');
    for (i, l) in labels.iter().enumerate() {
        if i > 0 {
            w.push(',');
        }
        json_string(w, &l.name);
        w.push(':');
        json_string(w, &l.value);
    }
    w.push('}');
}

/// A JSON string literal, with `"`, `\` and control characters escaped (also used by
/// `/api/v1/export`).
pub(crate) fn json_string(w: &mut String, s: &str) {
    w.push('"');
    for c in s.chars() {
        match c {
            '"' => w.push_str("\\\""),
            '\\' => w.push_str("\\\\"),
            '\n' => w.push_str("\\n"),
            '\r' => w.push_str("\\r"),
            '\t' => w.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                // Infallible for a String; keeps the function's callers free of Results.
                let _ = write!(w, "\\u{:04x}", c as u32);
            }
            c => w.push(c),
        }
    }
    w.push('"');
}

#[cfg(test)]
mod tests {
    use vitals_query::{InstantSample, RangeSeries};

    use super::*;

    fn output(value: Value) -> QueryOutput {
        QueryOutput { value, warnings: vec![], infos: vec![], samples_read: 0 }
    }

    #[test]
    fn times_and_values_as_prometheus_writes_them() {
        let mut w = String::new();
        for t in [1_435_781_430_781, 1_435_781_430_050, 1_435_781_430_000, 5, -1500, 0] {
            time(&mut w, t).unwrap();
            w.push(' ');
        }
        assert_eq!(w, "1435781430.781 1435781430.050 1435781430 0.005 -1.500 0 ");
        let mut w = String::new();
        for v in [1.0, 0.1, 1e-10, 1e21, -0.0, 1.5e300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 123456789.125] {
            value(&mut w, v).unwrap();
        }
        assert_eq!(
            w,
            format!(r#""1""0.1""0.0000000001""1000000000000000000000""-0""15{}""NaN""+Inf""-Inf""123456789.125""#, "0".repeat(299))
        );
    }

    #[test]
    fn the_four_result_types() {
        let labels = Labels::from_pairs([("__name__", "up"), ("job", "a\"b\\c\n")]);
        let vector = Value::Vector(vec![InstantSample { labels: labels.clone(), t: 1000, v: 1.0 }]);
        assert_eq!(
            encode(&output(vector), &[]).unwrap(),
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a\"b\\c\n"},"value":[1,"1"]}]}}"#
        );
        let matrix = Value::Matrix(vec![RangeSeries { labels: Labels::default(), points: vec![(1500, 2.5), (2500, f64::NAN)] }]);
        let mut out = output(matrix);
        out.warnings.push("PromQL warning: x".into());
        out.infos.push("PromQL info: y".into());
        assert_eq!(
            encode(&out, &["results truncated due to limit"]).unwrap(),
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1.500,"2.5"],[2.500,"NaN"]]}]},"warnings":["PromQL warning: x","results truncated due to limit"],"infos":["PromQL info: y"]}"#
        );
        assert_eq!(
            encode(&output(Value::Scalar { t: 2000, v: -1.0 }), &[]).unwrap(),
            r#"{"status":"success","data":{"resultType":"scalar","result":[2,"-1"]}}"#
        );
        assert_eq!(
            encode(&output(Value::String { t: 2000, s: "\u{1}é".into() }), &[]).unwrap(),
            r#"{"status":"success","data":{"resultType":"string","result":[2,"\u0001é"]}}"#
        );
    }
}
