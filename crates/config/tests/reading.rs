//! Reading config files that are valid: defaults, partial files, a full file, rendering.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use vitals_config::{Config, FsyncPolicy, QueryConfig, ServiceConfig, TierConfig};

fn read(text: &str) -> Config {
    Config::from_yaml(text, "vitals.yml").unwrap()
}

fn days(n: u64) -> Duration {
    Duration::from_secs(n * 86_400)
}

#[test]
fn an_empty_file_runs_on_defaults() {
    for text in ["", "\n", "# nothing set yet\n", "~\n", "---\n"] {
        assert_eq!(read(text), Config::default(), "{text:?}");
    }
}

#[test]
fn the_defaults_are_the_documented_ones() {
    let config = Config::default();
    assert_eq!(config.data_dir, PathBuf::from("./vitals-data"));
    assert_eq!(config.listen.to_string(), "127.0.0.1:7464");
    assert_eq!(config.log_level, "info");
    assert_eq!(config.collection.interval, Duration::from_secs(1));
    let storage = &config.storage;
    assert_eq!(storage.wal.fsync, FsyncPolicy::Interval);
    assert_eq!(storage.wal.fsync_interval, Duration::from_secs(1));
    assert_eq!(storage.wal.segment_size, 64 * 1024 * 1024);
    assert_eq!(storage.out_of_order_window, Duration::from_secs(600));
    assert_eq!(storage.head_flush_interval, Duration::from_secs(300));
    assert_eq!(storage.head_max_samples, 2_000_000);
    assert_eq!(storage.block_duration, Duration::from_secs(7_200));
    assert_eq!(storage.retention, days(15));
    assert_eq!(storage.max_disk_size, 10 * 1024 * 1024 * 1024);
    let tiers: Vec<(String, String)> = storage
        .tiers
        .iter()
        .map(|tier| (vitals_config::format_duration(tier.resolution), vitals_config::format_duration(tier.retention)))
        .collect();
    let expected = [("1m", "30d"), ("5m", "90d"), ("1h", "2y")];
    assert_eq!(tiers, expected.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec());
}

#[test]
fn a_partial_file_keeps_defaults_for_the_rest() {
    let config = read("storage:\n  wal:\n    fsync: always\n  retention: 30d\n");
    let mut expected = Config::default();
    expected.storage.wal.fsync = FsyncPolicy::Always;
    expected.storage.retention = days(30);
    assert_eq!(config, expected);
}

#[test]
fn empty_tiers_turn_rollups_off() {
    assert!(read("storage:\n  tiers: []\n").storage.tiers.is_empty());
}

#[test]
fn an_empty_value_means_the_default() {
    assert_eq!(read("storage:\n  retention:\n  tiers:\n"), Config::default());
}

#[test]
fn zero_means_forever_or_no_cap() {
    let config = read(
        "storage:\n  retention: 0\n  max_disk_size: 0\n  out_of_order_window: 0\n  tiers:\n    - resolution: 1m\n      retention: 0\n",
    );
    assert_eq!(config.storage.retention, Duration::ZERO);
    assert_eq!(config.storage.max_disk_size, 0);
    assert_eq!(config.storage.out_of_order_window, Duration::ZERO);
    assert_eq!(config.storage.tiers[0].retention, Duration::ZERO);
}

#[test]
fn localhost_listens_on_the_loopback_address() {
    let config = read("listen: localhost:9100\n");
    assert_eq!(config.listen, "127.0.0.1:9100".parse::<SocketAddr>().unwrap());
}

const FULL: &str = "\
data_dir: /var/lib/vitals
listen: 0.0.0.0:9000
log_level: vitals=debug,info
collection:
  interval: 500ms
  disabled:
  - hwmon
  - conntrack
  proc_root: /host/proc
  sys_root: /host/sys
  rootfs: /host
  filesystems:
    mount_points_exclude: ^/(dev|proc|sys)($|/)
    fs_types_exclude: ^(tmpfs|overlay)$
  disks:
    devices_exclude: ^loop\\d+$
  network:
    interfaces_exclude: ''
  top_processes: 5
  services:
  - name: postgres
    process_name: ^postgres$
    systemd_unit: postgresql.service
  - name: web.app-1
    cmdline: gunicorn .*app:main
    pid_file: /run/web.pid
    cgroup: /system.slice/web.service
  anomaly_scores: false
