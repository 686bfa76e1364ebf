//! The `netdev` collector: `/proc/net/dev` as node_exporter's `node_network_receive_*` and
//! `node_network_transmit_*`, per interface (veth pairs left out by default).

use std::path::Path;

use regex::Regex;

use crate::host::read::{bad_file, bad_line, read_into, Source};
use crate::{CollectError, Collector, Emitter, Metric};

/// The 16 columns after the interface name, in order.
const COLUMNS: [Metric; 16] = [
    Metric::counter("node_network_receive_bytes_total", "Bytes received.", "bytes"),
    Metric::counter("node_network_receive_packets_total", "Packets received.", ""),
    Metric::counter("node_network_receive_errs_total", "Receive errors.", ""),
    Metric::counter("node_network_receive_drop_total", "Received packets dropped.", ""),
    Metric::counter("node_network_receive_fifo_total", "Receive FIFO buffer errors.", ""),
    Metric::counter("node_network_receive_frame_total", "Receive framing errors.", ""),
    Metric::counter("node_network_receive_compressed_total", "Compressed packets received.", ""),
    Metric::counter("node_network_receive_multicast_total", "Multicast packets received.", ""),
    Metric::counter("node_network_transmit_bytes_total", "Bytes sent.", "bytes"),
    Metric::counter("node_network_transmit_packets_total", "Packets sent.", ""),
    Metric::counter("node_network_transmit_errs_total", "Transmit errors.", ""),
    Metric::counter("node_network_transmit_drop_total", "Packets dropped on sending.", ""),
    Metric::counter("node_network_transmit_fifo_total", "Transmit FIFO buffer errors.", ""),
    Metric::counter("node_network_transmit_colls_total", "Collisions detected while sending.", ""),
    Metric::counter("node_network_transmit_carrier_total", "Carrier losses while sending.", ""),
    Metric::counter("node_network_transmit_compressed_total", "Compressed packets sent.", ""),
];

/// Reads `/proc/net/dev`.
pub struct NetdevCollector {
    path: Source,
    exclude: Option<Regex>,
    buf: String,
}

impl NetdevCollector {
    /// A collector reading `<proc_root>/net/dev`, leaving out interfaces `exclude` matches.
    pub fn new(proc_root: &Path, exclude: Option<Regex>) -> NetdevCollector {
        NetdevCollector { path: Source::new(proc_root.join("net/dev")), exclude, buf: String::new() }
    }
}

impl Collector for NetdevCollector {
    fn name(&self) -> &str {
        "netdev"
    }

    fn can_block(&self) -> bool {
        // Reads one procfs file.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        read_into(&mut self.path, &mut self.buf)?;
        let mut interfaces = 0;
        // Two header lines, then "  name: 16 numbers". Names cannot hold ':' or spaces.
        for (n, line) in self.buf.lines().enumerate().skip(2) {
            let Some((name, rest)) = line.split_once(':') else {
                if !line.trim().is_empty() {
                    out.degrade(bad_line(&self.path, n + 1, "no ':' after the interface name"));
                }
                continue;
            };
            let device = name.trim();
            interfaces += 1;
            if self.exclude.as_ref().is_some_and(|r| r.is_match(device)) {
                continue;
            }
            let mut values = [0.0; 16];
            let mut count = 0;
            let mut ok = true;
            for (slot, text) in values.iter_mut().zip(rest.split_ascii_whitespace()) {
                match text.parse::<u64>() {
                    Ok(v) => *slot = v as f64,
                    Err(_) => ok = false,
                }
                count += 1;
            }
            if !ok || count < 16 {
                out.degrade(bad_line(&self.path, n + 1, format!("interface {device:?}: expected 16 whole numbers")));
                continue;
            }
            for (metric, v) in COLUMNS.iter().zip(values) {
                out.push(metric, &[("device", device)], v)?;
            }
        }
        if interfaces == 0 {
            return Err(bad_file(&self.path, "no interfaces"));
        }
        Ok(())
    }
}
