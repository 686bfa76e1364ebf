use vitals_store::{Matcher, MetricKind, StoreOptions};

use super::*;

fn store(dir: &std::path::Path) -> Store {
    Store::open(dir, StoreOptions { background: false, out_of_order_window_ms: 60_000, ..StoreOptions::default() }).unwrap()
}

fn opts(on_error: OnError) -> IngestOptions {
    IngestOptions { on_error, default_time_ms: 1_700_000_999_000, max_listed: 2 }
}

fn values(store: &Store, name: &str) -> Vec<(i64, f64)> {
    let got = store.select(&[Matcher::equal("__name__", name)], i64::MIN, i64::MAX).unwrap();
    got.into_iter().flat_map(|s| s.samples).map(|s| (s.t, s.v)).collect()
}

const GOOD: &str = "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n\
http_requests_total{code=\"200\"} 10 1700000000000\nhttp_requests_total{code=\"500\"} 0.1 1700000000000\n\
temperature 21.5\n";

#[test]
fn imports_samples_series_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let report = ingest(&store, GOOD.as_bytes(), &opts(OnError::Reject)).unwrap();
    assert_eq!((report.lines, report.samples, report.accepted, report.series, report.metadata), (5, 3, 3, 3, 1));
    assert_eq!(report.malformed, 0);
    assert_eq!(values(&store, "http_requests_total"), [(1_700_000_000_000, 10.0), (1_700_000_000_000, 0.1)]);
    assert_eq!(values(&store, "temperature"), [(1_700_000_999_000, 21.5)], "a sample without timestamp gets the import's time");
    let meta = &store.metadata()["http_requests_total"];
    assert_eq!((meta.kind, meta.help.as_str()), (MetricKind::Counter, "Requests."));

    let again = ingest(&store, GOOD.as_bytes(), &opts(OnError::Reject)).unwrap();
    assert_eq!((again.accepted, again.duplicates), (0, 3));
}

#[test]
fn reject_stops_at_the_first_bad_line_and_records_no_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let input = format!("{GOOD}bad{{ 1\nlater 1 1700000000000\n");
    let err = ingest(&store, input.as_bytes(), &opts(OnError::Reject)).unwrap_err();
    assert_eq!(err.to_string(), "line 6, column 6: expected label name or '}', found \"1\"");
    assert!(values(&store, "later").is_empty());
    assert!(store.metadata().is_empty());
    assert_eq!(values(&store, "temperature").len(), 1, "the samples before the bad line are stored");
    assert_eq!((err.report().accepted, err.report().malformed), (3, 1));
}

#[test]
fn reject_appends_the_pending_samples_before_the_bad_line_and_reports_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let mut input: String = (0..15).map(|i| format!("good{{n=\"{i}\"}} {i} 1700000000000\n")).collect();
    input.push_str("bad 1 2 3\ngood{n=\"15\"} 15 1700000000000\n");
    let err = ingest(&store, input.as_bytes(), &opts(OnError::Reject)).unwrap_err();
    assert!(matches!(err, IngestError::Malformed { .. }), "{err}");
    assert!(err.to_string().starts_with("line 16, column "), "{err}");
    let report = err.report();
    assert_eq!((report.lines, report.samples, report.accepted, report.series), (16, 15, 15, 15));
    assert_eq!(values(&store, "good").len(), 15);
}

#[test]
fn a_store_failure_carries_what_was_stored_before() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    store.close().unwrap();
    let err = ingest(&store, "a 1 1000\n".as_bytes(), &opts(OnError::Skip)).unwrap_err();
    assert!(matches!(err, IngestError::Store { .. }), "{err}");
    assert_eq!(err.to_string(), "storing samples: the store is closed");
    assert_eq!((err.report().samples, err.report().accepted), (1, 0));
}

#[test]
fn check_finds_every_problem_and_stores_nothing() {
    let input = format!("{GOOD}bad{{ 1\n{{\"a.b\"}} 1\nx 1 2 3\n");
    let report = check(input.as_bytes(), &opts(OnError::Reject)).unwrap();
    assert_eq!((report.lines, report.samples, report.malformed), (8, 3, 3));
    let listed: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert_eq!(listed.len(), 2, "listing stops at the limit");
    assert!(listed[0].starts_with("line 6, column 6: "), "{listed:?}");
    assert!(listed[1].starts_with("line 7: invalid metric name \"a.b\""), "{listed:?}");
}

#[test]
fn skip_imports_the_good_lines_and_lists_the_bad() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let input = "a 1 1000\nbad{ 1\nb 2 1000\nc 3 x\nd 4 1000\n";
    let report = ingest(&store, input.as_bytes(), &opts(OnError::Skip)).unwrap();
    assert_eq!((report.accepted, report.malformed), (3, 2));
    assert_eq!(report.problems.iter().map(|p| p.line).collect::<Vec<_>>(), [2, 4]);
    assert_eq!(values(&store, "d"), [(1000, 4.0)]);
}

