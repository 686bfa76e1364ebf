//! The write path: batch appends that are acknowledged once they are in the WAL.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering::Relaxed;

use crate::error::StoreError;
use crate::model::{Labels, MetricMetadata, Sample};
use crate::store::{Mem, Store};
use crate::wal::record;
use crate::FsyncPolicy;

/// Why a sample was not stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectReason {
    /// Older than its series' newest sample by more than the out-of-order window (and not
    /// identical to a sample already stored, which counts as a duplicate).
    OutOfWindow,
    /// The series reference does not exist (a caller bug).
    UnknownSeries,
    /// More than [`MAX_FUTURE_MS`] ahead of the wall clock. Retention and compaction are
    /// measured from the newest sample, so one such sample could expire everything else.
    TooFarInFuture,
}

/// How far ahead of the wall clock a sample may be (one day, for clocks that are off).
pub const MAX_FUTURE_MS: i64 = 24 * 3600 * 1000;

impl RejectReason {
    /// Every reason, in counter order.
    pub const ALL: [RejectReason; 3] = [RejectReason::OutOfWindow, RejectReason::UnknownSeries, RejectReason::TooFarInFuture];

    /// Label value used in `vitals_store_samples_rejected_total{reason}`.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::OutOfWindow => "out_of_window",
            RejectReason::UnknownSeries => "unknown_series",
            RejectReason::TooFarInFuture => "too_far_in_future",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The first sample of a batch that was refused, for the caller's error message.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejection {
    /// Position in the batch.
    pub index: usize,
    /// Why.
    pub reason: RejectReason,
    /// The sample's timestamp.
    pub t: i64,
    /// The newest timestamp the series had (for out-of-window rejections).
    pub series_max_t: i64,
}

/// What happened to a batch. Everything counted in `accepted` and `duplicates` is in the
/// WAL when the append returns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppendReport {
    /// Samples stored (new, out-of-order within the window, or overwriting a value).
    pub accepted: u64,
    /// Samples identical to one already stored (same timestamp and bits): nothing to do.
    pub duplicates: u64,
    /// Samples refused, per reason (same order as [`RejectReason::ALL`]).
    pub rejected: [u64; RejectReason::ALL.len()],
    /// The first refused sample.
    pub first_rejection: Option<Rejection>,
}

impl AppendReport {
    /// Total refused samples.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.iter().sum()
    }

    /// Adds the counts of a report on a sub-batch whose sample `k` was sample `indices[k]`
    /// of this batch; the first rejection stays the earliest.
    fn merge_at(&mut self, other: &AppendReport, indices: &[usize]) {
        self.accepted += other.accepted;
        self.duplicates += other.duplicates;
        for (a, b) in self.rejected.iter_mut().zip(other.rejected) {
            *a += b;
        }
        if let Some(r) = &other.first_rejection {
            let r = Rejection { index: indices.get(r.index).copied().unwrap_or(r.index), ..r.clone() };
            if self.first_rejection.as_ref().is_none_or(|f| r.index < f.index) {
                self.first_rejection = Some(r);
            }
        }
    }
}

/// A series handle returned by [`Store::series_ref`], valid for the store's lifetime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SeriesRef(pub(crate) u32);

/// A sample held back from the locked append path because it may repeat a stored one.
struct Late {
    index: usize,
    id: u32,
    sample: Sample,
    series_max_t: i64,
    out_of_window: bool,
}

/// Samples per WAL record: keeps records small enough to replay and check cheaply.
const RECORD_SAMPLES: usize = 16_384;

impl Store {
    /// Resolves a series to a reference, registering it if new. The labels must have a
    /// valid metric name and label names.
    pub fn series_ref(&self, labels: &Labels) -> Result<SeriesRef, StoreError> {
        if let Some(id) = self.inner.mem.read().index.get(labels) {
            return Ok(SeriesRef(id));
        }
        labels.validate().map_err(|why| StoreError::InvalidSeries { series: labels.to_string(), why })?;
        Ok(SeriesRef(self.inner.mem.write().index.get_or_insert(labels)))
    }

    /// Appends samples given with their labels; see [`Store::append`].
    pub fn append_labeled(&self, batch: &[(Labels, Sample)]) -> Result<AppendReport, StoreError> {
        let mut refs = Vec::with_capacity(batch.len());
        for (labels, s) in batch {
            refs.push((self.series_ref(labels)?, *s));
        }
        self.append(&refs)
    }

