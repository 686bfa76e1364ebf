//! Samples on their way to the store, appended ~10k at a time.

use std::collections::HashSet;

use vitals_store::{Labels, RejectReason, Sample, SeriesRef, Store, StoreError};

use crate::ingest::RejectedSample;

/// Samples per append.
const BATCH: usize = 10_000;

/// A batch being filled, and the totals of the batches already appended.
pub(crate) struct Batch<'s> {
    store: &'s Store,
    samples: Vec<(SeriesRef, Sample)>,
    /// Line number and series of each sample, to report a refused one.
    origins: Vec<(u64, Labels)>,
    pub series: HashSet<SeriesRef>,
    pub accepted: u64,
    pub duplicates: u64,
    pub rejected: [u64; RejectReason::ALL.len()],
    pub first_rejection: Option<RejectedSample>,
}

impl<'s> Batch<'s> {
    pub(crate) fn new(store: &'s Store) -> Batch<'s> {
        Batch {
            store,
            samples: Vec::with_capacity(BATCH),
            origins: Vec::with_capacity(BATCH),
            series: HashSet::new(),
            accepted: 0,
            duplicates: 0,
            rejected: [0; RejectReason::ALL.len()],
            first_rejection: None,
        }
    }

    /// Adds a sample from line `line`, appending the batch once it is full.
    pub(crate) fn push(&mut self, labels: Labels, sample: Sample, line: u64) -> Result<(), StoreError> {
        let series_ref = self.store.series_ref(&labels)?;
        self.series.insert(series_ref);
        self.samples.push((series_ref, sample));
        self.origins.push((line, labels));
        if self.samples.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Appends what is pending; returns once it is in the WAL.
    pub(crate) fn flush(&mut self) -> Result<(), StoreError> {
        if self.samples.is_empty() {
            return Ok(());
        }
        let report = self.store.append(&self.samples)?;
        self.accepted += report.accepted;
        self.duplicates += report.duplicates;
        for (total, n) in self.rejected.iter_mut().zip(report.rejected) {
            *total += n;
        }
        if let (None, Some(r)) = (&self.first_rejection, report.first_rejection) {
            if let Some((line, labels)) = self.origins.get(r.index) {
                self.first_rejection = Some(RejectedSample {
                    line: *line,
                    series: labels.to_string(),
                    t: r.t,
                    reason: r.reason,
                    series_max_t: r.series_max_t,
                });
            }
        }
        self.samples.clear();
        self.origins.clear();
        Ok(())
    }
}
