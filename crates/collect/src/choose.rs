//! The one list of collectors Vitals runs: its own, the host's, cgroups, services and top
//! processes, as `collection` switches them on. `vitals serve` and the cycle benchmark both
//! build theirs here, so the benchmark measures what a server runs.

use regex::Regex;
use vitals_config::{CollectionConfig, ServiceConfig};
use vitals_store::Store;

use crate::host::{host_collectors, Chosen, FilterError};
use crate::{
    BuildInfoCollector, CgroupCollector, Collector, CollectorState, NotRun, ProcessCollector, ServiceSpec, ServicesCollector,
    StoreCollector, TopProcessesCollector,
};

/// Every collector `config` switches on and this machine can feed — Vitals' own (`build`
/// reporting `version`, `process`, `store` reading `store`), the host's, `cgroup`, `services`
/// and `top_processes` — and the rest with the reason they do not run: disabled, source
/// missing, no services configured, `top_processes: 0`.
pub fn collectors(config: &CollectionConfig, store: &Store, version: &str) -> Result<Chosen, FilterError> {
    let mut chosen: Chosen = (Vec::new(), Vec::new());
    add(&mut chosen, config, "build", || Ok(Box::new(BuildInfoCollector::new(version))));
    add(&mut chosen, config, "process", || Ok(Box::new(ProcessCollector::new())));
    add(&mut chosen, config, "store", || Ok(Box::new(StoreCollector::new(store.clone()))));
    let (host, host_not_run) = host_collectors(config)?;
    chosen.0.extend(host);
    chosen.1.extend(host_not_run);
    add(&mut chosen, config, "cgroup", || Ok(Box::new(CgroupCollector::detect(&config.sys_root)?)));
    let specs = config.services.iter().enumerate().map(|(i, s)| service_spec(i, s)).collect::<Result<Vec<_>, _>>()?;
    add(&mut chosen, config, "services", || {
        if specs.is_empty() {
            return Err("no services configured (collection.services)".to_owned());
        }
        Ok(Box::new(ServicesCollector::new(config.proc_root.clone(), specs)))
    });
    add(&mut chosen, config, "top_processes", || match usize::try_from(config.top_processes) {
        Ok(0) | Err(_) => Err("collection.top_processes is 0".to_owned()),
        Ok(n) => Ok(Box::new(TopProcessesCollector::new(config.proc_root.clone(), n))),
    });
    Ok(chosen)
}

/// Adds collector `name` to those that run, or, when disabled or when `build` says why it
/// cannot run here, to those that do not. `build` is called only when the collector is on.
fn add(chosen: &mut Chosen, config: &CollectionConfig, name: &str, build: impl FnOnce() -> Result<Box<dyn Collector>, String>) {
    if config.is_disabled(name) {
        chosen.1.push(NotRun { name: name.to_owned(), state: CollectorState::Disabled, reason: "collection.disabled".to_owned() });
        return;
    }
    match build() {
        Ok(collector) => chosen.0.push(collector),
        Err(reason) => {
            tracing::info!("collector {name} is off: {reason}");
            chosen.1.push(NotRun { name: name.to_owned(), state: CollectorState::Unavailable, reason });
        }
    }
}

/// The collector's form of the `i`th `collection.services` entry, its regexes compiled.
fn service_spec(i: usize, s: &ServiceConfig) -> Result<ServiceSpec, FilterError> {
    let compile = |field: &str, pattern: &Option<String>| {
        pattern
            .as_deref()
            .map(|p| Regex::new(p).map_err(|source| FilterError { key: format!("services[{i}].{field}"), source }))
            .transpose()
    };
    Ok(ServiceSpec {
        name: s.name.clone(),
        process_name: compile("process_name", &s.process_name)?,
        cmdline: compile("cmdline", &s.cmdline)?,
        pid_file: s.pid_file.clone(),
        systemd_unit: s.systemd_unit.clone(),
        cgroup: s.cgroup.clone(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use vitals_store::StoreOptions;

    use super::*;

    #[test]
    fn every_configurable_name_is_a_collector_and_every_collector_is_configurable() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let (run, not_run) = collectors(&CollectionConfig::default(), &store, "test").unwrap();
        let names: Vec<&str> = run.iter().map(|c| c.name()).chain(not_run.iter().map(|n| n.name.as_str())).collect();
        let listed: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(listed.len(), names.len(), "a collector is listed twice: {names:?}");
        assert_eq!(listed, vitals_config::collector_names().collect::<BTreeSet<&str>>());
    }
}