    /// Appends a batch. Returns once every accepted sample is in the WAL (and, with
    /// [`FsyncPolicy::Always`], fsynced). Samples outside the out-of-order window are
    /// refused and counted in the report, not failed.
    pub fn append(&self, batch: &[(SeriesRef, Sample)]) -> Result<AppendReport, StoreError> {
        let (mut report, mut pos, late) = self.append_new(batch, true)?;
        let again = self.settle_late(late, &mut report);
        if !again.is_empty() {
            // Late samples that are new after all: store them. They passed the window check at
            // their place in the batch, so it is not repeated against newer samples.
            let samples: Vec<(SeriesRef, Sample)> = again.iter().map(|(_, r, s)| (*r, *s)).collect();
            let (more, more_pos, _) = self.append_new(&samples, false)?;
            let indices: Vec<usize> = again.iter().map(|(i, _, _)| *i).collect();
            report.merge_at(&more, &indices);
            pos = pos.max(more_pos);
        }
        // One sync covers both passes: it makes everything written so far durable.
        if self.inner.opts.fsync == FsyncPolicy::Always && pos > 0 {
            self.inner.wal_sync.sync_to(pos)?;
        }
        self.count(&report);
        self.inner.wake_if_head_full();
        Ok(report)
    }

    fn count(&self, report: &AppendReport) {
        let c = &self.inner.counters;
        c.samples_appended.fetch_add(report.accepted, Relaxed);
        c.samples_duplicate.fetch_add(report.duplicates, Relaxed);
        for r in RejectReason::ALL {
            c.rejected[r.index()].fetch_add(report.rejected[r.index()], Relaxed);
        }
    }

    /// The locked part of an append: checks, WAL, head. With `first_pass`, samples that may
    /// repeat stored ones (older than the window, or at or before the series' data in
    /// blocks) are returned as late instead, to be looked up without the lock; the second
    /// pass stores the late samples that turned out to be new.
    fn append_new(&self, batch: &[(SeriesRef, Sample)], first_pass: bool) -> Result<(AppendReport, u64, Vec<Late>), StoreError> {
        let inner = &*self.inner;
        if inner.closed.load(Relaxed) {
            return Err(StoreError::Closed);
        }
        let mut report = AppendReport::default();
        let (pos, late) = {
            let mut mem = inner.mem.write();
            let window = inner.opts.out_of_order_window_ms;
            let horizon = crate::wall_clock_ms().saturating_add(MAX_FUTURE_MS);
            let mut accepted: Vec<(u32, i64, f64)> = Vec::with_capacity(batch.len());
            let mut buf = Vec::with_capacity(batch.len() * 14 + 64);
            let mut newly_logged = Vec::new();
            let mut batch_max = i64::MIN;
            let mut late = Vec::new();
            // Previous newest times of series this batch moved forward, to undo on failure.
            let mut raised: Vec<(u32, i64)> = Vec::new();
            for (i, &(SeriesRef(id), s)) in batch.iter().enumerate() {
                let Some(entry) = mem.index.series.get_mut(id as usize) else {
                    reject(&mut report, i, RejectReason::UnknownSeries, s.t, i64::MIN);
                    continue;
                };
                if s.t > horizon {
                    reject(&mut report, i, RejectReason::TooFarInFuture, s.t, entry.max_t);
                    continue;
                }
                let out_of_window = entry.max_t != i64::MIN && s.t < entry.max_t.saturating_sub(window);
                if first_pass && (out_of_window || s.t <= entry.flushed_max_t) {
                    late.push(Late { index: i, id, sample: s, series_max_t: entry.max_t, out_of_window });
                    continue;
                }
                if !entry.logged {
                    record::encode_series(&mut buf, id, &entry.labels);
                    entry.logged = true;
                    newly_logged.push(id);
                }
                if s.t > entry.max_t {
                    raised.push((id, entry.max_t));
                    entry.max_t = s.t;
                }
                batch_max = batch_max.max(s.t);
                accepted.push((id, s.t, s.v));
            }
            for chunk in accepted.chunks(RECORD_SAMPLES) {
                record::encode_samples(&mut buf, chunk);
            }
            let written = if buf.is_empty() { Ok(0) } else { inner.wal.lock().write(&buf) };
            let pos = match written {
                Ok(pos) => pos,
                Err(e) => {
                    // Nothing of the batch was stored: leave the series as they were.
                    for id in newly_logged {
                        mem.index.series[id as usize].logged = false;
                    }
                    for (id, old) in raised.into_iter().rev() {
                        mem.index.series[id as usize].max_t = old;
                    }
                    return Err(e);
                }
            };
            inner.max_t.fetch_max(batch_max, Relaxed);
            let Mem { head, .. } = &mut *mem;
            for &(id, t, v) in &accepted {
                if head.insert(id, Sample { t, v }) {
                    report.accepted += 1;
                } else {
                    report.duplicates += 1;
                }
            }
            (pos, late)
        };
        Ok((report, pos, late))
    }

