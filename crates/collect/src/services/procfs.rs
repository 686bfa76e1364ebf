//! Reading `/proc/<pid>/*` files cheaply: one reused path and one reused buffer, and
//! parsers that work on the bytes without allocating.
//!
//! Hand-written rather than the `procfs` crate: these files are read for every process
//! every second, and the crate builds a fresh `String`, `PathBuf` and a full struct of every
//! field for each read; here a cycle over ~70 processes reuses the same two buffers and parses
//! only the handful of fields the collectors use.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// `PF_KTHREAD` in the `flags` field of `/proc/<pid>/stat`: a kernel thread.
const PF_KTHREAD: u64 = 0x0020_0000;

/// Reads files of a `/proc` tree into a buffer reused from call to call.
pub(crate) struct ProcFiles {
    root: PathBuf,
    /// Open `<pid>/<file>` files, read again from offset 0 each time (see [`ProcFiles::read`]).
    pub(super) kept: HashMap<(u32, &'static str), File>,
    /// At most this many are kept open: an eighth of the open-files limit (a few collectors
    /// keep files), at most 1024 (each open procfs file holds a page of kernel memory).
    pub(super) keep_limit: usize,
    /// The root directory, kept open to list the pids.
    dir: Option<File>,
    /// The buffer directory entries are read into.
    dents: Vec<u8>,
    /// `root` is a real procfs, whose `<pid>/fd` directories give their entry count as
    /// their size (Linux 6.2 and later; 0 before).
    procfs: bool,
    path: OsString,
    number: String,
    buf: Vec<u8>,
}

/// The outcome of reading one process' file.
pub(crate) enum Got<'a> {
    /// The file's content.
    Bytes(&'a [u8]),
    /// The process is gone (it exited between listing and reading): a normal event.
    Gone,
    /// The file exists but could not be read (permissions, ...).
    Failed(std::io::Error),
}

impl ProcFiles {
    /// A reader of the tree at `root` (normally `/proc`).
    pub(crate) fn new(root: PathBuf) -> ProcFiles {
        let procfs = is_procfs(&root);
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit writes into the struct we own.
        let soft = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 { limit.rlim_cur } else { 1024 };
        let keep_limit = usize::try_from(soft / 8).unwrap_or(usize::MAX).min(1024);
        ProcFiles {
            root,
            kept: HashMap::new(),
            keep_limit,
            dir: None,
            dents: Vec::new(),
            procfs,
            path: OsString::new(),
            number: String::new(),
            buf: Vec::new(),
        }
    }

    /// Closes the kept `file` of process `pid`, which will not be read for a while.
    pub(crate) fn close(&mut self, pid: u32, file: &'static str) {
        self.kept.remove(&(pid, file));
    }

    /// The tree's root.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The path of `<root>/<pid>/<file>`, for error messages.
    pub(crate) fn path_of(&self, pid: u32, file: &str) -> PathBuf {
        self.root.join(pid.to_string()).join(file)
    }

    /// The process ids in the tree, in increasing order, into `pids` (cleared first). The
    /// kept files of processes no longer listed are closed.
    ///
    /// Hand-written over `getdents64` rather than `std::fs::read_dir`: the root stays open
    /// and is rewound, and names are parsed in a reused buffer, where `read_dir` opens the
    /// directory again and allocates two strings per entry (a few hundred per scan).
    pub(crate) fn pids(&mut self, pids: &mut Vec<u32>) -> Result<(), std::io::Error> {
        pids.clear();
        let dir = match &self.dir {
            Some(dir) => dir,
            None => self.dir.insert(File::open(&self.root)?),
        };
        let fd = dir.as_raw_fd();
        // SAFETY: lseek on a descriptor we own.
        if unsafe { libc::lseek(fd, 0, libc::SEEK_SET) } < 0 {
            let e = std::io::Error::last_os_error();
            self.dir = None;
            return Err(e);
        }
        if self.dents.is_empty() {
            self.dents.resize(32 * 1024, 0);
        }
        loop {
            // SAFETY: getdents64 writes at most `len` bytes into the buffer we own.
            let n = unsafe { libc::syscall(libc::SYS_getdents64, fd, self.dents.as_mut_ptr(), self.dents.len()) };
            let Ok(n) = usize::try_from(n) else {
                let e = std::io::Error::last_os_error();
                self.dir = None;
                return Err(e);
            };
            if n == 0 {
                // Listed in increasing order already, as procfs lists them; sorted to be sure.
                pids.sort_unstable();
                self.kept.retain(|(pid, _), _| pids.binary_search(pid).is_ok());
                return Ok(());
            }
            dirent_pids(&self.dents[..n.min(self.dents.len())], pids);
        }
    }

