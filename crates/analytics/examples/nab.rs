//! The Numenta Anomaly Benchmark on the shared part of its corpus: runs Vitals' anomaly
//! detector (default parameters, the same for every file) and NAB's windowed Gaussian
//! reference over every data file, and prints NAB's three profile scores with their chosen
//! thresholds, the standard score per category, and the detector's cost per sample.
//!
//! `cargo run --release -p vitals-analytics --example nab [NAB_DIR]` (default: ../shared/nab
//! relative to the workspace).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use vitals_analytics::nab::{self, Labelled, Profile};
use vitals_analytics::{AnomalyDetector, AnomalyParams};

/// The flag threshold before it was set at NAB's operating point.
const OLD_THRESHOLD: f64 = 0.4;

/// Timed passes over the whole corpus for the cost per sample.
const PASSES: usize = 7;

struct File {
    category: String,
    timestamps: Vec<i64>,
    values: Vec<f64>,
    labels: Labelled,
}

fn main() -> Result<()> {
    let dir = std::env::args().nth(1).map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/nab"), PathBuf::from);
    let windows = nab::parse_windows(&std::fs::read_to_string(dir.join("combined_windows.json")).context("combined_windows.json")?)?;
    let profiles = nab::parse_profiles(&std::fs::read_to_string(dir.join("profiles.json")).context("profiles.json")?)?;
    let files = load(&dir.join("data"), &windows)?;
    let samples: usize = files.iter().map(|f| f.values.len()).sum();
    let total_windows: usize = files.iter().map(|f| f.labels.windows()).sum();
    println!("NAB corpus part at {}: {} files, {samples} rows, {total_windows} windows", dir.display(), files.len());

    let params = AnomalyParams::default();
    let ours = score_all(&files, &params);
    let gaussian: Vec<Vec<f64>> = files
        .iter()
        .map(|f| {
            let mut g = nab::WindowedGaussian::new();
            f.values.iter().map(|&v| g.update(v)).collect()
        })
        .collect();
    report("vitals anomaly detector", &files, &ours, &profiles, Some(params.threshold));
    // The flag threshold was 0.4 until it was set where NAB's sweep puts it; the threshold
    // also governs the quiet period after a flag, so the detector runs again with it.
    let old = AnomalyParams { threshold: OLD_THRESHOLD, ..params.clone() };
    let old_scores = score_all(&files, &old);
    let old_all = labelled(&files, &old_scores);
    let at_old = nab::detections(&old_all, OLD_THRESHOLD);
    let standard = profiles.iter().find(|p| p.name == "standard");
    let score = standard.and_then(|p| nab::normalise(nab::raw_score(&old_all, p, OLD_THRESHOLD), total_windows, p)).unwrap_or(f64::NAN);
    println!(
        "  with threshold {OLD_THRESHOLD} (the default before 0.99): standard {score:.1}; windows found {}, missed {}, false detections {}",
        at_old.found, at_old.missed, at_old.false_positives
    );
    report("windowed Gaussian (NAB reference; 39.6 standard on the full corpus)", &files, &gaussian, &profiles, None);

    let mut per_sample = Vec::with_capacity(PASSES);
    let mut sink = 0.0;
    for _ in 0..PASSES {
        let started = Instant::now();
        for f in &files {
            let mut d = AnomalyDetector::new(&params);
            for (&t, &v) in f.timestamps.iter().zip(&f.values) {
                sink += d.update(t, v).score;
            }
        }
        per_sample.push(started.elapsed().as_nanos() as f64 / samples as f64);
    }
    per_sample.sort_by(f64::total_cmp);
    println!(
        "detector cost: median {:.1} ns/sample (min {:.1}, max {:.1}) over {PASSES} passes of {samples} samples; state {} bytes per series (checksum {sink:.3})",
        per_sample[PASSES / 2],
        per_sample[0],
        per_sample[PASSES - 1],
        AnomalyDetector::state_bytes()
    );
    Ok(())
}

