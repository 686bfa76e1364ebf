//! `vitals query` against a running Vitals: table, JSON and CSV output, instant and range,
//! and the messages for a bad query and for a server that is not there.

use crate::common::run;
use crate::demo::{self, T_END};

#[test]
fn query_prints_tables_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let server = demo::server(dir.path());
    let url = format!("http://{}", server.addr);
    let t = T_END.to_string();

    let out = run(&["query", "--url", &url, "--time", &t, "demo_temperature_celsius"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "SERIES                              TIME                      VALUE\n\
         demo_temperature_celsius{room=\"a\"}  2023-11-14T22:23:20.000Z  30\n"
    );

    let start = (T_END - 30).to_string();
    let out = run(&[
        "query",
        "--url",
        &url,
        "--range",
        "--start",
        &start,
        "--end",
        &t,
        "--step",
        "15s",
        "--format",
        "csv",
        "demo_temperature_celsius",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "series,time,value\n\
         \"demo_temperature_celsius{room=\"\"a\"\"}\",1700000570.000,29.5\n\
         \"demo_temperature_celsius{room=\"\"a\"\"}\",1700000585.000,29.75\n\
         \"demo_temperature_celsius{room=\"\"a\"\"}\",1700000600.000,30\n"
    );

    let out = run(&["query", "--url", &url, "--time", &t, "--format", "json", "count(demo_requests_total)"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1700000600,\"2\"]}]}}\n"
    );

    // Range defaults: the hour before --end, about 250 points (a 15 s step).
    let out = run(&["query", "--url", &url, "--range", "--end", &t, "demo_temperature_celsius"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1 + 41, "{stdout}");

    let out = run(&["query", "--url", &url, "sum(rate(demo_requests_total[1m])"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("vitals query: bad_data: invalid parameter \"query\": 1:34: parse error"), "{stderr}");
}

#[test]
fn a_server_that_is_not_running_is_named() {
    // A port just freed: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let out = run(&["query", "--url", &url, "up"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with(&format!("vitals query: cannot reach Vitals at {url}: ")), "{stderr}");
}
