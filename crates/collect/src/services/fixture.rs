//! Fake `/proc` trees for tests: processes with the files the collectors read.

use std::path::PathBuf;

/// One fake process. `io: None` makes `/proc/<pid>/io` unreadable (a directory, which
/// fails to read even for root).
#[derive(Debug, Clone)]
pub(crate) struct FakeProcess {
    pub pid: u32,
    pub comm: &'static str,
    pub ppid: u32,
    pub kernel_thread: bool,
    pub utime: u64,
    pub stime: u64,
    pub threads: u64,
    pub start: u64,
    pub vsize: u64,
    pub rss_pages: u64,
    pub cmdline: &'static [&'static str],
    pub cgroup: &'static str,
    pub io: Option<(u64, u64)>,
    pub fds: usize,
    pub ctx: (u64, u64),
}

impl Default for FakeProcess {
    fn default() -> FakeProcess {
        FakeProcess {
            pid: 100,
            comm: "proc",
            ppid: 1,
            kernel_thread: false,
            utime: 0,
            stime: 0,
            threads: 1,
            start: 1000,
            vsize: 1 << 20,
            rss_pages: 10,
            cmdline: &[],
            cgroup: "/",
            io: Some((0, 0)),
            fds: 3,
            ctx: (0, 0),
        }
    }
}

/// A fake `/proc` in a temporary directory, booted at 1 700 000 000 s.
pub(crate) struct FakeProc {
    dir: tempfile::TempDir,
}

/// The fake boot time, seconds since the epoch.
pub(crate) const BOOT_TIME: u64 = 1_700_000_000;

impl FakeProc {
    pub(crate) fn new() -> FakeProc {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("stat"), format!("cpu  1 2 3 4\nbtime {BOOT_TIME}\nprocesses 5\n")).unwrap();
        std::fs::create_dir(dir.path().join("self")).unwrap();
        FakeProc { dir }
    }

    pub(crate) fn root(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    pub(crate) fn pid_dir(&self, pid: u32) -> PathBuf {
        self.dir.path().join(pid.to_string())
    }

    /// Writes (or rewrites) a process' files.
    pub(crate) fn put(&self, p: &FakeProcess) {
        let dir = self.pid_dir(p.pid);
        std::fs::create_dir_all(dir.join("fd")).unwrap();
        let flags = if p.kernel_thread { 0x0020_8040 } else { 0x0040_0100 };
        let stat = format!(
            "{} ({}) S {} {} {} 0 -1 {flags} 100 0 0 0 {} {} 0 0 20 0 {} 0 {} {} {} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
            p.pid, p.comm, p.ppid, p.pid, p.pid, p.utime, p.stime, p.threads, p.start, p.vsize, p.rss_pages
        );
        std::fs::write(dir.join("stat"), stat).unwrap();
        std::fs::write(dir.join("comm"), format!("{}\n", p.comm)).unwrap();
        let cmdline: Vec<u8> = p.cmdline.iter().flat_map(|a| a.bytes().chain([0])).collect();
        std::fs::write(dir.join("cmdline"), cmdline).unwrap();
        std::fs::write(dir.join("cgroup"), format!("0::{}\n", p.cgroup)).unwrap();
        let status = format!(
            "Name:\t{}\nState:\tS (sleeping)\nThreads:\t{}\nvoluntary_ctxt_switches:\t{}\nnonvoluntary_ctxt_switches:\t{}\n",
            p.comm, p.threads, p.ctx.0, p.ctx.1
        );
        std::fs::write(dir.join("status"), status).unwrap();
        let io = dir.join("io");
        let _ = std::fs::remove_dir(&io);
        match p.io {
            Some((r, w)) => std::fs::write(
                &io,
                format!("rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: {r}\nwrite_bytes: {w}\ncancelled_write_bytes: 0\n"),
            )
            .unwrap(),
            None => {
                let _ = std::fs::remove_file(&io);
                std::fs::create_dir(&io).unwrap();
            }
        }
        let fd = dir.join("fd");
        for entry in std::fs::read_dir(&fd).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        for i in 0..p.fds {
            std::fs::write(fd.join(i.to_string()), "").unwrap();
        }
    }

    /// The process exits.
    pub(crate) fn remove(&self, pid: u32) {
        std::fs::remove_dir_all(self.pid_dir(pid)).unwrap();
    }

    /// Overwrites one file of a process.
    pub(crate) fn write(&self, pid: u32, file: &str, content: &str) {
        std::fs::write(self.pid_dir(pid).join(file), content).unwrap();
    }

    /// A path inside the tree, for pid files.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}
