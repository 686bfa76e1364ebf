//! `vitals import FILE`: load a text exposition file into a data directory that no
//! `vitals serve` is using, then flush and compact it so the data sits in blocks.

use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, Context};
use serde_json::json;
use vitals_collect::ingest::{self, IngestOptions, IngestReport, OnError};
use vitals_collect::wall_clock_ms;
use vitals_config::Config;
use vitals_state::State;
use vitals_store::Store;

use crate::cli::{ImportArgs, OnErrorArg};
use crate::input::Source;
use crate::logging;
use crate::store_options::open_store;

/// Malformed lines listed; the rest are counted.
const LISTED: usize = 20;

/// Runs the import and prints its summary. Once the store and the state database are
/// open, the import is recorded in the audit log whatever its outcome, a failed one with
/// its `error`.
pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    let config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    logging::init("warn")?;
    let dir = args.data_dir.clone().unwrap_or_else(|| config.data_dir.clone());
    let on_error = match args.on_error {
        OnErrorArg::Reject => OnError::Reject,
        OnErrorArg::Skip => OnError::Skip,
    };
    let source = Source::open(&args.file, on_error == OnError::Reject)?;
    let hint = "; stop that `vitals serve` first, or POST the file to its /api/v1/import/prometheus endpoint";
    let store = open_store(&dir, &config.storage, false, hint)?;
    let state = match State::open(&dir) {
        Ok(state) => state,
        Err(e) => {
            if let Err(close) = store.close() {
                eprintln!("warning: closing the store: {close}");
            }
            return Err(e.into());
        }
    };
    let started = Instant::now();
    let Imported { report, error } = import(&store, &source, on_error);
    let closed = finish(&store, error.is_none());
    let elapsed = started.elapsed();
    let result = match (error, closed) {
        (None, closed) => closed,
        (Some(e), closed) => {
            if let Err(close) = closed {
                eprintln!("warning: {close:#}");
            }
            Err(e)
        }
    };
    let mut detail = json!({
        "source": source.name(),
        "on_error": if on_error == OnError::Reject { "reject" } else { "skip" },
        "lines": report.lines,
        "samples": report.samples,
        "accepted": report.accepted,
        "duplicates": report.duplicates,
        "rejected": report.rejected_total(),
        "malformed": report.malformed,
        "series": report.series,
        "duration_ms": u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
    });
    if let Err(e) = &result {
        detail["error"] = json!(format!("{e:#}"));
    }
    if let Err(e) = state.audit("cli", "import", detail) {
        let outcome = if result.is_ok() { "worked" } else { "failed" };
        eprintln!("warning: the import {outcome} but could not be recorded in the audit log: {e}");
    }
    result?;
    print_summary(&source.name(), &dir, &report, elapsed);
    Ok(())
}

/// What an import did, and why it stopped if it did not finish.
struct Imported {
    /// What was done: with an error, what was done before it.
    report: IngestReport,
    /// Why the import stopped.
    error: Option<anyhow::Error>,
}

impl Imported {
    fn failed(report: IngestReport, error: anyhow::Error) -> Imported {
        Imported { report, error: Some(error) }
    }
}

/// Checks (with `reject`) and imports.
fn import(store: &Store, source: &Source, on_error: OnError) -> Imported {
    let name = source.name();
    let opts = IngestOptions { on_error, default_time_ms: wall_clock_ms(), max_listed: LISTED };
    if on_error == OnError::Reject {
        let progress = source.progress("checking");
        let checked = source.reader(&progress).map(|input| ingest::check(input, &opts));
        progress.finish_and_clear();
        let checked = match checked {
            Ok(Ok(report)) => report,
            Ok(Err(e)) => return Imported::failed(e.report().clone(), anyhow::Error::new(e).context(format!("checking {name}"))),
            Err(e) => return Imported::failed(IngestReport::default(), e),
        };
        if checked.malformed > 0 {
            print_problems(&name, &checked);
            let error = anyhow!(
                "{name}: {} malformed line{}; nothing was stored (--on-error skip imports the other lines)",
                checked.malformed,
                if checked.malformed == 1 { "" } else { "s" }
            );
            return Imported::failed(checked, error);
        }
    }
    let progress = source.progress("importing");
    let imported = source.reader(&progress).map(|input| ingest::ingest(store, input, &opts));
    progress.finish_and_clear();
    match imported {
        Ok(Ok(report)) => {
            print_problems(&name, &report);
            Imported { report, error: None }
        }
        Ok(Err(e)) => {
            let report = e.report().clone();
            print_problems(&name, &report);
            let context = format!(
                "importing {name} stopped at line {}; the {} sample{} before it {} stored",
                report.lines,
                report.accepted,
                if report.accepted == 1 { "" } else { "s" },
                if report.accepted == 1 { "was" } else { "were" }
            );
            Imported::failed(report, anyhow::Error::new(e).context(context))
        }
        Err(e) => Imported::failed(IngestReport::default(), e),
    }
}

/// Writes the head out and compacts after a successful import, then closes the store
/// (which fsyncs the WAL either way). Windows that newer data can still reach stay as
/// written: they are compacted and rolled up once complete, as in `vitals serve`.
fn finish(store: &Store, imported: bool) -> anyhow::Result<()> {
    let written = if imported {
        store
            .flush()
            .context("writing the imported samples to blocks")
            .and_then(|_| store.compact(false).context("compacting the imported blocks"))
    } else {
        Ok(())
    };
    let closed = store.close().context("closing the store");
    written.and(closed)
}

fn print_problems(name: &str, report: &IngestReport) {
    for p in &report.problems {
        eprintln!("{name}: {p}");
    }
    let unlisted = report.malformed.saturating_sub(report.problems.len() as u64);
    if unlisted > 0 {
        eprintln!("{name}: ... and {unlisted} more malformed line{}", if unlisted == 1 { "" } else { "s" });
    }
}

fn print_summary(name: &str, dir: &Path, r: &IngestReport, elapsed: std::time::Duration) {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { r.accepted as f64 / secs } else { 0.0 };
    println!("Imported {name} into {} in {secs:.3}s", dir.display());
    println!("  accepted:   {} samples ({rate:.0} samples/s)", r.accepted);
    println!("  duplicates: {}", r.duplicates);
    let reasons: Vec<String> = r.rejected.iter().map(|(reason, n)| format!("{}: {n}", reason.as_str())).collect();
    match &r.first_rejection {
        Some(first) => println!("  rejected:   {} ({}); the first: {first}", r.rejected_total(), reasons.join(", ")),
        None => println!("  rejected:   0"),
    }
    let families = if r.metadata == 1 { "family" } else { "families" };
    println!("  series:     {} (metadata for {} metric {families})", r.series, r.metadata);
    if r.malformed > 0 {
        println!("  malformed:  {} lines skipped", r.malformed);
    }
}
