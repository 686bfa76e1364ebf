//! Driver of `scripts/bench-query`: query speed of Vitals against Prometheus over HTTP on the
//! same data.
//!
//! - `histogram --start-ms A --end-ms B`: prints (text exposition, ms timestamps) a synthetic
//!   request-duration histogram, 4 instances x 12 buckets every second from A to B, to add
//!   to a data set that has none (node_exporter's has no histograms).
//! - `compare --vitals URL --prometheus URL --start S --end E --step STEP --runs N`: runs
//!   typical dashboard and alert queries, instant (at E) and range (S to E every STEP),
//!   against both servers over HTTP, alternating, N times each, each request after a short
//!   pause (so that neither server is timed while the other still works); prints a markdown table of
//!   median milliseconds, the ratio Vitals / Prometheus, and whether the answers agree (same
//!   series; values within 1e-9 relative, NaN equal to NaN).
//! - `generate --dir DIR --series N --days D --interval-s I`: writes N series of D days at one
//!   sample every I seconds, ending now, into a Vitals data directory (flushed and compacted
//!   as `vitals serve` would leave it).
//! - `time --url URL --query Q --range-days D --step STEP --runs N`: median time of one
//!   range query over the last D days of the data (ending at its newest sample).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use serde_json::Value;
use vitals_store::{FsyncPolicy, Labels, Sample, SeriesRef, Store, StoreOptions};

// The binary's allocator, as in `vitals serve`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The queries: (name, PromQL). Dashboards (rates, sums by a label, ratios, top-k,
/// quantiles from a histogram) and alert rules (averages and predictions over time).
const QUERIES: [(&str, &str); 12] = [
    ("rate", "rate(node_cpu_seconds_total[1m])"),
    ("sum by rate", "sum by (mode) (rate(node_cpu_seconds_total[1m]))"),
    ("cpu busy %", "100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[1m])))"),
    ("memory ratio", "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes"),
    ("topk", "topk(3, rate(node_network_receive_bytes_total[1m]))"),
    ("irate sum", "sum by (device) (irate(node_network_transmit_bytes_total[1m]))"),
    ("avg_over_time", "avg_over_time(node_load1[5m])"),
    ("max_over_time", "max_over_time(node_scrape_collector_duration_seconds[5m])"),
    ("predict_linear", "predict_linear(node_filesystem_avail_bytes[5m], 3600) < 0"),
    ("deriv", "deriv(node_memory_MemFree_bytes[2m])"),
    ("histogram_quantile", "histogram_quantile(0.9, sum by (le) (rate(bench_request_duration_seconds_bucket[1m])))"),
    ("count by name", "count by (__name__) ({__name__=~\"node_network_.+\"})"),
];

/// Pause before each timed request in `compare`.
const SETTLE: Duration = Duration::from_millis(2);

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Histogram {
        #[arg(long)]
        start_ms: i64,
        #[arg(long)]
        end_ms: i64,
    },
    Compare {
        #[arg(long)]
        vitals: String,
        #[arg(long)]
        prometheus: String,
        #[arg(long)]
        start: f64,
        #[arg(long)]
        end: f64,
        #[arg(long)]
        step: String,
        #[arg(long, default_value_t = 20)]
        runs: usize,
        /// Only the queries of these names (all when none given), e.g. `--only deriv`.
        #[arg(long)]
        only: Vec<String>,
        /// Only this kind of query: `instant` or `range` (both when not given).
        #[arg(long)]
        kind: Option<String>,
    },
    Generate {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, default_value_t = 500)]
        series: usize,
        #[arg(long, default_value_t = 30)]
        days: i64,
        #[arg(long, default_value_t = 60)]
        interval_s: i64,
    },
    Time {
        #[arg(long)]
        url: String,
        #[arg(long)]
        query: String,
        #[arg(long, default_value_t = 30)]
        range_days: i64,
        #[arg(long)]
        end: f64,
        #[arg(long, default_value = "1h")]
        step: String,
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Histogram { start_ms, end_ms } => histogram(start_ms, end_ms),
        Command::Compare { vitals, prometheus, start, end, step, runs, only, kind } => {
            let picked =
                |name: &str, k: &str| (only.is_empty() || only.iter().any(|o| o == name)) && kind.as_deref().is_none_or(|x| x == k);
            compare(&vitals, &prometheus, (start, end, &step), runs, picked)
        }
        Command::Generate { dir, series, days, interval_s } => generate(&dir, series, days, interval_s),
        Command::Time { url, query, range_days, end, step, runs } => time(&url, &query, range_days, end, &step, runs),
    }
}

