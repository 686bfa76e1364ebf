//! Samples on their way to the store, appended ~10k at a time.

use std::collections::{HashMap, HashSet};

use vitals_exposition::{parse_line, Line, SampleLine};
use vitals_store::{RejectReason, Sample, SeriesRef, Store, StoreError};

use crate::ingest::line::{series_labels, series_text};
use crate::ingest::{LineProblem, RejectedSample};

/// Samples per append.
const BATCH: usize = 10_000;

/// Why a sample could not join the batch.
pub(crate) enum PushError {
    /// Its series is one the store refuses.
    Line(LineProblem),
    /// The store failed.
    Store(StoreError),
}

/// A batch being filled, and the totals of the batches already appended.
pub(crate) struct Batch<'s> {
    store: &'s Store,
    /// The series met so far in this import, by their text on the line: each is parsed into
    /// labels and looked up in the store once.
    refs: HashMap<String, SeriesRef>,
    samples: Vec<(SeriesRef, Sample)>,
    /// Line number and series of each pending sample, to report a refused one.
    origins: Vec<(u64, SeriesRef)>,
    /// Distinct series among the samples.
    pub series: HashSet<SeriesRef>,
    /// Samples the store took.
    pub accepted: u64,
    /// Samples identical to one the store already had.
    pub duplicates: u64,
    /// Samples the store refused, per reason (in [`RejectReason::ALL`] order).
    pub rejected: [u64; RejectReason::ALL.len()],
    /// The first refused sample.
    pub first_rejection: Option<RejectedSample>,
}

impl<'s> Batch<'s> {
    /// An empty batch for `store`.
    pub(crate) fn new(store: &'s Store) -> Batch<'s> {
        Batch {
            store,
            refs: HashMap::new(),
            samples: Vec::with_capacity(BATCH),
            origins: Vec::with_capacity(BATCH),
            series: HashSet::new(),
            accepted: 0,
            duplicates: 0,
            rejected: [0; RejectReason::ALL.len()],
            first_rejection: None,
        }
    }

    /// Adds the sample of `parsed`, read from line `line` with text `text`, appending the
    /// batch once it is full.
    pub(crate) fn push(&mut self, text: &str, parsed: &SampleLine<'_>, sample: Sample, line: u64) -> Result<(), PushError> {
        let key = series_text(text);
        let series_ref = match self.refs.get(key) {
            Some(r) => *r,
            None => {
                let labels = series_labels(line, parsed).map_err(PushError::Line)?;
                let r = self.store.series_ref(&labels).map_err(PushError::Store)?;
                self.refs.insert(key.to_owned(), r);
                self.series.insert(r);
                r
            }
        };
        self.samples.push((series_ref, sample));
        self.origins.push((line, series_ref));
        if self.samples.len() >= BATCH {
            self.flush().map_err(PushError::Store)?;
        }
        Ok(())
    }

    /// Appends what is pending; returns once it is in the WAL. What the store refused
    /// before does not stay pending.
    pub(crate) fn flush(&mut self) -> Result<(), StoreError> {
        if self.samples.is_empty() {
            return Ok(());
        }
        let appended = self.store.append(&self.samples);
        let refused = appended.as_ref().ok().and_then(|r| r.first_rejection.as_ref()).and_then(|r| self.origins.get(r.index).copied());
        self.samples.clear();
        self.origins.clear();
        let report = appended?;
        self.accepted += report.accepted;
        self.duplicates += report.duplicates;
        for (total, n) in self.rejected.iter_mut().zip(report.rejected) {
            *total += n;
        }
        if let (None, Some(r), Some((line, series_ref))) = (&self.first_rejection, report.first_rejection, refused) {
            let series = self.name_of(series_ref);
            self.first_rejection = Some(RejectedSample { line, series, t: r.t, reason: r.reason, series_max_t: r.series_max_t });
        }
        Ok(())
    }

    /// A series of this import as `name{label="value"}`, found again from its text (done
    /// once per import, for the first refused sample).
    fn name_of(&self, series_ref: SeriesRef) -> String {
        let Some(text) = self.refs.iter().find_map(|(text, r)| (*r == series_ref).then_some(text)) else { return String::new() };
        match parse_line(&format!("{text} 0")) {
            Ok(Line::Sample(s)) => series_labels(0, &s).map_or_else(|_| text.clone(), |l| l.to_string()),
            _ => text.clone(),
        }
    }
}
