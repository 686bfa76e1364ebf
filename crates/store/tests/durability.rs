//! The write path keeps what it acknowledged: WAL replay, torn and corrupt tails, a child
//! process killed with SIGKILL mid-ingest, and the data-directory lock.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use common::*;
use vitals_store::{FsyncPolicy, Store, StoreError, StoreOptions};

#[test]
fn unflushed_samples_come_back_from_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), opts()).unwrap();
    let r = store.append_labeled(&[(series("a", 1), s(1000, 1.5)), (series("a", 2), s(1000, f64::NAN))]).unwrap();
    assert_eq!(r.accepted, 2);
    let before = dump(&store);
    drop(store);
    let store = Store::open(dir.path(), opts()).unwrap();
    assert_eq!(dump(&store), before);
    assert_eq!(store.stats().head_samples, 2);
}

#[test]
fn torn_wal_tail_is_cut_with_a_counter_and_the_rest_survives() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), opts()).unwrap();
    for i in 0..10 {
        store.append_labeled(&[(series("a", 0), s(i * 1000, i as f64))]).unwrap();
    }
    drop(store);
    // Half a record of garbage at the end of the newest segment, as a crash mid-write leaves.
    let wal = dir.path().join("wal");
    let mut segs: Vec<_> = std::fs::read_dir(&wal).unwrap().map(|e| e.unwrap().path()).collect();
    segs.sort();
    let last = segs.iter().rev().find(|p| std::fs::metadata(p).unwrap().len() > 0).unwrap().clone();
    std::fs::OpenOptions::new().append(true).open(&last).unwrap().write_all(&[0x20, 0, 0, 0, 0xde, 0xad]).unwrap();
    let store = Store::open(dir.path(), opts()).unwrap();
    let st = store.stats();
    assert_eq!(st.wal_corruptions_total, 1);
    assert_eq!(st.wal_truncated_bytes_total, 6);
    assert_eq!(dump(&store)[&series("a", 0)].len(), 10);
    // New appends after the repair are kept too.
    store.append_labeled(&[(series("a", 0), s(20_000, 20.0))]).unwrap();
    drop(store);
    let store = Store::open(dir.path(), opts()).unwrap();
    assert_eq!(dump(&store)[&series("a", 0)].len(), 11);
    assert_eq!(store.stats().wal_corruptions_total, 0);
}

#[test]
fn flipped_bit_in_the_wal_cuts_from_there_and_start_still_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), opts()).unwrap();
    for i in 0..100 {
        store.append_labeled(&[(series("a", 0), s(i * 1000, i as f64))]).unwrap();
    }
    drop(store);
    let wal = dir.path().join("wal");
    let seg = std::fs::read_dir(&wal).unwrap().map(|e| e.unwrap().path()).find(|p| std::fs::metadata(p).unwrap().len() > 0).unwrap();
    let mut bytes = std::fs::read(&seg).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x10;
    std::fs::write(&seg, &bytes).unwrap();
    let store = Store::open(dir.path(), opts()).unwrap();
    let kept = dump(&store)[&series("a", 0)].len();
    assert!(kept > 0 && kept < 100, "kept {kept}");
    assert_eq!(store.stats().wal_corruptions_total, 1);
}

#[test]
fn a_second_process_cannot_open_the_same_directory() {
    let dir = tempfile::tempdir().unwrap();
    let _store = Store::open(dir.path(), opts()).unwrap();
    // flock is per open file description, so a second open in this process conflicts too.
    match Store::open(dir.path(), opts()) {
        Err(StoreError::Locked(p)) => assert_eq!(p, dir.path()),
        other => panic!("expected Locked, got {:?}", other.err()),
    }
}

/// Child mode: ingest forever, printing each acknowledged batch number.
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var("VITALS_CRASH_CHILD_DIR") else { return };
    let store = Store::open(std::path::Path::new(&dir), StoreOptions { fsync: FsyncPolicy::Interval, ..opts() }).unwrap();
    let out = std::io::stdout();
    for batch in 0i64.. {
        let samples: Vec<_> = (0..50).map(|i| (series("crash", i), s(batch * 1000, (batch * 50 + i as i64) as f64 + 0.25))).collect();
        store.append_labeled(&samples).unwrap();
        if batch % 200 == 199 {
            store.flush().unwrap();
        }
        let mut o = out.lock();
        writeln!(o, "acked {batch}").unwrap();
        o.flush().unwrap();
    }
}

#[test]
fn every_acknowledged_sample_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    for round in 0..3 {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env("VITALS_CRASH_CHILD_DIR", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut last_acked = -1i64;
        let target = 300 + 170 * round;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(n) = line.strip_prefix("acked ") {
                last_acked = n.parse().unwrap();
                if last_acked >= target {
                    break;
                }
            }
        }
        // SAFETY: sending a signal to our own child process.
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        child.wait().unwrap();
        let store = Store::open(dir.path(), opts()).unwrap();
        let data = dump(&store);
        for i in 0..50 {
            let got = &data[&series("crash", i)];
            // Each round restarts the batch counter, so the newest timestamps were rewritten
            // with the same values: every acknowledged batch must be present.
            for b in 0..=last_acked {
                let want = ((b * 50 + i as i64) as f64 + 0.25).to_bits();
                assert!(got.binary_search(&(b * 1000, want)).is_ok(), "round {round}: batch {b} of series {i} lost");
            }
        }
        drop(store);
    }
}

