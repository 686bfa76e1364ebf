//! Storage benchmark: bytes per sample after compaction, single-thread ingest rate and the
//! time to read 1 h of 500 series, on real node_exporter data and a larger synthetic set.
//!
//! Bytes per sample count every file of the store's data directory. `bytes_per_sample` is the
//! directory as the store leaves it after a flush and compaction (complete windows merged and
//! rolled up; the newest window, still open to late samples, as flushed);
//! `bytes_per_sample_all_tiers_built` forces the rollups of every window too.
//!
//! Run: `cargo run --release -p vitals-store --example bench -- [--dataset FILE] [--runs N]`
//! (or `scripts/bench-store`, which adds Prometheus' figure for the same file).
//! Every stored float is read back and compared bit for bit before figures are printed.

use std::collections::HashMap;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Instant;

use vitals_exposition::{for_each_line, Line};
use vitals_store::{Labels, MatchOp, Matcher, Sample, SeriesRef, Store, StoreOptions};

// The binary's allocator, so that figures match what `vitals serve` does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Dataset = Vec<(Labels, Vec<Sample>)>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut dataset = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/node-1s.prom.gz");
    let mut runs = 3usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--dataset" => dataset = PathBuf::from(args.next().ok_or("--dataset needs a file")?),
            "--runs" => runs = args.next().ok_or("--runs needs a number")?.parse()?,
            other => return Err(format!("unknown argument {other:?} (expected --dataset FILE, --runs N)").into()),
        }
    }
    let node = load(&dataset)?;
    let synth = synthetic(500, 4 * 3600);
    println!("# vitals-store benchmark, {runs} runs each; figures are median [min..max]");
    let file_name = dataset.file_name().and_then(|n| n.to_str()).unwrap_or("dataset");
    let file_name = file_name.split('.').next().unwrap_or(file_name);
    for (name, data) in [(file_name, &node), ("synthetic-500x4h", &synth)] {
        let samples: usize = data.iter().map(|(_, s)| s.len()).sum();
        println!("dataset {name}: {} series, {samples} samples", data.len());
        let mut bps = Vec::new();
        let mut bps_stored = Vec::new();
        let mut ingest_refs = Vec::new();
        let mut ingest_labeled = Vec::new();
        let mut read_1h = Vec::new();
        for run in 0..runs {
            let dir = tempfile::tempdir()?;
            let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() })?;
            let scrapes = by_scrape(data);
            let t0 = Instant::now();
            let refs: Vec<SeriesRef> = data.iter().map(|(l, _)| store.series_ref(l)).collect::<Result<_, _>>()?;
            for batch in &scrapes {
                let b: Vec<(SeriesRef, Sample)> = batch.iter().map(|&(i, s)| (refs[i], s)).collect();
                store.append(&b)?;
            }
            ingest_refs.push(samples as f64 / t0.elapsed().as_secs_f64());
            // As the store leaves it: complete windows compacted and rolled up, the newest
            // (still open to late samples) as flushed.
            store.flush()?;
            store.compact(false)?;
            bps_stored.push(dir_bytes(dir.path()) as f64 / samples as f64);
            // Every window compacted and rolled up, as if no more data were to come.
            store.compact(true)?;
            store.close()?;
            drop(store);
            let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() })?;
            bps.push(dir_bytes(dir.path()) as f64 / samples as f64);
            if let Ok(keep) = std::env::var("BENCH_KEEP_DIR") {
                let _ = std::process::Command::new("cp").arg("-r").arg(dir.path()).arg(format!("{keep}/{name}")).status();
            }
            if run == 0 {
                verify(&store, data)?;
                for (res, n, bytes) in store.stats().blocks {
                    println!("  tier {}: {n} blocks, {bytes} bytes", if res == 0 { "raw".to_owned() } else { format!("{}s", res / 1000) });
                }
                for ((is_ts, scheme), (n, bytes)) in store.encoding_report().columns {
                    println!("  columns {} {scheme}: {n} columns, {bytes} bytes", if is_ts { "timestamps" } else { "values" });
                }
            }
            let end = data.iter().filter_map(|(_, s)| s.last()).map(|s| s.t).max().unwrap_or(0);
            let all = [Matcher::new(MatchOp::Regex, "__name__", ".+")?];
            let mut times = Vec::new();
            let reps: usize = std::env::var("BENCH_READ_REPS").ok().and_then(|r| r.parse().ok()).unwrap_or(20);
            for _ in 0..reps {
                let t0 = Instant::now();
                let got = store.select(&all, end - 3_600_000, end)?;
                times.push(t0.elapsed().as_secs_f64() * 1e3);
                std::hint::black_box(got);
            }
            read_1h.push(median(&mut times));
            drop(store);
            // Labeled ingest: what import does (series looked up by labels per sample).
            let dir2 = tempfile::tempdir()?;
            let store = Store::open(dir2.path(), StoreOptions { background: false, ..StoreOptions::default() })?;
            let t0 = Instant::now();
            for batch in &scrapes {
                let b: Vec<(Labels, Sample)> = batch.iter().map(|&(i, s)| (data[i].0.clone(), s)).collect();
                store.append_labeled(&b)?;
            }
            ingest_labeled.push(samples as f64 / t0.elapsed().as_secs_f64());
        }
        report(name, "bytes_per_sample", &mut bps_stored, 3);
        report(name, "bytes_per_sample_all_tiers_built", &mut bps, 3);
        report(name, "ingest_samples_per_second_refs", &mut ingest_refs, 0);
        report(name, "ingest_samples_per_second_labeled", &mut ingest_labeled, 0);
        report(name, "read_1h_all_series_ms", &mut read_1h, 2);
    }
    index_bench()?;
    Ok(())
}