/// A small deterministic generator (xorshift), so both servers get the same data and runs
/// repeat.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn histogram(start_ms: i64, end_ms: i64) -> anyhow::Result<()> {
    const LE: [&str; 12] = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
    let bounds: Vec<f64> = LE.iter().map(|b| if *b == "+Inf" { f64::INFINITY } else { b.parse().unwrap_or(f64::INFINITY) }).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut counts = [[0u64; 12]; 4];
    let mut sums = [0f64; 4];
    let mut out = String::new();
    let mut t = start_ms;
    while t <= end_ms {
        for (i, (c, sum)) in counts.iter_mut().zip(sums.iter_mut()).enumerate() {
            for _ in 0..(5 + (rng.next() * 20.0) as usize) {
                // Log-uniform durations from 1 ms to about 3 s.
                let d = 0.001 * (rng.next() * 8.0).exp();
                *sum += d;
                for (b, bound) in bounds.iter().enumerate() {
                    if d <= *bound {
                        c[b] += 1;
                    }
                }
            }
            for (b, le) in LE.iter().enumerate() {
                out.push_str(&format!("bench_request_duration_seconds_bucket{{instance=\"i{i}\",le=\"{le}\"}} {} {t}\n", c[b]));
            }
            out.push_str(&format!("bench_request_duration_seconds_sum{{instance=\"i{i}\"}} {sum} {t}\n"));
            out.push_str(&format!("bench_request_duration_seconds_count{{instance=\"i{i}\"}} {} {t}\n", c[11]));
        }
        t += 1000;
    }
    print!("{out}");
    Ok(())
}

/// One server's answer: series (as JSON text of the labels) to points.
type Answer = BTreeMap<String, Vec<(f64, f64)>>;

struct Client {
    agent: ureq::Agent,
}

impl Client {
    fn new() -> Client {
        // Timeouts per phase, not global: with a global timeout ureq resolves the address on
        // a new thread for every request, which added ~60 µs of client time to both servers.
        let long = Some(Duration::from_secs(600));
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(long)
            .timeout_send_request(long)
            .timeout_recv_response(long)
            .timeout_recv_body(long)
            .build()
            .into();
        Client { agent }
    }

    /// GETs `url`; the time taken in ms.
    fn health(&self, url: &str) -> anyhow::Result<f64> {
        let started = Instant::now();
        self.agent.get(url).call().with_context(|| format!("GET {url}"))?.body_mut().read_to_string()?;
        Ok(started.elapsed().as_secs_f64() * 1000.0)
    }

    /// POSTs a form; the time taken and the parsed answer.
    fn query(&self, url: &str, form: &[(&str, String)]) -> anyhow::Result<(f64, Answer)> {
        let started = Instant::now();
        let mut resp = self.agent.post(url).send_form(form.iter().map(|(k, v)| (*k, v.as_str()))).with_context(|| format!("POST {url}"))?;
        let body = resp.body_mut().with_config().limit(1 << 30).read_to_string()?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let v: Value = serde_json::from_str(&body).with_context(|| format!("{url}: {}", &body[..body.len().min(200)]))?;
        if v["status"] != "success" {
            bail!("{url} {form:?}: {}", &body[..body.len().min(300)]);
        }
        Ok((ms, answer(&v["data"])))
    }
}

fn number(v: &Value) -> f64 {
    match v.as_str() {
        Some("+Inf") => f64::INFINITY,
        Some("-Inf") => f64::NEG_INFINITY,
        Some(s) => s.parse().unwrap_or(f64::NAN),
        None => v.as_f64().unwrap_or(f64::NAN),
    }
}

fn answer(data: &Value) -> Answer {
    let mut out = Answer::new();
    for s in data["result"].as_array().into_iter().flatten() {
        let key = s["metric"].to_string();
        let points: Vec<(f64, f64)> = match s.get("values") {
            Some(values) => values.as_array().into_iter().flatten().map(|p| (number(&p[0]), number(&p[1]))).collect(),
            None => vec![(number(&s["value"][0]), number(&s["value"][1]))],
        };
        out.insert(key, points);
    }
    out
}

