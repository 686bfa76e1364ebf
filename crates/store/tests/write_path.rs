//! Out-of-order and duplicate handling, matchers, metadata, and a model-based property test
//! of the whole store (appends, flushes, compactions and restarts against a BTreeMap).

mod common;

use std::collections::BTreeMap;

use common::*;
use proptest::prelude::*;
use vitals_store::{MatchOp, Matcher, MetricKind, MetricMetadata, RejectReason, Store, StoreOptions};

#[test]
fn out_of_window_samples_are_refused_with_a_reason_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions { out_of_order_window_ms: 60_000, ..opts() }).unwrap();
    let a = series("a", 0);
    store.append_labeled(&[(a.clone(), s(1_000_000, 1.0))]).unwrap();
    let r = store.append_labeled(&[(a.clone(), s(950_000, 2.0)), (a.clone(), s(900_000, 3.0)), (a.clone(), s(1_000_000, 1.0))]).unwrap();
    assert_eq!((r.accepted, r.duplicates, r.rejected_total()), (1, 1, 1));
    let first = r.first_rejection.unwrap();
    assert_eq!((first.index, first.reason, first.t, first.series_max_t), (1, RejectReason::OutOfWindow, 900_000, 1_000_000));
    assert_eq!(store.stats().samples_rejected_total[0], (RejectReason::OutOfWindow, 1));
    // The identical sample again, though out of the window: a duplicate, not an error (a
    // file imported twice), also once it is in a block.
    store.flush().unwrap();
    let r = store.append_labeled(&[(a.clone(), s(1_000_000, 1.0)), (a.clone(), s(1_060_000, 4.0))]).unwrap();
    assert_eq!((r.accepted, r.duplicates, r.rejected_total()), (1, 1, 0));
    // Within the window, a new sample before what is in blocks is stored (after the lookup).
    store.flush().unwrap();
    let r = store.append_labeled(&[(a.clone(), s(1_030_000, 0.5)), (a.clone(), s(1_060_000, 4.0))]).unwrap();
    assert_eq!((r.accepted, r.duplicates, r.rejected_total()), (1, 1, 0));
    let r = store.append_labeled(&[(a.clone(), s(1_000_000, 1.0)), (a.clone(), s(990_000, 1.0))]).unwrap();
    assert_eq!((r.accepted, r.duplicates, r.rejected_total()), (0, 1, 1));
    assert_eq!(r.first_rejection.unwrap().index, 1);
    // A new value for an existing timestamp replaces it (last write wins).
    store.append_labeled(&[(a.clone(), s(1_050_000, 2.5)), (a.clone(), s(1_050_000, 2.75))]).unwrap();
    assert_eq!(dump(&store)[&a][3..], [(1_050_000, 2.75f64.to_bits()), (1_060_000, 4f64.to_bits())]);
    assert_eq!(dump(&store)[&a][2], (1_030_000, 0.5f64.to_bits()));
}

#[test]
fn far_future_samples_are_refused_so_they_cannot_expire_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), opts()).unwrap();
    let r = store.append_labeled(&[(series("a", 0), s(1_000, 1.0)), (series("a", 0), s(i64::MAX, 2.0))]).unwrap();
    assert_eq!((r.accepted, r.first_rejection.unwrap().reason), (1, RejectReason::TooFarInFuture));
    store.compact(true).unwrap();
    assert_eq!(dump(&store)[&series("a", 0)].len(), 1);
}

#[test]
fn selectors_with_every_matcher_kind() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), opts()).unwrap();
    for (cpu, mode) in [("0", "idle"), ("0", "user"), ("1", "idle"), ("1", "user")] {
        let l = vitals_store::Labels::from_pairs([("__name__", "node_cpu_seconds_total"), ("cpu", cpu), ("mode", mode)]);
        store.append_labeled(&[(l, s(1000, 1.0))]).unwrap();
    }
    store.flush().unwrap();
    let m = |op, n: &str, v: &str| Matcher::new(op, n, v).unwrap();
    let name = m(MatchOp::Equal, "__name__", "node_cpu_seconds_total");
    let got = store.series(&[vec![name.clone(), m(MatchOp::NotEqual, "mode", "idle"), m(MatchOp::Regex, "cpu", "1|3")]], 0, 2000);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to_string(), r#"node_cpu_seconds_total{cpu="1",mode="user"}"#);
    assert_eq!(store.series(&[vec![name.clone(), m(MatchOp::NotRegex, "mode", "id.*")]], 0, 2000).len(), 2);
    assert_eq!(store.label_values("mode", &[vec![name.clone()]], 0, 2000), vec!["idle", "user"]);
    assert_eq!(store.label_names(&[], 0, 2000), vec!["__name__", "cpu", "mode"]);
    assert!(store.series(&[vec![name]], 5000, 6000).is_empty(), "no data in that range");
}

#[test]
fn metadata_survives_flush_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), opts()).unwrap();
    let meta = MetricMetadata { kind: MetricKind::Counter, help: "Requests.\nWith a newline\\tand tab".into(), unit: "".into() };
    store.set_metadata("http_requests_total", meta.clone()).unwrap();
    drop(store);
    let store = Store::open(dir.path(), opts()).unwrap();
    assert_eq!(store.metadata()["http_requests_total"], meta);
    store.flush().unwrap();
    drop(store);
    let store = Store::open(dir.path(), opts()).unwrap();
    assert_eq!(store.metadata()["http_requests_total"], meta);
}

#[derive(Debug, Clone)]
enum Op {
    Append(Vec<(usize, i64, u64)>),
    Flush,
    Compact(bool),
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => proptest::collection::vec((0usize..5, 0i64..20_000_000, 0u64..4), 1..60).prop_map(Op::Append),
        1 => Just(Op::Flush),
        1 => any::<bool>().prop_map(Op::Compact),
        1 => Just(Op::Restart),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn store_behaves_like_a_map(ops in proptest::collection::vec(op(), 1..25)) {
        let dir = tempfile::tempdir().unwrap();
        let o = || StoreOptions { out_of_order_window_ms: 3_600_000, block_duration_ms: 3_600_000, ..opts() };
        let mut store = Store::open(dir.path(), o()).unwrap();
        let mut model: BTreeMap<usize, BTreeMap<i64, u64>> = BTreeMap::new();
        let mut max_t: BTreeMap<usize, i64> = BTreeMap::new();
        for op in ops {
            match op {
                Op::Append(samples) => {
                    let batch: Vec<_> = samples.iter().map(|&(i, t, b)| (series("p", i), s(t, f64::from_bits(b)))).collect();
                    let r = store.append_labeled(&batch).unwrap();
                    let mut refused = 0;
                    for &(i, t, b) in &samples {
                        let m = max_t.entry(i).or_insert(i64::MIN);
                        if *m != i64::MIN && t < *m - 3_600_000 {
                            if model.get(&i).and_then(|m| m.get(&t)) != Some(&b) {
                                refused += 1;
                            }
                            continue;
                        }
                        *m = (*m).max(t);
                        model.entry(i).or_default().insert(t, b);
                    }
                    prop_assert_eq!(r.rejected_total(), refused);
                }
                Op::Flush => { store.flush().unwrap(); }
                Op::Compact(force) => store.compact(force).unwrap(),
                Op::Restart => {
                    drop(store);
                    store = Store::open(dir.path(), o()).unwrap();
                }
            }
        }
        let got = dump(&store);
        let want: BTreeMap<_, _> = model.into_iter().map(|(i, m)| (series("p", i), m.into_iter().collect::<Vec<_>>())).collect();
        prop_assert_eq!(got, want);
    }
}
