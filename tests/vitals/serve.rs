//! `vitals serve` with no configuration collects its own metrics and answers every route.

use std::time::Duration;

use serde_json::Value;

use crate::common::{run, Server};

#[test]
fn serves_its_own_series_and_every_route() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));

    let mut series = Vec::new();
    server.wait_until(Duration::from_secs(5), "listing its own series", || {
        let (status, body) = server.get_with("/api/v1/series", &[("match[]", r#"{__name__=~"vitals_.*"}"#)]);
        assert_eq!(status, 200, "{body}");
        series = serde_json::from_str::<Value>(&body).unwrap()["data"].as_array().unwrap().clone();
        series.iter().any(|s| s["__name__"] == "vitals_store_series")
    });
    for s in &series {
        assert_eq!(s["job"], "vitals", "{s}");
        assert_eq!(s["instance"], server.addr.as_str(), "{s}");
    }
    assert!(series.iter().any(|s| s["__name__"] == "vitals_build_info" && s["version"] == env!("CARGO_PKG_VERSION")));
    assert!(series.iter().any(|s| s["__name__"] == "vitals_collector_up" && s["collector"] == "process"));

    assert_eq!(server.get("/-/healthy"), (200, "Vitals is Healthy.\n".to_owned()));
    assert_eq!(server.get("/-/ready"), (200, "Vitals is Ready.\n".to_owned()));
    let (status, page) = server.get("/metrics");
    assert_eq!(status, 200);
    for want in [
        "# TYPE process_cpu_seconds_total counter\n",
        "# HELP process_resident_memory_bytes ",
        "# TYPE vitals_store_samples_appended_total counter\n",
        "vitals_collector_up{collector=\"store\"} 1\n",
        "vitals_store_blocks{tier=\"raw\"} ",
    ] {
        assert!(page.contains(want), "{want:?} missing from /metrics:\n{page}");
    }

    let (status, body) = server.get("/api/v1/labels");
    assert_eq!(status, 200);
    let names = serde_json::from_str::<Value>(&body).unwrap()["data"].clone();
    for want in ["__name__", "collector", "instance", "job"] {
        assert!(names.as_array().unwrap().iter().any(|n| n == want), "{want} not in {names}");
    }
    let (_, body) = server.get_with("/api/v1/label/job/values", &[("match[]", "process_cpu_seconds_total")]);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), serde_json::json!({"status": "success", "data": ["vitals"]}));
    let (status, body) = server.get_with("/api/v1/export", &[("match[]", "process_threads")]);
    assert_eq!(status, 200);
    assert!(body.starts_with(r#"{"metric":{"__name__":"process_threads","#), "{body}");
}

#[test]
fn a_second_serve_on_the_same_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let _first = Server::start(&data);
    let out = run(&["serve", "--listen", "127.0.0.1:0", "--data-dir", data.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("error: data directory {} is in use by another Vitals process", data.display())), "{stderr}");
}
