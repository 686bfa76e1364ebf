//! The engine's public API as the HTTP layer sees it: result shapes, errors with their
//! Prometheus error types, limits, annotations, and long range queries read from tiers.

use std::time::Duration;

use vitals_query::{format_query, Engine, EngineOptions, QueryError, Value};
use vitals_store::{Labels, Sample, Store, StoreOptions, TierOptions};

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;

fn store_with(tiers: Vec<TierOptions>) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let opts = StoreOptions { background: false, out_of_order_window_ms: i64::MAX / 4, retention_ms: 0, tiers, ..Default::default() };
    let store = Store::open(dir.path(), opts).unwrap();
    (dir, store)
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    Labels::from_pairs(pairs.iter().copied())
}

/// Two counters and a gauge, every minute for `minutes` minutes from `start`.
fn fill(store: &Store, start: i64, minutes: i64) {
    let mut batch = Vec::new();
    for i in 0..=minutes {
        let t = start + i * MIN;
        batch.push((labels(&[("__name__", "req_total"), ("job", "a")]), Sample { t, v: (i * 2) as f64 }));
        batch.push((labels(&[("__name__", "req_total"), ("job", "b")]), Sample { t, v: (i * 3) as f64 }));
        batch.push((labels(&[("__name__", "temp"), ("job", "a")]), Sample { t, v: ((i % 17) as f64) - 3.5 }));
    }
    let report = store.append_labeled(&batch).unwrap();
    assert_eq!(report.rejected_total(), 0);
}

fn engine(store: &Store) -> Engine {
    Engine::new(store.clone(), EngineOptions::default())
}

