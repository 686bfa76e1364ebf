//! `vitals analyze forecast` and `vitals analyze capacity` against a running Vitals, on an
//! imported ramp whose crossing time is known.

use crate::common::{now_ms, run, Server};

const STEP_MS: i64 = 300_000;
const DAY_MS: i64 = 86_400_000;

/// Four days of a used share rising 0.005 an hour to 0.68 at `end`, with a small wiggle:
/// it reaches 1.0 64 hours (2.67 days) after `end`.
fn ramp(end: i64) -> String {
    let mut body = String::new();
    for i in 0..=4 * DAY_MS / STEP_MS {
        let t = end - 4 * DAY_MS + i * STEP_MS;
        let hours = (t - (end - 4 * DAY_MS)) as f64 / 3_600_000.0;
        let v = 0.2 + 0.005 * hours + 0.002 * (i as f64 * 1.7).sin();
        body.push_str(&format!("used_ratio{{mountpoint=\"/data\"}} {v} {t}\n"));
    }
    body
}

#[test]
fn forecast_and_capacity_find_the_known_trend_and_crossing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let end = now_ms() / STEP_MS * STEP_MS - STEP_MS;
    let (status, body) = server.import(&ramp(end));
    assert_eq!(status, 204, "{body}");
    let url = format!("http://{}", server.addr);
    let end_s = (end / 1000).to_string();

    let out = run(&["analyze", "capacity", "used_ratio", "--url", &url, "--end", &end_s, "--history", "4d", "--horizon", "7d"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    // "used_ratio{mountpoint="/data"} reaches 1 in 2.7 days, 80 % interval 2.4 to 3.0"
    let sentence = stdout.trim();
    let rest = sentence.strip_prefix("used_ratio{mountpoint=\"/data\"} reaches 1 in ").unwrap_or_else(|| panic!("{sentence}"));
    let numbers: Vec<f64> = rest.split([' ', ',']).filter_map(|w| w.parse().ok()).collect();
    assert!(rest.contains(" days, 80 % interval "), "{sentence}");
    let (mean, earliest, latest) = (numbers[0], numbers[2], numbers[3]);
    assert!((mean - 2.67).abs() < 0.15, "{sentence}");
    // One decimal shown: the interval holds 2.67 once each end is widened by its rounding.
    assert!(earliest - 0.05 <= 2.67 && 2.67 <= latest + 0.05, "{sentence}");

    // The same crossing seen from the free share, which falls to 0: only with --direction down.
    let free = "1 - used_ratio";
    let args = ["analyze", "capacity", free, "--url", &url, "--end", &end_s, "--history", "4d", "--horizon", "7d", "--threshold", "0"];
    let out = run(&[&args[..], &["--direction", "down"]].concat());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let rest = stdout.trim().strip_prefix("{mountpoint=\"/data\"} reaches 0 in ").unwrap_or_else(|| panic!("{stdout}"));
    let mean: f64 = rest.split(' ').next().and_then(|w| w.parse().ok()).unwrap_or_else(|| panic!("{stdout}"));
    assert!((mean - 2.67).abs() < 0.15, "{stdout}");
    let out = run(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("already above 0"), "rising is the default: {stdout}");

    // The forecast one day on: 0.68 + 24 * 0.005 = 0.80, inside both intervals.
    let out = run(&[
        "analyze",
        "forecast",
        "used_ratio",
        "--url",
        &url,
        "--end",
        &end_s,
        "--history",
        "4d",
        "--horizon",
        "1d",
        "--format",
        "csv",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "series,time,mean,lo80,hi80,lo95,hi95");
    assert_eq!(lines.len(), 1 + 288, "{stdout}");
    let last: Vec<f64> = lines[288].rsplitn(7, ',').take(6).map(|c| c.parse().unwrap()).collect();
    let (time, mean, lo95, hi95) = (last[5], last[4], last[1], last[0]);
    assert_eq!(time, ((end + DAY_MS) / 1000) as f64);
    assert!((mean - 0.8).abs() < 0.02, "{}", lines[288]);
    assert!(lo95 < 0.8 && 0.8 < hi95, "{}", lines[288]);

    let out = run(&["analyze", "forecast", "used_ratio", "--url", &url, "--end", &end_s, "--history", "4d", "--horizon", "1d"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("used_ratio{mountpoint=\"/data\"}\n  model "), "{stdout}");
    assert!(stdout.contains("(every 12th step of 288; --format csv for all)"), "{stdout}");

    let out = run(&["analyze", "forecast", "used_ratio", "--url", &url, "--horizon", "soon"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("vitals analyze: bad_data: invalid parameter \"horizon\""), "{stderr}");
}

#[test]
fn the_request_budget_flags_reach_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let end = now_ms() / STEP_MS * STEP_MS - STEP_MS;
    let two = ramp(end) + &ramp(end).replace("/data", "/home");
    let (status, body) = server.import(&two);
    assert_eq!(status, 204, "{body}");
    let url = format!("http://{}", server.addr);
    let end_s = (end / 1000).to_string();
    let trend = ["analyze", "trend", "used_ratio", "--url", &url, "--end", &end_s, "--start", &((end - DAY_MS) / 1000).to_string()];

    let out = run(&trend);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).matches("used_ratio{").count(), 2);

    let out = run(&[&trend[..], &["--max-series", "1"]].concat());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("vitals analyze: execution: ") && stderr.contains("gives 2 series, more than the 1"), "{stderr}");

    // A timeout of zero has expired before the analysis starts.
    let out = run(&[&trend[..], &["--timeout", "0s"]].concat());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("vitals analyze: timeout: "), "{stderr}");
}
