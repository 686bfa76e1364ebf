//! `vitals analyze anomalies` on generated data with a known spike and on a real NAB file,
//! and the anomaly scores `vitals serve` stores for the series it collects.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::common::{run, Server};

fn rows(stdout: &[u8]) -> Vec<Vec<String>> {
    String::from_utf8_lossy(stdout).lines().map(|l| l.split(',').map(str::to_string).collect()).collect()
}

#[test]
fn a_spike_scores_near_1_and_the_rest_low() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("spike.csv");
    let mut text = String::from("timestamp,value\n");
    for i in 0..1500 {
        // A noisy daily-like wave, with one spike at row 1200.
        let v = if i == 1200 { 400.0 } else { 50.0 + 10.0 * (i as f64 / 40.0).sin() + ((i * 7919) % 13) as f64 / 13.0 };
        text.push_str(&format!("{},{v}\n", 1_600_000_000 + i * 300));
    }
    std::fs::write(&input, &text).unwrap();
    let out = run(&["analyze", "anomalies", "--input", input.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = rows(&out.stdout);
    assert_eq!(rows[0], ["timestamp", "value", "anomaly_score"]);
    assert_eq!(rows.len(), 1501);
    let scores: Vec<f64> = rows[1..].iter().map(|r| r[2].parse().unwrap()).collect();
    // The spike is flagged (default threshold 0.99) with the highest score after the first
    // 300 rows, while the detector learns the wave (NAB's probation would be 225).
    assert!(scores[1200] > 0.9, "spike scored {}", scores[1200]);
    let elsewhere = scores.iter().enumerate().filter(|&(i, _)| i >= 300 && !(1200..1400).contains(&i)).map(|(_, &s)| s).fold(0.0, f64::max);
    assert!(elsewhere < 0.45, "another row scored {elsewhere}");
    // For the 200 rows after a flag (one flag per event), scores are held at half the
    // threshold at most: the return to the wave is new too, but part of the same event.
    let after = scores[1201..1400].iter().copied().fold(0.0, f64::max);
    assert!(after <= 0.495, "a row after the spike scored {after}");
}

#[test]
fn a_nab_file_comes_back_row_for_row() {
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/nab/data/realAWSCloudwatch/ec2_cpu_utilization_24ae8d.csv");
    let original = std::fs::read_to_string(&input).unwrap();
    let out = run(&["analyze", "anomalies", "--input", input.to_str().unwrap(), "--threshold", "0.6"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = rows(&out.stdout);
    let lines: Vec<&str> = original.lines().collect();
    assert_eq!(rows.len(), lines.len());
    assert_eq!(rows[0], ["timestamp", "value", "anomaly_score"]);
    for (row, line) in rows[1..].iter().zip(&lines[1..]) {
        assert_eq!(format!("{},{}", row[0], row[1]), *line);
        let s: f64 = row[2].parse().unwrap();
        assert!((0.0..=1.0).contains(&s));
    }
}

#[test]
fn a_bad_row_is_named_by_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.csv");
    std::fs::write(&input, "timestamp,value\n2014-04-10 07:15:00,1\n2014-04-10 07:20:00,oops\n").unwrap();
    let out = run(&["analyze", "anomalies", "--input", input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 3: value \"oops\" is not a number"), "{stderr}");
    let missing_header = dir.path().join("noheader.csv");
    std::fs::write(&missing_header, "2014-04-10 07:15:00,1\n").unwrap();
    let out = run(&["analyze", "anomalies", "--input", missing_header.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1: expected the header `timestamp,value`"));
}

/// The instant values of `query` on `server`, with their labels.
fn instant(server: &Server, query: &str) -> Vec<Value> {
    let (status, body) = server.get_with("/api/v1/query", &[("query", query)]);
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["data"]["result"].as_array().unwrap().clone()
}

#[test]
fn serve_scores_every_collected_series_unless_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    let mut scores = Vec::new();
    server.wait_until(Duration::from_secs(15), "scoring a counter's rate and a gauge", || {
        scores = instant(&server, r#"vitals_anomaly_score{metric=~"process_cpu_seconds_total|process_resident_memory_bytes"}"#);
        scores.len() == 2
    });
    for s in &scores {
        assert_eq!(s["metric"]["job"], "vitals", "{s}");
        assert_eq!(s["metric"]["instance"], server.addr.as_str(), "{s}");
        let v: f64 = s["value"][1].as_str().unwrap().parse().unwrap();
        assert!((0.0..=1.0).contains(&v), "{s}");
    }
    let flags = instant(&server, r#"vitals_anomaly_flag{metric="process_resident_memory_bytes"}"#);
    assert_eq!(flags.len(), 1);
    assert!(["0", "1"].contains(&flags[0]["value"][1].as_str().unwrap()));
    assert!(instant(&server, "vitals_anomaly_scored_samples_total > 0").len() == 1);
    // Info metrics are not judged.
    assert!(instant(&server, r#"vitals_anomaly_score{metric="vitals_build_info"}"#).is_empty());
    drop(server);

    let config = dir.path().join("vitals.yaml");
    std::fs::write(&config, "collection:\n  interval: 200ms\n  anomaly_scores: false\n").unwrap();
    let server = Server::start_with_config(&dir.path().join("off"), &config);
    server.wait_until(Duration::from_secs(10), "collecting", || !instant(&server, "process_resident_memory_bytes").is_empty());
    std::thread::sleep(Duration::from_millis(600));
    assert!(instant(&server, "vitals_anomaly_score").is_empty());
}
