//! Where the cgroup v2 hierarchy is and which of its groups are watched.
//!
//! Only two kinds of groups, to keep the series few:
//! - **systemd services**: a directory named `*.service`, labelled `unit="nginx.service"`;
//! - **containers**: a directory named `docker-<id>.scope`, `libpod-<id>.scope`,
//!   `cri-containerd-<id>.scope`, `crio-<id>.scope` or a bare 64-hex-digit `<id>` (Docker's
//!   and Kubernetes' cgroupfs driver), labelled `container_id` with the id's first 12 digits
//!   (as `docker ps` shows it); and any other group right under `/machine.slice` (virtual
//!   machines, nspawn containers), labelled `unit` with its name. Podman's
//!   `libpod-conmon-<id>.scope` (the container's monitor) is left out.
//!
//! Every series also has `cgroup`, the path from the hierarchy's root. The walk goes into
//! slices and plain directories, and into `user@<uid>.service` (which holds a user's own
//! services and rootless containers), but not into other services, scopes or containers:
//! what runs inside them is counted in them. Groups nest (`user@1000.service` holds
//! `pipewire.service`), so the series of different groups must not be summed.

use std::path::{Path, PathBuf};

/// How deep the walk goes below the root.
const MAX_DEPTH: usize = 16;

/// At most this many groups are watched; more is reported as a problem.
pub(crate) const MAX_GROUPS: usize = 2000;

/// The root of the cgroup v2 hierarchy under `sys_root`: `<sys_root>/fs/cgroup` on a
/// unified host, `<sys_root>/fs/cgroup/unified` on a hybrid one; or why there is none.
pub(crate) fn find_root(sys_root: &Path) -> Result<PathBuf, String> {
    let unified = sys_root.join("fs/cgroup");
    if unified.join("cgroup.controllers").is_file() {
        return Ok(unified);
    }
    let hybrid = unified.join("unified");
    if hybrid.join("cgroup.controllers").is_file() {
        return Ok(hybrid);
    }
    Err(format!("no cgroup v2 hierarchy: neither {} nor {} holds cgroup.controllers", unified.display(), hybrid.display()))
}

/// A watched group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    /// Its directory.
    pub dir: PathBuf,
    /// Its path from the root, `/system.slice/nginx.service`.
    pub path: String,
    /// `unit` or `container_id`.
    pub id_label: &'static str,
    /// The unit's name or the container's short id.
    pub id: String,
}

/// What a directory is, by its name and its parent's path.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    /// Watched, with this label: not walked into.
    Watched(&'static str, String),
    /// A service that holds others (`user@1000.service`): watched and walked into.
    Holder(String),
    /// A scope or a service of no interest: skipped.
    Skipped,
    /// A slice or a plain directory: walked into.
    Walked,
}

fn classify(name: &str, parent: &str) -> Kind {
    if name.starts_with("libpod-conmon-") {
        // Podman's monitor of a container, beside the container's own scope.
        return Kind::Skipped;
    }
    for (prefix, suffix) in [("docker-", ".scope"), ("libpod-", ".scope"), ("cri-containerd-", ".scope"), ("crio-", ".scope"), ("", "")] {
        if let Some(id) = name.strip_prefix(prefix).and_then(|n| n.strip_suffix(suffix)).filter(|id| is_container_id(id)) {
            return Kind::Watched("container_id", id[..12].to_owned());
        }
    }
    if parent == "/machine.slice" {
        return Kind::Watched("unit", name.to_owned());
    }
    if name.starts_with("user@") && name.ends_with(".service") {
        return Kind::Holder(name.to_owned());
    }
    if name.ends_with(".service") {
        return Kind::Watched("unit", name.to_owned());
    }
    if name.ends_with(".scope") {
        return Kind::Skipped;
    }
    Kind::Walked
}

