//! The host collectors on fixture trees: what they write under node_exporter's names,
//! and how malformed, unreadable or strange files make them degraded or down, never panic.

use std::path::Path;
use std::time::{Duration, Instant};

use vitals_collect::host::host_collectors;
use vitals_collect::{CollectorStatus, Scheduler, SchedulerOptions};
use vitals_config::CollectionConfig;
use vitals_store::{Matcher, Store, StoreOptions};

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const STAT: &str = "\
cpu  300 0 200 10000 50 0 10 5 0 0
cpu0 150 0 100 5000 25 0 5 2 1 0
cpu1 150 0 100 5000 25 0 5 3 0 0
intr 187666 0 9 0
ctxt 403266
btime 1795357885
processes 3639
procs_running 2
procs_blocked 0
softirq 1000 1 2 3 4 5 6 7 8 9 10
";

/// A /proc and /sys with one file of each kind the collectors read, some of them broken.
fn fixture(root: &Path) {
    let proc = root.join("proc");
    write(&proc, "stat", STAT);
    write(&proc, "loadavg", "0.30 0.19 0.08 1/300 4242\n");
    write(&proc, "meminfo", "MemTotal:       24668920 kB\nActive(anon):     100 kB\nHugePages_Total:       0\nBroken line\n");
    write(&proc, "vmstat", "nr_free_pages 100\npgfault 1427763\npgmajfault 878\noom_kill 0\n");
    write(
        &proc,
        "diskstats",
        " 254       0 vda 29225 5612 2295242 8839 7257 7272 2616448 9515 0 6568 18876 3591 50 240208 368 1066 152\n \
         254       1 vda1 1 2 3 4 5 6 7 8 0 9 10 0 0 0 0 0 0\n \
         259       0 my\u{e9}disk 1 2 3 4 5 6 7 8 0 9 10\n \
         259       1 bad 1 2 x\n",
    );
    write(
        &proc,
        "net/dev",
        "Inter-|   Receive\n face |bytes\n    lo: 557587420  766185    0    0    0     0          0         0 557587420  766185    0    0    0     0       0          0\n\
         \u{1f600}eth: 10 1 0 0 0 0 0 0 20 2 0 0 0 0 0 0\n vethabc: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n",
    );
    write(&proc, "pressure/cpu", "some avg10=0.00 avg60=0.28 avg300=1.81 total=8016558\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
    write(
        &proc,
        "pressure/io",
        "some avg10=0.00 avg60=0.00 avg300=0.00 total=2629897\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=2400844\n",
    );
    // pressure/memory is missing: the pressure collector is degraded, not down.
    write(&proc, "net/netstat", "TcpExt: ListenOverflows ListenDrops TCPTimeouts Unwanted\nTcpExt: 1 2 3 4\n");
    write(&proc, "net/snmp", "Tcp: RtoMin RetransSegs CurrEstab\nTcp: 200 17 4\nUdp: InErrors\nUdp: 5\n");
    write(&proc, "net/snmp6", "Ip6InOctets 100\nUdp6InErrors 3\nIp6InReceives 9\n");
    write(&proc, "net/sockstat", "sockets: used 15\nTCP: inuse 4 orphan 0 tw 3 alloc 4 mem 37\nFRAG: inuse 0 memory 0\n");
    write(&proc, "sys/net/netfilter/nf_conntrack_count", "3\n");
    write(&proc, "sys/net/netfilter/nf_conntrack_max", "262144\n");
    write(
        &proc,
        "net/stat/nf_conntrack",
        "entries searched found insert drop\n00000003 00000000 0000000a 00000001 00000000\n00000003 00000000 00000005 00000001 00000002\n",
    );
    write(&proc, "sys/fs/file-nr", "386\t0\t2465610\n");
    write(&proc, "sys/kernel/random/entropy_avail", "256\n");
    write(&proc, "sys/kernel/random/poolsize", "256\n");
    let mounts = format!(
        "/dev/vda / ext4 rw,relatime 0 0\nproc /proc proc rw 0 0\ntmpfs {}/my\\040data tmpfs ro,relatime 0 0\ntmpfs /gone tmpfs rw 0 0\n",
        root.join("rootfs").display()
    );
    write(&proc, "1/mounts", &mounts);
    std::fs::create_dir_all(root.join("rootfs").join(root.join("rootfs/my data").strip_prefix("/").unwrap())).unwrap();
    write(&root.join("sys"), "devices/system/clocksource/clocksource0/available_clocksource", "tsc kvm-clock\n");
    write(&root.join("sys"), "devices/system/clocksource/clocksource0/current_clocksource", "tsc\n");
}

struct Run {
    store: Store,
    status: Vec<CollectorStatus>,
    _dir: tempfile::TempDir,
}

/// Runs the host collectors on the fixture for a few cycles.
fn run(prepare: impl FnOnce(&Path), tune: impl FnOnce(&mut CollectionConfig)) -> Run {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let mut config = CollectionConfig {
        proc_root: dir.path().join("proc"),
        sys_root: dir.path().join("sys"),
        rootfs: dir.path().join("rootfs"),
        // Long enough that no collector times out on a loaded machine.
        interval: Duration::from_secs(2),
        ..CollectionConfig::default()
    };
    tune(&mut config);
    let (collectors, not_run) = host_collectors(&config).unwrap();
    let store = Store::open(&dir.path().join("data"), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
    let opts = SchedulerOptions { interval: config.interval, base_labels: vec![("job".into(), "vitals".into())], not_run };
    let scheduler = Scheduler::start(&store, collectors, opts).unwrap();
    let start = Instant::now();
    while scheduler.status().iter().any(|s| s.state.as_str() == "pending") {
        assert!(start.elapsed() < Duration::from_secs(20), "{:?}", scheduler.status());
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = scheduler.status();
    scheduler.stop();
    Run { store, status, _dir: dir }
}

impl Run {
    fn state(&self, name: &str) -> String {
        let s = self.status.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no {name} in {:?}", self.status));
        match &s.reason {
            Some(r) => format!("{}: {r}", s.state.as_str()),
            None => s.state.as_str().to_owned(),
        }
    }

    /// The latest value of each series of `name`, as `{labels} value` lines, sorted.
    fn series(&self, name: &str) -> Vec<String> {
        let got = self.store.select(&[Matcher::equal("__name__", name)], i64::MIN, i64::MAX).unwrap();
        let mut lines: Vec<String> = got
            .iter()
            .map(|s| {
                let labels: Vec<String> = s
                    .labels
                    .iter()
                    .filter(|l| l.name != "__name__" && l.name != "job")
                    .map(|l| format!("{}={:?}", l.name, l.value))
                    .collect();
                format!("{{{}}} {}", labels.join(","), s.samples.last().unwrap().v)
            })
            .collect();
        lines.sort();
        lines
    }
}

#[test]
fn fixture_values_come_out_under_node_exporter_names() {
    let r = run(fixture, |_| {});
    let ticks = 100.0; // USER_HZ on Linux
    assert_eq!(r.series("node_cpu_seconds_total").len(), 16);
    assert!(r.series("node_cpu_seconds_total").contains(&format!("{{cpu=\"1\",mode=\"user\"}} {}", 150.0 / ticks)));
    assert_eq!(r.series("node_cpu_guest_seconds_total")[0], "{cpu=\"0\",mode=\"nice\"} 0");
    assert_eq!(r.series("node_context_switches_total"), ["{} 403266"]);
    assert_eq!(r.series("node_boot_time_seconds"), ["{} 1795357885"]);
    assert_eq!(r.series("node_softirqs_total").len(), 10);
    assert_eq!(r.series("node_load15"), ["{} 0.08"]);
    assert_eq!(r.series("node_memory_MemTotal_bytes"), ["{} 25260974080"]);
    assert_eq!(r.series("node_memory_Active_anon_bytes"), ["{} 102400"]);
    assert_eq!(r.series("node_memory_HugePages_Total"), ["{} 0"]);
    assert!(r.state("meminfo").starts_with("degraded: "), "{}", r.state("meminfo"));
    assert_eq!(r.series("node_vmstat_pgfault"), ["{} 1427763"]);
    assert!(r.series("node_vmstat_nr_free_pages").is_empty());
    assert_eq!(r.series("node_disk_read_bytes_total"), ["{device=\"my\u{e9}disk\"} 1536", "{device=\"vda\"} 1175163904"]);
    assert_eq!(r.series("node_disk_discarded_sectors_total"), ["{device=\"vda\"} 240208"], "11-column kernels have no discards");
    assert_eq!(
        r.series("node_disk_info"),
        ["{device=\"my\u{e9}disk\",major=\"259\",minor=\"0\"} 1", "{device=\"vda\",major=\"254\",minor=\"0\"} 1"]
    );
    let disks = r.state("diskstats");
    assert!(disks.starts_with("degraded: ") && disks.contains("line 4: device \"bad\""), "{disks}");
    assert_eq!(r.series("node_network_receive_bytes_total"), ["{device=\"lo\"} 557587420", "{device=\"\u{1f600}eth\"} 10"]);
    assert_eq!(r.state("netdev"), "up");
    assert_eq!(r.series("node_pressure_cpu_waiting_seconds_total"), ["{} 8.016558"]);
    assert_eq!(r.series("node_pressure_io_stalled_seconds_total"), ["{} 2.400844"]);
    assert!(r.state("pressure").contains("pressure/memory"), "{}", r.state("pressure"));
    assert_eq!(r.series("node_netstat_TcpExt_ListenOverflows"), ["{} 1"]);
    assert_eq!(r.series("node_netstat_Tcp_RetransSegs"), ["{} 17"]);
    assert_eq!(r.series("node_netstat_Udp6_InErrors"), ["{} 3"]);
    assert!(
        r.series("node_netstat_Tcp_RtoMin").is_empty() && r.series("node_netstat_Ip6_InReceives").is_empty(),
        "not in the default selection"
    );
    assert_eq!(r.series("node_sockstat_TCP_mem_bytes"), [format!("{{}} {}", 37 * 4096)]);
    assert_eq!(r.series("node_sockstat_sockets_used"), ["{} 15"]);
    assert_eq!(r.series("node_nf_conntrack_entries_limit"), ["{} 262144"]);
    assert_eq!(r.series("node_nf_conntrack_stat_found"), ["{} 15"], "summed over CPUs, read as hexadecimal");
    assert_eq!(r.series("node_filefd_maximum"), ["{} 2465610"]);
    assert_eq!(r.series("node_entropy_pool_size_bits"), ["{} 256"]);
    let root = r._dir.path().join("rootfs");
    let data = format!("{}/my data", root.display());
    assert_eq!(r.series("node_filesystem_readonly").len(), 3, "proc is excluded: {:?}", r.series("node_filesystem_readonly"));
    assert!(r.series("node_filesystem_readonly").contains(&format!("{{device=\"tmpfs\",fstype=\"tmpfs\",mountpoint={data:?}}} 1")));
    assert!(r.series("node_filesystem_device_error").contains(&"{device=\"tmpfs\",fstype=\"tmpfs\",mountpoint=\"/gone\"} 1".to_owned()));
    assert!(r.state("filesystem").contains("statfs"), "{}", r.state("filesystem"));
    assert_eq!(r.series("node_time_clocksource_current_info"), ["{clocksource=\"tsc\",device=\"0\"} 1"]);
    assert_eq!(r.series("node_time_clocksource_available_info").len(), 2);
    assert_eq!(r.series("node_uname_info").len(), 1);
    assert_eq!(r.series("node_timex_tick_seconds").len(), 1);
    assert!(r.state("hwmon").starts_with("unavailable: "), "{}", r.state("hwmon"));
    assert!(r.state("cpufreq").starts_with("unavailable: "), "{}", r.state("cpufreq"));
}

#[test]
fn disabled_collectors_and_missing_sources_are_listed_not_run() {
    let r = run(
        |root| {
            fixture(root);
            std::fs::remove_dir_all(root.join("proc/pressure")).unwrap();
        },
        |c| c.disabled = vec!["netstat".into(), "uname".into()],
    );
    assert_eq!(r.state("netstat"), "disabled: collection.disabled");
    assert_eq!(r.state("uname"), "disabled: collection.disabled");
    assert!(r.state("pressure").starts_with("unavailable: cannot read "), "{}", r.state("pressure"));
    assert!(r.series("node_uname_info").is_empty());
}

#[test]
fn garbage_files_make_collectors_down_or_degraded_never_panic() {
    let garbage = "\u{0}\u{1}ünïcödé garbage: with ( parens ) and numbers 1 2 x\n\n:::\n";
    let r = run(
        |root| {
            fixture(root);
            for file in [
                "stat",
                "loadavg",
                "meminfo",
                "vmstat",
                "diskstats",
                "net/dev",
                "net/netstat",
                "net/snmp",
                "net/snmp6",
                "net/sockstat",
                "pressure/cpu",
                "sys/fs/file-nr",
                "net/stat/nf_conntrack",
                "1/mounts",
            ] {
                write(&root.join("proc"), file, garbage);
            }
        },
        |_| {},
    );
    for s in &r.status {
        assert!(s.state.as_str() != "pending", "{s:?}");
        assert!(!s.reason.as_deref().unwrap_or("").contains("panicked"), "{s:?}");
    }
    assert!(r.state("cpu").starts_with("down: "), "{}", r.state("cpu"));
    assert!(r.state("loadavg").starts_with("down: "), "{}", r.state("loadavg"));
    assert!(r.state("filefd").starts_with("down: "), "{}", r.state("filefd"));
}

#[test]
fn an_unreadable_file_is_a_reason_naming_it() {
    let r = run(
        |root| {
            fixture(root);
            std::fs::remove_file(root.join("proc/loadavg")).unwrap();
            std::fs::create_dir(root.join("proc/loadavg")).unwrap();
        },
        |_| {},
    );
    let state = r.state("loadavg");
    assert!(state.starts_with("unavailable: cannot read ") && state.contains("proc/loadavg"), "{state}");
}
