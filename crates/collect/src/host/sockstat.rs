//! The `sockstat` collector: socket counts and memory from `/proc/net/sockstat` and
//! `/proc/net/sockstat6`, as node_exporter's `node_sockstat_<PROTOCOL>_<field>`
//! (`mem` in pages, with `mem_bytes` beside it).

use std::path::Path;

use vitals_store::MetricKind;

use crate::host::families::Families;
use crate::host::page_size;
use crate::host::read::{bad_file, bad_line, number, read_into, Source};
use crate::{CollectError, Collector, Emitter};

/// Reads the socket statistics.
pub struct SockstatCollector {
    paths: [Source; 2],
    buf: String,
    writer: Writer,
    page_size: f64,
}

/// Names and writes the families.
struct Writer {
    name: String,
    families: Families,
}

impl SockstatCollector {
    /// A collector reading `<proc_root>/net/sockstat` and `sockstat6`.
    pub fn new(proc_root: &Path) -> SockstatCollector {
        let net = proc_root.join("net");
        SockstatCollector {
            paths: [Source::new(net.join("sockstat")), Source::new(net.join("sockstat6"))],
            buf: String::new(),
            writer: Writer { name: String::new(), families: Families::default() },
            page_size: page_size(),
        }
    }
}

impl Writer {
    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        out: &mut Emitter,
        path: &Path,
        line: usize,
        protocol: &str,
        field: &str,
        suffix: &str,
        v: f64,
    ) -> Result<(), CollectError> {
        self.name.clear();
        self.name.push_str("node_sockstat_");
        self.name.push_str(protocol);
        self.name.push('_');
        self.name.push_str(field);
        self.name.push_str(suffix);
        let unit = if suffix.is_empty() { "" } else { "bytes" };
        let help = || format!("Socket statistic {protocol} {field}{suffix} from /proc/net/sockstat.");
        match self.families.get(&self.name, MetricKind::Gauge, unit, help) {
            Ok(m) => out.push(m, &[], v)?,
            Err(why) => out.degrade(bad_line(path, line, why)),
        }
        Ok(())
    }
}

impl Collector for SockstatCollector {
    fn name(&self) -> &str {
        "sockstat"
    }

    fn can_block(&self) -> bool {
        // Reads procfs files.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        let mut read = 0;
        let mut sockstat_error = None;
        let (buf, writer) = (&mut self.buf, &mut self.writer);
        for (i, path) in self.paths.iter_mut().enumerate() {
            if let Err(e) = read_into(path, buf) {
                // sockstat6 is missing without IPv6: only sockstat's absence is a problem.
                if i == 0 {
                    sockstat_error = Some(e);
                }
                continue;
            }
            read += 1;
            for (n, line) in buf.lines().enumerate() {
                let Some((protocol, rest)) = line.split_once(':') else { continue };
                let mut parts = rest.split_ascii_whitespace();
                while let (Some(field), Some(value)) = (parts.next(), parts.next()) {
                    let Some(v) = number(value) else {
                        out.degrade(bad_line(path, n + 1, format!("{protocol} {field}: {value:?} is not a number")));
                        continue;
                    };
                    writer.emit(out, path, n + 1, protocol, field, "", v)?;
                    if field == "mem" {
                        writer.emit(out, path, n + 1, protocol, field, "_bytes", v * self.page_size)?;
                    }
                }
            }
        }
        match sockstat_error {
            // Nothing read: the run failed, for this reason alone.
            Some(e) if read == 0 => return Err(e),
            Some(e) => out.degrade(e),
            None if read == 0 => return Err(bad_file(&self.paths[0], "cannot be read")),
            None => {}
        }
        Ok(())
    }
}
