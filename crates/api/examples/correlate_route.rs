//! Benchmark of `/api/v1/analytics/correlate` end to end, as a user waits for it: the
//! PromQL engine reading 5,000 series x 1 h at 1 s from the store's blocks, the grid, the
//! ranking and the JSON answer, through the router `vitals serve` answers with (sent
//! in-process with tower's `oneshot`, so no network is timed).
//!
//! It writes the data first, one collection cycle (5,000 samples) per append, flushing the
//! head and compacting on the data's clock as a long-running server does with the default
//! storage options (every 5 minutes and every 30 s), and prints how long that took. Then it
//! sends the change ranking (`ks`, the last 15 minutes against the 45 before) and the lagged
//! ranking (`pearson`, lags up to 300 s, against one series) 5 times each, checks the
//! answers (HTTP 200; the shifted series ranks first; the lagged copy is found at 37 s) and
//! prints the median, min and max wall time of each, and the process's peak RSS.
//!
//! `cargo run --release -p vitals-api --example correlate_route`; rayon's ranking uses every
//! core, `RAYON_NUM_THREADS=1 cargo run ...` one (`scripts/bench-analytics correlate-route`
//! runs both).

use std::error::Error;
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt;
use vitals_api::{router, App, Ready};
use vitals_collect::{Latest, Statuses};
use vitals_query::{Engine, EngineOptions};
use vitals_state::State;
use vitals_store::{Labels, MetricKind, MetricMetadata, Sample, SeriesRef, Store, StoreOptions};

/// Series written: [`FAMILIES`] metric names x [`INSTANCES`] instances.
const SERIES: usize = FAMILIES * INSTANCES;
const FAMILIES: usize = 50;
const INSTANCES: usize = 100;
/// The first families are counters (`bench_requests_N_total`), the rest gauges.
const COUNTER_FAMILIES: usize = 2;
/// Samples per series: one hour at 1 s.
const POINTS: usize = 3_600;
/// The last sample's time, ms: 2023-11-14T22:13:20Z. The hour spans two 2-hour block
/// windows, so the earlier one is merged and rolled up and the later one is in level-0 blocks.
const END_MS: i64 = 1_700_000_000_000;
const START_MS: i64 = END_MS - (POINTS as i64 - 1) * 1000;
/// The window of interest: the last 15 minutes; the baseline is the 45 before.
const WINDOW: usize = 900;
/// The series whose level shifts up in the window of interest.
const SHIFTED: usize = 1_234;
/// The lagged ranking's target, and the series that follows it [`LAG`] s later.
const TARGET: usize = 1_000;
const FOLLOWER: usize = 4_321;
const LAG: usize = 37;
const MAX_LAG_S: usize = 300;
const RUNS: usize = 5;

fn main() -> Result<(), Box<dyn Error>> {
    let threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "unset, every core".to_owned());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("rayon threads: {threads} ({cores} cores)");
    let dir = tempfile::tempdir()?;
    let opts = StoreOptions::default();
    let (flush_every, compact_every) = (opts.head_flush_interval.as_secs().max(1), opts.compaction_interval.as_secs().max(1));
    let head_max = opts.head_max_samples;
    let store = Store::open(dir.path(), StoreOptions { background: false, ..opts })?;

    let labels: Vec<Labels> = (0..SERIES).map(series_labels).collect();
    let data = generate();
    let start = Instant::now();
    for family in 0..COUNTER_FAMILIES {
        let meta = MetricMetadata { kind: MetricKind::Counter, help: "Requests served.".to_owned(), unit: String::new() };
        store.set_metadata(&format!("bench_requests_{family}_total"), meta)?;
    }
    let refs: Vec<SeriesRef> = labels.iter().map(|l| store.series_ref(l)).collect::<Result<_, _>>()?;
    let mut batch: Vec<(SeriesRef, Sample)> = Vec::with_capacity(SERIES);
    let (mut flushes, mut in_head) = (0, 0);
    for i in 0..POINTS {
        let t = START_MS + i as i64 * 1000;
        batch.clear();
        batch.extend(refs.iter().zip(&data).map(|(r, d)| (*r, Sample { t, v: d[i] })));
        let report = store.append(&batch)?;
        if report.accepted != SERIES as u64 {
            return Err(format!("cycle {i}: {} of {SERIES} samples accepted", report.accepted).into());
        }
        in_head += SERIES;
        let seconds = i as u64 + 1;
        if seconds.is_multiple_of(flush_every) || in_head >= head_max {
            store.flush()?;
            (flushes, in_head) = (flushes + 1, 0);
        }
        if seconds.is_multiple_of(compact_every) {
            store.compact(false)?;
        }
    }
    let write = start.elapsed().as_secs_f64();
    drop(data);
    let stats = store.stats();
    let blocks: Vec<String> = stats.blocks.iter().map(|(resolution, n, _)| format!("{n} at {}", resolution_name(*resolution))).collect();
    println!(
        "write: {} samples in {write:.1} s ({:.2} M samples/s), {flushes} flushes; blocks: {}; {} samples left in the head; {:.0} MiB on disk",
        SERIES * POINTS,
        (SERIES * POINTS) as f64 / write / 1e6,
        blocks.join(", "),
        stats.head_samples,
        stats.disk_bytes as f64 / (1 << 20) as f64
    );
    println!("peak RSS after writing: {} MiB", peak_rss_mib().unwrap_or(0));

    let state = std::sync::Arc::new(State::open(dir.path())?);
    let app = App::new();
    app.set_ready(Ready {
        store: store.clone(),
        state,
        latest: Latest::default(),
        collectors: Statuses::default(),
        engine: Engine::new(store.clone(), EngineOptions::default()),
    });
    let routes = router(app);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;

    let change = url(&[
        ("start", secs(END_MS - (WINDOW as i64 - 1) * 1000)),
        ("end", secs(END_MS)),
        ("baseline_start", secs(START_MS)),
        ("baseline_end", secs(END_MS - WINDOW as i64 * 1000)),
        ("step", "1s".to_owned()),
        ("method", "ks".to_owned()),
        ("limit", "10".to_owned()),
    ]);
    let times = runtime.block_on(timed(&routes, &change, |data| {
        assert_eq!(data["series"], SERIES, "every series is compared");
        assert_eq!(data["result"][0]["metric"], labels_json(&labels[SHIFTED]), "the shifted series must rank first");
    }));
    report(&format!("change ranking (ks), {SERIES} series, {} s against {} s", WINDOW, POINTS - WINDOW), &times);
    println!("peak RSS after the change rankings: {} MiB", peak_rss_mib().unwrap_or(0));

    let lagged = url(&[
        ("target", labels[TARGET].to_string()),
        ("start", secs(START_MS)),
        ("end", secs(END_MS)),
        ("step", "1s".to_owned()),
        ("max_lag", format!("{MAX_LAG_S}s")),
        ("method", "pearson".to_owned()),
        ("limit", "10".to_owned()),
    ]);
    let times = runtime.block_on(timed(&routes, &lagged, |data| {
        assert_eq!(data["series"], SERIES - 1, "every other series is correlated");
        let first = &data["result"][0];
        assert_eq!(first["metric"], labels_json(&labels[FOLLOWER]), "the lagged copy must rank first");
        assert_eq!(first["pearson"]["lag"], LAG as f64, "the lagged copy must be found at its lag");
    }));
    report(&format!("lagged ranking (pearson, lags ±{MAX_LAG_S} s), {} series x {POINTS} s", SERIES - 1), &times);
    println!("peak RSS after the lagged rankings: {} MiB", peak_rss_mib().unwrap_or(0));
    store.close()?;
    Ok(())
}