/// Series selection on a larger index: 100 metrics x 1,000 instances = 100,000 series,
/// with the selectors dashboards use.
fn index_bench() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() })?;
    let mut batch = Vec::with_capacity(100_000);
    for m in 0..100 {
        for h in 0..1000 {
            let l = Labels::from_pairs([
                ("__name__", format!("metric_{m}")),
                ("instance", format!("host-{h}:9100")),
                ("job", if h % 2 == 0 { "node".into() } else { "app".into() }),
            ]);
            batch.push((l, Sample { t: 1000, v: 1.0 }));
        }
    }
    store.append_labeled(&batch)?;
    println!("index: 100000 series (100 metrics x 1000 instances)");
    let m = |op, n: &str, v: &str| Matcher::new(op, n, v);
    let cases: Vec<(&str, Vec<Matcher>)> = vec![
        ("metric_7", vec![m(MatchOp::Equal, "__name__", "metric_7")?]),
        (
            "metric_7{instance=\"host-42:9100\"}",
            vec![m(MatchOp::Equal, "__name__", "metric_7")?, m(MatchOp::Equal, "instance", "host-42:9100")?],
        ),
        ("metric_7{job!=\"node\"}", vec![m(MatchOp::Equal, "__name__", "metric_7")?, m(MatchOp::NotEqual, "job", "node")?]),
        ("metric_7{instance=~\"host-1.*\"}", vec![m(MatchOp::Equal, "__name__", "metric_7")?, m(MatchOp::Regex, "instance", "host-1.*")?]),
        (
            "metric_7{instance!~\"host-1.*\"}",
            vec![m(MatchOp::Equal, "__name__", "metric_7")?, m(MatchOp::NotRegex, "instance", "host-1.*")?],
        ),
        ("{__name__=~\"metric_1.\",job=\"app\"}", vec![m(MatchOp::Regex, "__name__", "metric_1.")?, m(MatchOp::Equal, "job", "app")?]),
    ];
    for (name, sel) in cases {
        let mut times = Vec::new();
        let mut n = 0;
        for _ in 0..50 {
            let t0 = Instant::now();
            n = store.series(std::slice::from_ref(&sel), 0, 2000).len();
            times.push(t0.elapsed().as_secs_f64() * 1e6);
        }
        println!("vitals index select {name}: {n} series, median {:.0} us", median(&mut times));
    }
    Ok(())
}

