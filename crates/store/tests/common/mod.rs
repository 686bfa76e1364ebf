//! Helpers shared by the store's integration tests (each test file uses some of them).
#![allow(dead_code)]

use std::collections::BTreeMap;

use vitals_store::{Labels, MatchOp, Matcher, Sample, Store, StoreOptions};

/// Options for tests: no background thread, small windows, no disk cap.
pub fn opts() -> StoreOptions {
    StoreOptions { background: false, max_disk_bytes: 0, ..StoreOptions::default() }
}

/// `name{i="<i>"}`.
pub fn series(name: &str, i: usize) -> Labels {
    Labels::from_pairs([("__name__", name.to_owned()), ("i", i.to_string())])
}

/// Every series and its samples, via the public read API.
pub fn dump(store: &Store) -> BTreeMap<Labels, Vec<(i64, u64)>> {
    let all = [Matcher::new(MatchOp::Regex, "__name__", ".+").unwrap()];
    store
        .select(&all, i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .map(|s| (s.labels, s.samples.iter().map(|x| (x.t, x.v.to_bits())).collect()))
        .collect()
}

/// A sample.
pub fn s(t: i64, v: f64) -> Sample {
    Sample { t, v }
}