/// Why two answers differ, if they do.
fn disagreement(a: &Answer, b: &Answer) -> Option<String> {
    if a.keys().ne(b.keys()) {
        let only_a: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).take(2).collect();
        let only_b: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).take(2).collect();
        return Some(format!("series differ: {} vs {} (only Vitals: {only_a:?}; only Prometheus: {only_b:?})", a.len(), b.len()));
    }
    for (k, pa) in a {
        let pb = &b[k];
        if pa.len() != pb.len() {
            return Some(format!("{k}: {} vs {} points", pa.len(), pb.len()));
        }
        for ((ta, va), (tb, vb)) in pa.iter().zip(pb) {
            let same = (va.is_nan() && vb.is_nan()) || va == vb || (va - vb).abs() <= 1e-9 * va.abs().max(vb.abs());
            if ta != tb || !same {
                return Some(format!("{k} at {ta}/{tb}: {va} vs {vb}"));
            }
        }
    }
    None
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn compare(
    vitals: &str,
    prometheus: &str,
    (start, end, step): (f64, f64, &str),
    runs: usize,
    picked: impl Fn(&str, &str) -> bool,
) -> anyhow::Result<()> {
    let client = Client::new();
    println!("| query | kind | Vitals median ms | Prometheus median ms | ratio | answers |");
    println!("|---|---|---:|---:|---:|---|");
    let mut worst: f64 = 0.0;
    let mut disagreements = 0;
    for (name, q) in QUERIES {
        for kind in ["instant", "range"] {
            if !picked(name, kind) {
                continue;
            }
            let (path, form) = if kind == "instant" {
                ("/api/v1/query", vec![("query", q.to_owned()), ("time", end.to_string())])
            } else {
                (
                    "/api/v1/query_range",
                    vec![("query", q.to_owned()), ("start", start.to_string()), ("end", end.to_string()), ("step", step.to_owned())],
                )
            };
            let (v_url, p_url) = (format!("{vitals}{path}"), format!("{prometheus}{path}"));
            // One warm-up each, whose answers are compared.
            let (_, va) = client.query(&v_url, &form)?;
            let (_, pa) = client.query(&p_url, &form)?;
            let (mut vt, mut pt) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
            for _ in 0..runs {
                // A pause before each request, so that neither server is timed while the
                // other still works in the background after its answer (Go's runtime does,
                // on a machine with few cores).
                std::thread::sleep(SETTLE);
                vt.push(client.query(&v_url, &form)?.0);
                std::thread::sleep(SETTLE);
                pt.push(client.query(&p_url, &form)?.0);
            }
            let (vm, pm) = (median(vt), median(pt));
            worst = worst.max(vm / pm);
            let agree = match disagreement(&va, &pa) {
                None => format!("agree ({} series)", va.len()),
                Some(why) => {
                    disagreements += 1;
                    format!("DIFFER: {why}")
                }
            };
            println!("| {name}: `{q}` | {kind} | {vm:.2} | {pm:.2} | {:.2} | {agree} |", vm / pm);
        }
    }
    // The floor: what one HTTP round trip of this client costs on each server.
    let (mut vh, mut ph) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for _ in 0..runs {
        vh.push(client.health(&format!("{vitals}/-/healthy"))?);
        ph.push(client.health(&format!("{prometheus}/-/healthy"))?);
    }
    println!();
    println!("runs per query and server: {runs}; worst ratio {worst:.2} (goal: at most 0.5); answers that differ: {disagreements}");
    println!("HTTP floor (GET /-/healthy, median): Vitals {:.3} ms, Prometheus {:.3} ms", median(vh), median(ph));
    Ok(())
}

fn generate(dir: &std::path::Path, series: usize, days: i64, interval_s: i64) -> anyhow::Result<()> {
    let opts = StoreOptions { background: false, fsync: FsyncPolicy::Never, ..StoreOptions::default() };
    let store = Store::open(dir, opts)?;
    let refs: Vec<SeriesRef> = (0..series)
        .map(|i| {
            let labels = Labels::from_pairs([
                ("__name__", "bench_requests_total".to_owned()),
                ("instance", format!("host{}", i / 10)),
                ("handler", format!("/api/{}", i % 10)),
            ]);
            store.series_ref(&labels)
        })
        .collect::<Result<_, _>>()?;
    let step = interval_s * 1000;
    let end = vitals_store::wall_clock_ms() / step * step;
    let start = end - days * 86_400_000;
    let mut rng = Rng(42);
    let mut values = vec![0f64; series];
    let started = Instant::now();
    let mut samples = 0u64;
    let mut t = start;
    let mut batch = Vec::with_capacity(series);
    while t <= end {
        batch.clear();
        for (r, v) in refs.iter().zip(values.iter_mut()) {
            *v += (rng.next() * 100.0).floor();
            batch.push((*r, Sample { t, v: *v }));
        }
        store.append(&batch)?;
        samples += series as u64;
        t += step;
        // Keep the WAL and head small, as the background thread would.
        if (t - start) % (6 * 3_600_000) < step {
            store.flush()?;
            store.compact(false)?;
        }
    }
    store.flush()?;
    store.compact(false)?;
    store.close()?;
    eprintln!(
        "generated {samples} samples ({series} series, {days} days every {interval_s} s) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!("{}", end as f64 / 1000.0);
    Ok(())
}

fn time(url: &str, query: &str, range_days: i64, end: f64, step: &str, runs: usize) -> anyhow::Result<()> {
    let client = Client::new();
    let start = end - (range_days * 86_400) as f64;
    let form = vec![("query", query.to_owned()), ("start", start.to_string()), ("end", end.to_string()), ("step", step.to_owned())];
    let url = format!("{url}/api/v1/query_range");
    let (_, first) = client.query(&url, &form)?;
    let points: usize = first.values().map(Vec::len).sum();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(client.query(&url, &form)?.0);
    }
    println!(
        "| `{query}` | {range_days} d at {step} | {} series, {points} points | {:.2} ms median of {runs} |",
        first.len(),
        median(times)
    );
    Ok(())
}
