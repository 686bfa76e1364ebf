//! What a user sees for each mistake a config file can hold: file, line, column, key and
//! what is wrong.

use vitals_config::{Config, ConfigError};

/// The message `vitals` would print for `text`.
fn error(text: &str) -> String {
    match Config::from_yaml(text, "vitals.yml") {
        Ok(config) => panic!("{text:?} was accepted as {config:?}"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn an_unknown_top_level_key() {
    assert_eq!(
        error("listen: 127.0.0.1:7464\nretention: 30d\n"),
        "vitals.yml: line 2, column 1: unknown key \"retention\" \
         (known keys here: data_dir, listen, log_level, collection, storage, query)"
    );
}

#[test]
fn an_unknown_nested_key() {
    assert_eq!(
        error("data_dir: /tmp/v\nstorage:\n  retension: 30d\n"),
        "vitals.yml: line 3, column 3: unknown key \"storage.retension\" (known keys here: \
         wal, out_of_order_window, head_flush_interval, head_max_samples, block_duration, \
         retention, max_disk_size, tiers)"
    );
    assert_eq!(
        error("storage:\n  wal:\n    fsync: always\n    sync: true\n"),
        "vitals.yml: line 4, column 5: unknown key \"storage.wal.sync\" \
         (known keys here: fsync, fsync_interval, segment_size)"
    );
}

#[test]
fn an_unknown_key_in_a_tier() {
    assert_eq!(
        error("storage:\n  tiers:\n    - resolution: 1m\n      retention: 30d\n      keep: min\n"),
        "vitals.yml: line 5, column 7: unknown key \"storage.tiers[0].keep\" \
         (known keys here: resolution, retention)"
    );
}

#[test]
fn the_unknown_key_error_carries_its_parts() {
    let err = Config::from_yaml("collection:\n  every: 5s\n", "vitals.yml").unwrap_err();
    match err {
        ConfigError::UnknownKey { line, column, key, .. } => assert_eq!((line, column, key.as_str()), (2, 3, "collection.every")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unknown_fsync_policy() {
    assert_eq!(
        error("# WAL\nstorage:\n  wal:\n\n\n\n    fsync: sometimes\n"),
        "vitals.yml: line 7, column 12: storage.wal.fsync: unknown variant \"sometimes\", \
         expected one of always, interval, never"
    );
}

#[test]
fn wrong_types() {
    assert_eq!(
        error("storage: 5\n"),
        "vitals.yml: line 1, column 10: storage: invalid type: integer 5, \
         expected a mapping of storage settings"
    );
    assert_eq!(
        error("storage:\n  wal:\n    fsync: [always]\n"),
        "vitals.yml: line 3, column 12: storage.wal.fsync: invalid type: sequence, \
         expected one of always, interval, never"
    );
    assert_eq!(
        error("collection:\n  interval: {seconds: 5}\n"),
        "vitals.yml: line 2, column 13: collection.interval: invalid type: map, \
         expected a duration like 500ms, 5m or 15d"
    );
    assert_eq!(
        error("storage:\n  tiers: 1m\n"),
        "vitals.yml: line 2, column 10: storage.tiers: invalid type: string \"1m\", \
         expected a sequence"
    );
    assert_eq!(
        error("storage:\n  head_max_samples: lots\n"),
        "vitals.yml: line 2, column 21: storage.head_max_samples: invalid number \"lots\"; \
         expected a whole number like 2000000"
    );
}

#[test]
fn a_file_that_is_not_a_mapping() {
    assert_eq!(error("- listen: 127.0.0.1:7464\n"), "vitals.yml: line 1, column 1: invalid type: sequence, expected a mapping of settings");
}

#[test]
fn a_tier_without_retention() {
    assert_eq!(
        error("storage:\n  tiers:\n    - resolution: 1m\n"),
        "vitals.yml: line 3, column 7: storage.tiers[0]: missing key \"retention\""
    );
}

#[test]
fn bad_durations() {
    assert_eq!(
        error("storage:\n  retention: 15 dayz\n"),
        "vitals.yml: line 2, column 14: storage.retention: invalid duration \
         \"15 dayz\": unknown unit \"dayz\"; use ms, s, m, h, d, w or y"
    );
    assert_eq!(
        error("collection:\n  interval: 5\n"),
        "vitals.yml: line 2, column 13: collection.interval: invalid duration \"5\": \
         the number needs a unit, like 5s or 5m (only 0 may go without one)"
    );
    assert_eq!(
        error("storage:\n  tiers:\n    - resolution: -1m\n      retention: 30d\n"),
        "vitals.yml: line 3, column 19: storage.tiers[0].resolution: invalid duration \
         \"-1m\"; write it like 500ms, 30s, 5m, 2h, 15d, 1w or 1y"
    );
}

#[test]
fn bad_sizes() {
    assert_eq!(
        error("storage:\n  max_disk_size: 10 gigs\n"),
        "vitals.yml: line 2, column 18: storage.max_disk_size: invalid size \"10 gigs\"; \
         write a number of bytes, or a number and a unit like 512KB, 64MiB or 10GiB"
    );
}

#[test]
fn a_bad_listen_address() {
    assert_eq!(
        error("listen: vitals.example.com:7464\n"),
        "vitals.yml: line 1, column 9: listen: invalid listen address \
         \"vitals.example.com:7464\"; expected IP:PORT like 127.0.0.1:7464, 0.0.0.0:7464 \
         or [::1]:7464, or localhost:PORT"
    );
}

#[test]
fn a_bad_log_level() {
    assert_eq!(
        error("log_level: verbose\n"),
        "vitals.yml: line 1, column 12: log_level: unknown log level \"verbose\"; \
         use off, error, warn, info, debug or trace, or TARGET=LEVEL like vitals=debug"
    );
}

#[test]
fn an_empty_data_dir() {
    assert_eq!(error("data_dir: \"\"\n"), "vitals.yml: line 1, column 11: data_dir: must not be empty");
}

#[test]
fn values_out_of_range() {
    let cases = [
        ("collection:\n  interval: 50ms\n", "vitals.yml: line 2, column 13: collection.interval: must be at least 100ms, got 50ms"),
        (
            "storage:\n  wal:\n    fsync_interval: 5m\n",
            "vitals.yml: line 3, column 21: storage.wal.fsync_interval: \
             must be between 10ms and 1m, got 5m",
        ),
        (
            "storage:\n  wal:\n    segment_size: 512KiB\n",
            "vitals.yml: line 3, column 19: storage.wal.segment_size: \
             must be between 1MiB and 1GiB, got 512KiB",
        ),
        (
            "storage:\n  wal:\n    segment_size: 2GiB\n",
            "vitals.yml: line 3, column 19: storage.wal.segment_size: \
             must be between 1MiB and 1GiB, got 2GiB",
        ),
        (
            "storage:\n  head_flush_interval: 1s\n",
            "vitals.yml: line 2, column 24: storage.head_flush_interval: \
             must be between 10s and 2h, got 1s",
        ),
        (
            "storage:\n  head_max_samples: 999\n",
            "vitals.yml: line 2, column 21: storage.head_max_samples: \
             must be at least 1000, got 999",
        ),
        (
            "storage:\n  block_duration: 30s\n",
            "vitals.yml: line 2, column 19: storage.block_duration: \
             must be between 1m and 1w, got 30s",
        ),
        (
            "storage:\n  block_duration: 8d\n",
            "vitals.yml: line 2, column 19: storage.block_duration: \
             must be between 1m and 1w, got 8d",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error(text), expected);
    }
}

const TIERS: &str = "storage:\n  tiers:\n    - resolution: 1m\n      retention: 30d\n";

#[test]
fn tier_resolutions_must_increase() {
    let text = format!("{TIERS}    - resolution: 1m\n      retention: 90d\n");
    assert_eq!(
        error(&text),
        "vitals.yml: line 5, column 19: storage.tiers[1].resolution: 1m is not longer than \
         storage.tiers[0].resolution (1m); tier resolutions must increase"
    );
}

#[test]
fn a_tier_resolution_must_be_a_multiple_of_the_one_before() {
    let text = format!("{TIERS}    - resolution: 90s\n      retention: 90d\n");
    assert_eq!(
        error(&text),
        "vitals.yml: line 5, column 19: storage.tiers[1].resolution: 90s is not a multiple of \
         storage.tiers[0].resolution (1m); each tier resolution must be a multiple of the one \
         before"
    );
}

#[test]
fn a_tier_resolution_must_be_whole_seconds() {
    assert_eq!(
        error("storage:\n  tiers:\n    - {resolution: 1500ms, retention: 30d}\n"),
        "vitals.yml: line 3, column 20: storage.tiers[0].resolution: \
         must be a whole number of seconds, got 1500ms"
    );
}

#[test]
fn a_tier_resolution_must_not_be_zero() {
    assert_eq!(
        error("storage:\n  tiers:\n    - {resolution: 0, retention: 30d}\n"),
        "vitals.yml: line 3, column 20: storage.tiers[0].resolution: must be more than 0"
    );
}

#[test]
fn a_tier_must_keep_rollups_as_long_as_raw_samples() {
    assert_eq!(
        error("storage:\n  retention: 60d\n  tiers:\n    - resolution: 1m\n      retention: 30d\n"),
        "vitals.yml: line 5, column 18: storage.tiers[0].retention: 30d is shorter than \
         storage.retention (60d); a tier must keep its rollups at least as long as raw \
         samples are kept (0 = forever)"
    );
}

#[test]
fn raw_retention_longer_than_a_default_tier_names_the_raw_retention() {
    assert_eq!(
        error("storage:\n  retention: 60d\n"),
        "vitals.yml: line 2, column 14: storage.retention: 60d is longer than \
         storage.tiers[0].retention (30d, the default); a tier must keep its rollups at least \
         as long as raw samples are kept (0 = forever)"
    );
    assert_eq!(
        error("storage:\n  retention: 0\n"),
        "vitals.yml: line 2, column 14: storage.retention: 0 (forever) is longer than \
         storage.tiers[0].retention (30d, the default); a tier must keep its rollups at least \
         as long as raw samples are kept (0 = forever)"
    );
}

#[test]
fn the_block_duration_must_be_a_multiple_of_every_tier_resolution() {
    assert_eq!(
        error("storage:\n  block_duration: 90m\n"),
        "vitals.yml: line 2, column 19: storage.block_duration: 90m is not a multiple of \
         storage.tiers[2].resolution (1h); the block duration must be a multiple of every \
         tier resolution"
    );
    assert_eq!(
        error("storage:\n  tiers:\n    - resolution: 7m\n      retention: 30d\n"),
        "vitals.yml: line 3, column 19: storage.tiers[0].resolution: 7m does not divide \
         storage.block_duration (2h, the default); the block duration must be a multiple of \
         every tier resolution"
    );
}

#[test]
fn a_key_given_twice() {
    assert_eq!(
        error("storage:\n  wal:\n    fsync: always\n    fsync: never\n"),
        "vitals.yml: line 4, column 5: storage.wal.fsync: the key is given twice \
         (first on line 3)"
    );
}

#[test]
fn two_documents() {
    assert_eq!(
        error("listen: 127.0.0.1:7464\n---\nlisten: 127.0.0.1:7465\n"),
        "vitals.yml: line 2, column 1: a second YAML document starts here; \
         a config file holds only one"
    );
}

#[test]
fn broken_yaml() {
    let message = error("storage:\n  wal: [always\n  retention: 30d\n");
    assert!(message.starts_with("vitals.yml: line 3, column 12: invalid YAML: "), "{message}");
}

#[test]
fn an_unknown_collector_to_disable() {
    let message = error("collection:\n  disabled: [hwmon, gpu]\n");
    assert!(
        message.starts_with("vitals.yml: line 2, column 21: collection.disabled[1]: unknown collector \"gpu\" (known collectors: build, process, store, cpu,"),
        "{message}"
    );
}

#[test]
fn a_bad_filter_regex() {
    let message = error("collection:\n  disks:\n    devices_exclude: \"^(loop\"\n");
    assert!(
        message.starts_with("vitals.yml: line 3, column 22: collection.disks.devices_exclude: invalid regular expression \"^(loop\": "),
        "{message}"
    );
}

#[test]
fn services_are_checked_where_they_are_written() {
    let message = error("collection:\n  services:\n    - name: db\n      process_name: postgres\n    - name: web\n      cmdline: \"[\"\n");
    assert!(
        message.starts_with("vitals.yml: line 6, column 16: collection.services[1].cmdline: invalid regular expression \"[\": "),
        "{message}"
    );
    assert_eq!(
        error("collection:\n  services:\n    - process_name: postgres\n"),
        "vitals.yml: line 3, column 7: collection.services[0]: missing key \"name\""
    );
    assert_eq!(
        error("collection:\n  services:\n    - name: db\n"),
        "vitals.yml: line 3, column 7: collection.services[0]: service \"db\" has no way to find its processes; \
         set at least one of process_name, cmdline, pid_file, systemd_unit, cgroup"
    );
}

#[test]
fn query_limits() {
    assert_eq!(error("query:\n  max_samples: 0\n"), "vitals.yml: line 2, column 16: query.max_samples: must be at least 1");
    assert_eq!(
        error("query:\n  lookback_delta: 10ms\n"),
        "vitals.yml: line 2, column 19: query.lookback_delta: must be at least 1s, got 10ms"
    );
}
