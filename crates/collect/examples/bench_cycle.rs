//! Cost of one full collection cycle on this machine: every collector `vitals serve` runs on
//! defaults (`vitals_collect::collectors`: Vitals' own, the host's, cgroup, top processes),
//! through the real scheduler (threads, timestamps, one store append per cycle).
//! Prints CPU time per cycle (median and spread, from getrusage) and heap allocations per
//! cycle (a counting global allocator), then, in the same run, node_exporter's CPU time
//! per scrape (Debian's prometheus-node-exporter, scraped as often; utime+stime from
//! /proc/<pid>/stat before and after).
//!
//! `cargo run --release -p vitals-collect --example bench_cycle -- [CYCLES] [--disable NAME,...] [--no-anomaly-scores]`
//! (scripts/bench-collect); `--disable` leaves collectors out, to see what each costs;
//! anomaly scores are on, as in `vitals serve` by default, and their cost per scored
//! sample is printed from Vitals' own counters.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use vitals_analytics::AnomalyParams;
use vitals_collect::{AnomalyScoring, Reading, Scheduler, SchedulerOptions};
use vitals_config::CollectionConfig;
use vitals_store::{Store, StoreOptions};

/// Counts allocations, then lets the system allocator do the work.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
/// Bytes asked for (allocations and the new size of reallocations).
static ALLOCATED: AtomicU64 = AtomicU64::new(0);
/// Bytes in use: allocated minus freed.
static LIVE: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        LIVE.fetch_add(layout.size() as u64, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED.fetch_add(new_size as u64, Ordering::Relaxed);
        LIVE.fetch_add(new_size as u64, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// CPU time (user + system) of this whole process, in seconds.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cycles: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100);
    // `--disable a,b`: leave collectors out, to see what each costs.
    let disabled: Vec<String> = args
        .iter()
        .position(|a| a == "--disable")
        .and_then(|i| args.get(i + 1))
        .map(|names| names.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let anomaly_scores = !args.iter().any(|a| a == "--no-anomaly-scores");
    let interval = Duration::from_millis(100);
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).expect("opening a store");
    let config = CollectionConfig { interval, disabled, ..CollectionConfig::default() };
    let (collectors, not_run) = vitals_collect::collectors(&config, &store, "bench").expect("default filters compile");
    let names = collectors.len();
    let opts = SchedulerOptions { interval, base_labels: vec![("job".into(), "vitals".into())], not_run };
    let anomaly = anomaly_scores.then(|| AnomalyScoring { params: AnomalyParams::default(), state: None });
    let scheduler = Scheduler::start_with(&store, collectors, opts, anomaly).expect("starting the scheduler");
    // Vitals' own counters of anomaly scoring: (samples scored, seconds spent).
    let scoring = |readings: Vec<Reading>| {
        let find = |name: &str| readings.iter().find(|r| r.series.metric.name == name).map_or(0.0, |r| r.value);
        (find("vitals_anomaly_scored_samples_total"), find("vitals_anomaly_scoring_seconds_total"))
    };

    // Warm up: series registered, buffers grown.
    std::thread::sleep(interval * 20);
    // Sample between cycles: the scheduler ticks on multiples of the interval.
    let align = || {
        let now = vitals_collect::wall_clock_ms();
        let step = interval.as_millis() as i64;
        std::thread::sleep(Duration::from_millis((step - now.rem_euclid(step) + step / 2) as u64));
    };
    align();
    let mut per_cycle = Vec::with_capacity(cycles);
    let (mut cpu, allocs_before, started) = (cpu_seconds(), ALLOCATIONS.load(Ordering::Relaxed), Instant::now());
    let (bytes_before, live_before) = (ALLOCATED.load(Ordering::Relaxed), LIVE.load(Ordering::Relaxed));
    let mut allocs_halves = [0u64; 2];
    let cpu_start = cpu;
    let scoring_start = scoring(scheduler.latest().readings());
    let mut durations: Vec<(String, Vec<f64>)> = Vec::new();
    for cycle in 0..cycles {
        if cycle == cycles / 2 {
            allocs_halves[0] = ALLOCATIONS.load(Ordering::Relaxed) - allocs_before;
        }
        align();
        let now = cpu_seconds();
        per_cycle.push(now - cpu);
        cpu = now;
        for (i, s) in scheduler.status().into_iter().enumerate() {
            if i == durations.len() {
                durations.push((s.name.clone(), Vec::new()));
            }
            durations[i].1.extend(s.last_duration.map(|d| d.as_secs_f64()));
        }
    }
    let allocs = ALLOCATIONS.load(Ordering::Relaxed) - allocs_before;
    allocs_halves[1] = allocs - allocs_halves[0];
    let bytes = ALLOCATED.load(Ordering::Relaxed) - bytes_before;
    let live_growth = LIVE.load(Ordering::Relaxed) as i64 - live_before as i64;
    let wall = started.elapsed();
    let series = store.stats().series;
    let status = scheduler.status();
    let scoring_end = scoring(scheduler.latest().readings());
    scheduler.stop();
    per_cycle.sort_by(f64::total_cmp);
    let ms = |s: f64| s * 1e3;
    let up = status.iter().filter(|s| s.state.as_str() == "up" || s.state.as_str() == "degraded").count();
    println!("Vitals: {names} collectors ({up} up), {series} series, {cycles} cycles over {wall:.1?}");
    let off: Vec<String> = status
        .iter()
        .filter(|s| s.reason.is_some() && s.last_run_ms.is_none())
        .map(|s| format!("{} ({})", s.name, s.reason.as_deref().unwrap_or("")))
        .collect();
    println!("Vitals: not run: {}", if off.is_empty() { "none".to_owned() } else { off.join(", ") });
    println!(
        "Vitals: CPU per cycle: median {:.3} ms, p10 {:.3} ms, p90 {:.3} ms, mean {:.3} ms (getrusage resolution is coarse; mean is exact)",
        ms(percentile(&per_cycle, 0.5)),
        ms(percentile(&per_cycle, 0.1)),
        ms(percentile(&per_cycle, 0.9)),
        ms((cpu - cpu_start) / cycles as f64)
    );
    let half = (cycles / 2).max(1) as f64;
    println!(
        "Vitals: heap allocations per cycle: {:.1} ({:.0} bytes); first half {:.1}, second half {:.1}; heap in use grew {live_growth} bytes over the {cycles} cycles",
        allocs as f64 / cycles as f64,
        bytes as f64 / cycles as f64,
        allocs_halves[0] as f64 / half,
        allocs_halves[1] as f64 / (cycles as f64 - half).max(1.0),
    );
    if anomaly_scores {
        let (scored, seconds) = (scoring_end.0 - scoring_start.0, scoring_end.1 - scoring_start.1);
        println!(
            "Vitals: anomaly scores: {scored:.0} samples scored, {:.0} ns per scored sample, {:.3} ms per cycle (inside the cycle, on the scheduler's thread)",
            seconds * 1e9 / scored.max(1.0),
            ms(seconds / cycles as f64)
        );
    } else {
        println!("Vitals: anomaly scores off");
    }
    let mut slowest: Vec<(f64, &str)> = durations
        .iter_mut()
        .filter(|(_, d)| !d.is_empty())
        .map(|(name, d)| {
            d.sort_by(f64::total_cmp);
            (percentile(d, 0.5), name.as_str())
        })
        .collect();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let shown: Vec<String> = slowest.iter().take(8).map(|(d, name)| format!("{name} {:.0} µs", d * 1e6)).collect();
    println!("Vitals: median run time (wall) of the slowest collectors: {}", shown.join(", "));
    let vitals_mean = (cpu - cpu_start) / cycles as f64;
    match node_exporter(cycles) {
        Ok(per_scrape) => println!(
            "node_exporter 1.5: CPU per scrape: {:.3} ms (mean of {cycles}); Vitals / node_exporter = {:.2} (mean), {:.2} (Vitals' median)",
            ms(per_scrape),
            vitals_mean / per_scrape,
            percentile(&per_cycle, 0.5) / per_scrape
        ),
        Err(e) => println!("node_exporter: not measured: {e}"),
    }
}

/// node_exporter's mean CPU time per scrape over `n` scrapes, in seconds.
fn node_exporter(n: usize) -> Result<f64, String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let mut child = Command::new("prometheus-node-exporter")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting prometheus-node-exporter: {e} (apt-get install prometheus-node-exporter)"))?;
    let result = (|| {
        let scrape = || -> Result<usize, String> {
            let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
            s.write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n").map_err(|e| e.to_string())?;
            let mut body = Vec::new();
            s.read_to_end(&mut body).map_err(|e| e.to_string())?;
            Ok(body.len())
        };
        let start = Instant::now();
        while scrape().is_err() {
            if start.elapsed() > Duration::from_secs(10) {
                return Err("node_exporter did not answer".to_owned());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        for _ in 0..5 {
            scrape()?;
        }
        let pid = child.id();
        let before = ticks(pid)?;
        for _ in 0..n {
            scrape()?;
            std::thread::sleep(Duration::from_millis(100));
        }
        let after = ticks(pid)?;
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        Ok((after - before) as f64 / hz / n as f64)
    })();
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// utime + stime of process `pid`, in clock ticks.
fn ticks(pid: u32) -> Result<u64, String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| e.to_string())?;
    let after = text.rfind(')').map(|i| &text[i + 2..]).ok_or("no ')' in stat")?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<u64>().ok()).ok_or(format!("field {n}"));
    Ok(field(14)? + field(15)?)
}
