//! Coverage and agreement with node_exporter: Debian's `prometheus-node-exporter` (1.5) runs
//! beside `vitals serve` with the same exclusions; every family of the collectors Vitals
//! replaces must exist in Vitals with the same label sets, and the values must agree.
//!
//! Values: node_exporter is scraped twice, 4 s or more apart, and Vitals' `/metrics` (its
//! last collection, under a second old; read again while a collector is down) in between, so Vitals' reading was taken
//! between the two scrapes. A counter must lie between node_exporter's two values (give
//! or take 5 % of their difference): that holds only when value and rate agree. A gauge
//! must be within 2 % of the nearer one, or within how far node_exporter itself saw it move.

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vitals_exposition::{parse_line, Line, MetricType};

use crate::common::Server;

/// Families of node_exporter's collectors that Vitals replaces, by name prefix.
const COUNTED: &[&str] = &[
    "node_cpu_",
    "node_load",
    "node_boot_time_seconds",
    "node_context_switches_total",
    "node_intr_total",
    "node_forks_total",
    "node_procs_",
    "node_pressure_",
    "node_memory_",
    "node_vmstat_",
    "node_disk_",
    "node_filesystem_",
    "node_network_receive_",
    "node_network_transmit_",
    "node_netstat_",
    "node_sockstat_",
    "node_nf_conntrack_",
    "node_filefd_",
    "node_entropy_",
    "node_timex_",
    "node_hwmon_",
    "node_uname_info",
    "node_time_",
];

/// Families deliberately left out, and why.
const LEFT_OUT: &[(&str, &str)] = &[
    (
        "node_network_receive_nohandler_total",
        "node_exporter 1.5 reads interfaces over netlink, which has rx_nohandler; Vitals reads /proc/net/dev, which does not",
    ),
    ("node_network_transmit_queue_length", "from node_exporter's netclass collector (sysfs), not netdev; netclass is not covered yet"),
    ("node_disk_filesystem_info", "from the udev database's filesystem properties, which Vitals does not read"),
    ("node_disk_device_mapper_info", "from the udev database's device-mapper properties, which Vitals does not read"),
    ("node_disk_ata_", "from the udev database's ATA properties (write cache, rotation rate), which Vitals does not read"),
    ("node_cpu_core_throttles_total", "from sysfs thermal_throttle counters, which Vitals does not read yet"),
    ("node_cpu_package_throttles_total", "from sysfs thermal_throttle counters, which Vitals does not read yet"),
];

/// The `node_hwmon_` families Vitals writes: each sensor's input, temperature limits and
/// labels. Every other hwmon property node_exporter maps generically (min, max and alarm
/// files of each kind, crit_alarm, hyst, curr, power, pwm...) is left out: it depends on the
/// chips' drivers, and the inputs are what dashboards and alerts use.
const HWMON_WRITTEN: &[&str] = &[
    "node_hwmon_chip_names",
    "node_hwmon_sensor_label",
    "node_hwmon_temp_celsius",
    "node_hwmon_temp_max_celsius",
    "node_hwmon_temp_crit_celsius",
    "node_hwmon_fan_rpm",
    "node_hwmon_in_volts",
];

/// Why `family` is deliberately left out, if it is.
fn left_out(family: &str) -> Option<&'static str> {
    if family.starts_with("node_hwmon_") && !HWMON_WRITTEN.contains(&family) {
        return Some("a hwmon property other than a sensor's input, temperature limits and labels (see HWMON_WRITTEN)");
    }
    reason(LEFT_OUT, family)
}