    /// Sorts late samples into duplicates (the identical sample is already stored, as when a
    /// file is imported twice), rejections (out of the window), and samples to store after
    /// all, which it returns with their batch index.
    fn settle_late(&self, late: Vec<Late>, report: &mut AppendReport) -> Vec<(usize, SeriesRef, Sample)> {
        if late.is_empty() {
            return Vec::new();
        }
        let mut by_series: BTreeMap<u32, Vec<Late>> = BTreeMap::new();
        for l in late {
            by_series.entry(l.id).or_default().push(l);
        }
        let mut refused: Vec<Late> = Vec::new();
        let mut again = Vec::new();
        let ids: Vec<u32> = by_series.keys().copied().collect();
        let lo = by_series.values().flatten().map(|x| x.sample.t).min().unwrap_or(i64::MIN);
        let hi = by_series.values().flatten().map(|x| x.sample.t).max().unwrap_or(i64::MAX);
        // The other samples of the batch are already logged: a failed lookup (a damaged
        // block) must not fail the append, so those samples count as not stored yet.
        let stored = self.samples_by_id(&ids, lo, hi).unwrap_or_else(|e| {
            tracing::warn!("checking late samples against stored data: {e}");
            vec![Vec::new(); ids.len()]
        });
        for (samples, stored) in by_series.into_values().zip(stored) {
            for l in samples {
                match stored.binary_search_by_key(&l.sample.t, |x| x.t) {
                    Ok(k) if stored[k].v.to_bits() == l.sample.v.to_bits() => report.duplicates += 1,
                    _ if l.out_of_window => refused.push(l),
                    _ => again.push((l.index, SeriesRef(l.id), l.sample)),
                }
            }
        }
        refused.sort_by_key(|r| r.index);
        for l in refused {
            reject(report, l.index, RejectReason::OutOfWindow, l.sample.t, l.series_max_t);
        }
        again
    }

    /// Records a metric family's type, help and unit (logged in the WAL like samples).
    /// The metric name must be valid and help plus unit at most [`crate::MAX_METADATA_BYTES`].
    pub fn set_metadata(&self, metric: &str, meta: MetricMetadata) -> Result<(), StoreError> {
        if !crate::valid_metric_name(metric) {
            return Err(StoreError::InvalidMetadata { metric: metric.to_owned(), why: "invalid metric name".into() });
        }
        let size = meta.help.len() + meta.unit.len();
        if size > crate::MAX_METADATA_BYTES {
            return Err(StoreError::InvalidMetadata {
                metric: metric.to_owned(),
                why: format!("help and unit take {size} bytes, more than the limit of {}", crate::MAX_METADATA_BYTES),
            });
        }
        let mut mem = self.inner.mem.write();
        if mem.metadata.get(metric) == Some(&meta) {
            return Ok(());
        }
        let mut buf = Vec::new();
        record::encode_metadata(&mut buf, metric, &meta);
        self.inner.wal.lock().write(&buf)?;
        mem.metadata.insert(metric.to_owned(), meta);
        mem.metadata_dirty = true;
        Ok(())
    }
}

fn reject(report: &mut AppendReport, index: usize, reason: RejectReason, t: i64, series_max_t: i64) {
    report.rejected[reason.index()] += 1;
    if report.first_rejection.as_ref().is_none_or(|f| index < f.index) {
        report.first_rejection = Some(Rejection { index, reason, t, series_max_t });
    }
}
