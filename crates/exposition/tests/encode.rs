//! What the encoder writes for a `/metrics` page, and what it refuses.

use vitals_exposition::{EncodeError, Encoder, MetricType};

#[test]
fn renders_a_page() {
    let mut enc = Encoder::new(String::new());
    enc.family("vitals_ingested_samples_total", "Samples written.\nBy source, with \\ escaped.", MetricType::Counter, None).unwrap();
    enc.sample("vitals_ingested_samples_total", &[("source", "import"), ("file", "C:\\data\\\"x\".prom\n")], 1234567.0, None).unwrap();
    enc.family("vitals_query_seconds", "", MetricType::Histogram, Some("seconds")).unwrap();
    enc.sample("vitals_query_seconds_bucket", &[("le", "0.005")], 0.0, Some(-1)).unwrap();
    enc.sample("vitals_query_seconds_bucket", &[("le", "+Inf")], f64::INFINITY, Some(1_700_000_000_000)).unwrap();
    enc.sample("vitals_query_seconds_sum", &[], 0.000012, None).unwrap();
    enc.sample("vitals_query_seconds_count", &[], f64::NAN, None).unwrap();
    enc.family("my.dotted", "Quoted.", MetricType::Gauge, None).unwrap();
    enc.sample("my.dotted", &[("a.b", "1"), ("c", "2")], -1e21, None).unwrap();
    enc.sample("my.dotted", &[], -0.5, None).unwrap();
    assert_eq!(
        enc.into_inner(),
        r#"# HELP vitals_ingested_samples_total Samples written.\nBy source, with \\ escaped.
# TYPE vitals_ingested_samples_total counter
vitals_ingested_samples_total{source="import",file="C:\\data\\\"x\".prom\n"} 1.234567e+06
# TYPE vitals_query_seconds histogram
# UNIT vitals_query_seconds seconds
vitals_query_seconds_bucket{le="0.005"} 0 -1
vitals_query_seconds_bucket{le="+Inf"} +Inf 1700000000000
vitals_query_seconds_sum 1.2e-05
vitals_query_seconds_count NaN
# HELP "my.dotted" Quoted.
# TYPE "my.dotted" gauge
{"my.dotted","a.b"="1",c="2"} -1e+21
{"my.dotted"} -0.5
"#
    );
}

#[test]
fn refuses_what_cannot_be_parsed_back_and_writes_nothing() {
    let mut page = String::new();
    let mut enc = Encoder::new(&mut page);
    let err = enc.sample("", &[], 1.0, None).unwrap_err();
    assert!(matches!(err, EncodeError::InvalidMetricName(_)));
    assert_eq!(err.to_string(), r#"metric name "" cannot be written: it is empty or contains '"', '\' or a line break"#);
    let err = enc.sample("m", &[("a\"b", "x")], 1.0, None).unwrap_err();
    assert_eq!(err.to_string(), r#"label name "a"b" cannot be written: it is empty or contains '"', '\' or a line break"#);
    let err = enc.sample("m", &[("a", "1"), ("b", "2"), ("a", "3")], 1.0, None).unwrap_err();
    assert_eq!(err.to_string(), r#"label name "a" is given twice for one sample"#);
    let err = enc.family("m\\x", "help", MetricType::Gauge, None).unwrap_err();
    assert!(matches!(err, EncodeError::InvalidMetricName(_)));
    let err = enc.family("m", "help", MetricType::Gauge, Some("milli seconds")).unwrap_err();
    assert_eq!(err.to_string(), r#"unit "milli seconds" cannot be written: it contains whitespace or a line break"#);
    assert_eq!(page, "");
}

#[test]
fn writer_failure_is_reported() {
    struct Full;
    impl std::fmt::Write for Full {
        fn write_str(&mut self, _: &str) -> std::fmt::Result {
            Err(std::fmt::Error)
        }
    }
    let err = Encoder::new(Full).sample("m", &[], 1.0, None).unwrap_err();
    assert_eq!(err.to_string(), "writing the exposition failed");
}
