//! Prometheus' own client, `promtool query`, against a running Vitals: instant, range,
//! series and labels queries give the answers the demo data implies, and a bad query the
//! server's error. Needs Debian's `promtool` (scripts/test installs it).

use std::process::Command;

use crate::demo::{self, T0, T_END};

/// Runs `promtool query ARGS`; exit code, stdout, stderr.
fn promtool(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new("promtool").arg("query").args(args).output().expect("promtool is not installed (Debian package prometheus)");
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// `<series> => <value> @[<time>]` lines as (series, value, time).
fn samples(out: &str) -> Vec<(String, f64, String)> {
    out.lines()
        .map(|line| {
            let (series, rest) = line.split_once(" => ").unwrap_or_else(|| panic!("not a sample line: {line:?}"));
            let (value, time) = rest.split_once(" @[").unwrap();
            (series.to_owned(), value.parse().unwrap(), time.trim_end_matches(']').to_owned())
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn promtool_queries_get_the_right_answers() {
    let dir = tempfile::tempdir().unwrap();
    let server = demo::server(dir.path());
    let url = format!("http://{}", server.addr);
    let (t, start, end) = (format!("--time={T_END}"), format!("--start={}", T_END - 60), format!("--end={T_END}"));

    let (code, out, err) = promtool(&["instant", &t, &url, "rate(demo_requests_total[1m])"]);
    assert_eq!(code, Some(0), "{err}");
    let got = samples(&out);
    assert_eq!(got.len(), 2, "{out}");
    assert_eq!((got[0].0.as_str(), got[0].2.as_str()), (r#"{code="200", job="web"}"#, "1700000600"));
    assert!(close(got[0].1, 1.0) && close(got[1].1, 0.1), "{out}");

    let (code, out, err) = promtool(&["instant", &t, &url, "demo_temperature_celsius"]);
    assert_eq!((code, out.as_str()), (Some(0), "demo_temperature_celsius{room=\"a\"} => 30 @[1700000600]\n"), "{err}");

    let (code, out, err) = promtool(&["range", &start, &end, "--step=30s", &url, "sum(rate(demo_requests_total[1m]))"]);
    assert_eq!(code, Some(0), "{err}");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("{} =>"), "{out}");
    let points = samples(&lines.map(|l| format!("{{}} => {l}")).collect::<Vec<_>>().join("\n"));
    let times: Vec<&str> = points.iter().map(|p| p.2.as_str()).collect();
    assert_eq!(times, ["1700000540", "1700000570", "1700000600"], "{out}");
    assert!(points.iter().all(|p| close(p.1, 1.1)), "{out}");

    let (code, out, err) = promtool(&["series", "--match=demo_requests_total{code=~\"5..\"}", &format!("--start={T0}"), &end, &url]);
    assert_eq!((code, out.as_str()), (Some(0), "{__name__=\"demo_requests_total\", code=\"500\", job=\"web\"}\n"), "{err}");

    let (code, out, err) = promtool(&["labels", &format!("--start={T0}"), &end, &url, "code"]);
    assert_eq!((code, out.as_str()), (Some(0), "200\n500\n"), "{err}");

    let (code, _, err) = promtool(&["instant", &t, &url, "sum(rate(demo_requests_total[1m])"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("bad_data: invalid parameter \"query\": 1:34: parse error: unclosed left parenthesis"), "{err}");
}