    /// Sets the reused path to `<root>/<pid>/<file>`.
    fn set_path(&mut self, pid: u32, file: &str) {
        self.number.clear();
        let _ = write!(self.number, "/{pid}/");
        self.path.clear();
        self.path.push(self.root.as_os_str());
        self.path.push(&self.number);
        self.path.push(file);
    }

    /// Reads `<root>/<pid>/<file>`.
    ///
    /// On a real procfs the file is kept open for the next call, which reads it again from
    /// offset 0 (`pread`: fresh content, a third of the cost of opening it). A kept file
    /// whose process has exited answers ESRCH, even once its pid is reused, and is then
    /// opened again by path; [`ProcFiles::pids`] closes those of processes gone. Elsewhere (test fixtures, whose files do not behave so) every
    /// read opens the file.
    pub(crate) fn read(&mut self, pid: u32, file: &'static str) -> Got<'_> {
        if let Some(kept) = self.kept.get(&(pid, file)) {
            match read_whole(&mut At(kept, 0), &mut self.buf, true) {
                Ok(len) if len > 0 => return Got::Bytes(&self.buf[..len]),
                // Empty (a zombie's command line) or failed: ask the path.
                _ => {
                    self.kept.remove(&(pid, file));
                }
            }
        }
        self.set_path(pid, file);
        let opened = match File::open(&self.path) {
            Ok(opened) => opened,
            Err(e) if is_gone(&e) => return Got::Gone,
            Err(e) => return Got::Failed(e),
        };
        match read_whole(&mut At(&opened, 0), &mut self.buf, true) {
            Ok(len) => {
                if self.procfs && self.kept.len() < self.keep_limit {
                    self.kept.insert((pid, file), opened);
                }
                Got::Bytes(&self.buf[..len])
            }
            Err(e) if is_gone(&e) => Got::Gone,
            Err(e) => Got::Failed(e),
        }
    }

    /// Counts the entries of `<root>/<pid>/<dir>` (the open file descriptors for `fd`).
    /// `Ok(None)` when the process is gone.
    pub(crate) fn count_entries(&mut self, pid: u32, dir: &str) -> Result<Option<usize>, std::io::Error> {
        self.set_path(pid, dir);
        if self.procfs {
            // One stat instead of listing: the kernel looks up every descriptor to list them.
            match std::fs::metadata(&self.path) {
                Ok(m) if m.len() > 0 => return Ok(usize::try_from(m.len()).ok()),
                Ok(_) => {}
                Err(e) if is_gone(&e) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        let entries = match std::fs::read_dir(&self.path) {
            Ok(entries) => entries,
            Err(e) if is_gone(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut n = 0;
        for entry in entries {
            match entry {
                Ok(_) => n += 1,
                Err(e) if is_gone(&e) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        Ok(Some(n))
    }
}

/// Appends the numeric names of the `linux_dirent64` records in `records` to `pids`. A
/// record is: inode (8 bytes), offset (8), its length (2), type (1), then the name, ended by
/// a NUL within the record.
fn dirent_pids(records: &[u8], pids: &mut Vec<u32>) {
    let mut at = 0;
    while let Some(header) = records.get(at..at + 19) {
        let len = usize::from(u16::from_ne_bytes([header[16], header[17]]));
        let Some(record) = records.get(at..at + len).filter(|_| len >= 19) else { return };
        let name = &record[19..];
        let name = &name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())];
        if let Some(pid) = parse_u64(name).and_then(|p| u32::try_from(p).ok()) {
            pids.push(pid);
        }
        at += len;
    }
}

/// Whether `path` is on a procfs (`PROC_SUPER_MAGIC`).
fn is_procfs(path: &Path) -> bool {
    const PROC_SUPER_MAGIC: i64 = 0x9fa0;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()) else { return false };
    // SAFETY: an all-zero statfs is a valid value of this plain C struct.
    let mut fs: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: statfs reads the valid C string `c` and writes into the struct we own.
    let ok = unsafe { libc::statfs(c.as_ptr(), &mut fs) } == 0;
    #[allow(clippy::unnecessary_cast)] // f_type's type differs between C libraries.
    let magic = fs.f_type as i64;
    ok && magic == PROC_SUPER_MAGIC
}

/// Reads all of `file` into the start of `buf`, growing it as needed, and returns the
/// length read. Unlike `read_to_end`, it asks the kernel nothing else (`read_to_end` first
/// looks up the file's size and position: two more system calls per file, a third of the
/// cost for small `/proc` and `/sys` files); `buf` keeps its size from call to call, so its
/// bytes are zeroed only when it grows.
///
/// With `one_piece`, for files the kernel produces whole on each read (per-process files,
/// cgroup interface files: one seq_file record, or `cmdline`, copied until the buffer is
/// full) and for regular files, a read that leaves room in the buffer has reached the end,
/// so the read that would return 0 is skipped. Not for multi-record seq_files such as
/// `mountinfo`, which return one kernel page at a time.
pub(crate) fn read_whole(file: &mut impl Read, buf: &mut Vec<u8>, one_piece: bool) -> std::io::Result<usize> {
    let mut len = 0;
    loop {
        if len == buf.len() {
            buf.resize((buf.len() * 2).max(4096), 0);
        }
        match file.read(&mut buf[len..]) {
            Ok(0) => return Ok(len),
            Ok(n) => {
                len += n;
                if one_piece && len < buf.len() {
                    return Ok(len);
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Reads a file from an offset on with `pread`, leaving the file's own position alone.
pub(crate) struct At<'a>(pub &'a File, pub u64);

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = std::os::unix::fs::FileExt::read_at(self.0, buf, self.1)?;
        self.1 += n as u64;
        Ok(n)
    }
}

/// Whether an error means the process (or its file) no longer exists.
fn is_gone(e: &std::io::Error) -> bool {
    e.kind() == ErrorKind::NotFound || e.raw_os_error() == Some(libc::ESRCH)
}

/// The fields of `/proc/<pid>/stat` the collectors use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Stat {
    /// Parent process id.
    pub ppid: u32,
    /// A kernel thread (no user space, no memory of its own).
    pub kernel_thread: bool,
    /// User CPU time, in clock ticks.
    pub utime: u64,
    /// System CPU time, in clock ticks.
    pub stime: u64,
    /// Number of threads.
    pub threads: u64,
    /// Start time, in clock ticks after boot.
    pub start: u64,
    /// Virtual memory size, in bytes.
    pub vsize: u64,
    /// Resident set size, in pages.
    pub rss_pages: u64,
}

/// Splits `/proc/<pid>/stat` into the command name (field 2) and the parsed fields. The name
/// is in parentheses and may hold spaces and parentheses itself, so fields are counted from
/// the last `)`.
pub(crate) fn parse_stat(text: &[u8]) -> Result<(&[u8], Stat), String> {
    let open = text.iter().position(|&b| b == b'(').ok_or("no '(' opening the command name")?;
    let close = text.iter().rposition(|&b| b == b')').filter(|&c| c > open).ok_or("no ')' closing the command name")?;
    let comm = &text[open + 1..close];
    let mut fields = text[close + 1..].split(|b| b.is_ascii_whitespace()).filter(|f| !f.is_empty());
    let mut stat = Stat::default();
    // Field 3 (state) is the first after the name; walk to field 24 (rss), taking what we need.
    for n in 3..=24 {
        let raw = fields.next().ok_or_else(|| format!("only {} fields, expected at least 24", n - 1))?;
        let number = || parse_u64(raw).ok_or_else(|| format!("field {n} is {:?}, not a whole number", String::from_utf8_lossy(raw)));
        match n {
            4 => {
                let ppid = number()?;
                stat.ppid = u32::try_from(ppid).map_err(|_| format!("field 4 (ppid) {ppid} is out of range"))?;
            }
            9 => stat.kernel_thread = number()? & PF_KTHREAD != 0,
            14 => stat.utime = number()?,
            15 => stat.stime = number()?,
            20 => stat.threads = number()?,
            22 => stat.start = number()?,
            23 => stat.vsize = number()?,
            24 => stat.rss_pages = number()?,
            _ => {}
        }
    }
    Ok((comm, stat))
}

/// Parses a decimal whole number from ASCII digits.
pub(crate) fn parse_u64(raw: &[u8]) -> Option<u64> {
    if raw.is_empty() {
        return None;
    }
    raw.iter().try_fold(0u64, |acc, &b| if b.is_ascii_digit() { acc.checked_mul(10)?.checked_add(u64::from(b - b'0')) } else { None })
}

/// Finds the value of `key` in a `key: value` (or `key value`) per line file such as
/// `/proc/<pid>/status` or `/proc/<pid>/io`. `Ok(None)` when the key is absent.
pub(crate) fn keyed_value(text: &[u8], key: &[u8]) -> Result<Option<u64>, String> {
    for line in text.split(|&b| b == b'\n') {
        let Some(rest) = line.strip_prefix(key) else { continue };
        // A longer key sharing the prefix (`read_bytes_x` for `read_bytes`) is another key.
        let Some(rest) = rest.strip_prefix(b":").or_else(|| rest.first().is_some_and(u8::is_ascii_whitespace).then_some(rest)) else {
            continue;
        };
        let raw = rest.trim_ascii();
        return parse_u64(raw)
            .map(Some)
            .ok_or_else(|| format!("{} is {:?}, not a whole number", String::from_utf8_lossy(key), String::from_utf8_lossy(raw)));
    }
    Ok(None)
}

/// The process' cgroup path from `/proc/<pid>/cgroup`: the unified hierarchy's `0::` line,
/// or on a cgroup v1 host without it, the `name=systemd` hierarchy's.
pub(crate) fn cgroup_path(text: &[u8]) -> Option<&[u8]> {
    let mut systemd = None;
    for line in text.split(|&b| b == b'\n') {
        if let Some(path) = line.strip_prefix(b"0::") {
            return Some(path);
        }
        let mut parts = line.splitn(3, |&b| b == b':');
        if let (Some(_), Some(b"name=systemd"), Some(path)) = (parts.next(), parts.next(), parts.next()) {
            systemd = Some(path);
        }
    }
    systemd
}

/// Writes the command line (NUL-separated arguments) into `out` joined by spaces.
pub(crate) fn join_cmdline(raw: &[u8], out: &mut String) {
    out.clear();
    let raw = raw.strip_suffix(b"\0").unwrap_or(raw);
    for (i, arg) in raw.split(|&b| b == 0).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&String::from_utf8_lossy(arg));
    }
}

/// Clock ticks per second and the page size in bytes, as the kernel reports them.
pub(crate) fn ticks_and_page_size() -> (f64, f64) {
    // SAFETY: sysconf has no preconditions; it returns -1 for unknown names.
    let (ticks, page) = unsafe { (libc::sysconf(libc::_SC_CLK_TCK), libc::sysconf(libc::_SC_PAGESIZE)) };
    (if ticks > 0 { ticks as f64 } else { 100.0 }, if page > 0 { page as f64 } else { 4096.0 })
}

/// The `btime` line of `<proc_root>/stat`: boot time in seconds since the epoch.
pub(crate) fn boot_time(proc_root: &Path) -> Result<u64, String> {
    let path = proc_root.join("stat");
    let text = std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    keyed_value(&text, b"btime")?.ok_or_else(|| format!("{}: no btime line", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &[u8] = b"4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 1200 0 3 0 250 75 0 0 20 0 9 0 123456 987654321 2048 \
        18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

    #[test]
    fn stat_fields_are_counted_after_the_last_parenthesis() {
        let (comm, stat) = parse_stat(STAT).unwrap();
        assert_eq!(comm, b"my (odd) cmd");
        assert_eq!(
            stat,
            Stat { ppid: 1, kernel_thread: false, utime: 250, stime: 75, threads: 9, start: 123456, vsize: 987654321, rss_pages: 2048 }
        );
        let kthread = b"2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 3 0 0 20 0 1 0 2 0 0 18446744073709551615";
        assert!(parse_stat(kthread).unwrap().1.kernel_thread);
    }

    #[test]
    fn a_short_or_garbled_stat_is_a_clear_error() {
        assert_eq!(parse_stat(b"1 (x) S 1 2").unwrap_err(), "only 5 fields, expected at least 24");
        assert_eq!(parse_stat(b"no parens at all").unwrap_err(), "no '(' opening the command name");
        assert_eq!(parse_stat(b"1 )x( S").unwrap_err(), "no ')' closing the command name");
        let bad = b"1 (x) S 1 1 1 0 -1 0 0 0 0 0 lots 75 0 0 20 0 9 0 1 2 3";
        assert_eq!(parse_stat(bad).unwrap_err(), "field 14 is \"lots\", not a whole number");
        let huge_ppid = b"1 (x) S 99999999999 1 1 0 -1 0 0 0 0 0 1 75 0 0 20 0 9 0 1 2 3";
        assert_eq!(parse_stat(huge_ppid).unwrap_err(), "field 4 (ppid) 99999999999 is out of range");
    }

    #[test]
    fn keyed_values_are_found_by_whole_key() {
        let io = b"rchar: 10\nwchar: 20\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n";
        assert_eq!(keyed_value(io, b"read_bytes"), Ok(Some(4096)));
        assert_eq!(keyed_value(io, b"write_bytes"), Ok(Some(8192)));
        assert_eq!(keyed_value(io, b"syscr"), Ok(None));
        assert_eq!(keyed_value(b"read_bytes_more: 1\nread_bytes: 2\n", b"read_bytes"), Ok(Some(2)));
        let status = b"Name:\tx\nvoluntary_ctxt_switches:\t17\nnonvoluntary_ctxt_switches:\t3\n";
        assert_eq!(keyed_value(status, b"voluntary_ctxt_switches"), Ok(Some(17)));
        assert_eq!(keyed_value(status, b"nonvoluntary_ctxt_switches"), Ok(Some(3)));
        assert_eq!(keyed_value(b"btime 1700000000\n", b"btime"), Ok(Some(1_700_000_000)));
        assert_eq!(keyed_value(b"read_bytes: -1\n", b"read_bytes").unwrap_err(), "read_bytes is \"-1\", not a whole number");
    }

    #[test]
    fn the_unified_cgroup_line_wins_over_the_systemd_one() {
        let hybrid = b"9:name=systemd:/system.slice/a.service\n4:memory:/x\n0::/system.slice/b.service\n";
        assert_eq!(cgroup_path(hybrid), Some(&b"/system.slice/b.service"[..]));
        assert_eq!(cgroup_path(b"9:name=systemd:/system.slice/a.service\n1:cpu:/\n"), Some(&b"/system.slice/a.service"[..]));
        assert_eq!(cgroup_path(b"1:cpu:/\n"), None);
    }

    #[test]
    fn command_lines_are_joined_by_spaces() {
        let mut out = String::from("old");
        join_cmdline(b"/bin/sleep\x0030\x00", &mut out);
        assert_eq!(out, "/bin/sleep 30");
        join_cmdline(b"", &mut out);
        assert_eq!(out, "");
    }

    /// Gives at most 4 bytes per read, as a multi-record seq_file gives a page at a time.
    struct Paged<'a>(&'a [u8]);
    impl Read for Paged<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(4).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn one_piece_files_are_read_in_one_call_and_others_to_the_end() {
        let mut buf = Vec::new();
        assert_eq!(read_whole(&mut Paged(b"1 (x) S\n2 (y) S\n"), &mut buf, false).unwrap(), 16, "to the end");
        assert_eq!(&buf[..16], b"1 (x) S\n2 (y) S\n");
        assert_eq!(read_whole(&mut Paged(b"1 (x) S\n"), &mut buf, true).unwrap(), 4, "a short read is the whole file");
    }

    #[test]
    fn pids_are_the_numeric_entries_listed_again_on_every_call() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["1", "42", "self", "4x", "99999999999"] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
        }
        let mut files = ProcFiles::new(dir.path().to_path_buf());
        let mut pids = vec![7];
        files.pids(&mut pids).unwrap();
        assert_eq!(pids, [1, 42]);
        std::fs::create_dir(dir.path().join("5")).unwrap();
        files.pids(&mut pids).unwrap();
        assert_eq!(pids, [1, 5, 42], "the kept directory is read again from the start");

        let mut real = ProcFiles::new(PathBuf::from("/proc"));
        real.pids(&mut pids).unwrap();
        assert!(pids.contains(&std::process::id()) && pids.contains(&1), "{pids:?}");
        let mut missing = ProcFiles::new(dir.path().join("nothing"));
        assert_eq!(missing.pids(&mut pids).unwrap_err().kind(), ErrorKind::NotFound);
    }

    #[test]
    fn a_kept_file_of_a_process_that_exited_is_not_read_again() {
        let mut files = ProcFiles::new(PathBuf::from("/proc"));
        let mut child = std::process::Command::new("sleep").arg("60").spawn().unwrap();
        let pid = child.id();
        let mut pids = Vec::new();
        files.pids(&mut pids).unwrap();
        let first = match files.read(pid, "stat") {
            Got::Bytes(b) => parse_stat(b).unwrap().1,
            _ => panic!("the child's stat is readable"),
        };
        assert!(files.kept.contains_key(&(pid, "stat")), "kept open on procfs");
        assert!(matches!(files.read(pid, "stat"), Got::Bytes(b) if parse_stat(b).unwrap().1.start == first.start), "read again");
        child.kill().unwrap();
        child.wait().unwrap();
        // Exited and reaped, still kept (not listed since): the kept file says so.
        assert!(matches!(files.read(pid, "stat"), Got::Gone));
        assert!(!files.kept.contains_key(&(pid, "stat")));
        let _ = files.read(std::process::id(), "stat");
        files.pids(&mut pids).unwrap();
        assert!(files.kept.keys().all(|(p, _)| pids.contains(p)), "files of unlisted processes are closed");
    }

    #[test]
    fn cut_directory_records_end_the_listing_without_a_panic() {
        let mut record = vec![0u8; 24];
        record[16] = 24;
        record[19..21].copy_from_slice(b"12");
        let mut pids = Vec::new();
        dirent_pids(&record, &mut pids);
        assert_eq!(pids, [12]);
        for cut in 0..record.len() {
            dirent_pids(&record[..cut], &mut pids);
        }
        record[16] = 3; // shorter than a header
        dirent_pids(&record, &mut pids);
        assert_eq!(pids, [12]);
    }

    #[test]
    fn whole_files_are_read_in_a_reused_buffer() {
        let mut buf = Vec::new();
        let big = vec![b'x'; 10_000];
        assert_eq!(read_whole(&mut &big[..], &mut buf, false).unwrap(), 10_000);
        assert_eq!(buf.len(), 16384);
        assert_eq!(read_whole(&mut &b"short"[..], &mut buf, false).unwrap(), 5);
        assert_eq!(&buf[..5], b"short");
        assert_eq!(buf.len(), 16384, "kept");
    }

    #[test]
    fn open_files_are_counted_on_procfs_and_fixtures_alike() {
        let mut real = ProcFiles::new(PathBuf::from("/proc"));
        assert!(real.procfs);
        let me = std::process::id();
        let listed = std::fs::read_dir(format!("/proc/{me}/fd")).unwrap().count();
        let counted = real.count_entries(me, "fd").unwrap().unwrap();
        // Other test threads may open or close files meanwhile.
        assert!(counted.abs_diff(listed) <= 8, "{counted} vs {listed}");
        assert_eq!(real.count_entries(u32::MAX, "fd").unwrap(), None, "no such process");

        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("7/fd")).unwrap();
        for fd in ["0", "1", "2"] {
            std::fs::write(dir.path().join("7/fd").join(fd), "").unwrap();
        }
        let mut fake = ProcFiles::new(dir.path().to_path_buf());
        assert!(!fake.procfs);
        assert_eq!(fake.count_entries(7, "fd").unwrap(), Some(3));
    }

    #[test]
    fn numbers_reject_anything_but_digits() {
        assert_eq!(parse_u64(b"0"), Some(0));
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_u64(b"1a"), None);
    }
}
