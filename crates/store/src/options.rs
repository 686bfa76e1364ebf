//! Store options (the `storage` section of the configuration, in the store's own terms).

use std::time::Duration;

/// When the write-ahead log is fsynced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsyncPolicy {
    /// Before every acknowledgement; concurrent appends share one fsync (group commit).
    Always,
    /// At most `fsync_interval` after a write; acknowledged data survives a process crash
    /// at once and a power loss after the next sync.
    Interval,
    /// Left to the operating system.
    Never,
}

/// One rollup tier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierOptions {
    /// Bucket width in milliseconds (a whole number of seconds).
    pub resolution_ms: i64,
    /// How long its points are kept, in milliseconds; 0 keeps them forever.
    pub retention_ms: i64,
}

/// Everything the store can be told.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// WAL fsync policy.
    pub fsync: FsyncPolicy,
    /// Sync period for [`FsyncPolicy::Interval`].
    pub fsync_interval: Duration,
    /// WAL segment size in bytes.
    pub segment_size: u64,
    /// How far (ms) behind a series' newest sample a sample may still arrive.
    pub out_of_order_window_ms: i64,
    /// The head is written out as blocks at least this often.
    pub head_flush_interval: Duration,
    /// ...or when it holds this many samples.
    pub head_max_samples: usize,
    /// Compaction window length in ms; a multiple of every tier resolution.
    pub block_duration_ms: i64,
    /// Raw retention in ms; 0 keeps raw data forever.
    pub retention_ms: i64,
    /// Cap on the data directory's size in bytes; 0 means no cap.
    pub max_disk_bytes: u64,
    /// Rollup tiers, finest first.
    pub tiers: Vec<TierOptions>,
    /// Run WAL syncs, flushes, compaction and retention in a background thread.
    pub background: bool,
    /// How often the background thread compacts and applies retention.
    pub compaction_interval: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        const MIN: i64 = 60_000;
        const DAY: i64 = 24 * 60 * MIN;
        StoreOptions {
            fsync: FsyncPolicy::Interval,
            fsync_interval: Duration::from_secs(1),
            segment_size: 64 << 20,
            out_of_order_window_ms: 10 * MIN,
            head_flush_interval: Duration::from_secs(300),
            head_max_samples: 2_000_000,
            block_duration_ms: 120 * MIN,
            retention_ms: 15 * DAY,
            max_disk_bytes: 10 << 30,
            tiers: vec![
                TierOptions { resolution_ms: MIN, retention_ms: 30 * DAY },
                TierOptions { resolution_ms: 5 * MIN, retention_ms: 90 * DAY },
                TierOptions { resolution_ms: 60 * MIN, retention_ms: 730 * DAY },
            ],
            background: true,
            compaction_interval: Duration::from_secs(30),
        }
    }
}
