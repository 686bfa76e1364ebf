//! `vitals analyze changepoints` and `vitals analyze trend` against a running Vitals that
//! holds imported history with a known level shift and a known slope.

use crate::common::{run, Server};

/// First sample, Unix seconds; samples every minute.
const T0: i64 = 1_700_000_000;
const POINTS: i64 = 300;

/// Deterministic noise in [-0.5, 0.5).
fn noise(i: i64) -> f64 {
    ((i * 7919 + 13) % 101) as f64 / 101.0 - 0.5
}

/// `latency_seconds` steps from 1 s to 1.5 s at point 180 (2023-11-15T01:13:20Z);
/// `disk_used_bytes` rises 1 kB a minute, 1.44 MB a day.
fn history() -> String {
    let mut body = String::new();
    for i in 0..POINTS {
        let t = (T0 + i * 60) * 1000;
        let level = if i < 180 { 1.0 } else { 1.5 };
        body.push_str(&format!("latency_seconds{{job=\"bench\"}} {} {t}\n", level + 0.1 * noise(i)));
        body.push_str(&format!("disk_used_bytes{{job=\"node\"}} {} {t}\n", 1e9 + 1000.0 * i as f64 + 1000.0 * noise(i + 7)));
    }
    body
}

#[test]
fn change_points_and_trends_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (status, body) = server.import(&history());
    assert!((200..300).contains(&status), "{body}");
    let url = format!("http://{}", server.addr);
    let (start, end) = (T0.to_string(), (T0 + (POINTS - 1) * 60).to_string());
    let window = ["--url", &url, "--start", &start, "--end", &end, "--step", "60"];

    let mut args = vec!["analyze", "changepoints"];
    args.extend(window);
    args.push("latency_seconds");
    let out = run(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let line = stdout.trim_end();
    assert!(line.starts_with("latency_seconds{job=\"bench\"}: +49.9 % at 2023-11-15T01:13:20.000Z (p = "), "{stdout}");
    assert!(line.ends_with("0.9999 s → 1.498 s"), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");

    // JSON: the server's answer as sent.
    let mut json_args = args.clone();
    json_args.extend(["--format", "json"]);
    let out = run(&json_args);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["data"]["result"][0]["change_points"][0]["time"].as_f64(), Some((T0 + 180 * 60) as f64));

    let mut args = vec!["analyze", "trend"];
    args.extend(window);
    args.push("disk_used_bytes");
    let out = run(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("disk_used_bytes{job=\"node\"}: rising +1.44 MB/day (95 % interval +1.4"), "{stdout}");

    let out = run(&["analyze", "changepoints", "--url", &url, "--p-value", "2", "latency_seconds"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "vitals analyze: bad_data: invalid parameter \"p_value\": p_value must be between 0 and 1 (exclusive), got 2\n"
    );
}
