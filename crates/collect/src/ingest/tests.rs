use vitals_store::{Matcher, StoreOptions};

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
    assert!(matches!(err, IngestError::Read(_)), "{err}");
    assert!(err.to_string().starts_with("reading the input: "), "{err}");
}
