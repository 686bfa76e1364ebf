//! Decoded block columns kept for the next reads, within a fixed memory budget shared by
//! all open blocks.
//!
//! Dashboards and alert rules read the same recent series over and over; decoding their
//! columns again on every refresh is most of a small query's time. Entries are keyed by
//! block and column position; a block's entries are dropped as soon as the block is closed
//! or deleted ([`Cache::forget`]). When a new column does not fit, the least recently used
//! half leaves at once, again until it fits. By hand: a map with a
//! use counter, scanned only when half of it must leave (so each insert costs O(1) on
//! average, however small the columns).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};

use parking_lot::Mutex;

/// Bytes of decoded columns kept at most (about a thousand series' hour of 1 s data);
/// a column over a sixteenth of it is not kept (it would push out many small ones).
const BUDGET: usize = 16 << 20;

/// A decoded column.
#[derive(Clone)]
pub(crate) enum Column {
    /// Timestamps.
    Timestamps(Arc<[i64]>),
    /// Values.
    Values(Arc<[f64]>),
}

impl Column {
    fn bytes(&self) -> usize {
        match self {
            Column::Timestamps(t) => t.len() * 8,
            Column::Values(v) => v.len() * 8,
        }
    }
}

/// Identity of a column: the block's unique number and the column's byte offset in it.
type Key = (u64, usize);

struct Entry {
    column: Column,
    used: u64,
}

/// The kept columns and their size.
pub(crate) struct Cache {
    budget: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: HashMap<Key, Entry>,
    bytes: usize,
    clock: u64,
}

impl State {
    /// Drops the least recently used half of the entries: one pass that makes room for many
    /// inserts, so that filling the cache with small columns stays linear.
    fn evict_older_half(&mut self) {
        let mut uses: Vec<u64> = self.entries.values().map(|e| e.used).collect();
        if uses.is_empty() {
            return;
        }
        let mid = uses.len() / 2;
        let (_, &mut threshold, _) = uses.select_nth_unstable(mid);
        self.entries.retain(|_, e| e.used > threshold);
        self.bytes = self.entries.values().map(|e| e.column.bytes()).sum();
    }
}

/// The process-wide cache every block reads through.
pub(crate) static CACHE: LazyLock<Cache> = LazyLock::new(|| Cache::new(BUDGET));
static NEXT_BLOCK: AtomicU64 = AtomicU64::new(1);

/// A new unique number for an opened block.
pub(crate) fn block_uid() -> u64 {
    NEXT_BLOCK.fetch_add(1, Ordering::Relaxed)
}

impl Cache {
    /// An empty cache holding at most `budget` bytes.
    fn new(budget: usize) -> Cache {
        Cache { budget, state: Mutex::new(State::default()) }
    }

    /// The kept column at `key`, if any.
    pub(crate) fn get(&self, key: Key) -> Option<Column> {
        let mut s = self.state.lock();
        s.clock += 1;
        let clock = s.clock;
        let e = s.entries.get_mut(&key)?;
        e.used = clock;
        Some(e.column.clone())
    }

    /// Keeps `column` at `key`, pushing out the least recently used entries if needed.
    pub(crate) fn put(&self, key: Key, column: Column) {
        let size = column.bytes();
        if size > self.budget / 16 {
            return;
        }
        let mut s = self.state.lock();
        if let Some(old) = s.entries.remove(&key) {
            s.bytes -= old.column.bytes();
        }
        // Each pass drops at least one entry, and the column fits in an empty cache.
        while s.bytes + size > self.budget && !s.entries.is_empty() {
            s.evict_older_half();
        }
        s.clock += 1;
        let used = s.clock;
        s.entries.insert(key, Entry { column, used });
        s.bytes += size;
    }

    /// Drops every entry of block `uid` (when the block is closed or deleted).
    pub(crate) fn forget(&self, uid: u64) {
        let mut s = self.state.lock();
        let before = s.entries.len();
        s.entries.retain(|k, _| k.0 != uid);
        if s.entries.len() != before {
            s.bytes = s.entries.values().map(|e| e.column.bytes()).sum();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_columns_until_the_block_is_forgotten() {
        let cache = Cache::new(1 << 20);
        let uid = block_uid();
        assert!(cache.get((uid, 8)).is_none());
        cache.put((uid, 8), Column::Values(Arc::from(vec![1.0, 2.0])));
        cache.put((uid, 99), Column::Timestamps(Arc::from(vec![5])));
        assert!(matches!(cache.get((uid, 8)), Some(Column::Values(v)) if *v == [1.0, 2.0]));
        assert!(matches!(cache.get((uid, 99)), Some(Column::Timestamps(t)) if *t == [5]));
        cache.forget(uid);
        assert!(cache.get((uid, 8)).is_none());
        assert_eq!(cache.state.lock().bytes, 0);
    }

    #[test]
    fn stays_within_the_budget_dropping_the_least_recently_used() {
        let cache = Cache::new(16 * 800);
        let column = || Column::Values(Arc::from(vec![0.0; 100]));
        for i in 0..20 {
            cache.put((1, i), column());
            // Entry 0 stays in use.
            assert!(cache.get((1, 0)).is_some());
        }
        assert!(cache.state.lock().bytes <= 16 * 800);
        assert!(cache.get((1, 19)).is_some(), "the newest stays");
        assert!(cache.get((1, 1)).is_none(), "an old one left");
        cache.put((1, 1000), Column::Values(Arc::from(vec![0.0; 200])));
        assert!(cache.get((1, 1000)).is_none(), "too large to keep");
    }

    #[test]
    fn evicts_until_the_new_column_fits() {
        // A hundred 8-byte columns, then fifteen of 1 KiB: 16,160 bytes. Dropping the older
        // half (small columns only) is not room enough for one more of 1 KiB.
        let cache = Cache::new(16 * 1024);
        for i in 0..100 {
            cache.put((2, i), Column::Values(Arc::from(vec![0.0; 1])));
        }
        for i in 100..115 {
            cache.put((2, i), Column::Values(Arc::from(vec![0.0; 128])));
        }
        let bytes = |c: &Cache| c.state.lock().bytes;
        assert!(bytes(&cache) <= 16 * 1024);
        cache.put((2, 99), Column::Values(Arc::from(vec![0.0; 128])));
        assert!(bytes(&cache) <= 16 * 1024, "{} bytes kept", bytes(&cache));
        assert!(cache.get((2, 99)).is_some());
        // Putting a kept key again counts its bytes once.
        let before = bytes(&cache);
        cache.put((2, 99), Column::Values(Arc::from(vec![0.0; 128])));
        assert_eq!(bytes(&cache), before);
    }
}
