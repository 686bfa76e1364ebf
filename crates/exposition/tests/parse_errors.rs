//! Every kind of malformed line, checked by the message a user sees,
//! column included.

use vitals_exposition::parse_line;

fn error(line: &str) -> String {
    match parse_line(line) {
        Ok(parsed) => panic!("{line:?} parsed as {parsed:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn metric_name_errors() {
    assert_eq!(error("1abc 2"), r#"column 1: expected metric name, found "1""#);
    assert_eq!(error("  -x 2"), r#"column 3: expected metric name, found "-""#);
    assert_eq!(
        error("node.cpu 1"),
        "column 5: invalid character \".\" in metric name \"node\" (allowed: letters, digits, \
         '_' and ':'; quote other names inside the braces, as in {\"my.metric\"})"
    );
    assert_eq!(error(r#"{a="b"} 1"#), "column 1: missing metric name: write it before '{' or as a quoted string inside the braces");
    assert_eq!(error(r#"{"a","b"} 1"#), r#"column 6: metric name given twice: "a" and "b""#);
    assert_eq!(error(r#"m{"b"} 1"#), r#"column 3: metric name given twice: "m" and "b""#);
}

#[test]
fn quoted_name_errors() {
    assert_eq!(error(r#"{"my\.metric"} 1"#), "column 5: escape sequences are not supported in quoted names");
    assert_eq!(error(r#"{""} 1"#), "column 2: empty quoted name");
    assert_eq!(error(r#"{"my.metric} 1"#), "column 2: unterminated quoted name: missing closing '\"'");
}

#[test]
fn label_name_errors() {
    assert_eq!(error(r#"up{job "node"} 1"#), r#"column 8: expected '=' after label name "job", found "\"""#);
    assert_eq!(error(r#"up{job} 1"#), r#"column 7: expected '=' after label name "job", found "}""#);
    assert_eq!(error(r#"up{a.b="x"} 1"#), r#"column 5: expected '=' after label name "a", found ".""#);
    assert_eq!(error(r#"up{1a="x"} 1"#), r#"column 4: expected label name or '}', found "1""#);
    assert_eq!(error(r#"up{a="x",,} 1"#), r#"column 10: expected label name or '}', found ",""#);
    assert_eq!(error(r#"up{"a.b"} 1"#), r#"column 4: metric name given twice: "up" and "a.b""#);
}

#[test]
fn label_value_errors() {
    assert_eq!(error("up{job=node} 1"), r#"column 8: expected '"' to start the value of label "job", found "n""#);
    assert_eq!(error("up{job=} 1"), r#"column 8: expected '"' to start the value of label "job", found "}""#);
    assert_eq!(
        error(r#"up{job="no\de"} 1"#),
        r#"column 11: invalid escape sequence "\d" in value of label "job" (allowed: \\, \" and \n)"#
    );
    assert_eq!(error(r#"up{job="ü\q"} 1"#), r#"column 10: invalid escape sequence "\q" in value of label "job" (allowed: \\, \" and \n)"#);
    assert_eq!(
        error(r#"up{job="node\"#),
        r#"column 13: invalid escape sequence '\' at end of line in value of label "job" (allowed: \\, \" and \n)"#
    );
    assert_eq!(error(r#"up{job="node} 1"#), r#"column 8: unterminated value of label "job": missing closing '"'"#);
    assert_eq!(error(r#"up{job="a" x="b"} 1"#), r#"column 12: expected ',' or '}' after label "job", found "x""#);
    assert_eq!(error(r#"up{job="a""#), r#"column 11: expected ',' or '}' after label "job", found end of line"#);
    assert_eq!(error(r#"up{job="a","#), "column 12: unterminated label set: missing '}'");
}

#[test]
fn duplicate_labels() {
    assert_eq!(error(r#"up{job="a",instance="i",job="b"} 1"#), r#"column 25: duplicate label name "job""#);
    assert_eq!(error(r#"{"x.y",job="a","job"="b"} 1"#), r#"column 16: duplicate label name "job""#);
}

#[test]
fn value_errors() {
    assert_eq!(error("up"), r#"column 3: missing value for metric "up""#);
    assert_eq!(error("up   "), r#"column 6: missing value for metric "up""#);
    assert_eq!(error(r#"up{job="x"}"#), r#"column 12: missing value for metric "up""#);
    assert_eq!(error("up abc"), r#"column 4: invalid value "abc": not a number"#);
    assert_eq!(error("up{} 1,5 7"), r#"column 6: invalid value "1,5": not a number"#);
    assert_eq!(error("up 1e999"), r#"column 4: invalid value "1e999": out of range"#);
    assert_eq!(error("up -NaN"), r#"column 4: invalid value "-NaN": not a number"#);
    assert_eq!(error("up 0x1p3"), r#"column 4: invalid value "0x1p3": not a number"#);
}

#[test]
fn timestamp_errors() {
    assert_eq!(error("up 1 1.5"), r#"column 6: invalid timestamp "1.5": expected a whole number of milliseconds"#);
    assert_eq!(error("up 1 now"), r#"column 6: invalid timestamp "now": expected a whole number of milliseconds"#);
    assert_eq!(error("up 1 99999999999999999999"), r#"column 6: invalid timestamp "99999999999999999999": out of range"#);
    assert_eq!(error("up 1 1700000000000 x"), r#"column 20: unexpected "x" after timestamp"#);
    assert_eq!(error("up 1 2 3\r"), r#"column 8: unexpected "3" after timestamp"#);
}

#[test]
fn exemplar_errors() {
    assert_eq!(error("up 1 # trace"), r#"column 8: expected '{' to start an exemplar after '#', found "t""#);
    assert_eq!(error(r#"up 1 # {a="b"}"#), "column 15: missing exemplar value");
    assert_eq!(error(r#"up 1 # {a=b} 1"#), r#"column 11: expected '"' to start the value of label "a", found "b""#);
    assert_eq!(error(r#"up 1 # {a="b"} x"#), r#"column 16: invalid exemplar value "x": not a number"#);
    assert_eq!(error(r#"up 1 # {a="b"} 1 y"#), r#"column 18: invalid exemplar timestamp "y": not a number"#);
    assert_eq!(error(r#"up 1 # {a="b"} 1 2 z"#), r#"column 20: unexpected "z" after exemplar"#);
}

#[test]
fn keyword_line_errors() {
    assert_eq!(error("# HELP 1m text"), r##"column 8: expected metric name after "# HELP", found "1""##);
    assert_eq!(error("# TYPE   "), r##"column 10: expected metric name after "# TYPE", found end of line"##);
    assert_eq!(
        error("# TYPE m.x counter"),
        "column 9: invalid character \".\" in metric name \"m\" (allowed: letters, digits, \
         '_' and ':'; quote other names inside the braces, as in {\"my.metric\"})"
    );
    assert_eq!(error(r#"# TYPE "m"x counter"#), r#"column 11: expected whitespace after metric name "m", found "x""#);
    assert_eq!(error("# TYPE m"), r#"column 9: expected metric type after metric name "m", found end of line"#);
    assert_eq!(
        error("# TYPE m Counter"),
        "column 10: invalid metric type \"Counter\" (expected counter, gauge, histogram, \
         summary, untyped, unknown, gaugehistogram, info or stateset)"
    );
    assert_eq!(error("# TYPE m counter gauge"), r#"column 18: unexpected "gauge" after metric type"#);
    assert_eq!(error("# UNIT m seconds extra"), r#"column 18: unexpected "extra" after unit"#);
}

#[test]
fn columns_count_characters_not_bytes() {
    assert_eq!(error(r#"m{a="äöü",b=c} 1"#), r#"column 13: expected '"' to start the value of label "b", found "c""#);
}
