//! Metric families whose names come from the files read (meminfo fields, netstat
//! counters, sockstat entries): each is made once, on first sight, and reused.
//!
//! [`crate::Emitter`] takes `&'static Metric`, so a family named at run time is leaked
//! once. The kernel's field names are a fixed set, so this is bounded; a cap guards
//! against a file that invents new names on every read.

use std::collections::HashMap;

use vitals_store::{valid_metric_name, MetricKind};

use crate::Metric;

/// Most run-time families one collector makes.
const CAP: usize = 2000;

/// Families named at run time, by name.
#[derive(Default)]
pub(crate) struct Families {
    by_name: HashMap<String, &'static Metric>,
}

impl Families {
    /// The family called `name`, made with `kind`, `help()` and `unit` the first time; an
    /// error saying why when the name is not a valid metric name or the cap is reached.
    pub(crate) fn get(
        &mut self,
        name: &str,
        kind: MetricKind,
        unit: &'static str,
        help: impl FnOnce() -> String,
    ) -> Result<&'static Metric, String> {
        if let Some(m) = self.by_name.get(name) {
            return Ok(m);
        }
        if !valid_metric_name(name) {
            return Err(format!("{name:?} is not a valid metric name"));
        }
        if self.by_name.len() >= CAP {
            return Err(format!("more than {CAP} metric names; {name:?} left out"));
        }
        let metric: &'static Metric =
            Box::leak(Box::new(Metric { name: String::leak(name.to_owned()), kind, help: String::leak(help()), unit }));
        self.by_name.insert(name.to_owned(), metric);
        Ok(metric)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_family_is_made_once_and_bad_names_are_refused() {
        let mut f = Families::default();
        let a = f.get("node_memory_MemTotal_bytes", MetricKind::Gauge, "bytes", || "Memory field MemTotal.".into()).unwrap();
        let b = f.get("node_memory_MemTotal_bytes", MetricKind::Gauge, "bytes", || unreachable!()).unwrap();
        assert!(std::ptr::eq(a, b));
        assert_eq!(a.help, "Memory field MemTotal.");
        let err = f.get("node_memory_Weird field_bytes", MetricKind::Gauge, "", String::new).unwrap_err();
        assert_eq!(err, "\"node_memory_Weird field_bytes\" is not a valid metric name");
    }
}
