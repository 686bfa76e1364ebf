//! Import over HTTP, export back value for value; a bad line stores nothing.

use crate::common::{gzip, now_ms, Server};

/// Values whose decimal forms need many digits, and the special ones.
fn awkward_values() -> Vec<f64> {
    let mut v = vec![0.1 + 0.2, 1.0 / 3.0, std::f64::consts::PI, -std::f64::consts::E, 1e-300, 123456.78901234567, 9007199254740993.0];
    v.extend([5e-324, f64::MAX, -0.0, 0.0, 1e21, 1.0000000000000002, f64::NAN, f64::INFINITY, f64::NEG_INFINITY]);
    v.extend((1..40).map(|i| (i as f64).sqrt() * 1e-3));
    v
}

#[test]
fn import_then_export_is_value_for_value() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    let base = now_ms() - 3_600_000;
    let values = awkward_values();
    let mut body = String::from("# TYPE test_value gauge\n# HELP test_value Awkward floats.\n");
    let mut want = Vec::new();
    for (series, job) in ["a", "b\\\"quoted\\\"", "c"].iter().enumerate() {
        let mut samples = Vec::new();
        for (i, v) in values.iter().enumerate() {
            let t = base + (i as i64) * 1000 + series as i64;
            body.push_str(&format!("test_value{{job=\"{job}\",n=\"{series}\"}} {v:?} {t}\n"));
            samples.push((t, v.to_bits()));
        }
        want.push(samples);
    }
    // Half plain, half gzip.
    let lines: Vec<&str> = body.lines().collect();
    let (first, second) = lines.split_at(lines.len() / 2);
    assert_eq!(server.import(&(first.join("\n") + "\n")), (204, String::new()));
    let gz = gzip(&(second.join("\n") + "\n"));
    assert_eq!(server.try_post("/api/v1/import/prometheus", &[("Content-Encoding", "gzip")], &gz).unwrap(), (204, String::new()));

    let got = server.export("test_value");
    assert_eq!(got.len(), 3);
    assert_eq!(got[1].0, r#"{"__name__":"test_value","job":"b\"quoted\"","n":"1"}"#);
    for (series, (_, samples)) in got.iter().enumerate() {
        assert_eq!(samples, &want[series], "series {series}");
    }
}

#[test]
fn a_bad_line_is_named_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    let t = now_ms() - 60_000;
    let body = format!("test_bad{{job=\"x\"}} 1 {t}\ntest_bad{{job=\"x\" 2 {}\ntest_bad{{job=\"y\"}} 3 {t}\n", t + 1000);
    let (status, text) = server.import(&body);
    assert_eq!(status, 400, "{text}");
    let err: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(err["errorType"], "bad_data");
    let message = err["error"].as_str().unwrap();
    assert!(message.starts_with("line 2, column 18: "), "{message}");
    assert!(message.ends_with("nothing was stored"), "{message}");
    assert!(server.export("test_bad").is_empty());
    let (_, series) = server.get_with("/api/v1/series", &[("match[]", "test_bad")]);
    assert_eq!(series, r#"{"data":[],"status":"success"}"#);
}
