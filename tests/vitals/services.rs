//! `vitals serve` with configured services watches their processes (a `sleep` started by
//! the test, found by its pid file), gives each process to the first matching service only,
//! and reports the top processes without configuration.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::Server;

/// A child process killed when dropped.
struct Sleeper(Child);

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The last value of the one series `selector` selects, if any.
fn last_value(server: &Server, selector: &str) -> Option<f64> {
    let export = server.export(selector);
    assert!(export.len() <= 1, "{selector}: {export:?}");
    export.first().and_then(|(_, samples)| samples.last()).map(|(_, bits)| f64::from_bits(*bits))
}

#[test]
fn a_service_found_by_pid_file_and_the_top_processes_are_collected() {
    let dir = tempfile::tempdir().unwrap();
    // An argument no other process on the machine has, so only this child matches it.
    let seconds = format!("{}", 7000 + std::process::id() % 1000);
    let sleeper = Sleeper(Command::new("sleep").arg(&seconds).stdin(Stdio::null()).spawn().unwrap());
    let pid_file = dir.path().join("napper.pid");
    std::fs::write(&pid_file, format!("{}\n", sleeper.0.id())).unwrap();
    let config = dir.path().join("vitals.yaml");
    std::fs::write(
        &config,
        format!(
            "collection:\n  services:\n    - name: napper\n      pid_file: {}\n    - name: napper_again\n      process_name: '^sleep$'\n      cmdline: ' {seconds}$'\n    - name: nobody\n      cmdline: '^no such command line$'\n",
            pid_file.display()
        ),
    )
    .unwrap();
    let server = Server::start_with_config(&dir.path().join("data"), &config);

    let processes = |service: &str| last_value(&server, &format!("vitals_service_processes{{service=\"{service}\"}}"));
    server.wait_until(Duration::from_secs(10), "napper's processes counted", || processes("napper") == Some(1.0));
    assert_eq!(processes("napper_again"), Some(0.0), "the sleep matches both; the first entry takes it");
    assert_eq!(processes("nobody"), Some(0.0));
    assert_eq!(last_value(&server, "vitals_service_up{service=\"napper\"}"), Some(1.0));
    assert_eq!(last_value(&server, "vitals_service_up{service=\"nobody\"}"), Some(0.0));
    let rss = last_value(&server, "vitals_service_resident_memory_bytes{service=\"napper\"}").unwrap();
    assert!(rss > 0.0, "a running sleep has resident memory: {rss}");

    server.wait_until(Duration::from_secs(10), "top processes exported", || {
        !server.export("vitals_top_process_resident_memory_bytes").is_empty()
    });
    for (labels, samples) in server.export("vitals_top_process_resident_memory_bytes") {
        assert!(labels.contains("\"name\":\""), "grouped by process name: {labels}");
        assert!(samples.iter().all(|(_, bits)| f64::from_bits(*bits) > 0.0), "{labels}: {samples:?}");
    }
    let (status, body) = server.get("/api/v1/status/collectors");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let summary =
        |name: &str| v["data"].as_array().unwrap().iter().find(|c| c["name"] == name).map(|c| c["summary"].as_str().unwrap().to_owned());
    for name in ["services", "top_processes"] {
        let s = summary(name).unwrap_or_default();
        assert!(s == "up" || s.starts_with("degraded"), "{name}: {s}");
    }
    let cgroup = summary("cgroup").unwrap_or_default();
    assert!(cgroup == "up" || cgroup.starts_with("degraded") || cgroup.starts_with("unavailable: "), "cgroup: {cgroup}");

    // The service's process ends: the service is down, its counters stay.
    drop(sleeper);
    server.wait_until(Duration::from_secs(10), "napper down", || processes("napper") == Some(0.0));
    assert_eq!(last_value(&server, "vitals_service_up{service=\"napper\"}"), Some(0.0));
}

#[test]
fn without_services_the_collector_says_why_it_does_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    let (status, body) = server.get("/api/v1/status/collectors");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let services =
        v["data"].as_array().unwrap().iter().find(|c| c["name"] == "services").map(|c| c["summary"].as_str().unwrap().to_owned());
    assert_eq!(services.as_deref(), Some("unavailable: no services configured (collection.services)"), "{body}");
}
