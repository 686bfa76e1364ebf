//! The `cgroup` collector: resource use of systemd services and containers from the
//! cgroup v2 hierarchy (unified, or the `unified` part of a hybrid host).
//!
//! Series are `vitals_cgroup_*`, labelled `cgroup` (the path from the hierarchy's root)
//! and either `unit` (`nginx.service`) or `container_id` (12 hex digits); `layout.rs` says
//! which groups are watched. Values are converted to Prometheus units: microseconds to
//! seconds, counts as `_total` counters.

mod collector;
mod devices;
mod layout;
mod parse;
#[cfg(test)]
mod tests;

pub use collector::CgroupCollector;
