//! What a configured service is: a name and the rules that pick its processes.

use std::path::PathBuf;

use regex::Regex;

/// A service to watch: the processes that match every rule given. A process belongs to
/// at most one service, the first in configuration order whose rules all match it. A spec
/// without any rule matches no process (the configuration refuses such an entry).
#[derive(Debug, Clone)]
pub struct ServiceSpec {
    /// The service's name, the `service` label of its series.
    pub name: String,
    /// Matches the process name (`/proc/<pid>/comm`, at most 15 bytes); unanchored, so use
    /// `^name$` for an exact name.
    pub process_name: Option<Regex>,
    /// Matches the full command line, arguments joined by single spaces; unanchored.
    pub cmdline: Option<Regex>,
    /// A file holding the main process' id: that process and all its descendants match.
    /// While the file is missing, nothing matches (the service is down).
    pub pid_file: Option<PathBuf>,
    /// A systemd unit (`nginx.service`): processes whose cgroup path has this unit as one
    /// of its components.
    pub systemd_unit: Option<String>,
    /// A cgroup path (`/system.slice/nginx.service`): processes in it or below it.
    pub cgroup: Option<String>,
}

impl ServiceSpec {
    /// Whether the spec has at least one rule.
    pub(crate) fn has_rules(&self) -> bool {
        self.process_name.is_some()
            || self.cmdline.is_some()
            || self.pid_file.is_some()
            || self.systemd_unit.is_some()
            || self.cgroup.is_some()
    }
}

/// Whether the cgroup path `path` lies in the unit `unit` (one of its components).
pub(crate) fn in_unit(path: &str, unit: &str) -> bool {
    path.split('/').any(|c| c == unit)
}

/// Whether the cgroup path `path` is `group` or lies below it.
pub(crate) fn in_cgroup(path: &str, group: &str) -> bool {
    let group = group.trim_end_matches('/');
    match path.strip_prefix(group) {
        Some(rest) => rest.is_empty() || rest.starts_with('/') || group.is_empty(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_whole_path_components() {
        assert!(in_unit("/system.slice/nginx.service", "nginx.service"));
        assert!(in_unit("/user.slice/user-1000.slice/user@1000.service/app.slice/pipewire.service", "user@1000.service"));
        assert!(!in_unit("/system.slice/nginx.service", "x.service"));
        assert!(!in_unit("/system.slice/my-nginx.service", "nginx.service"));
    }

    #[test]
    fn cgroups_match_themselves_and_what_lies_below() {
        assert!(in_cgroup("/system.slice/nginx.service", "/system.slice/nginx.service"));
        assert!(in_cgroup("/system.slice/nginx.service/worker", "/system.slice/nginx.service/"));
        assert!(in_cgroup("/system.slice/nginx.service", "/system.slice"));
        assert!(!in_cgroup("/system.slice/nginx.service2", "/system.slice/nginx.service"));
        assert!(!in_cgroup("/user.slice", "/system.slice"));
        assert!(in_cgroup("/anything", "/"));
    }
}