fn report(name: &str, what: &str, v: &mut [f64], prec: usize) {
    let m = median(v);
    let (lo, hi) = (v.iter().cloned().fold(f64::INFINITY, f64::min), v.iter().cloned().fold(f64::NEG_INFINITY, f64::max));
    println!("vitals {name} {what}={m:.prec$} [{lo:.prec$}..{hi:.prec$}]");
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn dir_bytes(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| rd.flatten().map(|e| if e.path().is_dir() { dir_bytes(&e.path()) } else { e.metadata().map_or(0, |m| m.len()) }).sum())
        .unwrap_or(0)
}

/// Groups samples into scrapes: all samples with one timestamp, in time order.
fn by_scrape(data: &Dataset) -> Vec<Vec<(usize, Sample)>> {
    let mut m: std::collections::BTreeMap<i64, Vec<(usize, Sample)>> = Default::default();
    for (i, (_, s)) in data.iter().enumerate() {
        for x in s {
            m.entry(x.t).or_default().push((i, *x));
        }
    }
    m.into_values().collect()
}

fn verify(store: &Store, data: &Dataset) -> Result<(), Box<dyn std::error::Error>> {
    let got = store.select(&[Matcher::new(MatchOp::Regex, "__name__", ".+")?], i64::MIN, i64::MAX)?;
    let got: HashMap<&Labels, &Vec<Sample>> = got.iter().map(|s| (&s.labels, &s.samples)).collect();
    for (l, want) in data {
        let have = got.get(l).ok_or_else(|| format!("series {l} missing"))?;
        let same = have.len() == want.len() && have.iter().zip(want).all(|(a, b)| a.t == b.t && a.v.to_bits() == b.v.to_bits());
        if !same {
            return Err(format!("series {l} differs after the round trip").into());
        }
    }
    println!("  verified: every sample read back bit for bit");
    Ok(())
}

fn load(path: &PathBuf) -> Result<Dataset, Box<dyn std::error::Error>> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let reader: Box<dyn std::io::Read> =
        if path.extension().is_some_and(|e| e == "gz") { Box::new(flate2::read::GzDecoder::new(file)) } else { Box::new(file) };
    let mut series: HashMap<Labels, Vec<Sample>> = HashMap::new();
    let mut err = None;
    for_each_line(BufReader::new(reader), |n, line| match line {
        Ok(Line::Sample(s)) => {
            let labels = Labels::from_pairs(
                std::iter::once(("__name__", s.name.to_owned())).chain(s.labels.iter().map(|(k, v)| (*k, v.to_string()))),
            );
            series.entry(labels).or_default().push(Sample { t: s.timestamp_ms.unwrap_or(0), v: s.value });
            ControlFlow::Continue(())
        }
        Ok(_) => ControlFlow::Continue(()),
        Err(e) => {
            err = Some(format!("line {n}: {e}"));
            ControlFlow::Break(())
        }
    })?;
    if let Some(e) = err {
        return Err(e.into());
    }
    let mut v: Dataset = series.into_iter().collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(v)
}

/// Node-like synthetic series: integer counters, decimal float counters, random-walk
/// gauges, and constants, scraped together every second with a few ms of jitter.
fn synthetic(n: usize, seconds: i64) -> Dataset {
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let start = 1_795_000_000_000i64;
    let ts: Vec<i64> = (0..seconds).map(|i| start + i * 1000 + (next() % 7) as i64).collect();
    (0..n)
        .map(|i| {
            let labels = Labels::from_pairs([
                ("__name__", format!("synth_metric_{}", i % 50)),
                ("instance", "host:9100".into()),
                ("idx", i.to_string()),
            ]);
            let mut acc = (next() % 10_000) as f64;
            let samples = ts
                .iter()
                .map(|&t| {
                    let v = match i % 4 {
                        0 => {
                            acc += (next() % 2000) as f64;
                            acc
                        }
                        1 => {
                            acc = ((acc * 100.0).round() + (next() % 300) as f64) / 100.0;
                            acc
                        }
                        2 => {
                            acc = ((acc * 10.0).round() + (next() % 21) as f64 - 10.0) / 10.0;
                            acc
                        }
                        _ => 42.0,
                    };
                    Sample { t, v }
                })
                .collect();
            (labels, samples)
        })
        .collect()
}