storage:
  wal:
    fsync: always
    fsync_interval: 250ms
    segment_size: 128MiB
  out_of_order_window: 1h
  head_flush_interval: 10m
  head_max_samples: 500000
  block_duration: 1d
  retention: 30d
  max_disk_size: 500GB
  tiers:
  - resolution: 10s
    retention: 60d
  - resolution: 1m
    retention: 1y
  - resolution: 6h
    retention: 0
query:
  timeout: 30s
  max_samples: 1000000
  lookback_delta: 1m
";

#[test]
fn a_full_file_sets_every_key() {
    let config = read(FULL);
    assert_eq!(config.data_dir, PathBuf::from("/var/lib/vitals"));
    assert_eq!(config.listen.to_string(), "0.0.0.0:9000");
    assert_eq!(config.log_level, "vitals=debug,info");
    let c = &config.collection;
    assert_eq!(c.interval, Duration::from_millis(500));
    assert_eq!(c.disabled, ["hwmon", "conntrack"]);
    assert_eq!((c.proc_root.to_str(), c.sys_root.to_str(), c.rootfs.to_str()), (Some("/host/proc"), Some("/host/sys"), Some("/host")));
    assert_eq!(c.filesystems.mount_points_exclude, "^/(dev|proc|sys)($|/)");
    assert_eq!(c.filesystems.fs_types_exclude, "^(tmpfs|overlay)$");
    assert_eq!(c.disks.devices_exclude, "^loop\\d+$");
    assert_eq!(c.network.interfaces_exclude, "");
    assert_eq!(c.top_processes, 5);
    assert!(!c.anomaly_scores);
    assert_eq!(
        c.services,
        [
            ServiceConfig {
                name: "postgres".into(),
                process_name: Some("^postgres$".into()),
                cmdline: None,
                pid_file: None,
                systemd_unit: Some("postgresql.service".into()),
                cgroup: None
            },
            ServiceConfig {
                name: "web.app-1".into(),
                process_name: None,
                cmdline: Some("gunicorn .*app:main".into()),
                pid_file: Some(PathBuf::from("/run/web.pid")),
                systemd_unit: None,
                cgroup: Some("/system.slice/web.service".into())
            },
        ]
    );
    assert_eq!(
        config.query,
        QueryConfig { timeout: Duration::from_secs(30), max_samples: 1_000_000, lookback_delta: Duration::from_secs(60) }
    );
    let storage = &config.storage;
    assert_eq!(storage.wal.fsync, FsyncPolicy::Always);
    assert_eq!(storage.wal.fsync_interval, Duration::from_millis(250));
    assert_eq!(storage.wal.segment_size, 128 * 1024 * 1024);
    assert_eq!(storage.out_of_order_window, Duration::from_secs(3_600));
    assert_eq!(storage.head_flush_interval, Duration::from_secs(600));
    assert_eq!(storage.head_max_samples, 500_000);
    assert_eq!(storage.block_duration, days(1));
    assert_eq!(storage.retention, days(30));
    assert_eq!(storage.max_disk_size, 500_000_000_000);
    assert_eq!(
        storage.tiers,
        vec![
            TierConfig { resolution: Duration::from_secs(10), retention: days(60) },
            TierConfig { resolution: Duration::from_secs(60), retention: Duration::from_secs(31_557_600) },
            TierConfig { resolution: Duration::from_secs(6 * 3_600), retention: Duration::ZERO },
        ]
    );
}

#[test]
fn a_full_file_round_trips_through_to_yaml() {
    let config = read(FULL);
    let rendered = config.to_yaml();
    assert_eq!(rendered, FULL);
    assert_eq!(read(&rendered), config);
}

#[test]
fn the_defaults_round_trip_through_to_yaml() {
    let rendered = Config::default().to_yaml();
    assert!(rendered.contains("  retention: 15d\n"), "{rendered}");
    assert!(rendered.contains("  max_disk_size: 10GiB\n"), "{rendered}");
    assert_eq!(read(&rendered), Config::default());
}

#[test]
fn flow_style_is_yaml_too() {
    let config = read("storage: {wal: {fsync: never}, tiers: [{resolution: 1m, retention: 30d}]}\n");
    assert_eq!(config.storage.wal.fsync, FsyncPolicy::Never);
    assert_eq!(config.storage.tiers.len(), 1);
}

#[test]
fn plain_numbers_render_as_yaml_numbers() {
    let config = read("storage:\n  max_disk_size: 1234567\n  out_of_order_window: 0\n");
    let rendered = config.to_yaml();
    assert!(rendered.contains("  max_disk_size: 1234567\n"), "{rendered}");
    assert!(rendered.contains("  out_of_order_window: 0\n"), "{rendered}");
    assert_eq!(read(&rendered), config);
}
