//! The rules of the `collection` and `query` sections: known collector names, valid
//! regular expressions, well-formed services, and limits.

use std::collections::HashSet;
use std::time::Duration;

use crate::collection::{collector_names, CollectionConfig, ServiceConfig};
use crate::duration::format_duration;
use crate::query::QueryConfig;
use crate::validate::Violation;

/// The most processes `top_processes` may ask for.
const MAX_TOP_PROCESSES: u32 = 1000;

/// Checks the `collection` section.
pub(crate) fn check_collection(c: &CollectionConfig) -> Result<(), Violation> {
    for (index, name) in c.disabled.iter().enumerate() {
        if !collector_names().any(|known| known == name) {
            let known: Vec<&str> = collector_names().collect();
            return Err(Violation::of(
                &format!("collection.disabled[{index}]"),
                format!("unknown collector {name:?} (known collectors: {})", known.join(", ")),
            ));
        }
    }
    for (key, path) in [("collection.proc_root", &c.proc_root), ("collection.sys_root", &c.sys_root), ("collection.rootfs", &c.rootfs)] {
        if path.as_os_str().is_empty() {
            return Err(Violation::of(key, "must not be empty".to_owned()));
        }
    }
    regex("collection.filesystems.mount_points_exclude", &c.filesystems.mount_points_exclude)?;
    regex("collection.filesystems.fs_types_exclude", &c.filesystems.fs_types_exclude)?;
    regex("collection.disks.devices_exclude", &c.disks.devices_exclude)?;
    regex("collection.network.interfaces_exclude", &c.network.interfaces_exclude)?;
    if c.top_processes > MAX_TOP_PROCESSES {
        return Err(Violation::of("collection.top_processes", format!("must be at most {MAX_TOP_PROCESSES}, got {}", c.top_processes)));
    }
    let mut names = HashSet::new();
    for (index, service) in c.services.iter().enumerate() {
        check_service(&format!("collection.services[{index}]"), service)?;
        if !names.insert(service.name.as_str()) {
            return Err(Violation::of(
                &format!("collection.services[{index}].name"),
                format!("service {:?} is listed twice; service names must be unique", service.name),
            ));
        }
    }
    Ok(())
}

fn check_service(key: &str, s: &ServiceConfig) -> Result<(), Violation> {
    let name_ok = !s.name.is_empty() && s.name.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.' | '-'));
    if !name_ok {
        return Err(Violation::of(
            &format!("{key}.name"),
            format!("invalid service name {:?}; use letters, digits, '_', '.' and '-'", s.name),
        ));
    }
    let any = s.process_name.is_some() || s.cmdline.is_some() || s.pid_file.is_some() || s.systemd_unit.is_some() || s.cgroup.is_some();
    if !any {
        return Err(Violation::of(
            key,
            format!(
                "service {:?} has no way to find its processes; set at least one of process_name, cmdline, pid_file, systemd_unit, cgroup",
                s.name
            ),
        ));
    }
    if let Some(r) = &s.process_name {
        regex(&format!("{key}.process_name"), r)?;
    }
    if let Some(r) = &s.cmdline {
        regex(&format!("{key}.cmdline"), r)?;
    }
    if s.pid_file.as_ref().is_some_and(|p| p.as_os_str().is_empty()) {
        return Err(Violation::of(&format!("{key}.pid_file"), "must not be empty".to_owned()));
    }
    if let Some(unit) = &s.systemd_unit {
        if unit.is_empty() || unit.contains('/') || unit.chars().any(char::is_whitespace) {
            return Err(Violation::of(
                &format!("{key}.systemd_unit"),
                format!("invalid systemd unit {unit:?}; expected a unit name like postgresql.service"),
            ));
        }
    }
    if let Some(cgroup) = &s.cgroup {
        if !cgroup.starts_with('/') || cgroup.split('/').any(|part| part == "..") {
            return Err(Violation::of(
                &format!("{key}.cgroup"),
                format!(
                    "invalid cgroup {cgroup:?}; expected a path under /sys/fs/cgroup starting with '/', like /system.slice/nginx.service"
                ),
            ));
        }
    }
    Ok(())
}

/// A regular expression as the collectors will compile it.
fn regex(key: &str, pattern: &str) -> Result<(), Violation> {
    regex::Regex::new(pattern).map(drop).map_err(|e| {
        // The regex crate's message spans several lines with a caret under the fault; keep its last line.
        let why = e.to_string();
        let last = why.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("invalid").trim().to_owned();
        Violation::of(key, format!("invalid regular expression {pattern:?}: {last}"))
    })
}

/// Checks the `query` section.
pub(crate) fn check_query(q: &QueryConfig) -> Result<(), Violation> {
    if q.timeout < Duration::from_millis(1) {
        return Err(Violation::of("query.timeout", format!("must be more than 0, got {}", format_duration(q.timeout))));
    }
    if q.max_samples == 0 {
        return Err(Violation::of("query.max_samples", "must be at least 1".to_owned()));
    }
    if q.lookback_delta < Duration::from_secs(1) {
        return Err(Violation::of("query.lookback_delta", format!("must be at least 1s, got {}", format_duration(q.lookback_delta))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    fn service(name: &str) -> ServiceConfig {
        ServiceConfig {
            name: name.to_owned(),
            process_name: Some("^nginx$".to_owned()),
            cmdline: None,
            pid_file: None,
            systemd_unit: None,
            cgroup: None,
        }
    }

    fn blame(c: &CollectionConfig) -> (String, String) {
        let v = check_collection(c).unwrap_err();
        (v.key, v.message)
    }

    #[test]
    fn the_defaults_pass() {
        assert!(check_collection(&Config::default().collection).is_ok());
        assert!(check_query(&Config::default().query).is_ok());
    }

    #[test]
    fn an_unknown_collector_lists_the_known_ones() {
        let c = CollectionConfig { disabled: vec!["hwmon".into(), "gpu".into()], ..CollectionConfig::default() };
        let (key, message) = blame(&c);
        assert_eq!(key, "collection.disabled[1]");
        assert!(message.starts_with("unknown collector \"gpu\" (known collectors: build, process, store, cpu,"), "{message}");
    }

    #[test]
    fn services_need_a_valid_unique_name_and_a_way_to_be_found() {
        let mut c = CollectionConfig { services: vec![service("web"), service("web")], ..CollectionConfig::default() };
        assert_eq!(
            blame(&c),
            ("collection.services[1].name".into(), "service \"web\" is listed twice; service names must be unique".into())
        );
        c.services = vec![service("we b")];
        assert_eq!(blame(&c).0, "collection.services[0].name");
        let mut bare = service("db");
        bare.process_name = None;
        c.services = vec![bare];
        assert!(blame(&c).1.contains("set at least one of process_name, cmdline, pid_file, systemd_unit, cgroup"));
        let mut bad = service("db");
        bad.cmdline = Some("postgres(".into());
        c.services = vec![bad];
        let (key, message) = blame(&c);
        assert_eq!(key, "collection.services[0].cmdline");
        assert!(message.starts_with("invalid regular expression \"postgres(\": "), "{message}");
        let mut relative = service("db");
        relative.cgroup = Some("system.slice/x".into());
        c.services = vec![relative];
        assert_eq!(blame(&c).0, "collection.services[0].cgroup");
    }
}
