//! CPU cost of the process collectors on this machine: `services` (five services using
//! every kind of rule, so every process' `stat`, `cmdline` and `cgroup` are read),
//! `top_processes` and `cgroup`, run by the real scheduler.
//!
//! Each collector is wrapped so its run is timed with the thread's own CPU clock
//! (`CLOCK_THREAD_CPUTIME_ID`), from inside the collector's thread: the figure is the CPU
//! time of one `collect` call, writes to the emitter included. Prints the median, the 10th
//! and 90th percentiles and the mean per run.
//!
//! `cargo run --release -p vitals-collect --example bench_processes [cycles] [interval_ms] [all|names]`
//! (`names`: three services by process name only, so only every process' `comm` is read).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use regex::Regex;
use vitals_collect::{
    CgroupCollector, CollectError, Collector, Emitter, Scheduler, SchedulerOptions, ServiceSpec, ServicesCollector, TopProcessesCollector,
};
use vitals_store::{Store, StoreOptions};

/// A collector whose runs are timed in the CPU time of the thread running them.
struct Timed {
    inner: Box<dyn Collector>,
    cpu: Arc<Mutex<Vec<Duration>>>,
}

impl Collector for Timed {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        let before = thread_cpu();
        let result = self.inner.collect(out);
        let used = thread_cpu().saturating_sub(before);
        self.cpu.lock().unwrap_or_else(|p| p.into_inner()).push(used);
        result
    }
}

/// CPU time used by the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the struct we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let cycles: usize = args.next().map_or(Ok(200), |a| a.parse())?;
    let interval = Duration::from_millis(args.next().map_or(Ok(50), |a| a.parse())?);
    let rules = args.next().unwrap_or_else(|| "all".into());

    let dir = tempfile::tempdir()?;
    // A small daemon for the pid-file rule: a shell and its two children.
    // On TERM it ends and reaps its children.
    let script = r#"sleep 600 & a=$!; sleep 600 & b=$!; trap 'kill $a $b; wait; exit 0' TERM; wait"#;
    let mut daemon = std::process::Command::new("sh").args(["-c", script]).spawn()?;
    let pid_file = dir.path().join("daemon.pid");
    std::fs::write(&pid_file, format!("{}\n", daemon.id()))?;
    let spec =
        |name: &str| ServiceSpec { name: name.into(), process_name: None, cmdline: None, pid_file: None, systemd_unit: None, cgroup: None };
    let by_name = |name: &str, re: &str| Ok::<_, regex::Error>(ServiceSpec { process_name: Some(Regex::new(re)?), ..spec(name) });
    // Only process-name rules: only every process' `comm` is read.
    let names_only = vec![by_name("sshd", "^sshd$")?, by_name("api", "^process_api$")?, by_name("sleep", "^sleep$")?];
    let every_rule = vec![
        ServiceSpec { process_name: Some(Regex::new("^(sshd|process_api)$")?), ..spec("by-name") },
        ServiceSpec { cmdline: Some(Regex::new(r"cargo|rustc")?), ..spec("by-cmdline") },
        ServiceSpec { pid_file: Some(pid_file), ..spec("by-pid-file") },
        ServiceSpec { systemd_unit: Some("nginx.service".into()), ..spec("by-unit") },
        ServiceSpec { cgroup: Some("/system.slice".into()), ..spec("by-cgroup") },
    ];
    let specs = match rules.as_str() {
        "names" => names_only,
        "all" => every_rule,
        other => return Err(format!("rules {other:?}: expected \"all\" or \"names\"").into()),
    };
    let processes =
        std::fs::read_dir("/proc")?.filter(|e| e.as_ref().is_ok_and(|e| e.file_name().to_string_lossy().parse::<u32>().is_ok())).count();

    let mut timings = Vec::new();
    let mut collectors: Vec<Box<dyn Collector>> = Vec::new();
    let mut add = |c: Box<dyn Collector>| {
        let cpu = Arc::new(Mutex::new(Vec::new()));
        timings.push((c.name().to_owned(), cpu.clone()));
        collectors.push(Box::new(Timed { inner: c, cpu }));
    };
    add(Box::new(ServicesCollector::new("/proc".into(), specs)));
    add(Box::new(TopProcessesCollector::new("/proc".into(), 10)));
    match CgroupCollector::detect(Path::new("/sys")) {
        Ok(c) => add(Box::new(c)),
        Err(why) => println!("cgroup collector unavailable: {why}"),
    }

    let store = Store::open(&dir.path().join("data"), StoreOptions { background: false, ..StoreOptions::default() })?;
    let opts = SchedulerOptions { interval, base_labels: Vec::new(), not_run: Vec::new() };
    let scheduler = Scheduler::start(&store, collectors, opts)?;
    std::thread::sleep(interval * (cycles as u32 + 1));
    scheduler.stop();
    // SAFETY: kill has no memory effects; the pid is our child's, not yet reaped.
    unsafe { libc::kill(daemon.id() as i32, libc::SIGTERM) };
    daemon.wait()?;

    println!("{processes} processes in /proc; {cycles} cycles of {interval:?}; services' rules: {rules}; CPU time per run:");
    println!("{:<15} {:>6} {:>10} {:>10} {:>10} {:>10}", "collector", "runs", "median", "p10", "p90", "mean");
    let mut median_sum = Duration::ZERO;
    for (name, cpu) in &timings {
        let mut runs = cpu.lock().unwrap_or_else(|p| p.into_inner()).clone();
        // The first run registers every series in the store: not the steady state.
        if runs.len() > 1 {
            runs.remove(0);
        }
        runs.sort();
        if runs.is_empty() {
            println!("{name:<15} no runs");
            continue;
        }
        let at = |q: f64| runs[((runs.len() - 1) as f64 * q).round() as usize];
        let mean = runs.iter().sum::<Duration>() / runs.len() as u32;
        println!("{name:<15} {:>6} {:>10.3?} {:>10.3?} {:>10.3?} {:>10.3?}", runs.len(), at(0.5), at(0.1), at(0.9), mean);
        if name != "cgroup" {
            median_sum += at(0.5);
        }
    }
    println!("services + top_processes: {median_sum:.3?} median CPU per cycle (target: well under 1 ms)");
    Ok(())
}
