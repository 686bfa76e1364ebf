//! Importing the Prometheus text exposition format, for `vitals import` and
//! `/api/v1/import/prometheus`.
//!
//! Lines stream through [`vitals_exposition::for_each_line`]; each sample becomes a series
//! (`__name__` plus its labels) and a sample at the line's timestamp, or at
//! [`IngestOptions::default_time_ms`] when the line has none (as VictoriaMetrics does).
//! `# TYPE`, `# HELP` and `# UNIT` become metric metadata. Samples are appended about 10k
//! at a time; an append returns once its samples are in the WAL.
//!
//! A malformed line — one the parser refuses, a series the store would refuse (such as a
//! quoted name with a dot), or a timestamp more than a day after the import's time (one
//! such sample would make retention delete everything older) — is either the end of the import ([`OnError::Reject`]) or
//! skipped and listed ([`OnError::Skip`]). To store nothing at all from bad input, run
//! [`check`] over the whole input first and import only if it finds no problem.

mod batch;
mod line;
mod report;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::ops::ControlFlow;

use vitals_exposition::for_each_line;
use vitals_store::{MetricKind, MetricMetadata, RejectReason, Sample, Store};

pub use report::{IngestError, IngestReport, LineProblem, RejectedSample};

use batch::Batch;
use line::{interpret, Item};

/// What to do with a malformed line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    /// Stop at the first one: nothing after it is appended, and metadata is not recorded.
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
    for_each_line(input, |n, parsed| {
        report.lines = n;
        match interpret(n, parsed, opts.default_time_ms) {
            Ok(Item::Sample { .. }) => report.samples += 1,
            Ok(_) => {}
            Err(problem) => note_problem(&mut report, problem, opts.max_listed),
        }
        ControlFlow::Continue(())
    })
    .map_err(IngestError::Read)?;
    Ok(report)
}

/// Imports `input` into `store`; see the module documentation.
pub fn ingest<R: BufRead>(store: &Store, input: R, opts: &IngestOptions) -> Result<IngestReport, IngestError> {
    let mut report = IngestReport::default();
    let mut batch = Batch::new(store);
    let known = store.metadata();
    let mut declared: BTreeMap<String, MetricMetadata> = BTreeMap::new();
    let mut stop = None;
    for_each_line(input, |n, parsed| {
        report.lines = n;
        match interpret(n, parsed, opts.default_time_ms) {
            Ok(Item::Nothing) => {}
            Ok(Item::Help(metric, text)) => family(&mut declared, &known, metric).help = text.into_owned(),
            Ok(Item::Type(metric, kind)) => family(&mut declared, &known, metric).kind = kind,
            Ok(Item::Unit(metric, unit)) => family(&mut declared, &known, metric).unit = unit.to_owned(),
            Ok(Item::Sample { labels, value, timestamp_ms }) => {
                report.samples += 1;
                let sample = Sample { t: timestamp_ms.unwrap_or(opts.default_time_ms), v: value };
                if let Err(e) = batch.push(labels, sample, n) {
                    stop = Some(IngestError::Store(e));
                    return ControlFlow::Break(());
                }
            }
            Err(problem) if opts.on_error == OnError::Reject => {
                report.malformed += 1;
                stop = Some(IngestError::Malformed(problem));
                return ControlFlow::Break(());
            }
            Err(problem) => note_problem(&mut report, problem, opts.max_listed),
        }
        ControlFlow::Continue(())
    })
    .map_err(IngestError::Read)?;
    if let Some(e) = stop {
        return Err(e);
    }
    batch.flush()?;
    for (metric, meta) in &declared {
        store.set_metadata(metric, meta.clone())?;
    }
    report.metadata = declared.len() as u64;
    report.accepted = batch.accepted;
    report.duplicates = batch.duplicates;
    report.rejected = RejectReason::ALL.iter().zip(batch.rejected).filter(|(_, n)| *n > 0).map(|(r, n)| (*r, n)).collect();
    report.first_rejection = batch.first_rejection.take();
    report.series = batch.series.len() as u64;
    Ok(report)
}

/// The metadata being declared for `metric`, starting from what the store has.
fn family<'m>(
    declared: &'m mut BTreeMap<String, MetricMetadata>,
    known: &BTreeMap<String, MetricMetadata>,
    metric: &str,
) -> &'m mut MetricMetadata {
    declared.entry(metric.to_owned()).or_insert_with(|| {
        known.get(metric).cloned().unwrap_or(MetricMetadata { kind: MetricKind::Unknown, help: String::new(), unit: String::new() })
    })
}

fn note_problem(report: &mut IngestReport, problem: LineProblem, max_listed: usize) {
    report.malformed += 1;
    if report.problems.len() < max_listed {
        report.problems.push(problem);
    }
}

#[cfg(test)]
mod tests;
