//! The collector trait and its error.

use std::path::PathBuf;
use std::time::Duration;

use vitals_store::StoreError;

use crate::Emitter;

/// Something that reads current values (of the process, the store, the host) and writes
/// them as samples. Each collector that can block runs on a thread of its own, so a slow or
/// stuck one never delays the others (see [`Collector::can_block`]); the scheduler gives all
/// samples of one cycle the same timestamp.
pub trait Collector: Send + 'static {
    /// Short name, used as the `collector` label of `vitals_collector_up` and in logs.
    fn name(&self) -> &str;

    /// How often to run; `None` (the default) runs every cycle (`collection.interval`).
    /// Rounded up to a whole number of cycles.
    fn interval(&self) -> Option<Duration> {
        None
    }

    /// How long a run may take before it counts as failed; `None` (the default) and any
    /// longer value mean 80% of `collection.interval`.
    fn timeout(&self) -> Option<Duration> {
        None
    }

    /// Whether a run can block: wait on a disk, a network file system, a hardware bus or a
    /// lock held elsewhere. Such a collector (the default) gets a thread of its own, so that
    /// when stuck it holds up nobody else. Those that only read kernel-generated `/proc`
    /// files or make system calls that return at once say false and share one thread,
    /// which saves a thread wake-up each per cycle; their failures and panics still stay
    /// their own.
    fn can_block(&self) -> bool {
        true
    }

    /// Reads the current values and writes them to `out`. An error marks the collector
    /// down for this cycle (`vitals_collector_up 0`) and its series stale.
    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError>;
}

/// Why a collector run failed.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// A file could not be read.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file did not have the expected content.
    #[error("{}: {what}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        what: String,
    },
    /// A collector gave a label that only the scheduler sets (`job`, `instance`) or the
    /// metric name's label (`__name__`).
    #[error("{metric}: label {label:?} is not a collector's to set (the scheduler sets job and instance; the metric name is __name__)")]
    ReservedLabel {
        /// The metric written.
        metric: &'static str,
        /// The label name refused.
        label: String,
    },
    /// The store refused a series or a write.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The collector panicked; the message is the panic's.
    #[error("panicked: {0}")]
    Panicked(String),
    /// The run took longer than the collector's timeout.
    #[error("timed out after {0:?}")]
    TimedOut(Duration),
}
