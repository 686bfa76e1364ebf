//! The `netstat` collector: protocol counters from `/proc/net/netstat`, `/proc/net/snmp`
//! and `/proc/net/snmp6`, as node_exporter's `node_netstat_<Protocol>_<Counter>`, with its
//! default selection (TCP retransmissions, listen overflows, UDP errors, ...).

use std::collections::HashMap;
use std::path::Path;

use regex::Regex;
use vitals_store::MetricKind;

use crate::host::families::Families;
use crate::host::read::{bad_line, number, read_into, Source};
use crate::{CollectError, Collector, Emitter};

/// node_exporter 1.5's default `--collector.netstat.fields`.
const FIELDS: &str = r"^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$";

/// Reads the three protocol counter files.
pub struct NetstatCollector {
    /// `netstat` and `snmp`: pairs of header and value lines.
    paired: [Source; 2],
    /// `snmp6`: one `NameValue` per line.
    snmp6: Source,
    buf: String,
    selector: Selector,
}

/// Picks node_exporter's counters and writes them.
struct Selector {
    fields: Regex,
    name: String,
    families: Families,
    /// Names already tested against `fields`, and the answer: the regex runs once per name.
    decided: HashMap<String, bool>,
}

impl NetstatCollector {
    /// A collector reading `<proc_root>/net/{netstat,snmp,snmp6}`.
    pub fn new(proc_root: &Path) -> NetstatCollector {
        let net = proc_root.join("net");
        NetstatCollector {
            paired: [Source::new(net.join("netstat")), Source::new(net.join("snmp"))],
            snmp6: Source::new(net.join("snmp6")),
            buf: String::new(),
            selector: Selector {
                fields: Regex::new(FIELDS).expect("the constant field pattern compiles"),
                name: String::new(),
                families: Families::default(),
                decided: HashMap::new(),
            },
        }
    }
}

impl Selector {
    /// Writes `Protocol_Counter` if node_exporter's selection has it.
    fn emit(
        &mut self,
        out: &mut Emitter,
        path: &Path,
        line: usize,
        protocol: &str,
        counter: &str,
        value: &str,
    ) -> Result<(), CollectError> {
        self.name.clear();
        self.name.push_str(protocol);
        self.name.push('_');
        self.name.push_str(counter);
        let wanted = match self.decided.get(self.name.as_str()) {
            Some(w) => *w,
            None => {
                let w = self.fields.is_match(&self.name);
                self.decided.insert(self.name.clone(), w);
                w
            }
        };
        if !wanted {
            return Ok(());
        }
        let Some(v) = number(value) else {
            out.degrade(bad_line(path, line, format!("{protocol} {counter}: {value:?} is not a number")));
            return Ok(());
        };
        self.name.insert_str(0, "node_netstat_");
        // node_exporter leaves these untyped: most count, some (CurrEstab, Forwarding) do not.
        let help = || format!("Statistic {protocol}{counter} of the kernel's network stack.");
        match self.families.get(&self.name, MetricKind::Unknown, "", help) {
            Ok(m) => out.push(m, &[], v)?,
            Err(why) => out.degrade(bad_line(path, line, why)),
        }
        Ok(())
    }
}

impl Collector for NetstatCollector {
    fn name(&self) -> &str {
        "netstat"
    }

    fn can_block(&self) -> bool {
        // Reads procfs files.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        let mut read = 0;
        let buf = &mut self.buf;
        for path in &mut self.paired {
            if let Err(e) = read_into(path, buf) {
                out.degrade(e);
                continue;
            }
            read += 1;
            let mut lines = buf.lines().enumerate();
            while let (Some((_, header)), Some((n, values))) = (lines.next(), lines.next()) {
                let (Some((protocol, names)), Some((protocol_again, numbers))) = (header.split_once(':'), values.split_once(':')) else {
                    out.degrade(bad_line(path, n + 1, "expected \"Protocol: ...\" header and value lines"));
                    break;
                };
                if protocol != protocol_again || names.split_ascii_whitespace().count() != numbers.split_ascii_whitespace().count() {
                    out.degrade(bad_line(path, n + 1, format!("{protocol}: the value line does not match its header")));
                    continue;
                }
                for (counter, value) in names.split_ascii_whitespace().zip(numbers.split_ascii_whitespace()) {
                    self.selector.emit(out, path, n + 1, protocol, counter, value)?;
                }
            }
        }
        let path = &mut self.snmp6;
        // No IPv6 (ipv6.disable=1) means no snmp6: not a problem.
        if read_into(path, buf).is_ok() {
            read += 1;
            for (n, line) in buf.lines().enumerate() {
                let mut parts = line.split_ascii_whitespace();
                let (Some(key), Some(value)) = (parts.next(), parts.next()) else { continue };
                // "Icmp6InMsgs": the protocol is everything up to and including the '6'.
                let Some(six) = key.find('6') else { continue };
                self.selector.emit(out, path, n + 1, &key[..=six], &key[six + 1..], value)?;
            }
        }
        if read == 0 {
            return Err(crate::host::read::bad_file(&self.paired[0], "neither netstat, snmp nor snmp6 could be read"));
        }
        Ok(())
    }
}
