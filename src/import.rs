//! `vitals import FILE`: load a text exposition file into a data directory that no
//! `vitals serve` is using, then flush and compact it so the data sits in blocks.

use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use serde_json::json;
use vitals_collect::ingest::{self, IngestOptions, IngestReport, OnError};
use vitals_config::Config;
use vitals_state::State;
use vitals_store::{Store, StoreError};

use crate::cli::{ImportArgs, OnErrorArg};
use crate::input::Source;
use crate::logging;
use crate::store_options::store_options;

/// Malformed lines listed; the rest are counted.
const LISTED: usize = 20;

/// Runs the import and prints its summary.
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
    let store = open_store(&dir, &config)?;
    let state = State::open(&dir)?;
    let result = import(&store, &source, on_error);
    let closed = finish(&store, result.is_ok());
    let (report, elapsed) = result?;
    closed?;
    let detail = json!({
        "source": source.name(),
        "on_error": if on_error == OnError::Reject { "reject" } else { "skip" },
        "lines": report.lines,
        "samples": report.samples,
        "accepted": report.accepted,
        "duplicates": report.duplicates,
        "rejected": report.rejected_total(),
        "malformed": report.malformed,
        "series": report.series,
        "duration_ms": elapsed.as_millis() as u64,
    });
    if let Err(e) = state.audit("cli", "import", detail) {
        eprintln!("warning: the import worked but could not be recorded in the audit log: {e}");
    }
    print_summary(&source.name(), &dir, &report, elapsed);
    Ok(())
}

/// Opens the store for a one-off writer: no background thread.
fn open_store(dir: &Path, config: &Config) -> anyhow::Result<Store> {
    Store::open(dir, store_options(&config.storage, false)).map_err(|e| match e {
        StoreError::Locked(_) => anyhow::anyhow!(
            "cannot import into {}: a running `vitals serve` is using it (it holds {}/LOCK); stop it first, \
             or POST the file to its /api/v1/import/prometheus endpoint",
            dir.display(),
            dir.display()
        ),
        e => anyhow::Error::new(e).context(format!("opening the store in {}", dir.display())),
    })
}

/// Checks (with `reject`) and imports; returns the report and the time it took.
fn import(store: &Store, source: &Source, on_error: OnError) -> anyhow::Result<(IngestReport, std::time::Duration)> {
    let started = Instant::now();
    let name = source.name();
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    let opts = IngestOptions { on_error, default_time_ms: now_ms, max_listed: LISTED };
    if on_error == OnError::Reject {
        let progress = source.progress("checking");
        let checked = ingest::check(source.reader(&progress)?, &opts);
        progress.finish_and_clear();
        let checked = checked.with_context(|| format!("checking {name}"))?;
        if checked.malformed > 0 {
            print_problems(&name, &checked);
            bail!(
                "{name}: {} malformed line{}; nothing was stored (--on-error skip imports the other lines)",
                checked.malformed,
                if checked.malformed == 1 { "" } else { "s" }
            );
        }
    }
    let progress = source.progress("importing");
    let report = ingest::ingest(store, source.reader(&progress)?, &opts);
    progress.finish_and_clear();
    let report = report.with_context(|| format!("importing {name} stopped (samples before the failure were stored)"))?;
    print_problems(&name, &report);
    Ok((report, started.elapsed()))
}

/// Writes the head out and compacts after a successful import, then closes the store
/// (which fsyncs the WAL either way). Windows that newer data can still reach stay as
/// written: they are compacted and rolled up once complete, as in `vitals serve`.
fn finish(store: &Store, imported: bool) -> anyhow::Result<()> {
    if imported {
        store.flush().context("writing the imported samples to blocks")?;
        store.compact(false).context("compacting the imported blocks")?;
    }
    store.close().context("closing the store")
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