/// Each series' values: gauges are noisy levels (an autoregressive walk around a level of
/// their own), counters count requests at a noisy rate; [`SHIFTED`] moves up by about 3
/// standard deviations in the last [`WINDOW`] s, and [`FOLLOWER`] is `2 x target + 7`
/// [`LAG`] s later.
fn generate() -> Vec<Vec<f64>> {
    let mut rng = 0x5eed_u64;
    let mut data: Vec<Vec<f64>> = (0..SERIES)
        .map(|s| {
            let level = 100.0 + (s % 100) as f64;
            let mut walk = 0.0;
            let mut count = 1e6 * uniform(&mut rng);
            (0..POINTS)
                .map(|_| {
                    walk = 0.95 * walk + uniform(&mut rng) - 0.5;
                    if s / INSTANCES < COUNTER_FAMILIES {
                        count += (level + 10.0 * walk).max(0.0).round();
                        count
                    } else {
                        level + walk
                    }
                })
                .collect()
        })
        .collect();
    for v in &mut data[SHIFTED][POINTS - WINDOW..] {
        *v += 3.0;
    }
    let target = data[TARGET].clone();
    data[FOLLOWER] = (0..POINTS).map(|i| if i >= LAG { 2.0 * target[i - LAG] + 7.0 } else { 7.0 }).collect();
    data
}

fn series_labels(s: usize) -> Labels {
    let (family, instance) = (s / INSTANCES, s % INSTANCES);
    let name = if family < COUNTER_FAMILIES { format!("bench_requests_{family}_total") } else { format!("bench_gauge_{family}") };
    Labels::from_pairs([("__name__", name), ("job", "bench".to_owned()), ("instance", format!("host-{instance:02}:9100"))])
}

/// Sends `GET uri` [`RUNS`] times; checks each answer is 200 and passes `check` on its
/// `data`; the sorted wall times (request to the whole body), in seconds.
async fn timed(routes: &Router, uri: &str, check: impl Fn(&Value)) -> Vec<f64> {
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let request = Request::get(uri).body(Body::empty()).unwrap_or_else(|e| panic!("request {uri}: {e}"));
        let start = Instant::now();
        let response = routes.clone().oneshot(request).await.unwrap_or_else(|e| match e {});
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap_or_else(|e| panic!("reading the answer: {e}"));
        times.push(start.elapsed().as_secs_f64());
        let text = String::from_utf8_lossy(&body);
        assert_eq!(status, StatusCode::OK, "{text}");
        let answer: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("the answer is not JSON ({e}): {text}"));
        check(&answer["data"]);
    }
    times.sort_by(f64::total_cmp);
    times
}

fn url(params: &[(&str, String)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        query.append_pair(k, v);
    }
    format!("/api/v1/analytics/correlate?{}", query.finish())
}

fn secs(ms: i64) -> String {
    format!("{}", ms as f64 / 1000.0)
}

/// Labels as the API writes a series' `metric`.
fn labels_json(labels: &Labels) -> Value {
    labels.iter().map(|l| (l.name.clone(), json!(l.value))).collect::<serde_json::Map<_, _>>().into()
}

fn report(what: &str, times: &[f64]) {
    println!("{what}: median {:.3} s (min {:.3}, max {:.3}, {RUNS} runs)", times[RUNS / 2], times[0], times[RUNS - 1]);
}

fn resolution_name(ms: i64) -> String {
    if ms == 0 {
        "raw".to_owned()
    } else {
        format!("{} s", ms / 1000)
    }
}

/// The process's peak resident set (`VmHWM`), MiB.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: u64 = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kib / 1024)
}

fn uniform(state: &mut u64) -> f64 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (*state >> 11) as f64 / (1u64 << 53) as f64
}
