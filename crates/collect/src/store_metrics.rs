//! The `store` collector: the time-series store's own counters and sizes (`vitals_store_*`).

use vitals_store::Store;

use crate::{CollectError, Collector, Emitter, Metric};

const SERIES: Metric = Metric::gauge("vitals_store_series", "Series known to the store's index.", "");
const HEAD_SAMPLES: Metric = Metric::gauge("vitals_store_head_samples", "Samples in the in-memory head, not yet written to blocks.", "");
const APPENDED: Metric = Metric::counter("vitals_store_samples_appended_total", "Samples accepted by the store since start.", "");
const DUPLICATE: Metric =
    Metric::counter("vitals_store_samples_duplicate_total", "Samples identical to one already stored, ignored since start.", "");
const REJECTED: Metric = Metric::counter("vitals_store_samples_rejected_total", "Samples refused by the store since start, by reason.", "");
const WAL_FSYNCS: Metric = Metric::counter("vitals_store_wal_fsyncs_total", "fsync calls on the write-ahead log since start.", "");
const WAL_CORRUPTIONS: Metric =
    Metric::counter("vitals_store_wal_corruptions_total", "Corrupt or torn places cut off the write-ahead log since start.", "");
const WAL_TRUNCATED: Metric =
    Metric::counter("vitals_store_wal_truncated_bytes_total", "Bytes cut off the write-ahead log since start.", "bytes");
const WAL_BYTES: Metric = Metric::gauge("vitals_store_wal_bytes", "Size of the write-ahead log on disk.", "bytes");
const BLOCKS: Metric = Metric::gauge("vitals_store_blocks", "Blocks on disk, per tier (raw, or the rollup resolution).", "");
const BLOCK_BYTES: Metric = Metric::gauge("vitals_store_block_bytes", "Size of the blocks on disk, per tier.", "bytes");
const FLUSHES: Metric = Metric::counter("vitals_store_flushes_total", "Head flushes to blocks since start.", "");
const COMPACTIONS: Metric = Metric::counter("vitals_store_compactions_total", "Block compactions since start.", "");
const DELETED: Metric = Metric::counter("vitals_store_blocks_deleted_total", "Blocks deleted since start, by reason.", "");
const CORRUPT: Metric = Metric::counter("vitals_store_blocks_corrupt_total", "Damaged blocks set aside when the store was opened.", "");
const MAINTENANCE_ERRORS: Metric =
    Metric::counter("vitals_store_maintenance_errors_total", "Failed background flushes, compactions or retention runs since start.", "");
const DISK_BYTES: Metric = Metric::gauge("vitals_store_disk_bytes", "Size of the whole data directory.", "bytes");

/// Reports [`Store::stats`].
pub struct StoreCollector {
    store: Store,
}

impl StoreCollector {
    /// A collector for `store`.
    pub fn new(store: Store) -> StoreCollector {
        StoreCollector { store }
    }
}

/// The `tier` label: `raw`, or the resolution in seconds (`60s`, `300s`, `3600s`), as the
/// tier's folder under `blocks/` is named.
fn tier_label(resolution_ms: i64) -> String {
    if resolution_ms == 0 {
        "raw".to_owned()
    } else {
        format!("{}s", resolution_ms / 1000)
    }
}

impl Collector for StoreCollector {
    fn name(&self) -> &str {
        "store"
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        let s = self.store.stats();
        out.push(&SERIES, &[], s.series as f64)?;
        out.push(&HEAD_SAMPLES, &[], s.head_samples as f64)?;
        out.push(&APPENDED, &[], s.samples_appended_total as f64)?;
        out.push(&DUPLICATE, &[], s.samples_duplicate_total as f64)?;
        for (reason, n) in &s.samples_rejected_total {
            out.push(&REJECTED, &[("reason", reason.as_str())], *n as f64)?;
        }
        out.push(&WAL_FSYNCS, &[], s.wal_fsyncs_total as f64)?;
        out.push(&WAL_CORRUPTIONS, &[], s.wal_corruptions_total as f64)?;
        out.push(&WAL_TRUNCATED, &[], s.wal_truncated_bytes_total as f64)?;
        out.push(&WAL_BYTES, &[], s.wal_bytes as f64)?;
        for (resolution, count, bytes) in &s.blocks {
            let tier = tier_label(*resolution);
            out.push(&BLOCKS, &[("tier", &tier)], *count as f64)?;
            out.push(&BLOCK_BYTES, &[("tier", &tier)], *bytes as f64)?;
        }
        out.push(&FLUSHES, &[], s.flushes_total as f64)?;
        out.push(&COMPACTIONS, &[], s.compactions_total as f64)?;
        out.push(&DELETED, &[("reason", "retention")], s.blocks_deleted_retention_total as f64)?;
        out.push(&DELETED, &[("reason", "disk_cap")], s.blocks_deleted_disk_cap_total as f64)?;
        out.push(&CORRUPT, &[], s.blocks_corrupt_total as f64)?;
        out.push(&MAINTENANCE_ERRORS, &[], s.maintenance_errors_total as f64)?;
        out.push(&DISK_BYTES, &[], s.disk_bytes as f64)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use vitals_store::StoreOptions;

    use super::*;

    #[test]
    fn reports_every_tier_and_reason() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let mut out = Emitter::new(store.clone(), Vec::new());
        StoreCollector::new(store).collect(&mut out).unwrap();
        let readings = out.take().readings;
        let tiers: Vec<&str> =
            readings.iter().filter(|r| r.series.metric.name == "vitals_store_blocks").map(|r| r.series.labels[0].1.as_str()).collect();
        assert_eq!(tiers, ["raw", "60s", "300s", "3600s"]);
        let reasons: Vec<&str> = readings
            .iter()
            .filter(|r| r.series.metric.name == "vitals_store_samples_rejected_total")
            .map(|r| r.series.labels[0].1.as_str())
            .collect();
        assert_eq!(reasons, ["out_of_window", "unknown_series", "too_far_in_future"]);
        assert!(readings.iter().any(|r| r.series.metric.name == "vitals_store_disk_bytes"));
    }
}
