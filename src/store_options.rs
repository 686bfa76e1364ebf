//! The `storage` section of the configuration in the store's own terms, and opening the
//! store with it.

use std::path::Path;
use std::time::Duration;

use vitals_config::{FsyncPolicy, StorageConfig};
use vitals_store::{Store, StoreError, StoreOptions, TierOptions};

/// Opens the store in `dir` with `storage` (see [`store_options`] for `background`). A
/// directory another Vitals process holds is an error saying so, followed by `hint`.
pub fn open_store(dir: &Path, storage: &StorageConfig, background: bool, hint: &str) -> anyhow::Result<Store> {
    Store::open(dir, store_options(storage, background)).map_err(|e| match e {
        StoreError::Locked(_) => {
            anyhow::anyhow!("data directory {} is in use by another Vitals process (it holds {}/LOCK){hint}", dir.display(), dir.display())
        }
        e => anyhow::Error::new(e).context(format!("opening the store in {}", dir.display())),
    })
}

/// Store options for `storage`; `background` runs flushes, compaction and retention on the
/// store's own thread (for `serve`, not for `import`).
pub fn store_options(storage: &StorageConfig, background: bool) -> StoreOptions {
    StoreOptions {
        fsync: match storage.wal.fsync {
            FsyncPolicy::Always => vitals_store::FsyncPolicy::Always,
            FsyncPolicy::Interval => vitals_store::FsyncPolicy::Interval,
            FsyncPolicy::Never => vitals_store::FsyncPolicy::Never,
        },
        fsync_interval: storage.wal.fsync_interval,
        segment_size: storage.wal.segment_size,
        out_of_order_window_ms: ms(storage.out_of_order_window),
        head_flush_interval: storage.head_flush_interval,
        head_max_samples: usize::try_from(storage.head_max_samples).unwrap_or(usize::MAX),
        block_duration_ms: ms(storage.block_duration),
        retention_ms: ms(storage.retention),
        max_disk_bytes: storage.max_disk_size,
        tiers: storage.tiers.iter().map(|t| TierOptions { resolution_ms: ms(t.resolution), retention_ms: ms(t.retention) }).collect(),
        background,
        ..StoreOptions::default()
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_config_converts_to_milliseconds() {
        let got = store_options(&vitals_config::Config::default().storage, false);
        assert_eq!(got.fsync, vitals_store::FsyncPolicy::Interval);
        assert_eq!((got.fsync_interval, got.segment_size), (Duration::from_secs(1), 64 << 20));
        assert_eq!((got.out_of_order_window_ms, got.block_duration_ms, got.retention_ms), (600_000, 7_200_000, 15 * 86_400_000));
        assert_eq!((got.head_flush_interval, got.head_max_samples, got.max_disk_bytes), (Duration::from_secs(300), 2_000_000, 10 << 30));
        let tiers: Vec<(i64, i64)> = got.tiers.iter().map(|t| (t.resolution_ms, t.retention_ms)).collect();
        // 2y is 2 × 365.25 days.
        assert_eq!(tiers, [(60_000, 30 * 86_400_000), (300_000, 90 * 86_400_000), (3_600_000, 63_115_200_000)]);
        assert!(!got.background);
    }
}
