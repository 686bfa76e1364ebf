//! Retention per tier and the disk cap delete the oldest data and nothing else.

mod common;

use common::*;
use vitals_store::{MatchOp, Matcher, Store, StoreOptions, TierOptions};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn fill(store: &Store, days: i64) {
    // One sample a minute for `days` days, 3 series.
    let mut batch = Vec::new();
    for m in 0..days * 24 * 60 {
        for i in 0..3 {
            batch.push((series("r", i), s(m * 60_000, (m * 3 + i as i64) as f64)));
        }
    }
    for c in batch.chunks(10_000) {
        store.append_labeled(c).unwrap();
    }
    store.flush().unwrap();
}

fn span(store: &Store, res: i64) -> Option<(i64, i64)> {
    let sel = [Matcher::new(MatchOp::Equal, "__name__", "r").unwrap()];
    if res == 0 {
        let got = store.select(&sel, i64::MIN, i64::MAX).unwrap();
        got.first().map(|s| (s.samples[0].t, s.samples.last().unwrap().t))
    } else {
        let got = store.select_tier(res, &sel, i64::MIN, i64::MAX).unwrap();
        got.first().map(|s| (s.points[0].t, s.points.last().unwrap().t))
    }
}

#[test]
fn each_tier_keeps_its_own_retention() {
    let dir = tempfile::tempdir().unwrap();
    let o = StoreOptions {
        retention_ms: 2 * DAY,
        tiers: vec![TierOptions { resolution_ms: 300_000, retention_ms: 4 * DAY }, TierOptions { resolution_ms: HOUR, retention_ms: 0 }],
        ..opts()
    };
    let store = Store::open(dir.path(), o).unwrap();
    fill(&store, 6);
    store.compact(false).unwrap();
    let newest = 6 * DAY - 60_000;
    let (raw_first, raw_last) = span(&store, 0).unwrap();
    assert_eq!(raw_last, newest);
    // Blocks go whole: a 2 h block is kept while any of it is within retention.
    // Nothing newer than the retention is lost; nothing older than one block is kept.
    assert!(raw_first >= newest - 2 * DAY - 2 * HOUR && raw_first <= newest - 2 * DAY + 60_000, "raw starts at {raw_first}");
    let (t5_first, _) = span(&store, 300_000).unwrap();
    // Tier blocks merge into windows of at most a tenth of their retention (here 8 h).
    assert!(t5_first >= newest - 4 * DAY - 8 * HOUR && t5_first <= newest - 4 * DAY + 300_000, "5m tier starts at {t5_first}");
    assert_eq!(span(&store, HOUR).unwrap().0, 0, "1h tier keeps everything");
    assert!(store.stats().blocks_deleted_retention_total > 0);
}

#[test]
fn disk_cap_deletes_oldest_raw_blocks_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), opts()).unwrap();
    fill(&store, 3);
    store.compact(false).unwrap();
    let full = store.stats().disk_bytes;
    let raw_blocks_before = store.stats().blocks[0].1;
    drop(store);
    let cap = full * 3 / 4;
    let store = Store::open(dir.path(), StoreOptions { max_disk_bytes: cap, ..opts() }).unwrap();
    store.compact(false).unwrap();
    let st = store.stats();
    assert!(st.disk_bytes <= cap, "{} > cap {cap}", st.disk_bytes);
    assert!(st.blocks_deleted_disk_cap_total > 0);
    assert!(st.blocks[0].1 < raw_blocks_before);
    // The newest raw data and every tier are still there.
    assert_eq!(span(&store, 0).unwrap().1, 3 * DAY - 60_000);
    assert_eq!(span(&store, HOUR).unwrap().0, 0);
}
