//! Importing the Prometheus text exposition format, for `vitals import` and
//! `/api/v1/import/prometheus`.
//!
//! Lines stream through [`vitals_exposition::parse_line`], one reused buffer of at most
//! [`MAX_LINE_BYTES`]; each sample becomes a series (`__name__` plus its labels) and a
//! sample at the line's timestamp, or at [`IngestOptions::default_time_ms`] when the line
//! has none (as VictoriaMetrics does). Each distinct series text is parsed into labels and
//! looked up in the store once per import. `# TYPE`, `# HELP` and `# UNIT` become metric
//! metadata, recorded after the samples. Samples are appended about 10k at a time; an
//! append returns once its samples are in the WAL.
//!
//! A malformed line — one the parser refuses, a line over [`MAX_LINE_BYTES`], a series or
//! metric name the store would refuse (such as a quoted name with a dot), metadata over
//! [`vitals_store::MAX_METADATA_BYTES`], or a timestamp more than a day after the import's
//! time (one such sample would make retention delete everything older) — is either the
//! end of the import ([`OnError::Reject`]: the samples before it are appended, nothing
//! after it, and no metadata) or skipped and listed ([`OnError::Skip`]). To store nothing
//! at all from bad input, run [`check`] over the whole input first and import only if it
//! finds no problem.

mod batch;
mod families;
mod line;
mod lines;
mod report;

use std::io::BufRead;
use std::ops::ControlFlow;

use vitals_store::{RejectReason, Sample, Store, StoreError};

pub use lines::MAX_LINE_BYTES;
pub use report::{IngestError, IngestReport, LineProblem, RejectedSample};

use batch::{Batch, PushError};
use families::Families;
use line::{interpret, series_labels, Item};
use lines::read_lines;

/// What to do with a malformed line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    /// Stop at the first one: the samples before it are appended, nothing after it, and
    /// metadata is not recorded.
    Reject,
    /// Skip it, count it and list it in the report.
    Skip,
}

/// How to import.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// What to do with a malformed line.
    pub on_error: OnError,
    /// The time of the import (ms): the timestamp of samples whose line gives none, and
    /// the reference for refusing far-future timestamps.
    pub default_time_ms: i64,
    /// How many malformed lines the report lists; all are counted.
    pub max_listed: usize,
}

/// Reads the whole input and reports its lines, samples and malformed lines (up to
/// `opts.max_listed` of them) without storing anything; `opts.on_error` plays no part.
pub fn check<R: BufRead>(input: R, opts: &IngestOptions) -> Result<IngestReport, IngestError> {
    let mut report = IngestReport::default();
    let mut families = Families::default();
    let read = read_lines(input, |n, text| {
        report.lines = n;
        let checked = text.and_then(|text| match interpret(n, text, opts.default_time_ms)? {
            Item::Nothing => Ok(()),
            Item::Meta(metric, declaration) => families.declare(n, metric, declaration),
            Item::Sample(s) => series_labels(n, &s).map(|_| report.samples += 1),
        });
        if let Err(problem) = checked {
            note_problem(&mut report, problem, opts.max_listed);
        }
        ControlFlow::Continue(())
    });
    match read {
        Ok(()) => Ok(report),
        Err(source) => Err(IngestError::Read { source, report: Box::new(report) }),
    }
}

/// What ended an import early.
enum Stop {
    Read(std::io::Error),
    Malformed(LineProblem),
    Store(StoreError),
}

impl Stop {
    fn with(self, report: IngestReport) -> IngestError {
        let report = Box::new(report);
        match self {
            Stop::Read(source) => IngestError::Read { source, report },
            Stop::Malformed(problem) => IngestError::Malformed { problem, report },
            Stop::Store(source) => IngestError::Store { source, report },
        }
    }
}

/// Imports `input` into `store`; see the module documentation. An error carries the report
/// of what was stored before it.
pub fn ingest<R: BufRead>(store: &Store, input: R, opts: &IngestOptions) -> Result<IngestReport, IngestError> {
    let mut report = IngestReport::default();
    let mut batch = Batch::new(store);
    let mut families = Families::default();
    let mut stop = None;
    let read = read_lines(input, |n, text| {
        report.lines = n;
        let outcome =
            text.map_err(PushError::Line).and_then(|text| match interpret(n, text, opts.default_time_ms).map_err(PushError::Line)? {
                Item::Nothing => Ok(()),
                Item::Meta(metric, declaration) => families.declare(n, metric, declaration).map_err(PushError::Line),
                Item::Sample(s) => {
                    let sample = Sample { t: s.timestamp_ms.unwrap_or(opts.default_time_ms), v: s.value };
                    batch.push(text, &s, sample, n)?;
                    report.samples += 1;
                    Ok(())
                }
            });
        match outcome {
            Ok(()) => ControlFlow::Continue(()),
            Err(PushError::Line(problem)) if opts.on_error == OnError::Reject => {
                note_problem(&mut report, problem.clone(), opts.max_listed);
                stop = Some(Stop::Malformed(problem));
                ControlFlow::Break(())
            }
            Err(PushError::Line(problem)) => {
                note_problem(&mut report, problem, opts.max_listed);
                ControlFlow::Continue(())
            }
            Err(PushError::Store(e)) => {
                stop = Some(Stop::Store(e));
                ControlFlow::Break(())
            }
        }
    });
    let stop = match read {
        Err(e) => Some(Stop::Read(e)),
        Ok(()) => stop,
    };
    // Whatever ended the import, the samples read before it are appended; a failure to
    // append them outweighs the reason for stopping (which the report still lists).
    let flushed = batch.flush();
    tally(&mut report, &mut batch);
    let stop = match (stop, flushed) {
        (Some(Stop::Store(e)), _) | (_, Err(e)) => Some(Stop::Store(e)),
        (stop, Ok(())) => stop,
    };
    if let Some(stop) = stop {
        return Err(stop.with(report));
    }
    let (recorded, problems) = match families.record(store) {
        Ok(done) => done,
        Err(e) => return Err(Stop::Store(e).with(report)),
    };
    report.metadata = recorded;
    let first = problems.first().cloned();
    for problem in problems {
        note_problem(&mut report, problem, opts.max_listed);
    }
    match first {
        Some(problem) if opts.on_error == OnError::Reject => Err(Stop::Malformed(problem).with(report)),
        _ => Ok(report),
    }
}

/// Copies the batch's totals into the report.
fn tally(report: &mut IngestReport, batch: &mut Batch<'_>) {
    report.accepted = batch.accepted;
    report.duplicates = batch.duplicates;
    report.rejected = RejectReason::ALL.iter().zip(batch.rejected).filter(|(_, n)| *n > 0).map(|(r, n)| (*r, n)).collect();
    report.first_rejection = batch.first_rejection.take();
    report.series = batch.series.len() as u64;
}

fn note_problem(report: &mut IngestReport, problem: LineProblem, max_listed: usize) {
    report.malformed += 1;
    if report.problems.len() < max_listed {
        report.problems.push(problem);
    }
}

#[cfg(test)]
mod tests;
