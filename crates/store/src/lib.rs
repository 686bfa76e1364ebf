//! Vitals' embedded time-series store.
//!
//! Prometheus' data model (series = metric name + labels; float samples with millisecond
//! timestamps; staleness markers; metric metadata), kept crash-safe and small:
//!
//! - **Write path** ([`Store::append`]): samples are checked against the out-of-order
//!   window, written to the write-ahead log (`wal`) and only then acknowledged, then
//!   inserted in the in-memory head. Samples at or before what a series has in blocks are
//!   looked up first, so a re-import is recognised as duplicates rather than stored twice.
//! - **Blocks**: the head is flushed into immutable, checksummed block files per aligned
//!   window; columns are compressed with whichever of Gorilla or pco is smallest
//!   ([`codec`]), and series scraped together share one timestamp column.
//! - **Compaction** merges a window's blocks once it can no longer change and builds the
//!   rollup tiers (min, max, sum, count, last per bucket). **Retention** per tier and a disk
//!   cap delete old blocks.
//! - **Read path** ([`Store::select`], [`Store::select_tier`]): postings over labels pick the
//!   series ([`Matcher`]); head and blocks are merged, newest write winning.
//!
//! Directory layout: `wal/` (segments), `blocks/<tier>/*.vblk`, `metadata.tsv`, `LOCK`.

mod append;
mod background;
mod block;
pub mod codec;
mod disk;
mod error;
mod head;
mod index;
mod maintain;
mod matcher;
mod model;
mod options;
mod read;
mod rollup;
mod stats;
mod store;
mod wal;

pub use append::{AppendReport, RejectReason, Rejection, SeriesRef, MAX_FUTURE_MS};
pub use error::StoreError;
pub use matcher::{MatchOp, Matcher};
pub use model::{
    is_stale_marker, stale_marker, valid_label_name, valid_metric_name, wall_clock_ms, Label, Labels, MetricKind, MetricMetadata, Sample,
    MAX_LABELS_BYTES, MAX_METADATA_BYTES, METRIC_NAME_LABEL, STALE_NAN_BITS,
};
pub use options::{FsyncPolicy, StoreOptions, TierOptions};
pub use read::{SeriesAggregates, SeriesSamples};
pub use rollup::{aggregate, Aggregate};
pub use stats::{EncodingReport, StoreStats};
pub use store::Store;