/// Families whose values depend on the moment or on the scrape itself, and why.
const VOLATILE: &[(&str, &str)] = &[
    ("node_procs_running", "runnable threads at the instant of reading: the reader itself is one"),
    ("node_procs_blocked", "blocked threads at the instant of reading"),
    ("node_time_seconds", "the clock at the instant of reading"),
    ("node_sockstat_", "node_exporter's own HTTP connections and the test's count among the sockets"),
    ("node_netstat_Tcp_CurrEstab", "the scrapes' own connections are established TCP connections"),
    ("node_filefd_allocated", "each process' open files, node_exporter's own included"),
    ("node_timex_offset_seconds", "the clock discipline's offset changes every tick"),
    ("node_timex_maxerror_seconds", "grows by the moment until the next synchronisation"),
    ("node_entropy_available_bits", "changes as random numbers are drawn"),
    ("node_memory_", "memory use moves with every process on the machine, the test's own included, by more than 2 % within a second"),
    ("node_nf_conntrack_entries", "the scrapes' own connections are tracked"),
    ("node_disk_io_now", "I/Os in flight at the instant of reading"),
    ("node_cpu_frequency_hertz", "each core's clock at the instant of reading, changed by frequency scaling many times a second"),
    ("node_cpu_scaling_frequency_hertz", "the governor's current frequency at the instant of reading"),
    ("node_hwmon_temp_celsius", "temperatures move with load, by more than 2 % within seconds"),
];

/// How many times Vitals' `/metrics` is read again while one of its collectors is down
/// (e.g. timed out on a loaded machine), before comparing anyway.
const VITALS_READS: usize = 5;

/// Parsed exposition: family types, and series (name, sorted non-empty labels) to value.
#[derive(Default)]
struct Page {
    types: BTreeMap<String, MetricType>,
    series: BTreeMap<(String, Vec<(String, String)>), f64>,
}

fn parse(text: &str) -> Page {
    let mut page = Page::default();
    for line in text.lines() {
        match parse_line(line).unwrap_or_else(|e| panic!("{e}: {line}")) {
            Line::Type { metric, kind } => {
                page.types.insert(metric.to_owned(), kind);
            }
            Line::Sample(s) => {
                // Prometheus drops empty label values on ingestion; so does the comparison.
                let mut labels: Vec<(String, String)> =
                    s.labels.iter().filter(|(_, v)| !v.is_empty()).map(|(n, v)| ((*n).to_owned(), v.to_string())).collect();
                labels.sort();
                page.series.insert((s.name.to_owned(), labels), s.value);
            }
            _ => {}
        }
    }
    page
}

fn counted(name: &str) -> bool {
    COUNTED.iter().any(|p| name.starts_with(p))
}