#[test]
fn instant_query_gives_a_vector_and_range_query_a_sorted_matrix() {
    let (_d, store) = store_with(Vec::new());
    fill(&store, 0, 10);
    let e = engine(&store);
    let out = e.instant("rate(req_total[5m])", 10 * MIN).unwrap();
    let Value::Vector(v) = out.value else { panic!("expected a vector, got {:?}", out.value) };
    let mut got: Vec<(String, f64)> = v.iter().map(|s| (s.labels.to_string(), s.v)).collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, vec![(r#"{job="a"}"#.to_owned(), 2.0 / 60.0), (r#"{job="b"}"#.to_owned(), 3.0 / 60.0)]);
    assert!(v.iter().all(|s| s.t == 10 * MIN));

    let out = e.range("req_total", 0, 2 * MIN, MIN).unwrap();
    let Value::Matrix(m) = out.value else { panic!("expected a matrix") };
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].labels.to_string(), r#"req_total{job="a"}"#);
    assert_eq!(m[0].points, vec![(0, 0.0), (MIN, 2.0), (2 * MIN, 4.0)]);
    assert!(out.samples_read > 0);
}

#[test]
fn scalars_and_strings() {
    let (_d, store) = store_with(Vec::new());
    let e = engine(&store);
    assert_eq!(e.instant("1 + 2", 5000).unwrap().value, Value::Scalar { t: 5000, v: 3.0 });
    assert_eq!(e.instant(r#""hello""#, 5000).unwrap().value, Value::String { t: 5000, s: "hello".into() });
    let Value::Matrix(m) = e.range("time()", 0, 2000, 1000).unwrap().value else { panic!() };
    assert_eq!(m.len(), 1);
    assert!(m[0].labels.is_empty());
    assert_eq!(m[0].points, vec![(0, 0.0), (1000, 1.0), (2000, 2.0)]);
}

#[test]
fn errors_carry_prometheus_error_types() {
    let (_d, store) = store_with(Vec::new());
    fill(&store, 0, 10);
    let e = engine(&store);

    let err = e.instant("sum(", 0).unwrap_err();
    assert!(matches!(err, QueryError::Parse { .. }), "{err:?}");
    assert_eq!((err.error_type(), err.http_status()), ("bad_data", 400));
    assert_eq!(err.to_string(), "1:5: parse error: unclosed left parenthesis");

    let err = e.range("req_total[5m]", 0, MIN, MIN).unwrap_err();
    assert_eq!(err.to_string(), r#"invalid expression type "range vector" for range query, must be Scalar or instant Vector"#);
    assert_eq!(err.http_status(), 400);

    let err = e.instant("label_replace(req_total, \"job\", \"x\", \"job\", \".*\")", 10 * MIN).unwrap_err();
    assert_eq!(err.to_string(), "vector cannot contain metrics with the same labelset");
    assert_eq!((err.error_type(), err.http_status()), ("execution", 422));

    let err = e.instant("req_total + on() req_total", 10 * MIN).unwrap_err();
    assert!(err.to_string().contains("many-to-many matching not allowed"), "{err}");

    assert!(e.range("1", 10, 0, 1).is_err());
    assert!(e.range("1", 0, 10, 0).is_err());
}

#[test]
fn limits_stop_queries_with_prometheus_messages() {
    let (_d, store) = store_with(Vec::new());
    fill(&store, 0, 100);
    let small = Engine::new(store.clone(), EngineOptions { max_samples: 50, ..Default::default() });
    let err = small.instant("sum_over_time(req_total[1h])", 100 * MIN).unwrap_err();
    assert!(matches!(err, QueryError::TooManySamples(50)), "{err:?}");
    assert_eq!(err.to_string(), "query processing would load too many samples into memory in query execution");
    assert_eq!(err.http_status(), 422);
    assert!(small.instant("req_total", 100 * MIN).is_ok(), "two samples fit");

    let hasty = Engine::new(store, EngineOptions { timeout: Duration::ZERO, ..Default::default() });
    std::thread::sleep(Duration::from_millis(2));
    let err = hasty.instant("req_total", 100 * MIN).unwrap_err();
    assert_eq!(err.to_string(), "query timed out in expression evaluation");
    assert_eq!((err.error_type(), err.http_status()), ("timeout", 503));
}

#[test]
fn annotations_are_reported() {
    let (_d, store) = store_with(Vec::new());
    fill(&store, 0, 10);
    let e = engine(&store);
    let out = e.instant("rate(temp[5m])", 10 * MIN).unwrap();
    assert_eq!(out.infos, vec![r#"PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "temp""#]);
    let out = e.instant("quantile(2, temp)", 10 * MIN).unwrap();
    assert_eq!(out.warnings, vec!["PromQL warning: quantile value should be between 0 and 1, got 2"]);
    let out = e.instant("histogram_quantile(0.5, temp)", 10 * MIN).unwrap();
    assert_eq!(out.warnings, vec![r#"PromQL warning: bucket label "le" is missing or has a malformed value of "" for metric name "temp""#]);
}

#[test]
fn format_query_pretty_prints_or_refuses() {
    assert_eq!(format_query("sum(rate(x[5m]))by(job)").unwrap(), "sum by (job) (rate(x[5m]))");
    assert!(format_query("sum(").is_err());
}

/// Over two days at a 1 h step, `*_over_time` read from the 1 h tier give exactly the raw
/// answer when no sample falls on a bucket boundary (the documented difference).
#[test]
fn long_range_queries_from_tiers_match_raw_for_unaligned_samples() {
    let tiers = vec![TierOptions { resolution_ms: HOUR, retention_ms: 0 }];
    let (_d1, tiered) = store_with(tiers);
    let (_d2, raw) = store_with(Vec::new());
    // Samples 7 s after each minute: never on a bucket boundary.
    for s in [&tiered, &raw] {
        fill(s, 7_000, 3 * 24 * 60);
    }
    tiered.flush().unwrap();
    tiered.compact(true).unwrap();
    assert_eq!(tiered.pick_resolution(HOUR, HOUR), HOUR);
    let (start, end) = (2 * HOUR, 2 * HOUR + 2 * DAY);
    for q in [
        "sum_over_time(temp[1h])",
        "count_over_time(temp[2h])",
        "min_over_time(temp[1h])",
        "max_over_time(temp[3h])",
        "avg_over_time(temp[1h])",
        "last_over_time(temp[1h])",
        "sum by (job) (count_over_time(req_total[1h]))",
    ] {
        let a = engine(&tiered).range(q, start, end, HOUR).unwrap();
        let b = engine(&raw).range(q, start, end, HOUR).unwrap();
        let (Value::Matrix(a), Value::Matrix(b)) = (a.value, b.value) else { panic!("matrices expected") };
        assert_eq!(a.len(), b.len(), "{q}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.labels, y.labels, "{q}");
            assert_eq!(x.points.len(), y.points.len(), "{q}");
            for (p, r) in x.points.iter().zip(&y.points) {
                assert_eq!(p.0, r.0, "{q}");
                assert!((p.1 - r.1).abs() <= 1e-9 * r.1.abs().max(1.0), "{q}: tier {} raw {} at {}", p.1, r.1, p.0);
            }
        }
    }
    // Rates from the tier: the counter's increase between bucket ends, here exact.
    let Value::Matrix(m) = engine(&tiered).range("increase(req_total[1h])", start, end, HOUR).unwrap().value else { panic!() };
    assert!(m[0].points.iter().all(|p| (p.1 - 120.0).abs() < 1e-9), "{:?}", &m[0].points[..3]);
}

#[test]
fn queries_the_parser_chokes_on_are_parse_errors() {
    let (_d, store) = store_with(Vec::new());
    let err = engine(&store).instant("max_over_time(temp[20m:9m] offset 444444444444444444444444444-1m @ 600)", 0).unwrap_err();
    assert!(matches!(err, QueryError::Parse { .. }), "{err:?}");
    assert_eq!(err.http_status(), 400);
}

#[test]
fn engine_is_cheap_to_share_between_threads() {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    shareable::<Engine>();
    let (_d, store) = store_with(Vec::new());
    fill(&store, 0, 5);
    let e = engine(&store);
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let e = e.clone();
            std::thread::spawn(move || e.instant("count(req_total)", 5 * MIN).map(|o| o.value))
        })
        .collect();
    for h in handles {
        let Value::Vector(v) = h.join().unwrap().unwrap() else { panic!() };
        assert_eq!(v[0].v, 2.0);
    }
}
