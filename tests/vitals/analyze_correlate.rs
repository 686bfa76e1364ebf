//! `vitals analyze correlate` and `vitals analyze percentiles` against a running Vitals
//! holding imported generated data whose answers are known: one series shifted in the
//! window, one a lagged copy of another, and durations with known percentiles.

use std::fmt::Write;

use crate::common::{run, Server};

/// The first sample's time, in seconds; 10 minutes of data at 1 s follow.
const T0: i64 = 1_700_000_000;
const POINTS: i64 = 600;
/// The copy follows its original by this many seconds.
const LAG: i64 = 9;

fn walk(seed: u64) -> Vec<f64> {
    let (mut x, mut level) = (seed, 0.0);
    (0..POINTS)
        .map(|_| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            level = 0.8 * level + (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            level
        })
        .collect()
}

/// `cpu{core}` for 4 cores, core "2" 4 higher in the last 2 minutes; `queue_depth`,
/// core "0"'s value `LAG` s later; `request_seconds{path}`, 1..=600 ms and 601..=1200 ms.
fn exposition() -> String {
    let mut text = String::new();
    let cores: Vec<Vec<f64>> = (0..4).map(|c| walk(c + 11)).collect();
    for (c, values) in cores.iter().enumerate() {
        for (i, v) in values.iter().enumerate() {
            let v = if c == 2 && i as i64 >= POINTS - 120 { v + 4.0 } else { *v };
            writeln!(text, "cpu{{core=\"{c}\"}} {v} {}", (T0 + i as i64) * 1000).unwrap();
        }
    }
    for i in 0..POINTS {
        let v = if i >= LAG { 100.0 + 10.0 * cores[0][(i - LAG) as usize] } else { 100.0 };
        writeln!(text, "queue_depth {v} {}", (T0 + i) * 1000).unwrap();
        writeln!(text, "request_seconds{{path=\"/a\"}} {} {}", (i + 1) as f64 / 1000.0, (T0 + i) * 1000).unwrap();
        writeln!(text, "request_seconds{{path=\"/b\"}} {} {}", (i + 601) as f64 / 1000.0, (T0 + i) * 1000).unwrap();
    }
    text
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn correlate_and_percentiles_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    let (status, body) = server.import(&exposition());
    assert_eq!(status, 204, "{body}");
    let url = format!("http://{}", server.addr);
    let window = format!("{}..{}", T0 + 480, T0 + 599);

    // The shifted core ranks first, with a full separation (D = 1).
    let out = ok(&["analyze", "correlate", "--url", &url, "--window", &window, "--query", "cpu", "--step", "1s", "--limit", "2"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("Changes in 2023-11-14T22:21:20.000Z .. 2023-11-14T22:23:19.000Z against 2023-11-14T22:13:20.000Z"),
        "{out}"
    );
    assert!(lines[0].contains("(ks, step 1s; 4 series, 0 without values in one of the windows)"), "{out}");
    assert_eq!(lines[1].split_whitespace().collect::<Vec<_>>(), ["SCORE", "P-VALUE", "MEAN", "BEFORE", "MEAN", "AFTER", "SERIES"], "{out}");
    assert!(lines[2].trim_start().starts_with("1.0000") && lines[2].ends_with("cpu{core=\"2\"}"), "{out}");
    assert_eq!(lines.len(), 4, "{out}");

    // The lagged copy is found at its lag.
    let out = ok(&[
        "analyze",
        "correlate",
        "--url",
        &url,
        "--target",
        "cpu{core=\"0\"}",
        "--query",
        "{__name__=~\"cpu|queue_depth\"}",
        "--window",
        &format!("{T0}..{}", T0 + 599),
        "--step",
        "1s",
        "--max-lag",
        "30s",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("Correlation with cpu{core=\"0\"} over"), "{out}");
    assert!(lines[0].contains("(pearson, lags up to ±30s, step 1s; 4 series"), "{out}");
    let top: Vec<&str> = lines[3].split_whitespace().collect();
    assert_eq!(top.last(), Some(&"queue_depth"), "{out}");
    assert_eq!((top[2], top[4]), ("9s", "9s"), "{out}");
    assert!(top[1].parse::<f64>().unwrap() > 0.999, "{out}");

    // JSON passes the server's answer through.
    let out = ok(&["analyze", "correlate", "--url", &url, "--window", &window, "--query", "cpu", "--format", "json"]);
    let answer: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["data"]["result"][0]["metric"]["core"], "2");

    // Percentiles: rank floor(q * 599) of 1..=600 ms, within 1 %.
    let window = format!("{}..{}", T0 - 1, T0 + 599);
    let out = ok(&["analyze", "percentiles", "--url", &url, "--window", &window, "--by", "path", "request_seconds"]);
    let row = out.lines().find(|l| l.ends_with("request_seconds{path=\"/a\"}")).unwrap_or_else(|| panic!("{out}"));
    let cells: Vec<f64> = row.split_whitespace().take(7).map(|c| c.parse().unwrap()).collect();
    assert_eq!((cells[0], cells[1], cells[6]), (600.0, 0.001, 0.6), "{out}");
    for (got, exact) in cells[2..6].iter().zip([0.300, 0.570, 0.594, 0.599]) {
        assert!((got - exact).abs() <= 0.01 * exact * (1.0 + 1e-3), "{got} vs {exact}: {out}");
    }
    assert!(out.contains("Merged, per path:"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("  600") && l.ends_with("{path=\"/b\"}")), "{out}");

    // Errors come back named.
    let out = run(&["analyze", "correlate", "--url", &url, "--target", "cpu", "--window", &window]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("vitals analyze: bad_data: invalid parameter \"target\": the expression must give exactly one series, it gave 4"),
        "{stderr}"
    );
}
