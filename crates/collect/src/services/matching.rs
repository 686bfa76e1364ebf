//! Which service each process belongs to: the first spec, in configuration order, whose
//! rules all match it. Each file is read only when a rule needs it, at most once per process.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::procfs::{self, Got, ProcFiles, Stat};
use super::spec::{self, ServiceSpec};
use crate::Emitter;

/// How deep a parent chain is followed looking for a pid file's process.
const MAX_ANCESTORS: usize = 256;

/// Assigns processes to services.
pub(crate) struct Matcher {
    specs: Vec<ServiceSpec>,
    /// Some spec has a pid file: every process' parent is needed.
    uses_pid_file: bool,
    /// Per spec with a pid file: the processes in its tree this cycle.
    trees: Vec<HashSet<u32>>,
    /// This cycle's `/proc/<pid>/stat`, when every process' was read (for the parents).
    pub(crate) stats: HashMap<u32, (Stat, String)>,
    comm: Fact,
    cmdline: Fact,
    cgroup: Fact,
}

/// One file's content for the process being matched.
#[derive(Default)]
struct Fact {
    text: String,
    state: FactState,
}

#[derive(Default, Clone, Copy, PartialEq)]
enum FactState {
    /// Not needed yet.
    #[default]
    Unread,
    /// Read into `text`.
    Known,
    /// Could not be read (the problem is noted): no rule on it matches.
    Unknown,
}

/// A process could not be matched because it exited meanwhile.
struct Gone;

impl Matcher {
    /// A matcher for `specs`, in configuration order.
    pub(crate) fn new(specs: Vec<ServiceSpec>) -> Matcher {
        let uses_pid_file = specs.iter().any(|s| s.pid_file.is_some());
        let trees = specs.iter().map(|_| HashSet::new()).collect();
        Matcher {
            specs,
            uses_pid_file,
            trees,
            stats: HashMap::new(),
            comm: Fact::default(),
            cmdline: Fact::default(),
            cgroup: Fact::default(),
        }
    }

    /// The specs, in configuration order.
    pub(crate) fn specs(&self) -> &[ServiceSpec] {
        &self.specs
    }

    /// Puts `(pid, spec index)` in `assigned` (cleared first) for every process of `pids`
    /// that belongs to a service. Processes that exit meanwhile are left out silently;
    /// unreadable files degrade the run written to `out`.
    pub(crate) fn assign(&mut self, files: &mut ProcFiles, pids: &[u32], assigned: &mut Vec<(u32, usize)>, out: &mut Emitter) {
        assigned.clear();
        self.stats.clear();
        if self.uses_pid_file {
            self.read_all_stats(files, pids, out);
            self.build_trees(out);
        }
        for &pid in pids {
            if self.uses_pid_file && !self.stats.contains_key(&pid) {
                continue;
            }
            self.comm.state = FactState::Unread;
            self.cmdline.state = FactState::Unread;
            self.cgroup.state = FactState::Unread;
            for i in 0..self.specs.len() {
                match self.matches(i, pid, files, out) {
                    Ok(true) => {
                        assigned.push((pid, i));
                        break;
                    }
                    Ok(false) => {}
                    Err(Gone) => break,
                }
            }
        }
    }

    /// Reads every process' stat, for the parent links (and the name, which it holds too).
    fn read_all_stats(&mut self, files: &mut ProcFiles, pids: &[u32], out: &mut Emitter) {
        for &pid in pids {
            match files.read(pid, "stat") {
                Got::Bytes(bytes) => match procfs::parse_stat(bytes) {
                    Ok((comm, stat)) => {
                        self.stats.insert(pid, (stat, String::from_utf8_lossy(comm).into_owned()));
                    }
                    Err(what) => out.degrade(format_args!("{}: {what}", files.path_of(pid, "stat").display())),
                },
                Got::Gone => {}
                Got::Failed(e) => out.degrade(format_args!("reading {}: {e}", files.path_of(pid, "stat").display())),
            }
        }
    }

