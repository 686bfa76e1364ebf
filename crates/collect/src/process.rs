//! The `process` collector: Vitals' own CPU time, memory, file descriptors, threads and
//! start time, read from `/proc/self`, under the names Prometheus client libraries use.

use std::path::{Path, PathBuf};

use crate::{CollectError, Collector, Emitter, Metric};

const CPU: Metric = Metric::counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "seconds");
const RESIDENT: Metric = Metric::gauge("process_resident_memory_bytes", "Resident memory size in bytes.", "bytes");
const VIRTUAL: Metric = Metric::gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", "bytes");
const OPEN_FDS: Metric = Metric::gauge("process_open_fds", "Number of open file descriptors.", "");
const MAX_FDS: Metric = Metric::gauge("process_max_fds", "Maximum number of open file descriptors (soft limit).", "");
const START: Metric = Metric::gauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.", "seconds");
const THREADS: Metric = Metric::gauge("process_threads", "Number of OS threads in the process.", "");

/// The fields of `/proc/self/stat` this collector uses.
#[derive(Debug, PartialEq)]
struct Stat {
    utime_ticks: u64,
    stime_ticks: u64,
    threads: u64,
    start_ticks: u64,
    vsize_bytes: u64,
    rss_pages: u64,
}

/// Reads the process' own statistics from procfs.
pub struct ProcessCollector {
    proc_dir: PathBuf,
    proc_stat: PathBuf,
    ticks_per_second: f64,
    page_size: f64,
    /// Worked out on the first run that can read the boot time.
    start_time_seconds: Option<f64>,
}

impl ProcessCollector {
    /// A collector for the calling process. Creating it reads nothing, so it cannot fail:
    /// a procfs that cannot be read makes its runs fail (the collector is down) instead.
    pub fn new() -> ProcessCollector {
        ProcessCollector::reading(PathBuf::from("/proc/self"), PathBuf::from("/proc/stat"))
    }

    /// A collector reading `<proc_dir>/stat`, `<proc_dir>/fd` and the boot time from `proc_stat`.
    fn reading(proc_dir: PathBuf, proc_stat: PathBuf) -> ProcessCollector {
        // SAFETY: sysconf has no preconditions; it returns -1 for unknown names.
        let (ticks, page) = unsafe { (libc::sysconf(libc::_SC_CLK_TCK), libc::sysconf(libc::_SC_PAGESIZE)) };
        let ticks_per_second = if ticks > 0 { ticks as f64 } else { 100.0 };
        let page_size = if page > 0 { page as f64 } else { 4096.0 };
        ProcessCollector { proc_dir, proc_stat, ticks_per_second, page_size, start_time_seconds: None }
    }

    /// The process' start time in seconds since the epoch: the boot time (read once) plus
    /// the start in ticks after boot.
    fn start_time_seconds(&mut self, stat: &Stat) -> Result<f64, CollectError> {
        if let Some(t) = self.start_time_seconds {
            return Ok(t);
        }
        let t = boot_time(&self.proc_stat)? as f64 + stat.start_ticks as f64 / self.ticks_per_second;
        self.start_time_seconds = Some(t);
        Ok(t)
    }
}

impl Default for ProcessCollector {
    fn default() -> ProcessCollector {
        ProcessCollector::new()
    }
}

impl Collector for ProcessCollector {
    fn name(&self) -> &str {
        "process"
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        let stat = read_stat(&self.proc_dir.join("stat"))?;
        let start = self.start_time_seconds(&stat)?;
        out.push(&CPU, &[], (stat.utime_ticks + stat.stime_ticks) as f64 / self.ticks_per_second)?;
        out.push(&RESIDENT, &[], stat.rss_pages as f64 * self.page_size)?;
        out.push(&VIRTUAL, &[], stat.vsize_bytes as f64)?;
        out.push(&THREADS, &[], stat.threads as f64)?;
        out.push(&START, &[], start)?;
        let fd_dir = self.proc_dir.join("fd");
        let fds = std::fs::read_dir(&fd_dir).map_err(|source| CollectError::Read { path: fd_dir.clone(), source })?.count();
        out.push(&OPEN_FDS, &[], fds as f64)?;
        out.push(&MAX_FDS, &[], max_fds()?)?;
        Ok(())
    }
}

