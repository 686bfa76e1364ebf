//! Change-point benchmark: precision, recall and F1 on generated series with injected
//! mean shifts of known size, false positives on series without one, and the time of a
//! full analysis against an incremental update after one appended point.
//!
//! `cargo run --release -p vitals-analytics --example changepoints`
//!
//! Series: gaussian noise (sigma 1) or Student's t with 3 degrees of freedom scaled to
//! sigma 1 (heavier tails), lengths 200, 1000 and 5000, with a shift of the given size
//! (in sigmas, up or down at random) every 100 to 300 points. A detection counts when it
//! is within 5 points of a true change not already matched. Seeds are fixed.

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, StudentT};
use vitals_analytics::{change_points, ChangePointDetector, ChangePointOptions};

const TOLERANCE: usize = 5;

#[derive(Clone, Copy)]
enum Noise {
    Gauss,
    Heavy,
}

/// A series of `len` points with shifts of `size` sigmas, and the true change indexes.
fn generate(seed: u64, len: usize, size: f64, noise: Noise) -> (Vec<f64>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let gauss = Normal::new(0.0, 1.0).unwrap();
    let heavy = StudentT::new(3.0).unwrap();
    let mut changes = Vec::new();
    if size > 0.0 {
        let mut at = rng.gen_range(100..300);
        while at + 50 < len {
            changes.push(at);
            at += rng.gen_range(100..300);
        }
    }
    let mut level = 100.0;
    let mut next = 0;
    let values = (0..len)
        .map(|i| {
            if changes.get(next) == Some(&i) {
                level += if rng.gen_bool(0.5) { size } else { -size };
                next += 1;
            }
            level
                + match noise {
                    Noise::Gauss => gauss.sample(&mut rng),
                    Noise::Heavy => heavy.sample(&mut rng) / 3f64.sqrt(),
                }
        })
        .collect();
    (values, changes)
}

/// (true positives, detections, true changes) of one series.
fn score(found: &[usize], truth: &[usize]) -> (usize, usize, usize) {
    let mut used = vec![false; truth.len()];
    let mut tp = 0;
    for &f in found {
        let hit = truth.iter().enumerate().filter(|(k, &t)| !used[*k] && t.abs_diff(f) <= TOLERANCE).min_by_key(|(_, &t)| t.abs_diff(f));
        if let Some((k, _)) = hit {
            used[k] = true;
            tp += 1;
        }
    }
    (tp, found.len(), truth.len())
}

fn detect(values: &[f64], options: ChangePointOptions) -> Vec<usize> {
    let times: Vec<i64> = (0..values.len() as i64).collect();
    change_points(&times, values, options).unwrap().iter().map(|c| c.index).collect()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let configs = [
        ("vitals default (window 200, adjusted p)", ChangePointOptions::default()),
        ("otava-like (window 50, raw p)", ChangePointOptions { window: Some(50), adjust: false, ..ChangePointOptions::default() }),
        ("whole series (no window, adjusted p)", ChangePointOptions { window: None, ..ChangePointOptions::default() }),
    ];
    let lengths = [200, 1000, 5000];
    for (name, options) in configs {
        println!("== {name}: p_value {}, min_size {}, tolerance {TOLERANCE} points", options.p_value, options.min_size);
        println!("{:<8} {:>6} {:>8} {:>10} {:>8} {:>7} {:>7}", "noise", "shift", "changes", "precision", "recall", "F1", "fp/1k");
        for (noise, noise_name) in [(Noise::Gauss, "gauss"), (Noise::Heavy, "t(3)")] {
            for size in [0.5, 1.0, 2.0, 3.0] {
                let (mut tp, mut det, mut tru, mut points) = (0, 0, 0, 0);
                for (k, &len) in lengths.iter().enumerate() {
                    for seed in 0..10 {
                        let (values, truth) = generate(1000 * k as u64 + seed + (size * 10.0) as u64 * 100_000, len, size, noise);
                        let (a, b, c) = score(&detect(&values, options), &truth);
                        tp += a;
                        det += b;
                        tru += c;
                        points += len;
                    }
                }
                let precision = if det == 0 { 1.0 } else { tp as f64 / det as f64 };
                let recall = tp as f64 / tru as f64;
                let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);
                let fp_per_k = (det - tp) as f64 * 1000.0 / points as f64;
                println!("{noise_name:<8} {size:>5}σ {tru:>8} {precision:>10.3} {recall:>8.3} {f1:>7.3} {fp_per_k:>7.2}");
            }
            let (mut fp, mut points) = (0, 0);
            for (k, &len) in lengths.iter().enumerate() {
                for seed in 0..20 {
                    let (values, _) = generate(7_000_000 + 1000 * k as u64 + seed, len, 0.0, noise);
                    fp += detect(&values, options).len();
                    points += len;
                }
            }
            println!(
                "{noise_name:<8} {:>6} {:>8} {:>10} {:>8} {:>7} {:>7.2}   (no shift: false positives per 1000 points)",
                "none",
                0,
                "-",
                "-",
                "-",
                fp as f64 * 1000.0 / points as f64
            );
        }
        println!();
    }

    println!("== full analysis (15 runs) vs incremental update after appending one point (50 appends): median (min) ms");
    println!("{:<12} {:>7} {:>18} {:>18} {:>14} {:>6}", "options", "points", "full ms", "append 1 ms", "ratio (min)", "same");
    for (name, options) in [configs[0], configs[1]] {
        for len in [1000, 10_000, 100_000] {
            let (values, _) = generate(42, len, 2.0, Noise::Gauss);
            let times: Vec<i64> = (0..len as i64).collect();
            let full: Vec<f64> = (0..15)
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(change_points(&times, &values, options).unwrap());
                    t.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            let start = len - 50;
            let mut d = ChangePointDetector::new(options).unwrap();
            d.extend(&times[..start], &values[..start]).unwrap();
            let mut inc = Vec::new();
            for i in start..len {
                let t = Instant::now();
                d.push(times[i], values[i]).unwrap();
                inc.push(t.elapsed().as_secs_f64() * 1e3);
            }
            let same = d.change_points() == change_points(&times, &values, options).unwrap().as_slice();
            let (f_min, a_min) = (full.iter().copied().fold(f64::INFINITY, f64::min), inc.iter().copied().fold(f64::INFINITY, f64::min));
            let (f, a) = (median(full), median(inc));
            let label = name.split(' ').next().unwrap_or(name);
            let ratio = format!("{:.0}x ({:.0}x)", f / a, f_min / a_min);
            println!(
                "{label:<12} {len:>7} {:>18} {:>18} {ratio:>14} {same:>6}",
                format!("{f:.3} ({f_min:.3})"),
                format!("{a:.4} ({a_min:.4})")
            );
        }
    }
}