#[test]
fn background_thread_syncs_flushes_and_stops_with_the_last_handle() {
    let dir = tempfile::tempdir().unwrap();
    let o = StoreOptions {
        background: true,
        fsync_interval: std::time::Duration::from_millis(50),
        head_flush_interval: std::time::Duration::from_millis(200),
        ..opts()
    };
    let store = Store::open(dir.path(), o.clone()).unwrap();
    store.append_labeled(&[(series("bg", 0), s(1000, 1.0))]).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while store.stats().flushes_total == 0 {
        assert!(std::time::Instant::now() < deadline, "no flush within 10 s");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let st = store.stats();
    assert!(st.wal_fsyncs_total > 0);
    assert_eq!(st.head_samples, 0);
    assert_eq!(st.blocks[0].1, 1, "one raw block");
    drop(store);
    // The thread lets go of the directory by itself.
    let store = Store::open(dir.path(), o).unwrap();
    assert_eq!(dump(&store)[&series("bg", 0)], vec![(1000, 1f64.to_bits())]);
    store.close().unwrap();
}

#[test]
fn damaged_blocks_are_reported_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), opts()).unwrap();
    for (w, name) in [(0i64, "a"), (1, "b")] {
        let batch: Vec<_> = (0..100).map(|i| (series(name, 0), s(w * 7_200_000 + i * 1000, i as f64 * 1.5))).collect();
        store.append_labeled(&batch).unwrap();
    }
    store.flush().unwrap();
    drop(store);
    let mut blocks: Vec<_> = std::fs::read_dir(dir.path().join("blocks/raw")).unwrap().map(|e| e.unwrap().path()).collect();
    blocks.sort();
    // First block: a flipped byte in its data section (a value column). Second: in its table.
    let mut first = std::fs::read(&blocks[0]).unwrap();
    let footer = first.len() - 28;
    let table_off = u64::from_le_bytes(first[footer..footer + 8].try_into().unwrap()) as usize;
    first[table_off - 2] ^= 0xff;
    std::fs::write(&blocks[0], &first).unwrap();
    let mut second = std::fs::read(&blocks[1]).unwrap();
    let n = second.len();
    second[n - 40] ^= 0xff;
    std::fs::write(&blocks[1], &second).unwrap();

    let store = Store::open(dir.path(), opts()).unwrap();
    assert_eq!(store.stats().blocks_corrupt_total, 1, "the block with the damaged table is set aside");
    assert!(blocks[1].with_extension("corrupt").exists());
    let err = store.select(&[vitals_store::Matcher::equal("__name__", "a")], i64::MIN, i64::MAX).unwrap_err();
    assert!(err.to_string().contains("checksum mismatch"), "{err}");
    assert!(err.to_string().contains(&blocks[0].display().to_string()), "{err}");
}

#[test]
fn background_thread_compacts_complete_windows_and_builds_tiers() {
    let dir = tempfile::tempdir().unwrap();
    let o = StoreOptions {
        background: true,
        fsync_interval: std::time::Duration::from_millis(20),
        head_flush_interval: std::time::Duration::from_millis(50),
        compaction_interval: std::time::Duration::from_millis(50),
        block_duration_ms: 2_000,
        out_of_order_window_ms: 0,
        tiers: vec![vitals_store::TierOptions { resolution_ms: 1_000, retention_ms: 0 }],
        ..opts()
    };
    let store = Store::open(dir.path(), o).unwrap();
    // Two flushes into the first window, then data in the third: the first two windows
    // are complete and must be merged and rolled up by the thread alone.
    store.append_labeled(&[(series("c", 0), s(100, 1.0)), (series("c", 0), s(900, 2.0))]).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while store.stats().flushes_total == 0 {
        assert!(std::time::Instant::now() < deadline, "no flush");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    store.append_labeled(&[(series("c", 0), s(1_500, 3.0)), (series("c", 0), s(4_100, 4.0))]).unwrap();
    // Compaction registers the tier blocks, then the merged raw block, then counts itself:
    // wait for the count, which comes last, or the blocks can be seen before it.
    while store.stats().compactions_total == 0 {
        assert!(std::time::Instant::now() < deadline, "no compaction within 10 s: {:?}", store.stats().blocks);
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(store.stats().blocks.iter().any(|b| b.0 == 1_000 && b.1 > 0), "no rollups: {:?}", store.stats().blocks);
    let sel = [vitals_store::Matcher::equal("__name__", "c")];
    let tier = store.select_tier(1_000, &sel, 0, 10_000).unwrap();
    let points: Vec<(i64, f64, f64)> = tier[0].points.iter().map(|a| (a.t, a.count, a.sum)).collect();
    assert_eq!(points, vec![(0, 2.0, 3.0), (1_000, 1.0, 3.0), (4_000, 1.0, 4.0)]);
    assert_eq!(dump(&store)[&series("c", 0)].len(), 4);
    store.close().unwrap();
}
