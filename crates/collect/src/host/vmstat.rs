//! The `vmstat` collector: the fields of `/proc/vmstat` node_exporter exports by default
//! (`^(oom_kill|pgpg|pswp|pg.*fault).*`: page faults, paging and swapping, OOM kills) as
//! `node_vmstat_<field>`.

use std::path::Path;

use vitals_store::MetricKind;

use crate::host::families::Families;
use crate::host::read::{bad_file, bad_line, number, read_into, Source};
use crate::{CollectError, Collector, Emitter};

/// Reads `/proc/vmstat`.
pub struct VmstatCollector {
    path: Source,
    buf: String,
    name: String,
    families: Families,
}

impl VmstatCollector {
    /// A collector reading `<proc_root>/vmstat`.
    pub fn new(proc_root: &Path) -> VmstatCollector {
        VmstatCollector {
            path: Source::new(proc_root.join("vmstat")),
            buf: String::new(),
            name: String::new(),
            families: Families::default(),
        }
    }
}

/// node_exporter's default field filter, written out rather than as a regex: it runs on
/// every one of the ~180 lines each cycle.
fn wanted(field: &str) -> bool {
    field.starts_with("oom_kill")
        || field.starts_with("pgpg")
        || field.starts_with("pswp")
        || (field.starts_with("pg") && field[2..].contains("fault"))
}

impl Collector for VmstatCollector {
    fn name(&self) -> &str {
        "vmstat"
    }

    fn can_block(&self) -> bool {
        // Reads one procfs file.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        read_into(&mut self.path, &mut self.buf)?;
        let mut lines = 0;
        for (n, line) in self.buf.lines().enumerate() {
            let Some((field, value)) = line.split_once(' ') else { continue };
            lines += 1;
            if !wanted(field) {
                continue;
            }
            let Some(value) = number(value.trim()) else {
                out.degrade(bad_line(&self.path, n + 1, format!("{field}: {value:?} is not a number")));
                continue;
            };
            self.name.clear();
            self.name.push_str("node_vmstat_");
            self.name.push_str(field);
            // node_exporter leaves these untyped; all of them count events since boot.
            match self.families.get(&self.name, MetricKind::Counter, "", || format!("Field {field} of /proc/vmstat (events since boot).")) {
                Ok(m) => out.push(m, &[], value)?,
                Err(why) => out.degrade(bad_line(&self.path, n + 1, why)),
            }
        }
        if lines == 0 {
            return Err(bad_file(&self.path, "no fields"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::wanted;

    #[test]
    fn the_default_fields_are_node_exporters() {
        for f in ["pgfault", "pgmajfault", "pgpgin", "pgpgout", "pswpin", "pswpout", "oom_kill"] {
            assert!(wanted(f), "{f}");
        }
        for f in ["nr_free_pages", "pgsteal_kswapd", "numa_hit"] {
            assert!(!wanted(f), "{f}");
        }
    }
}
