//! The `conntrack` collector: the connection tracking table's size and limit, and its
//! statistics summed over CPUs, as node_exporter's `node_nf_conntrack_*`.

use std::path::Path;

use crate::host::read::{bad_file, number, read_into, read_value, Source};
use crate::{CollectError, Collector, Emitter, Metric};

const ENTRIES: Metric = Metric::gauge("node_nf_conntrack_entries", "Connections in the connection tracking table.", "");
const LIMIT: Metric = Metric::gauge("node_nf_conntrack_entries_limit", "Size limit of the connection tracking table.", "");

/// The columns of `/proc/net/stat/nf_conntrack` node_exporter sums, and their families.
const STATS: [(&str, Metric); 8] = [
    ("found", Metric::counter("node_nf_conntrack_stat_found", "Lookups that found an existing connection.", "")),
    ("invalid", Metric::counter("node_nf_conntrack_stat_invalid", "Packets that could not be tracked.", "")),
    ("ignore", Metric::counter("node_nf_conntrack_stat_ignore", "Packets that were already tracked and so ignored.", "")),
    ("insert", Metric::counter("node_nf_conntrack_stat_insert", "Connections inserted in the table.", "")),
    ("insert_failed", Metric::counter("node_nf_conntrack_stat_insert_failed", "Connections that could not be inserted.", "")),
    ("drop", Metric::counter("node_nf_conntrack_stat_drop", "Packets dropped because a connection could not be tracked.", "")),
    ("early_drop", Metric::counter("node_nf_conntrack_stat_early_drop", "Connections dropped early to make room in a full table.", "")),
    ("search_restart", Metric::counter("node_nf_conntrack_stat_search_restart", "Table lookups restarted after a resize.", "")),
];

/// Reads the conntrack counters.
pub struct ConntrackCollector {
    count: Source,
    max: Source,
    stat: Source,
    buf: String,
}

impl ConntrackCollector {
    /// A collector reading under `proc_root`.
    pub fn new(proc_root: &Path) -> ConntrackCollector {
        ConntrackCollector {
            count: Source::new(proc_root.join("sys/net/netfilter/nf_conntrack_count")),
            max: Source::new(proc_root.join("sys/net/netfilter/nf_conntrack_max")),
            stat: Source::new(proc_root.join("net/stat/nf_conntrack")),
            buf: String::new(),
        }
    }
}

impl Collector for ConntrackCollector {
    fn name(&self) -> &str {
        "conntrack"
    }

    fn can_block(&self) -> bool {
        // Reads procfs values.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        for (path, metric) in [(&mut self.count, &ENTRIES), (&mut self.max, &LIMIT)] {
            let text = read_value(path, &mut self.buf)?;
            let v = number(text).ok_or_else(|| bad_file(path, format!("{text:?} is not a number")))?;
            out.push(metric, &[], v)?;
        }
        if let Err(e) = read_into(&mut self.stat, &mut self.buf) {
            out.degrade(e);
            return Ok(());
        }
        let mut lines = self.buf.lines();
        let header = lines.next().unwrap_or("");
        let mut sums = [0.0; 8];
        let mut columns = [None; 8];
        for (i, name) in header.split_ascii_whitespace().enumerate() {
            if let Some(k) = STATS.iter().position(|(n, _)| *n == name) {
                columns[k] = Some(i);
            }
        }
        for line in lines {
            // One line per CPU, in hexadecimal. Fixed arrays: no allocation per line.
            let mut values = [0u64; 32];
            for (slot, text) in values.iter_mut().zip(line.split_ascii_whitespace()) {
                match u64::from_str_radix(text, 16) {
                    Ok(v) => *slot = v,
                    Err(_) => {
                        out.degrade(bad_file(&self.stat, format!("{text:?} is not a hexadecimal number")));
                        return Ok(());
                    }
                }
            }
            for (sum, column) in sums.iter_mut().zip(columns) {
                if let Some(v) = column.and_then(|c| values.get(c)) {
                    *sum += *v as f64;
                }
            }
        }
        for ((sum, column), (_, metric)) in sums.iter().zip(columns).zip(&STATS) {
            if column.is_some() {
                out.push(metric, &[], *sum)?;
            }
        }
        Ok(())
    }
}
