//! Rollup tiers agree with aggregates computed from the raw samples, before and after
//! compaction, and reads pick the tier that serves a step.

mod common;

use common::*;
use vitals_store::{aggregate, stale_marker, MatchOp, Matcher, Store, TierOptions};

const MIN: i64 = 60_000;

fn filled_store(dir: &std::path::Path) -> Store {
    let store = Store::open(dir, opts()).unwrap();
    // 5 hours of 1 s data over three windows, with irregular values and a stale marker.
    let mut batch = Vec::new();
    for sec in 0..5 * 3600i64 {
        let t = 1_700_000_000_000 + sec * 1000 + sec % 7;
        for i in 0..4 {
            let v = if sec == 4000 && i == 1 { stale_marker() } else { ((sec * 37 + i as i64 * 101) % 1000) as f64 / 8.0 };
            batch.push((series("m", i), s(t, v)));
        }
        if batch.len() >= 4000 {
            store.append_labeled(&batch).unwrap();
            batch.clear();
        }
    }
    store.append_labeled(&batch).unwrap();
    store
}

fn check_tiers_match_raw(store: &Store) {
    let sel = [Matcher::new(MatchOp::Equal, "__name__", "m").unwrap()];
    let raw = store.select(&sel, i64::MIN, i64::MAX).unwrap();
    assert_eq!(raw.len(), 4);
    for tier in &store.options().tiers {
        let got = store.select_tier(tier.resolution_ms, &sel, i64::MIN, i64::MAX).unwrap();
        assert_eq!(got.len(), 4);
        for (r, g) in raw.iter().zip(&got) {
            assert_eq!(r.labels, g.labels);
            let want = aggregate(&r.samples, tier.resolution_ms);
            assert_eq!(g.points.len(), want.len(), "tier {}: point count", tier.resolution_ms);
            for (a, b) in g.points.iter().zip(&want) {
                assert_eq!((a.t, a.count, a.last.to_bits()), (b.t, b.count, b.last.to_bits()));
                assert_eq!((a.min.to_bits(), a.max.to_bits(), a.sum.to_bits()), (b.min.to_bits(), b.max.to_bits(), b.sum.to_bits()));
            }
        }
    }
}

#[test]
fn tiers_agree_with_raw_aggregates_before_and_after_compaction() {
    let dir = tempfile::tempdir().unwrap();
    let store = filled_store(dir.path());
    check_tiers_match_raw(&store); // all from the head, aggregated on the fly
    store.flush().unwrap();
    check_tiers_match_raw(&store); // level-0 blocks
    store.compact(false).unwrap();
    assert!(store.stats().blocks.iter().any(|(res, n, _)| *res == MIN && *n > 0), "complete windows were rolled up");
    check_tiers_match_raw(&store); // rolled-up windows plus the open one
    store.compact(true).unwrap();
    check_tiers_match_raw(&store);
    // A late sample into a rolled-up window is reflected at once, then after recompaction.
    let sel = [Matcher::new(MatchOp::Equal, "__name__", "m").unwrap()];
    let newest = store.select(&sel, i64::MIN, i64::MAX).unwrap()[0].samples.last().unwrap().t;
    store.append_labeled(&[(series("m", 0), s(newest - 5 * MIN + 1, 1e9))]).unwrap();
    check_tiers_match_raw(&store);
    store.flush().unwrap();
    store.compact(true).unwrap();
    check_tiers_match_raw(&store);
    drop(store);
    let store = Store::open(dir.path(), opts()).unwrap();
    check_tiers_match_raw(&store);
}

#[test]
fn reads_pick_the_coarsest_tier_that_fits_the_step() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), opts()).unwrap();
    store.append_labeled(&[(series("m", 0), s(100 * 86_400_000, 1.0))]).unwrap();
    let end = 100 * 86_400_000;
    assert_eq!(store.pick_resolution(end - 3_600_000, 15_000), 0);
    assert_eq!(store.pick_resolution(end - 3_600_000, 60_000), MIN);
    assert_eq!(store.pick_resolution(end - 86_400_000, 600_000), 5 * MIN);
    assert_eq!(store.pick_resolution(end - 30 * 86_400_000, 3_600_000), 60 * MIN);
    // Beyond raw retention (15 d) even a fine step is served by the first tier that has it.
    assert_eq!(store.pick_resolution(end - 20 * 86_400_000, 15_000), MIN);
    assert_eq!(store.pick_resolution(end - 60 * 86_400_000, 15_000), 5 * MIN);
    assert_eq!(store.options().tiers[0], TierOptions { resolution_ms: MIN, retention_ms: 30 * 86_400_000 });
}

/// Compaction interrupted after writing its output but before deleting its input leaves
/// overlapping blocks: reads and the next compaction must give the same answers.
#[test]
fn interrupted_compaction_leaves_nothing_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let store = filled_store(dir.path());
    store.flush().unwrap();
    let before = dump(&store);
    let raw_dir = dir.path().join("blocks/raw");
    let saved: Vec<(std::path::PathBuf, Vec<u8>)> =
        std::fs::read_dir(&raw_dir).unwrap().map(|e| e.unwrap().path()).map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect();
    store.compact(false).unwrap();
    drop(store);
    // Put the compaction's input back, as a crash before the deletions would leave it.
    for (p, bytes) in &saved {
        std::fs::write(p, bytes).unwrap();
    }
    let store = Store::open(dir.path(), opts()).unwrap();
    assert_eq!(dump(&store), before);
    check_tiers_match_raw(&store);
    store.compact(false).unwrap();
    assert_eq!(dump(&store), before);
    check_tiers_match_raw(&store);
}
