//! Block device names for the `major:minor` numbers of `io.stat`, from
//! `<sys_root>/dev/block/<major>:<minor>/uevent` (`DEVNAME=vda`), looked up once per device
//! (again now and then while the kernel does not say), and forgotten once no read meets it.

use std::path::PathBuf;

use crate::device_cache::DeviceCache;

/// Device names by number, learnt as devices are met.
pub(crate) struct DeviceNames {
    dir: PathBuf,
    names: DeviceCache<String>,
}

impl DeviceNames {
    /// Names read from `<sys_root>/dev/block`.
    pub(crate) fn new(dir: PathBuf) -> DeviceNames {
        DeviceNames { dir, names: DeviceCache::new() }
    }

    /// The device's name (`vda`, as node_exporter's `device` label), or `major:minor` when
    /// the kernel does not say.
    pub(crate) fn name(&mut self, major: u32, minor: u32) -> &str {
        let dir = &self.dir;
        self.names.get((major, minor), || {
            let uevent = dir.join(format!("{major}:{minor}")).join("uevent");
            let text = std::fs::read_to_string(uevent).unwrap_or_default();
            let name = text.lines().find_map(|l| l.strip_prefix("DEVNAME=")).filter(|n| !n.is_empty());
            match name {
                Some(name) => (name.to_owned(), true),
                None => (format!("{major}:{minor}"), false),
            }
        })
    }

    /// Ends a read of all groups: forgets the devices it did not meet.
    pub(crate) fn end_read(&mut self) {
        self.names.end_read();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_uevent_or_fall_back_to_numbers() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("254:0")).unwrap();
        std::fs::write(dir.path().join("254:0/uevent"), "MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n").unwrap();
        let mut names = DeviceNames::new(dir.path().to_path_buf());
        assert_eq!(names.name(254, 0), "vda");
        assert_eq!(names.name(8, 0), "8:0");
        std::fs::remove_dir_all(dir.path().join("254:0")).unwrap();
        assert_eq!(names.name(254, 0), "vda", "looked up once");
    }
}