/// The soft limit on open files.
fn max_fds() -> Result<f64, CollectError> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(CollectError::Read { path: PathBuf::from("getrlimit(RLIMIT_NOFILE)"), source: std::io::Error::last_os_error() });
    }
    Ok(limit.rlim_cur as f64)
}

fn read_stat(path: &Path) -> Result<Stat, CollectError> {
    let text = std::fs::read_to_string(path).map_err(|source| CollectError::Read { path: path.to_path_buf(), source })?;
    parse_stat(&text).map_err(|what| CollectError::Parse { path: path.to_path_buf(), what })
}

/// Parses `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may hold
/// spaces and parentheses itself, so fields are counted from the last `)`.
fn parse_stat(text: &str) -> Result<Stat, String> {
    let after = text.rfind(')').map(|i| &text[i + 1..]).ok_or("no ')' closing the command name")?;
    // fields[0] is field 3 (state).
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |n: usize| -> Result<u64, String> {
        let raw = fields.get(n - 3).ok_or_else(|| format!("only {} fields, expected at least {n}", fields.len() + 2))?;
        raw.parse().map_err(|_| format!("field {n} is {raw:?}, not a whole number"))
    };
    Ok(Stat {
        utime_ticks: field(14)?,
        stime_ticks: field(15)?,
        threads: field(20)?,
        start_ticks: field(22)?,
        vsize_bytes: field(23)?,
        rss_pages: field(24)?,
    })
}

/// The `btime` line of `/proc/stat`: boot time in seconds since the epoch.
fn boot_time(path: &Path) -> Result<u64, CollectError> {
    let text = std::fs::read_to_string(path).map_err(|source| CollectError::Read { path: path.to_path_buf(), source })?;
    let parse = |what: String| CollectError::Parse { path: path.to_path_buf(), what };
    let value = text.lines().find_map(|l| l.strip_prefix("btime ")).ok_or_else(|| parse("no btime line".into()))?;
    value.trim().parse().map_err(|_| parse(format!("btime {value:?} is not a whole number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_command_name() {
        let text =
            "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 1200 0 3 0 250 75 0 0 20 0 9 0 123456 987654321 2048 18446744073709551615 \
                    1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
        let stat = parse_stat(text).unwrap();
        assert_eq!(
            stat,
            Stat { utime_ticks: 250, stime_ticks: 75, threads: 9, start_ticks: 123456, vsize_bytes: 987654321, rss_pages: 2048 }
        );
    }

    #[test]
    fn a_short_or_garbled_stat_is_a_clear_error() {
        assert_eq!(parse_stat("1 (x) S 1 2").unwrap_err(), "only 5 fields, expected at least 14");
        assert_eq!(parse_stat("no parens at all").unwrap_err(), "no ')' closing the command name");
        let bad = "1 (x) S 1 1 1 0 -1 0 0 0 0 0 lots 75 0 0 20 0 9 0 1 2 3";
        assert_eq!(parse_stat(bad).unwrap_err(), "field 14 is \"lots\", not a whole number");
    }

    #[test]
    fn reads_this_process() {
        let mut c = ProcessCollector::new();
        let dir = tempfile::tempdir().unwrap();
        let store = vitals_store::Store::open(dir.path(), vitals_store::StoreOptions { background: false, ..Default::default() }).unwrap();
        let mut out = Emitter::new(store, Vec::new());
        c.collect(&mut out).unwrap();
        let (_, readings) = out.take();
        let value = |name: &str| readings.iter().find(|r| r.series.metric.name == name).map(|r| r.value).unwrap();
        assert!(value("process_resident_memory_bytes") > 1e6);
        assert!(value("process_threads") >= 1.0);
        assert!(value("process_open_fds") >= 3.0);
        assert!(value("process_max_fds") >= value("process_open_fds"));
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
        let start = value("process_start_time_seconds");
        assert!(start <= now + 1.0 && start > now - 3600.0, "start {start} vs now {now}");
        assert_eq!(readings.len(), 7);
    }

    #[test]
    fn an_unreadable_procfs_fails_the_run_not_the_construction() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-proc");
        let mut c = ProcessCollector::reading(missing.clone(), missing.join("stat"));
        let store = vitals_store::Store::open(dir.path(), vitals_store::StoreOptions { background: false, ..Default::default() }).unwrap();
        let err = c.collect(&mut Emitter::new(store, Vec::new())).unwrap_err();
        assert!(err.to_string().starts_with(&format!("reading {}: ", missing.join("stat").display())), "{err}");
    }
}
