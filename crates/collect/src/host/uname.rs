//! The `uname` collector: uname(2) as `node_uname_info{sysname,release,version,machine,
//! nodename,domainname}`.

use std::ffi::CStr;
use std::path::PathBuf;

use crate::{CollectError, Collector, Emitter, Metric};

const INFO: Metric = Metric::gauge("node_uname_info", "Always 1; the labels are what uname(2) says about the kernel and host.", "");

/// Asks the kernel with uname(2).
#[derive(Default)]
pub struct UnameCollector;

fn text(field: &[libc::c_char]) -> std::borrow::Cow<'_, str> {
    // SAFETY: uname fills each field with a NUL-terminated string within the array.
    let bytes: &[u8] = unsafe { std::slice::from_raw_parts(field.as_ptr().cast(), field.len()) };
    CStr::from_bytes_until_nul(bytes).map_or(std::borrow::Cow::Borrowed(""), CStr::to_string_lossy)
}

impl Collector for UnameCollector {
    fn name(&self) -> &str {
        "uname"
    }

    fn can_block(&self) -> bool {
        // One system call.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        // SAFETY: uname writes into the zeroed struct we own.
        let mut u: libc::utsname = unsafe { std::mem::zeroed() };
        if unsafe { libc::uname(&mut u) } != 0 {
            return Err(CollectError::Read { path: PathBuf::from("uname(2)"), source: std::io::Error::last_os_error() });
        }
        let (sysname, release, version, machine, nodename, domainname) =
            (text(&u.sysname), text(&u.release), text(&u.version), text(&u.machine), text(&u.nodename), text(&u.domainname));
        let labels = [
            ("domainname", &*domainname),
            ("machine", &*machine),
            ("nodename", &*nodename),
            ("release", &*release),
            ("sysname", &*sysname),
            ("version", &*version),
        ];
        out.push(&INFO, &labels, 1.0)
    }
}