    /// Fills `trees`: for each spec with a pid file, the process it names and its descendants.
    fn build_trees(&mut self, out: &mut Emitter) {
        for (i, spec) in self.specs.iter().enumerate() {
            self.trees[i].clear();
            let Some(path) = &spec.pid_file else { continue };
            let Some(root) = read_pid_file(path, out) else { continue };
            for &pid in self.stats.keys() {
                let mut at = pid;
                for _ in 0..MAX_ANCESTORS {
                    if at == root {
                        self.trees[i].insert(pid);
                        break;
                    }
                    match self.stats.get(&at) {
                        Some((stat, _)) if stat.ppid != 0 && stat.ppid != at => at = stat.ppid,
                        _ => break,
                    }
                }
            }
        }
    }

    /// Whether every rule of spec `i` matches process `pid`.
    fn matches(&mut self, i: usize, pid: u32, files: &mut ProcFiles, out: &mut Emitter) -> Result<bool, Gone> {
        let spec = &self.specs[i];
        if !spec.has_rules() {
            return Ok(false);
        }
        if spec.pid_file.is_some() && !self.trees[i].contains(&pid) {
            return Ok(false);
        }
        if let Some(re) = &spec.process_name {
            if let Some((_, comm)) = self.stats.get(&pid) {
                if !re.is_match(comm) {
                    return Ok(false);
                }
            } else if !load(&mut self.comm, files, pid, "comm", out)? || !re.is_match(self.comm.text.trim_end_matches('\n')) {
                return Ok(false);
            }
        }
        if let Some(re) = &spec.cmdline {
            if !load(&mut self.cmdline, files, pid, "cmdline", out)? || !re.is_match(&self.cmdline.text) {
                return Ok(false);
            }
        }
        if spec.systemd_unit.is_some() || spec.cgroup.is_some() {
            if !load(&mut self.cgroup, files, pid, "cgroup", out)? {
                return Ok(false);
            }
            let path = self.cgroup.text.as_str();
            if spec.systemd_unit.as_deref().is_some_and(|unit| !spec::in_unit(path, unit)) {
                return Ok(false);
            }
            if spec.cgroup.as_deref().is_some_and(|group| !spec::in_cgroup(path, group)) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Reads `file` of `pid` into `fact` unless already done: `Ok(true)` when its content is
/// known, `Ok(false)` when it could not be read (the problem is noted), `Err(Gone)` when the
/// process exited. A cgroup file is reduced to the process' cgroup path, a command line to
/// its arguments joined by spaces.
fn load(fact: &mut Fact, files: &mut ProcFiles, pid: u32, file: &'static str, out: &mut Emitter) -> Result<bool, Gone> {
    if fact.state == FactState::Unread {
        fact.state = match files.read(pid, file) {
            Got::Bytes(bytes) => {
                match file {
                    "cmdline" => procfs::join_cmdline(bytes, &mut fact.text),
                    "cgroup" => {
                        fact.text.clear();
                        fact.text.push_str(&String::from_utf8_lossy(procfs::cgroup_path(bytes).unwrap_or_default()));
                    }
                    _ => {
                        fact.text.clear();
                        fact.text.push_str(&String::from_utf8_lossy(bytes));
                    }
                }
                FactState::Known
            }
            Got::Gone => return Err(Gone),
            Got::Failed(e) => {
                out.degrade(format_args!("reading {}: {e}", files.path_of(pid, file).display()));
                FactState::Unknown
            }
        };
    }
    Ok(fact.state == FactState::Known)
}

/// The process id in a pid file; `None` when the file is missing (the service is not
/// running) or, with a noted problem, unreadable or not a process id.
fn read_pid_file(path: &Path, out: &mut Emitter) -> Option<u32> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = bytes.trim_ascii();
            let pid = procfs::parse_u64(text).and_then(|p| u32::try_from(p).ok()).filter(|&p| p > 0);
            if pid.is_none() {
                out.degrade(format_args!("pid file {}: {:?} is not a process id", path.display(), String::from_utf8_lossy(text)));
            }
            pid
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            out.degrade(format_args!("reading pid file {}: {e}", path.display()));
            None
        }
    }
}
