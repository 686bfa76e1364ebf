//! `vitals serve` on defaults collects the host soon after start, under node_exporter's
//! names with `job` and `instance`, and tells each collector's state. (How soon is printed,
//! not asserted: the machine running the tests may be loaded.)

use std::time::{Duration, Instant};

use crate::common::Server;

#[test]
fn host_metrics_appear_with_job_and_instance() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let server = Server::start(&dir.path().join("data"));
    let wanted = [
        "node_cpu_seconds_total",
        "node_memory_MemTotal_bytes",
        "node_network_receive_bytes_total",
        "node_load1",
        "node_disk_read_bytes_total",
        "node_filesystem_size_bytes",
        "node_uname_info",
        "node_boot_time_seconds",
    ];
    let has_all = || {
        wanted.iter().all(|name| {
            let (status, body) = server.get_with("/api/v1/series", &[("match[]", name)]);
            status == 200
                && body.contains(&format!("\"__name__\":\"{name}\""))
                && body.contains(&format!("\"instance\":\"{}\"", server.addr))
                && body.contains("\"job\":\"vitals\"")
        })
    };
    server.wait_until(Duration::from_secs(60), "host series listed", has_all);
    println!("host series listed {:?} after process start", started.elapsed());
    let export = server.export("node_memory_MemTotal_bytes");
    assert_eq!(export.len(), 1);
    assert!(export[0].0.contains(&format!("\"instance\":\"{}\"", server.addr)), "{}", export[0].0);
    assert!(f64::from_bits(export[0].1[0].1) > 1e8, "MemTotal is a real size");

    let (status, body) = server.get("/api/v1/status/collectors");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let state =
        |name: &str| v["data"].as_array().unwrap().iter().find(|c| c["name"] == name).map(|c| c["summary"].as_str().unwrap().to_owned());
    assert_eq!(state("cpu").as_deref(), Some("up"), "{body}");
    assert_eq!(state("meminfo").as_deref(), Some("up"), "{body}");
    for name in ["hwmon", "cpufreq", "pressure", "conntrack"] {
        let s = state(name).unwrap_or_default();
        assert!(s == "up" || s.starts_with("unavailable: "), "{name}: {s}");
    }
}
