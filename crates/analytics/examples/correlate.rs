//! Benchmark of the correlations and the percentile sketch: 5,000 series x 3,600 points
//! (1 h at 1 s). Prints the median and spread of 5 runs of each ranking, checks that
//! the answers are right on the generated data (the shifted series ranks first, the
//! lagged copy is found at its lag), and the sketch's inserts per second and size.
//!
//! `cargo run --release -p vitals-analytics --example correlate` (rayon uses every core;
//! `RAYON_NUM_THREADS=1` for one).

use std::hint::black_box;
use std::time::Instant;

use vitals_analytics::{rank_changes, rank_lagged, ChangeInput, ChangeMethod, LagMethod, QuantileSketch, QUANTILES};

const SERIES: usize = 5_000;
const POINTS: usize = 3_600;
/// The window of interest is the last 15 minutes, the baseline the 45 before.
const WINDOW: usize = 900;
const SHIFTED: usize = 1_234;
const FOLLOWER: usize = 4_321;
const LAG: usize = 37;
const MAX_LAG: usize = 300;
const RUNS: usize = 5;

fn main() {
    let mut rng = 0x5eed_u64;
    let mut data: Vec<Vec<f64>> = (0..SERIES)
        .map(|s| {
            let level = 100.0 + (s % 100) as f64;
            let mut walk = 0.0;
            (0..POINTS)
                .map(|_| {
                    walk = 0.95 * walk + uniform(&mut rng) - 0.5;
                    level + walk
                })
                .collect()
        })
        .collect();
    for v in &mut data[SHIFTED][POINTS - WINDOW..] {
        *v += 3.0;
    }
    let target = data[0].clone();
    data[FOLLOWER] = (0..POINTS).map(|i| if i >= LAG { 2.0 * target[i - LAG] + 7.0 } else { 7.0 }).collect();
    println!("threads: {}", rayon::current_num_threads());

    let inputs: Vec<ChangeInput<'_>> =
        data.iter().map(|s| ChangeInput { baseline: &s[..POINTS - WINDOW], window: &s[POINTS - WINDOW..], counter: false }).collect();
    for method in [ChangeMethod::Ks, ChangeMethod::Volume] {
        let (times, (ranked, _)) = timed(|| rank_changes(&inputs, method, 10));
        assert_eq!(ranked[0].index, SHIFTED, "the shifted series must rank first");
        report(&format!("change ranking ({}), {SERIES} x {POINTS}", method.name()), &times);
    }

    let others: Vec<&[f64]> = data[1..].iter().map(Vec::as_slice).collect();
    for method in [LagMethod::Pearson, LagMethod::Spearman] {
        let (times, result) = timed(|| rank_lagged(&target, &others, MAX_LAG, method, 10));
        let (ranked, _) = result.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ranked[0].index + 1, FOLLOWER, "the lagged copy must rank first");
        assert_eq!(ranked[0].pearson.lag, LAG as isize, "the lagged copy must be found at its lag");
        report(&format!("lagged correlation ({}, lags ±{MAX_LAG}), {SERIES} x {POINTS}", method.name()), &times);
    }

    let values: Vec<f64> = (0..1_000_000).map(|_| (uniform(&mut rng) * 12.0 - 9.0).exp()).collect();
    let (times, sketch) = timed(|| {
        let mut sketch = QuantileSketch::new();
        values.iter().for_each(|v| sketch.add(*v));
        sketch
    });
    let median = times[RUNS / 2];
    println!("sketch: {:.1} M inserts/s (median of {RUNS}, 1 M values over 5 decades)", values.len() as f64 / median / 1e6);
    println!("sketch: {} bytes in memory, {} bytes as JSON", sketch.memory_bytes(), sketch.to_json().len());
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    for (name, q) in QUANTILES {
        let exact = sorted[(q * (sorted.len() - 1) as f64) as usize];
        let got = sketch.quantile(q).ok().flatten().unwrap_or(f64::NAN);
        println!("sketch: {name} {got:.6} exact {exact:.6} relative error {:.4} %", 100.0 * (got - exact).abs() / exact);
    }
}

/// Runs `f` [`RUNS`] times; the sorted times in seconds and the last answer.
fn timed<T>(mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut times = Vec::with_capacity(RUNS);
    let mut out = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        out = Some(black_box(f()));
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (times, out.expect("at least one run"))
}

fn report(what: &str, times: &[f64]) {
    println!("{what}: median {:.3} s (min {:.3}, max {:.3}, {RUNS} runs)", times[RUNS / 2], times[0], times[RUNS - 1]);
}

fn uniform(state: &mut u64) -> f64 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (*state >> 11) as f64 / (1u64 << 53) as f64
}
