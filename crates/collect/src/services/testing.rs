//! Running a collector in tests and looking at what it wrote, as `/metrics` would show it.

use std::collections::BTreeMap;

use vitals_store::{Store, StoreOptions};

use crate::{Collector, Emitter};

/// A store in a temporary directory and an emitter writing to it, kept across runs.
pub(crate) struct Harness {
    _dir: tempfile::TempDir,
    out: Emitter,
}

/// What one run wrote.
#[derive(Debug)]
pub(crate) struct Run {
    /// Values by series, written `name{label="value",...}` with the labels in the order given.
    pub values: BTreeMap<String, f64>,
    /// Why the run was degraded.
    pub degraded: Option<String>,
}

impl Run {
    /// The value of `series`; panics with the series written when it is missing.
    pub(crate) fn get(&self, series: &str) -> f64 {
        match self.values.get(series) {
            Some(v) => *v,
            None => panic!("no {series} among {:#?}", self.values.keys().collect::<Vec<_>>()),
        }
    }

    /// The series of family `name`.
    pub(crate) fn family(&self, name: &str) -> Vec<(&str, f64)> {
        self.values.iter().filter(|(k, _)| k.split('{').next() == Some(name)).map(|(k, v)| (k.as_str(), *v)).collect()
    }
}

impl Harness {
    /// A fresh store.
    pub(crate) fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        Harness { _dir: dir, out: Emitter::new(store, Vec::new()) }
    }

    /// The emitter, to run a collector by hand.
    pub(crate) fn emitter(&mut self) -> &mut Emitter {
        self.out.clear();
        &mut self.out
    }

    /// Runs `c` once; its run must not fail.
    pub(crate) fn run(&mut self, c: &mut dyn Collector) -> Run {
        self.out.clear();
        c.collect(&mut self.out).unwrap();
        let taken = self.out.take();
        let mut values = BTreeMap::new();
        for r in taken.readings {
            let labels: Vec<String> = r.series.labels.iter().map(|(n, v)| format!("{n}={v:?}")).collect();
            let key = format!("{}{{{}}}", r.series.metric.name, labels.join(","));
            assert!(values.insert(key.clone(), r.value).is_none(), "{key} written twice");
        }
        Run { values, degraded: taken.degraded }
    }
}

/// Waits (up to a minute) until process `pid` has used at least `seconds` of CPU by its
/// `/proc/<pid>/stat`, and returns what it used.
pub(crate) fn wait_for_cpu(pid: u32, seconds: f64) -> f64 {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 1..].split_whitespace().collect();
        let used = (fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap()) / ticks;
        if used >= seconds || std::time::Instant::now() > deadline {
            return used;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