/// The detector's scores of every file, each file with a detector of its own.
fn score_all(files: &[File], params: &AnomalyParams) -> Vec<Vec<f64>> {
    files
        .iter()
        .map(|f| {
            let mut d = AnomalyDetector::new(params);
            f.timestamps.iter().zip(&f.values).map(|(&t, &v)| d.update(t, v).score).collect()
        })
        .collect()
}

/// Each file's labels with its scores, as NAB's scoring takes them.
fn labelled<'a>(files: &'a [File], scores: &'a [Vec<f64>]) -> Vec<(&'a Labelled, &'a [f64])> {
    files.iter().zip(scores).map(|(f, s)| (&f.labels, s.as_slice())).collect()
}

/// Reads every `category/file.csv` under `data`, in name order.
fn load(data: &Path, windows: &BTreeMap<String, Vec<(i64, i64)>>) -> Result<Vec<File>> {
    let mut paths = Vec::new();
    for category in std::fs::read_dir(data).with_context(|| format!("reading {}", data.display()))? {
        let category = category?.path();
        for file in std::fs::read_dir(&category)? {
            paths.push(file?.path());
        }
    }
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let (Some(category), Some(name)) =
            (path.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()), path.file_name().and_then(|n| n.to_str()))
        else {
            continue;
        };
        let key = format!("{category}/{name}");
        let Some(file_windows) = windows.get(&key) else { bail!("{key} has no entry in combined_windows.json") };
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let (mut timestamps, mut values) = (Vec::new(), Vec::new());
        for (i, line) in text.lines().enumerate().skip(1) {
            let row = nab::parse_row(line, i + 1).with_context(|| key.clone())?;
            timestamps.push(row.timestamp_ms);
            values.push(row.value);
        }
        let labels = Labelled::new(&timestamps, file_windows);
        files.push(File { category: category.to_string(), timestamps, values, labels });
    }
    Ok(files)
}

/// Prints one detector's NAB scores, each profile at its optimised threshold, and at the
/// detector's own `fixed` threshold if it has one (what `vitals serve` flags at).
fn report(name: &str, files: &[File], scores: &[Vec<f64>], profiles: &[Profile], fixed: Option<f64>) {
    println!("\n{name}");
    let all = labelled(files, scores);
    let windows: usize = files.iter().map(|f| f.labels.windows()).sum();
    let mut standard_threshold = None;
    for p in profiles {
        let (threshold, raw) = nab::optimise(&all, p);
        let score = nab::normalise(raw, windows, p).unwrap_or(f64::NAN);
        println!("  {:<20} {score:6.1}   (threshold {threshold:.4}, raw {raw:.3})", p.name);
        if p.name == "standard" {
            standard_threshold = Some((p, threshold));
        }
    }
    if let Some(t) = fixed {
        let at: Vec<String> = profiles
            .iter()
            .map(|p| format!("{} {:.1}", p.name, nab::normalise(nab::raw_score(&all, p, t), windows, p).unwrap_or(f64::NAN)))
            .collect();
        let d = nab::detections(&all, t);
        println!(
            "  at the detector's own threshold {t}: {}; windows found {}, missed {}, false detections {}",
            at.join(", "),
            d.found,
            d.missed,
            d.false_positives
        );
    }
    let Some((p, threshold)) = standard_threshold else { return };
    let mut categories: BTreeMap<&str, Vec<(&Labelled, &[f64])>> = BTreeMap::new();
    for (f, s) in files.iter().zip(scores) {
        categories.entry(&f.category).or_default().push((&f.labels, s));
    }
    for (category, part) in categories {
        let raw = nab::raw_score(&part, p, threshold);
        let windows: usize = part.iter().map(|(l, _)| l.windows()).sum();
        match nab::normalise(raw, windows, p) {
            Some(score) => println!("    standard, {category:<24} {score:6.1}   (raw {raw:.3}, {windows} windows)"),
            None => println!("    standard, {category:<24}    n/a   (no windows; raw {raw:.3}: false positives' cost)"),
        }
    }
}
