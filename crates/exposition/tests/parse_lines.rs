//! Lines that parse: every line kind, escapes, special values, timestamps,
//! whitespace, CRLF, quoted names and exemplars.

use std::borrow::Cow;

use vitals_exposition::{parse_line, Line, MetricType, SampleLine};

fn sample(line: &str) -> SampleLine<'_> {
    match parse_line(line) {
        Ok(Line::Sample(s)) => s,
        other => panic!("{line:?} parsed as {other:?}"),
    }
}

fn labels<'a>(s: &'a SampleLine<'a>) -> Vec<(&'a str, &'a str)> {
    s.labels.iter().map(|(n, v)| (*n, v.as_ref())).collect()
}

#[test]
fn plain_sample() {
    let s = sample("go_goroutines 7");
    assert_eq!(s.name, "go_goroutines");
    assert!(s.labels.is_empty());
    assert_eq!(s.value, 7.0);
    assert_eq!(s.timestamp_ms, None);
}

#[test]
fn sample_with_labels_and_timestamp() {
    let s = sample(r#"node_cpu_seconds_total{cpu="0",mode="idle"} 1.5e+03 1795358192673"#);
    assert_eq!(s.name, "node_cpu_seconds_total");
    assert_eq!(labels(&s), [("cpu", "0"), ("mode", "idle")]);
    assert_eq!(s.value, 1500.0);
    assert_eq!(s.timestamp_ms, Some(1795358192673));
}

#[test]
fn labels_keep_written_order_and_borrow_when_unescaped() {
    let s = sample(r#"m{z="1",a="2",m="3"} 0"#);
    assert_eq!(labels(&s), [("z", "1"), ("a", "2"), ("m", "3")]);
    assert!(s.labels.iter().all(|(_, v)| matches!(v, Cow::Borrowed(_))));
}

#[test]
fn label_value_escapes() {
    let s = sample(r#"m{path="C:\\dir",q="say \"hi\"",nl="a\nb",u="ünï😀"} 1"#);
    assert_eq!(labels(&s), [("path", "C:\\dir"), ("q", "say \"hi\""), ("nl", "a\nb"), ("u", "ünï😀")]);
}

#[test]
fn empty_label_set_and_empty_value() {
    assert!(sample("m{} 1").labels.is_empty());
    assert_eq!(labels(&sample(r#"m{a=""} 1"#)), [("a", "")]);
}

#[test]
fn whitespace_between_tokens_and_trailing_comma() {
    let s = sample("\t m \t{ a = \"1\" ,\tb=\"2\", } \t 3 \t 4 \t");
    assert_eq!(s.name, "m");
    assert_eq!(labels(&s), [("a", "1"), ("b", "2")]);
    assert_eq!((s.value, s.timestamp_ms), (3.0, Some(4)));
    assert_eq!(sample(r#"m{a="1"}2"#).value, 2.0);
}

#[test]
fn metric_and_label_name_characters() {
    let s = sample(r#"_ns:sub_system:rate5m{_l1="x",L_2="y"} 1"#);
    assert_eq!(s.name, "_ns:sub_system:rate5m");
    assert_eq!(labels(&s), [("_l1", "x"), ("L_2", "y")]);
}

#[test]
fn special_values() {
    assert!(sample("m NaN").value.is_nan());
    assert!(sample("m nan").value.is_nan());
    assert_eq!(sample("m +Inf").value, f64::INFINITY);
    assert_eq!(sample("m Inf").value, f64::INFINITY);
    assert_eq!(sample("m inf").value, f64::INFINITY);
    assert_eq!(sample("m -Inf").value, f64::NEG_INFINITY);
    assert_eq!(sample("m -inf 5").timestamp_ms, Some(5));
}

#[test]
fn number_forms() {
    for (text, want) in [
        ("0", 0.0),
        ("-0", -0.0),
        ("+3", 3.0),
        ("1.5", 1.5),
        (".5", 0.5),
        ("5.", 5.0),
        ("1e3", 1000.0),
        ("1E-3", 0.001),
        ("3.6754e-05", 3.6754e-05),
        ("1.7976931348623157e+308", f64::MAX),
    ] {
        let v = sample(&format!("m {text}")).value;
        assert_eq!(v.to_bits(), want.to_bits(), "{text}");
    }
}

#[test]
fn timestamps() {
    assert_eq!(sample("m 1 0").timestamp_ms, Some(0));
    assert_eq!(sample("m 1 -1000").timestamp_ms, Some(-1000));
    assert_eq!(sample("m 1 9223372036854775807").timestamp_ms, Some(i64::MAX));
}

#[test]
fn crlf_is_tolerated() {
    let s = sample("m{a=\"b\"} 1 2\r");
    assert_eq!((s.value, s.timestamp_ms), (1.0, Some(2)));
    assert_eq!(parse_line("\r"), Ok(Line::Empty));
    assert_eq!(parse_line("# EOF\r"), Ok(Line::Eof));
    assert_eq!(parse_line("# TYPE m gauge\r"), Ok(Line::Type { metric: "m", kind: MetricType::Gauge }));
}

#[test]
fn blank_lines_and_comments_are_empty() {
    for line in [
        "",
        "   ",
        "\t",
        "#",
        "# just a comment",
        "#HELP m not a help line",
        "# HELP",
        "# TYPE",
        "# EOF and then some",
        "  # indented comment",
    ] {
        assert_eq!(parse_line(line), Ok(Line::Empty), "{line:?}");
    }
}

#[test]
fn help_lines() {
    assert_eq!(
        parse_line("# HELP go_goroutines Number of goroutines that currently exist."),
        Ok(Line::Help { metric: "go_goroutines", text: Cow::Borrowed("Number of goroutines that currently exist.") })
    );
    let Ok(Line::Help { text, .. }) = parse_line(r"# HELP m a\\b\nc \q \") else { panic!() };
    assert_eq!(text, "a\\b\nc \\q \\");
    let Ok(Line::Help { metric, text }) = parse_line("# HELP m") else { panic!() };
    assert_eq!((metric, text.as_ref()), ("m", ""));
    // Only the one separating space is dropped.
    let Ok(Line::Help { text, .. }) = parse_line("#\tHELP\tm  two  spaces ") else { panic!() };
    assert_eq!(text, " two  spaces ");
}

#[test]
fn type_lines() {
    for kind in MetricType::ALL {
        assert_eq!(parse_line(&format!("# TYPE m {}", kind.as_str())), Ok(Line::Type { metric: "m", kind }));
    }
    assert_eq!(parse_line("# TYPE m   counter  "), Ok(Line::Type { metric: "m", kind: MetricType::Counter }));
}

#[test]
fn unit_and_eof_lines() {
    assert_eq!(
        parse_line("# UNIT http_request_duration_seconds seconds"),
        Ok(Line::Unit { metric: "http_request_duration_seconds", unit: "seconds" })
    );
    assert_eq!(parse_line("# UNIT m"), Ok(Line::Unit { metric: "m", unit: "" }));
    assert_eq!(parse_line("# EOF"), Ok(Line::Eof));
    assert_eq!(parse_line("#  EOF  "), Ok(Line::Eof));
}

#[test]
fn quoted_names() {
    let s = sample(r#"{"my.metric", "my.label"="x", job="j"} 1"#);
    assert_eq!(s.name, "my.metric");
    assert_eq!(labels(&s), [("my.label", "x"), ("job", "j")]);
    assert_eq!(sample(r#"{"ünï code"} 2"#).name, "ünï code");
    assert_eq!(sample(r#"{a="1","late.name"} 2"#).name, "late.name");
    assert_eq!(parse_line(r#"# TYPE "my.metric" gauge"#), Ok(Line::Type { metric: "my.metric", kind: MetricType::Gauge }));
    assert_eq!(parse_line(r#"# HELP "my.metric" Text."#), Ok(Line::Help { metric: "my.metric", text: Cow::Borrowed("Text.") }));
}

#[test]
fn exemplars_are_ignored() {
    for line in [
        r#"foo_bucket{le="0.5"} 3 # {trace_id="abc"} 0.4"#,
        r#"foo_bucket{le="0.5"} 3 # {trace_id="abc"} 0.4 1700000000.123"#,
        r#"foo_total 3 1700000000000 # {trace_id="abc",span="x"} 1 1700000000"#,
        r#"foo_total 3 #{} 1"#,
    ] {
        let s = sample(line);
        assert_eq!(s.value, 3.0, "{line}");
        assert!(s.labels.len() <= 1);
    }
    assert_eq!(sample(r#"foo_total 3 1700000000000 # {a="b"} 1"#).timestamp_ms, Some(1700000000000));
}
