//! The `filesystem` collector: size, free space and inodes of every mounted file system
//! (from `/proc/1/mounts`, else `/proc/self/mounts`, measured with statfs(2)), as
//! node_exporter's `node_filesystem_*`, with its default exclusions of virtual file
//! systems and mount points.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use regex::Regex;

use crate::host::read::{bad_line, read_into, Source};
use crate::{CollectError, Collector, Emitter, Metric};

const SIZE: Metric = Metric::gauge("node_filesystem_size_bytes", "Size of the file system.", "bytes");
const FREE: Metric = Metric::gauge("node_filesystem_free_bytes", "Free space, including what is reserved for root.", "bytes");
const AVAIL: Metric = Metric::gauge("node_filesystem_avail_bytes", "Space available to unprivileged users.", "bytes");
const FILES: Metric = Metric::gauge("node_filesystem_files", "Inodes (file nodes) in the file system.", "");
const FILES_FREE: Metric = Metric::gauge("node_filesystem_files_free", "Free inodes.", "");
const READONLY: Metric = Metric::gauge("node_filesystem_readonly", "Whether the file system is mounted read-only (1) or not (0).", "");
const DEVICE_ERROR: Metric =
    Metric::gauge("node_filesystem_device_error", "Whether statfs failed on the mount point (1), so its sizes are missing.", "");

/// Exclusion filters on mount points and file system types.
pub struct FilesystemFilters {
    /// Mount points to leave out.
    pub mount_points_exclude: Option<Regex>,
    /// File system types to leave out.
    pub fs_types_exclude: Option<Regex>,
}

/// Measures mounted file systems.
pub struct FilesystemCollector {
    mounts: [Source; 2],
    rootfs: PathBuf,
    filters: FilesystemFilters,
    buf: String,
    /// (device, mount point, type) seen this run: a file system mounted twice at the same
    /// place is reported once, as node_exporter does.
    seen: Vec<(String, String, String)>,
}

impl FilesystemCollector {
    /// A collector reading the mount table under `proc_root` and measuring mount points
    /// under `rootfs`.
    pub fn new(proc_root: &Path, rootfs: &Path, filters: FilesystemFilters) -> FilesystemCollector {
        FilesystemCollector {
            mounts: [Source::new(proc_root.join("1/mounts")), Source::new(proc_root.join("self/mounts"))],
            rootfs: rootfs.to_path_buf(),
            filters,
            buf: String::new(),
            seen: Vec::new(),
        }
    }
}

/// Undoes the octal escapes the kernel writes in the mount table (`\040` for a space,
/// `\011` tab, `\012` newline, `\134` backslash). Borrowed when there are none.
fn unescape(field: &str) -> std::borrow::Cow<'_, str> {
    if !field.contains('\\') {
        return std::borrow::Cow::Borrowed(field);
    }
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).filter(|d| bytes[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        // \400 and above are no byte, so no escape the kernel writes: kept as written.
        let byte = octal.and_then(|d| u8::try_from(d.iter().fold(0u16, |v, b| v * 8 + u16::from(b - b'0'))).ok());
        match byte {
            Some(b) => {
                out.push(b);
                i += 4;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// statfs(2) of `path`: (size, free, avail, files, files free).
fn statfs(path: &Path) -> std::io::Result<[f64; 5]> {
    let c = CString::new(path.as_os_str().as_bytes()).map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    // SAFETY: statfs writes into the zeroed struct we own; `c` is a valid C string.
    let mut s: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(c.as_ptr(), &mut s) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let block = s.f_bsize as f64;
    Ok([s.f_blocks as f64 * block, s.f_bfree as f64 * block, s.f_bavail as f64 * block, s.f_files as f64, s.f_ffree as f64])
}

impl Collector for FilesystemCollector {
    fn name(&self) -> &str {
        "filesystem"
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        let path = match read_into(&mut self.mounts[0], &mut self.buf) {
            Ok(()) => &self.mounts[0],
            Err(_) => {
                read_into(&mut self.mounts[1], &mut self.buf)?;
                &self.mounts[1]
            }
        };
        self.seen.clear();
        for (n, line) in self.buf.lines().enumerate() {
            let mut fields = line.split_ascii_whitespace();
            let (Some(device), Some(mount_point), Some(fs_type), Some(options)) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                if !line.trim().is_empty() {
                    out.degrade(bad_line(path, n + 1, "fewer than 4 fields"));
                }
                continue;
            };
            let (device, mount_point) = (unescape(device), unescape(mount_point));
            if self.filters.mount_points_exclude.as_ref().is_some_and(|r| r.is_match(&mount_point))
                || self.filters.fs_types_exclude.as_ref().is_some_and(|r| r.is_match(fs_type))
            {
                continue;
            }
            if self.seen.iter().any(|(d, m, t)| *d == device && *m == mount_point && t == fs_type) {
                continue;
            }
            self.seen.push((device.to_string(), mount_point.to_string(), fs_type.to_owned()));
            let labels = [("device", &*device), ("fstype", fs_type), ("mountpoint", &*mount_point)];
            let readonly = if options.split(',').any(|o| o == "ro") { 1.0 } else { 0.0 };
            out.push(&READONLY, &labels, readonly)?;
            let target = self.rootfs.join(mount_point.trim_start_matches('/'));
            match statfs(&target) {
                Ok([size, free, avail, files, files_free]) => {
                    out.push(&DEVICE_ERROR, &labels, 0.0)?;
                    out.push(&SIZE, &labels, size)?;
                    out.push(&FREE, &labels, free)?;
                    out.push(&AVAIL, &labels, avail)?;
                    out.push(&FILES, &labels, files)?;
                    out.push(&FILES_FREE, &labels, files_free)?;
                }
                Err(e) => {
                    out.push(&DEVICE_ERROR, &labels, 1.0)?;
                    out.degrade(format!("statfs {}: {e}", target.display()));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::unescape;

    #[test]
    fn mount_table_escapes_are_undone() {
        assert_eq!(unescape("/mnt/my\\040disk"), "/mnt/my disk");
        assert_eq!(unescape("/plain"), "/plain");
        assert_eq!(unescape("/odd\\\\x\\0"), "/odd\\\\x\\0", "a backslash not followed by three octal digits stays");
        assert_eq!(unescape("/d\\303\\251j\\303\\240"), "/déjà");
        assert_eq!(unescape("/big\\400\\777\\377"), "/big\\400\\777\u{fffd}", "\\400 and above are not bytes: kept");
    }
}
