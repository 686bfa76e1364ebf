//! Cost of a checkpoint of the anomaly detectors, as `vitals serve` makes one every 10
//! minutes and at shutdown: DETECTORS detectors (default 1200), each trained on 2000 samples
//! of its own wave, keyed by label text like a score series' own. Prints, median and spread
//! over RUNS runs (default 15): the snapshot (each key copied and each detector written to
//! bytes, as on the scheduler thread), the write of the whole set into a fresh
//! `state.sqlite` (one transaction, as on the writer thread), the read at start and the
//! restore of every detector; then the saved set's size (blobs, keys, file).
//!
//! `cargo run --release -p vitals-collect --example bench_checkpoint -- [DETECTORS] [RUNS]`

use std::time::{Duration, Instant};

use vitals_analytics::{AnomalyDetector, AnomalyParams};
use vitals_state::State;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("DETECTORS and RUNS are numbers")).collect();
    let (count, runs) = (args.first().copied().unwrap_or(1200), args.get(1).copied().unwrap_or(15).max(1));
    let params = AnomalyParams::default();
    let detectors: Vec<(String, AnomalyDetector)> = (0..count)
        .map(|s| {
            let key = format!(
                "vitals_anomaly_score{{cpu=\"{}\",instance=\"127.0.0.1:7464\",job=\"vitals\",metric=\"node_cpu_seconds_total\",mode=\"m{s}\"}}",
                s % 16
            );
            let mut d = AnomalyDetector::new(&params);
            for i in 0..2000_i64 {
                let x = (s as f64) + (i as f64 / (20.0 + s as f64 % 50.0)).sin() * 10.0 + ((i * 7 + s as i64) % 5) as f64 * 0.3;
                d.update(i * 10_000, x);
            }
            (key, d)
        })
        .collect();

    let dir = tempfile::tempdir().expect("temporary directory");
    let state = State::open(dir.path()).expect("opening the state database");
    let (mut snapshot_times, mut write_times, mut read_times, mut restore_times) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut snapshot = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        snapshot = detectors.iter().map(|(k, d)| (k.clone(), d.to_bytes())).collect::<Vec<_>>();
        snapshot_times.push(started.elapsed());

        let started = Instant::now();
        state.save_detectors(&snapshot).expect("saving");
        write_times.push(started.elapsed());

        let started = Instant::now();
        let saved = state.load_detectors().expect("loading");
        read_times.push(started.elapsed());

        let started = Instant::now();
        let restored = saved.values().filter(|b| AnomalyDetector::from_bytes(&params, b).is_ok()).count();
        restore_times.push(started.elapsed());
        assert_eq!(restored, count, "every saved detector is restored");
    }
    println!("{count} detectors, {runs} runs: median (min to max)");
    for (what, times) in
        [("snapshot", &mut snapshot_times), ("write", &mut write_times), ("read", &mut read_times), ("restore", &mut restore_times)]
    {
        println!("  {what:9} {}", spread(times));
    }
    let blobs: usize = snapshot.iter().map(|(_, b)| b.len()).sum();
    let keys: usize = snapshot.iter().map(|(k, _)| k.len()).sum();
    drop(state);
    let file: u64 = std::fs::read_dir(dir.path())
        .expect("listing the data directory")
        .filter_map(|e| e.ok()?.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    println!(
        "  saved set: {blobs} bytes of state ({} per detector) + {keys} bytes of keys; state.sqlite after close: {file} bytes",
        blobs / count.max(1)
    );
}

/// Median (min to max) of `times`.
fn spread(times: &mut [Duration]) -> String {
    times.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!("{:8.3} ms ({:.3} to {:.3})", ms(times[times.len() / 2]), ms(times[0]), ms(times[times.len() - 1]))
}