fn reason(list: &[(&str, &'static str)], name: &str) -> Option<&'static str> {
    list.iter().find(|(p, _)| name.starts_with(p)).map(|(_, r)| *r)
}

struct NodeExporter {
    child: Child,
    url: String,
}

impl Drop for NodeExporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl NodeExporter {
    /// Starts Debian's node_exporter with Vitals' default exclusions, on a free port.
    fn start() -> NodeExporter {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let defaults = vitals_config::CollectionConfig::default();
        let child = Command::new("prometheus-node-exporter")
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg(format!("--collector.filesystem.mount-points-exclude={}", defaults.filesystems.mount_points_exclude))
            .arg(format!("--collector.filesystem.fs-types-exclude={}", defaults.filesystems.fs_types_exclude))
            .arg(format!("--collector.diskstats.device-exclude={}", defaults.disks.devices_exclude))
            .arg(format!("--collector.netdev.device-exclude={}", defaults.network.interfaces_exclude))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus-node-exporter must be installed (scripts/test installs it: apt-get install prometheus-node-exporter)");
        let ne = NodeExporter { child, url: format!("http://127.0.0.1:{port}/metrics") };
        let start = Instant::now();
        while ne.try_scrape().is_none() {
            assert!(start.elapsed() < Duration::from_secs(10), "node_exporter did not answer on {}", ne.url);
            std::thread::sleep(Duration::from_millis(50));
        }
        ne
    }

    fn try_scrape(&self) -> Option<String> {
        ureq::get(&self.url).call().ok()?.body_mut().read_to_string().ok()
    }

    fn scrape(&self) -> Page {
        parse(&self.try_scrape().expect("scraping node_exporter"))
    }
}

#[test]
fn every_node_exporter_family_is_in_vitals_with_the_same_labels_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let vitals = Server::start(&dir.path().join("data"));
    let ne = NodeExporter::start();
    vitals.wait_until(Duration::from_secs(10), "host metrics collected", || vitals.get("/metrics").1.contains("node_cpu_seconds_total"));

    let a = ne.scrape();
    let mut v = Page::default();
    for attempt in 1..=VITALS_READS {
        std::thread::sleep(Duration::from_millis(2000));
        v = parse(&vitals.get("/metrics").1);
        let down: Vec<&str> = v
            .series
            .iter()
            .filter(|((name, _), value)| name == "vitals_collector_up" && **value == 0.0)
            .flat_map(|((_, labels), _)| labels.iter().filter(|(n, _)| n == "collector").map(|(_, c)| c.as_str()))
            .collect();
        if down.is_empty() {
            break;
        }
        println!("read {attempt}: Vitals collectors down {down:?}; reading again");
    }
    std::thread::sleep(Duration::from_millis(2000));
    let b = ne.scrape();

    let families: BTreeSet<&str> = a.series.keys().map(|(n, _)| n.as_str()).filter(|n| counted(n)).collect();
    let vitals_families: BTreeSet<&str> = v.series.keys().map(|(n, _)| n.as_str()).collect();
    let mut missing = Vec::new();
    let mut problems = Vec::new();
    let mut compared = 0;
    for family in &families {
        if let Some(why) = left_out(family) {
            assert!(!vitals_families.contains(family), "{family} is listed as left out ({why}) but Vitals has it");
            continue;
        }
        if !vitals_families.contains(family) {
            missing.push(*family);
            continue;
        }
        let labels = |p: &Page| -> BTreeSet<Vec<(String, String)>> {
            p.series.keys().filter(|(n, _)| n == family).map(|(_, l)| l.clone()).collect()
        };
        let (in_a, in_b, in_v) = (labels(&a), labels(&b), labels(&v));
        // Series that came or went between the two scrapes are not held against Vitals.
        let stable: BTreeSet<_> = in_a.intersection(&in_b).cloned().collect();
        let only_ne: Vec<_> = stable.difference(&in_v).collect();
        let either: BTreeSet<_> = in_a.union(&in_b).cloned().collect();
        let only_vitals: Vec<_> = in_v.difference(&either).collect();
        if !only_ne.is_empty() || !only_vitals.is_empty() {
            problems.push(format!("{family}: label sets differ; only node_exporter: {only_ne:?}; only Vitals: {only_vitals:?}"));
            continue;
        }
        if reason(VOLATILE, family).is_some() {
            continue;
        }
        let counter = a.types.get(*family) == Some(&MetricType::Counter) || family.ends_with("_total");
        for labels in &stable {
            let key = ((*family).to_owned(), labels.clone());
            let (x, y, got) = (a.series[&key], b.series[&key], v.series[&key]);
            let (lo, hi) = (x.min(y), x.max(y));
            let ok = if counter {
                let slack = 0.05 * (hi - lo) + 1e-9 * hi.abs();
                got >= lo - slack && got <= hi + slack
            } else {
                let slack = (0.02 * lo.abs().max(hi.abs())).max(hi - lo) + 1e-12;
                got >= lo - slack && got <= hi + slack
            };
            compared += 1;
            if !ok {
                problems.push(format!(
                    "{family}{labels:?}: Vitals {got}, node_exporter {x} then {y} ({})",
                    if counter { "counter" } else { "gauge" }
                ));
            }
        }
    }
    println!("{} node_exporter families compared, {compared} series values; missing in Vitals: {missing:?}", families.len());
    for (family, why) in LEFT_OUT {
        println!("left out: {family}: {why}");
    }
    assert!(missing.is_empty(), "families missing in Vitals: {missing:?}");
    assert!(problems.is_empty(), "disagreements:\n{}", problems.join("\n"));
    assert!(compared > 100, "only {compared} series compared");
}
