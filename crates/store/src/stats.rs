//! Counters and gauges the store keeps about itself, for Vitals' own `/metrics`.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::append::RejectReason;

/// Live counters, updated lock-free.
#[derive(Default)]
pub(crate) struct Counters {
    pub samples_appended: AtomicU64,
    pub samples_duplicate: AtomicU64,
    pub rejected: [AtomicU64; RejectReason::ALL.len()],
    pub wal_corruptions: AtomicU64,
    pub wal_truncated_bytes: AtomicU64,
    pub flushes: AtomicU64,
    pub compactions: AtomicU64,
    pub blocks_deleted_retention: AtomicU64,
    pub blocks_deleted_disk_cap: AtomicU64,
    pub blocks_corrupt: AtomicU64,
    pub maintenance_errors: AtomicU64,
}

/// A snapshot of the store's state and counters.
#[derive(Clone, Debug, Default)]
pub struct StoreStats {
    /// Series known to the index.
    pub series: u64,
    /// Samples in the in-memory head (not yet in blocks).
    pub head_samples: u64,
    /// Samples accepted since start.
    pub samples_appended_total: u64,
    /// Identical duplicates ignored since start.
    pub samples_duplicate_total: u64,
    /// Samples rejected since start, per reason.
    pub samples_rejected_total: Vec<(RejectReason, u64)>,
    /// WAL fsync calls since start.
    pub wal_fsyncs_total: u64,
    /// Corrupt or torn WAL places cut off since start.
    pub wal_corruptions_total: u64,
    /// Bytes cut from the WAL since start.
    pub wal_truncated_bytes_total: u64,
    /// Bytes of WAL on disk.
    pub wal_bytes: u64,
    /// Per tier (resolution in ms, 0 = raw): number of blocks and their bytes.
    pub blocks: Vec<(i64, u64, u64)>,
    /// Head flushes since start.
    pub flushes_total: u64,
    /// Compactions since start.
    pub compactions_total: u64,
    /// Blocks deleted by retention since start.
    pub blocks_deleted_retention_total: u64,
    /// Blocks deleted to respect the disk cap since start.
    pub blocks_deleted_disk_cap_total: u64,
    /// Damaged blocks set aside at open.
    pub blocks_corrupt_total: u64,
    /// Background maintenance failures since start.
    pub maintenance_errors_total: u64,
    /// Bytes of the whole data directory.
    pub disk_bytes: u64,
}

impl Counters {
    pub(crate) fn get(c: &AtomicU64) -> u64 {
        c.load(Relaxed)
    }
}

/// How the stored columns are encoded: per kind and scheme, column count and bytes.
#[derive(Clone, Debug, Default)]
pub struct EncodingReport {
    /// `(is_timestamp_column, scheme) -> (columns, bytes)`.
    pub columns: std::collections::BTreeMap<(bool, String), (u64, u64)>,
}

impl crate::Store {
    /// Tallies the encodings of every block column (for benchmarks and diagnostics).
    pub fn encoding_report(&self) -> EncodingReport {
        let mut r = EncodingReport::default();
        for b in self.inner.blocks.read().iter() {
            let ts = b.timestamp_columns().map(|c| (true, c));
            for (is_ts, col) in ts.chain(b.value_columns().map(|c| (false, c))) {
                let scheme = crate::codec::scheme_of(col).map_or("unknown".to_owned(), |s| format!("{s:?}").to_lowercase());
                let e = r.columns.entry((is_ts, scheme)).or_default();
                e.0 += 1;
                e.1 += col.len() as u64;
            }
        }
        r
    }
}
