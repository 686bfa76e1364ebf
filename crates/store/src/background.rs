//! The maintenance thread: periodic WAL syncs, head flushes, compaction and retention.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::maintain;
use crate::store::Inner;
use crate::FsyncPolicy;

/// Starts the thread; it stops when the store is closed or every handle is dropped (it
/// holds only a weak reference between ticks).
pub(crate) fn spawn(inner: &Arc<Inner>) -> std::io::Result<JoinHandle<()>> {
    let weak = Arc::downgrade(inner);
    std::thread::Builder::new().name("vitals-store".into()).spawn(move || run(&weak))
}

fn run(weak: &Weak<Inner>) {
    let Some(inner) = weak.upgrade() else { return };
    let opts = inner.opts.clone();
    drop(inner);
    let tick = match opts.fsync {
        FsyncPolicy::Interval => opts.fsync_interval.min(Duration::from_secs(1)),
        _ => Duration::from_secs(1),
    };
    let mut last_flush = Instant::now();
    let mut last_compact = Instant::now();
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let inner = &*inner;
        {
            let (m, cv) = &inner.wake;
            let mut woken = m.lock();
            if !*woken {
                cv.wait_for(&mut woken, tick);
            }
            *woken = false;
        }
        if inner.closed.load(Relaxed) {
            return;
        }
        if opts.fsync == FsyncPolicy::Interval {
            report(inner, "syncing the WAL", inner.wal_sync.sync_all());
        }
        let head_full = inner.mem.read().head.samples >= opts.head_max_samples;
        if head_full || last_flush.elapsed() >= opts.head_flush_interval {
            last_flush = Instant::now();
            let _m = inner.maintenance.lock();
            report(inner, "flushing the head", maintain::flush(inner).map(|_| ()));
        }
        if last_compact.elapsed() >= opts.compaction_interval {
            last_compact = Instant::now();
            let _m = inner.maintenance.lock();
            report(inner, "compacting", maintain::compact(inner, false));
            report(inner, "applying retention", maintain::apply_retention(inner));
        }
    }
}

fn report(inner: &Inner, what: &str, r: Result<(), crate::StoreError>) {
    if let Err(e) = r {
        inner.counters.maintenance_errors.fetch_add(1, Relaxed);
        tracing::error!("store maintenance: {what}: {e}");
    }
}