#[test]
fn samples_outside_the_window_are_reported_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let input = "up 1 1000000\nup 2 2000000\nup 3 1000500\nother 1 5\n";
    let report = ingest(&store, input.as_bytes(), &opts(OnError::Reject)).unwrap();
    assert_eq!(report.accepted, 3);
    assert_eq!(report.rejected, [(RejectReason::OutOfWindow, 1)]);
    let first = report.first_rejection.unwrap();
    assert_eq!(
        first.to_string(),
        "line 3: sample of up{} at 1000500 ms is older than the out-of-order window allows (the series already has a sample at 2000000 ms)"
    );
}

#[test]
fn floats_are_stored_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let vals: [f64; 6] = [0.1, 1.0 / 3.0, -2.5e-300, 1.7976931348623157e308, 123456789.12345679, 5e-324];
    let input: String = vals.iter().enumerate().map(|(i, v)| format!("f {v:?} {}\n", 1000 * (i + 1))).collect();
    ingest(&store, input.as_bytes(), &opts(OnError::Reject)).unwrap();
    let got: Vec<u64> = values(&store, "f").iter().map(|(_, v)| v.to_bits()).collect();
    assert_eq!(got, vals.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
}

#[test]
fn unreadable_input_is_a_read_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let gz = flate2::read::GzDecoder::new(&b"not gzip at all"[..]);
    let err = ingest(&store, std::io::BufReader::new(gz), &opts(OnError::Skip)).unwrap_err();
    assert!(matches!(err, IngestError::Read { .. }), "{err}");
    assert!(err.to_string().starts_with("reading the input: "), "{err}");
}

#[test]
fn metadata_for_names_the_store_refuses_is_a_problem_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let input = "# HELP \"my.metric\" Dotted.\n# TYPE \"my.metric\" gauge\nup 1 1000\n";
    let checked = check(input.as_bytes(), &opts(OnError::Reject)).unwrap();
    assert_eq!((checked.malformed, checked.samples), (2, 1));
    assert_eq!(
        checked.problems[0].to_string(),
        r#"line 1: invalid metric name "my.metric" (Vitals stores only names like [a-zA-Z_:][a-zA-Z0-9_:]*)"#
    );
    let report = ingest(&store, input.as_bytes(), &opts(OnError::Skip)).unwrap();
    assert_eq!((report.accepted, report.malformed, report.metadata), (1, 2, 0));
    assert!(store.metadata().is_empty());
}

#[test]
fn help_and_unit_over_the_limit_are_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let half = "h".repeat(vitals_store::MAX_METADATA_BYTES / 2 + 1);
    let input = format!("# UNIT big {half}\n# HELP big {half}\n# TYPE big gauge\nbig 1 1000\n");
    let checked = check(input.as_bytes(), &opts(OnError::Reject)).unwrap();
    assert_eq!(checked.malformed, 1);
    assert!(checked.problems[0].to_string().starts_with("line 2: help and unit of big would take 65538 bytes, more than the limit"));
    let report = ingest(&store, input.as_bytes(), &opts(OnError::Skip)).unwrap();
    assert_eq!((report.accepted, report.malformed, report.metadata), (1, 1, 1));
    let meta = &store.metadata()["big"];
    assert_eq!((meta.kind, meta.help.as_str(), meta.unit.len()), (MetricKind::Gauge, "", half.len()));
}

#[test]
fn a_line_over_the_limit_is_named_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let input = format!("a 1 1000\nlong{{x=\"{}\"}} 1 1000\nb 2 1000\n", "x".repeat(MAX_LINE_BYTES));
    let report = ingest(&store, input.as_bytes(), &opts(OnError::Skip)).unwrap();
    assert_eq!((report.lines, report.accepted, report.malformed), (3, 2, 1));
    assert_eq!(report.problems[0].to_string(), "line 2: longer than the limit of 1 MiB (1048576 bytes); split it or leave it out");
}

#[test]
fn each_series_is_counted_once_however_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let input = "up{a=\"1\",b=\"2\"} 1 1000\nup{b=\"2\", a=\"1\"} 2 2000\nup {a=\"1\",b=\"2\"} 3 3000\n{\"up\",a=\"1\",b=\"2\"} 4 4000\n";
    let report = ingest(&store, input.as_bytes(), &opts(OnError::Reject)).unwrap();
    assert_eq!((report.samples, report.accepted, report.series), (4, 4, 1));
    assert_eq!(values(&store, "up"), [(1000, 1.0), (2000, 2.0), (3000, 3.0), (4000, 4.0)]);
}