/// A container runtime's id: 64 lowercase hex digits.
fn is_container_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Finds the watched groups under `root` into `groups` (cleared first). Directories that
/// vanish during the walk are skipped; other errors are passed to `problem`.
pub(crate) fn walk(root: &Path, groups: &mut Vec<Group>, problem: &mut dyn FnMut(String)) {
    groups.clear();
    let mut stack = vec![(root.to_path_buf(), String::new(), 0usize)];
    while let Some((dir, path, depth)) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                problem(format!("reading {}: {e}", dir.display()));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    problem(format!("reading {}: {e}", dir.display()));
                    break;
                }
            };
            if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str() else { continue };
            let child = format!("{path}/{name}");
            let walk_into = match classify(name, if path.is_empty() { "/" } else { &path }) {
                Kind::Watched(id_label, id) => {
                    groups.push(Group { dir: entry.path(), path: child.clone(), id_label, id });
                    false
                }
                Kind::Holder(id) => {
                    groups.push(Group { dir: entry.path(), path: child.clone(), id_label: "unit", id });
                    true
                }
                Kind::Skipped => false,
                Kind::Walked => true,
            };
            if walk_into && depth < MAX_DEPTH {
                stack.push((entry.path(), child, depth + 1));
            }
            if groups.len() > MAX_GROUPS {
                problem(format!("more than {MAX_GROUPS} services and containers under {}; the rest are not watched", root.display()));
                groups.truncate(MAX_GROUPS);
                return;
            }
        }
    }
    groups.sort_by(|a, b| a.path.cmp(&b.path));
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn services_and_containers_are_recognised_by_name() {
        let watched = |id_label, id: &str| Kind::Watched(id_label, id.to_owned());
        assert_eq!(classify("nginx.service", "/system.slice"), watched("unit", "nginx.service"));
        assert_eq!(classify(&format!("docker-{ID}.scope"), "/system.slice"), watched("container_id", "0123456789ab"));
        assert_eq!(classify(&format!("libpod-{ID}.scope"), "/machine.slice"), watched("container_id", "0123456789ab"));
        assert_eq!(classify(&format!("libpod-conmon-{ID}.scope"), "/machine.slice"), Kind::Skipped);
        assert_eq!(classify(&format!("cri-containerd-{ID}.scope"), "/kubepods.slice/x.slice"), watched("container_id", "0123456789ab"));
        assert_eq!(classify(ID, "/docker"), watched("container_id", "0123456789ab"));
        assert_eq!(classify("machine-qemu\\x2d1\\x2dvm.scope", "/machine.slice"), watched("unit", "machine-qemu\\x2d1\\x2dvm.scope"));
        assert_eq!(classify("user@1000.service", "/user.slice/user-1000.slice"), Kind::Holder("user@1000.service".into()));
        assert_eq!(classify("session-3.scope", "/user.slice/user-1000.slice"), Kind::Skipped);
        assert_eq!(classify("system.slice", "/"), Kind::Walked);
        assert_eq!(classify(&format!("docker-{}.scope", &ID[1..]), "/system.slice"), Kind::Skipped, "63 digits is no id");
        assert_eq!(classify(&format!("docker-{}.scope", ID.to_uppercase()), "/system.slice"), Kind::Skipped);
    }

    #[test]
    fn the_hierarchy_is_found_unified_or_hybrid() {
        let dir = tempfile::tempdir().unwrap();
        let err = find_root(dir.path()).unwrap_err();
        assert!(err.starts_with("no cgroup v2 hierarchy: neither "), "{err}");
        std::fs::create_dir_all(dir.path().join("fs/cgroup/unified")).unwrap();
        std::fs::write(dir.path().join("fs/cgroup/unified/cgroup.controllers"), "").unwrap();
        assert_eq!(find_root(dir.path()).unwrap(), dir.path().join("fs/cgroup/unified"));
        std::fs::write(dir.path().join("fs/cgroup/cgroup.controllers"), "cpu io memory pids\n").unwrap();
        assert_eq!(find_root(dir.path()).unwrap(), dir.path().join("fs/cgroup"));
    }

    #[test]
    fn the_walk_finds_only_services_and_containers() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in [
            "init.scope".to_owned(),
            "system.slice/nginx.service".to_owned(),
            "system.slice/system-getty.slice/getty@tty1.service".to_owned(),
            format!("system.slice/docker-{ID}.scope"),
            "system.slice/docker.service/inner".to_owned(),
            "user.slice/user-1000.slice/session-2.scope".to_owned(),
            "user.slice/user-1000.slice/user@1000.service/app.slice/pipewire.service".to_owned(),
            "machine.slice/machine-vm1.scope/libvirt".to_owned(),
        ] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join("system.slice/cpu.stat"), "").unwrap();
        let mut groups = Vec::new();
        let mut problems = Vec::new();
        walk(root, &mut groups, &mut |p| problems.push(p));
        let got: Vec<(&str, &str, &str)> = groups.iter().map(|g| (g.path.as_str(), g.id_label, g.id.as_str())).collect();
        let docker = format!("/system.slice/docker-{ID}.scope");
        assert_eq!(
            got,
            [
                ("/machine.slice/machine-vm1.scope", "unit", "machine-vm1.scope"),
                (docker.as_str(), "container_id", "0123456789ab"),
                ("/system.slice/docker.service", "unit", "docker.service"),
                ("/system.slice/nginx.service", "unit", "nginx.service"),
                ("/system.slice/system-getty.slice/getty@tty1.service", "unit", "getty@tty1.service"),
                ("/user.slice/user-1000.slice/user@1000.service", "unit", "user@1000.service"),
                ("/user.slice/user-1000.slice/user@1000.service/app.slice/pipewire.service", "unit", "pipewire.service"),
            ]
        );
        assert_eq!(groups[3].dir, root.join("system.slice/nginx.service"));
        assert!(problems.is_empty(), "{problems:?}");
    }
}
