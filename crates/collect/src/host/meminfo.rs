//! The `meminfo` collector: every field of `/proc/meminfo` as `node_memory_<Field>_bytes`
//! (or `node_memory_<Field>` for counts such as `HugePages_Total`), named as node_exporter
//! names them: `Active(anon)` becomes `Active_anon`.

use std::fmt::Write;
use std::path::Path;

use vitals_store::MetricKind;

use crate::host::families::Families;
use crate::host::read::{bad_file, bad_line, number, read_into, Source};
use crate::{CollectError, Collector, Emitter};

/// Reads `/proc/meminfo`.
pub struct MeminfoCollector {
    path: Source,
    buf: String,
    name: String,
    families: Families,
}

impl MeminfoCollector {
    /// A collector reading `<proc_root>/meminfo`.
    pub fn new(proc_root: &Path) -> MeminfoCollector {
        MeminfoCollector {
            path: Source::new(proc_root.join("meminfo")),
            buf: String::new(),
            name: String::new(),
            families: Families::default(),
        }
    }
}

impl Collector for MeminfoCollector {
    fn name(&self) -> &str {
        "meminfo"
    }

    fn can_block(&self) -> bool {
        // Reads one procfs file.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        read_into(&mut self.path, &mut self.buf)?;
        let mut written = 0;
        for (n, line) in self.buf.lines().enumerate() {
            let Some((field, rest)) = line.split_once(':') else {
                if !line.trim().is_empty() {
                    out.degrade(bad_line(&self.path, n + 1, format!("no ':' in {line:?}")));
                }
                continue;
            };
            let mut parts = rest.split_ascii_whitespace();
            let (value, unit) = (parts.next().and_then(number), parts.next());
            let Some(mut value) = value else {
                out.degrade(bad_line(&self.path, n + 1, format!("{field}: no number")));
                continue;
            };
            self.name.clear();
            self.name.push_str("node_memory_");
            // "Active(anon)" -> "Active_anon", as node_exporter writes it.
            for ch in field.chars() {
                match ch {
                    '(' => self.name.push('_'),
                    ')' => {}
                    c => self.name.push(c),
                }
            }
            let has_unit = match unit {
                Some("kB") => {
                    value *= 1024.0;
                    self.name.push_str("_bytes");
                    true
                }
                None => false,
                Some(other) => {
                    out.degrade(bad_line(&self.path, n + 1, format!("{field}: unknown unit {other:?}")));
                    continue;
                }
            };
            let unit_name = if has_unit { "bytes" } else { "" };
            let metric = self.families.get(&self.name, MetricKind::Gauge, unit_name, || {
                let mut help = String::new();
                let _ = write!(help, "Memory information field {field} of /proc/meminfo");
                help.push_str(if has_unit { ", in bytes." } else { "." });
                help
            });
            match metric {
                Ok(m) => {
                    out.push(m, &[], value)?;
                    written += 1;
                }
                Err(why) => out.degrade(bad_line(&self.path, n + 1, why)),
            }
        }
        if written == 0 {
            return Err(bad_file(&self.path, "no fields"));
        }
        Ok(())
    }
}
