//! Query benchmark: long range queries over 500 series, from rollup tiers and from raw data.
//!
//! Builds a store with 500 series (250 counters, 250 gauges) scraped every 60 s for 30 days,
//! flushed and compacted as the maintenance thread would (raw data kept 15 days, tiers of
//! 1 m, 5 m and 1 h), then prints the median time of each query over several runs:
//! 30-day range queries at a 1 h step (read from the 1 h tier), and the same queries over
//! 14 days with a start one second off the hour, which the engine answers from raw samples.
//!
//! Run: `cargo run --release -p vitals-query --example bench -- [--runs N] [--export FILE]`;
//! `scripts/bench-query-tiers` also runs the same queries on Prometheus over the same data and
//! prints the ratios. With `--export FILE`, the data set is written to FILE as OpenMetrics
//! text (for Prometheus' `promtool tsdb create-blocks-from openmetrics`) and the figures
//! are printed as `query<TAB>tier ms<TAB>raw ms` lines.

use std::time::Instant;

use vitals_query::{Engine, EngineOptions, Value};
use vitals_store::{FsyncPolicy, Labels, Sample, Store, StoreOptions};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SERIES: usize = 500;
const SCRAPE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 3600 * 1000;
const HOUR_MS: i64 = 3600 * 1000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut runs = 5usize;
    let mut export = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().ok_or("--runs needs a number")?.parse()?,
            "--export" => export = Some(std::path::PathBuf::from(args.next().ok_or("--export needs a file")?)),
            other => return Err(format!("unknown argument {other:?} (expected --runs N, --export FILE)").into()),
        }
    }
    let dir = tempfile::tempdir()?;
    let opts = StoreOptions { background: false, fsync: FsyncPolicy::Never, ..Default::default() };
    let store = Store::open(dir.path(), opts)?;
    let end = vitals_store::wall_clock_ms() / HOUR_MS * HOUR_MS;
    let start = end - 30 * DAY_MS;
    let t0 = Instant::now();
    let samples = fill(&store, start, end)?;
    if let Some(path) = &export {
        write_openmetrics(path, start, end)?;
    }
    eprintln!("loaded {samples} samples ({SERIES} series, 30 days at {} s) in {:.1} s", SCRAPE_MS / 1000, t0.elapsed().as_secs_f64());

    let engine = Engine::new(store, EngineOptions::default());
    let queries = [
        "bench_gauge",
        "avg_over_time(bench_gauge[1h])",
        "max_over_time(bench_gauge[1h])",
        "rate(bench_requests_total[1h])",
        "sum by (job) (rate(bench_requests_total[1h]))",
    ];
    if export.is_none() {
        println!("{:<48} {:>14} {:>14} {:>16}", "query (500 series, step 1h)", "30d tier ms", "14d raw ms", "raw samples read");
    } else {
        println!("# start {start} end {end}");
    }
    for q in queries {
        let (tier_ms, _) = median(runs, || engine.range(q, start, end, HOUR_MS))?;
        let raw_start = end - 14 * DAY_MS + 1000;
        let (raw_ms, raw_read) = median(runs, || engine.range(q, raw_start, end, HOUR_MS))?;
        if export.is_none() {
            println!("{q:<48} {tier_ms:>14.1} {raw_ms:>14.1} {raw_read:>16}");
        } else {
            println!("{q}\t{tier_ms:.1}\t{raw_ms:.1}");
        }
    }
    Ok(())
}

/// The series' labels: even ones are counters, odd ones gauges, over 5 jobs.
fn series_labels() -> Vec<Labels> {
    (0..SERIES)
        .map(|i| {
            let name = if i % 2 == 0 { "bench_requests_total" } else { "bench_gauge" };
            Labels::from_pairs([("__name__", name.to_owned()), ("job", format!("job{}", i % 5)), ("instance", format!("host{i}"))])
        })
        .collect()
}

/// Value of series `i` at scrape number `step`.
fn value(i: usize, step: u64) -> f64 {
    if i.is_multiple_of(2) {
        (step * (i as u64 % 7 + 1)) as f64
    } else {
        ((step as f64) / 30.0 + i as f64).sin() * 50.0 + 100.0
    }
}

/// Writes the data set as OpenMetrics text, one metric family after the other.
fn write_openmetrics(path: &std::path::Path, start: i64, end: i64) -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    let labels = series_labels();
    for family in [0, 1] {
        for (i, l) in labels.iter().enumerate().filter(|(i, _)| i % 2 == family) {
            let name = l.metric_name().unwrap_or("");
            let rest: Vec<String> = l.iter().filter(|x| x.name != "__name__").map(|x| format!("{}=\"{}\"", x.name, x.value)).collect();
            let (mut t, mut step) = (start, 0u64);
            while t <= end {
                writeln!(w, "{name}{{{}}} {} {}.{:03}", rest.join(","), value(i, step), t / 1000, t % 1000)?;
                t += SCRAPE_MS;
                step += 1;
            }
        }
    }
    writeln!(w, "# EOF")?;
    w.flush()?;
    Ok(())
}

/// Appends the data set in time order, flushing as the maintenance thread would, then
/// compacts (building the tiers and applying raw retention).
fn fill(store: &Store, start: i64, end: i64) -> Result<u64, Box<dyn std::error::Error>> {
    let labels = series_labels();
    let refs = labels.iter().map(|l| store.series_ref(l)).collect::<Result<Vec<_>, _>>()?;
    let mut batch = Vec::with_capacity(SERIES * 60);
    let mut total = 0u64;
    let mut t = start;
    let mut step = 0u64;
    while t <= end {
        for (i, r) in refs.iter().enumerate() {
            batch.push((*r, Sample { t, v: value(i, step) }));
        }
        if batch.len() >= SERIES * 60 {
            total += store.append(&batch)?.accepted;
            batch.clear();
        }
        if step.is_multiple_of(6 * 60) {
            store.flush()?;
        }
        t += SCRAPE_MS;
        step += 1;
    }
    total += store.append(&batch)?.accepted;
    store.flush()?;
    store.compact(true)?;
    Ok(total)
}

/// Median wall time (ms) of `runs` runs, and the samples the query read.
fn median(
    runs: usize,
    mut f: impl FnMut() -> Result<vitals_query::QueryOutput, vitals_query::QueryError>,
) -> Result<(f64, u64), Box<dyn std::error::Error>> {
    let mut times = Vec::with_capacity(runs);
    let mut read = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let out = f()?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        read = out.samples_read;
        if let Value::Matrix(m) = &out.value {
            if m.is_empty() {
                return Err("query gave no series".into());
            }
        }
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], read))
}
