//! The `process` collector: Vitals' own CPU time, memory, file descriptors, threads and
//! start time, read from `/proc/self`, under the names Prometheus client libraries use.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::services::{parse_stat, ticks_and_page_size, Got, ProcFiles, Stat};
use crate::{CollectError, Collector, Emitter, Metric};

const CPU: Metric = Metric::counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "seconds");
const RESIDENT: Metric = Metric::gauge("process_resident_memory_bytes", "Resident memory size in bytes.", "bytes");
const VIRTUAL: Metric = Metric::gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", "bytes");
const OPEN_FDS: Metric = Metric::gauge("process_open_fds", "Number of open file descriptors.", "");
const MAX_FDS: Metric = Metric::gauge("process_max_fds", "Maximum number of open file descriptors (soft limit).", "");
const START: Metric = Metric::gauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.", "seconds");
const THREADS: Metric = Metric::gauge("process_threads", "Number of OS threads in the process.", "");

/// Reads the process' own statistics from procfs.
pub struct ProcessCollector {
    files: ProcFiles,
    pid: u32,
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
        ProcessCollector::reading(PathBuf::from("/proc"), PathBuf::from("/proc/stat"))
    }

    /// A collector reading `<proc_root>/<own pid>/{stat,fd}` and the boot time from `proc_stat`.
    fn reading(proc_root: PathBuf, proc_stat: PathBuf) -> ProcessCollector {
        let (ticks_per_second, page_size) = ticks_and_page_size();
        ProcessCollector {
            files: ProcFiles::new(proc_root),
            pid: std::process::id(),
            proc_stat,
            ticks_per_second,
            page_size,
            start_time_seconds: None,
        }
    }

    /// The process' start time in seconds since the epoch: the boot time (read once) plus
    /// the start in ticks after boot.
    fn start_time_seconds(&mut self, stat: &Stat) -> Result<f64, CollectError> {
        if let Some(t) = self.start_time_seconds {
            return Ok(t);
        }
        let t = boot_time(&self.proc_stat)? as f64 + stat.start as f64 / self.ticks_per_second;
        self.start_time_seconds = Some(t);
        Ok(t)
    }

    /// Reads and parses the own `stat`.
    fn stat(&mut self) -> Result<Stat, CollectError> {
        let read = match self.files.read(self.pid, "stat") {
            Got::Bytes(bytes) => Ok(parse_stat(bytes).map(|(_, stat)| stat)),
            Got::Gone => Err(ErrorKind::NotFound.into()),
            Got::Failed(source) => Err(source),
        };
        let path = || self.files.path_of(self.pid, "stat");
        match read {
            Ok(Ok(stat)) => Ok(stat),
            Ok(Err(what)) => Err(CollectError::Parse { path: path(), what }),
            Err(source) => Err(CollectError::Read { path: path(), source }),
        }
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

    fn can_block(&self) -> bool {
        // Reads its own `/proc/self` files.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        let stat = self.stat()?;
        let start = self.start_time_seconds(&stat)?;
        out.push(&CPU, &[], (stat.utime + stat.stime) as f64 / self.ticks_per_second)?;
        out.push(&RESIDENT, &[], stat.rss_pages as f64 * self.page_size)?;
        out.push(&VIRTUAL, &[], stat.vsize as f64)?;
        out.push(&THREADS, &[], stat.threads as f64)?;
        out.push(&START, &[], start)?;
        let fds = match self.files.count_entries(self.pid, "fd") {
            Ok(Some(n)) => n,
            Ok(None) => return Err(CollectError::Read { path: self.files.path_of(self.pid, "fd"), source: ErrorKind::NotFound.into() }),
            Err(source) => return Err(CollectError::Read { path: self.files.path_of(self.pid, "fd"), source }),
        };
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
    fn reads_this_process() {
        let mut c = ProcessCollector::new();
        let dir = tempfile::tempdir().unwrap();
        let store = vitals_store::Store::open(dir.path(), vitals_store::StoreOptions { background: false, ..Default::default() }).unwrap();
        let mut out = Emitter::new(store, Vec::new());
        c.collect(&mut out).unwrap();
        let readings = out.take().readings;
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
        let own_stat = missing.join(std::process::id().to_string()).join("stat");
        let store = vitals_store::Store::open(dir.path(), vitals_store::StoreOptions { background: false, ..Default::default() }).unwrap();
        let err = c.collect(&mut Emitter::new(store, Vec::new())).unwrap_err();
        assert!(err.to_string().starts_with(&format!("reading {}: ", own_stat.display())), "{err}");
    }
}
