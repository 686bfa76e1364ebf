//! `vitals serve` serves the web dashboard and pushes live updates after each collection.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::Server;

#[test]
fn serves_the_dashboard_page_and_its_script() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    let (status, page) = server.get("/");
    assert_eq!(status, 200);
    assert!(page.to_ascii_lowercase().starts_with("<!doctype html>"), "{page}");
    let script = page.split("src=\"/assets/").nth(1).and_then(|rest| rest.split('"').next()).expect("the page loads a script");
    let (status, body) = server.get(&format!("/assets/{script}"));
    assert_eq!(status, 200);
    assert!(body.len() > 1000, "the script is served: {} bytes", body.len());
}

#[test]
fn live_updates_follow_the_collection_until_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&dir.path().join("data"));
    let mut conn = TcpStream::connect(&server.addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    // The second query lacks its closing parenthesis.
    let request = format!("GET /api/v1/live?query=vitals_build_info&query=sum(vitals_build_info HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr);
    conn.write_all(request.as_bytes()).unwrap();
    let mut lines = BufReader::new(conn).lines().map(|l| l.unwrap());
    assert_eq!(lines.next().unwrap(), "HTTP/1.1 200 OK");
    assert!(lines.by_ref().take_while(|l| !l.is_empty()).any(|l| l.eq_ignore_ascii_case("content-type: text/event-stream")));

    let mut events: Vec<(String, Value)> = Vec::new();
    let mut name = String::new();
    while events.len() < 4 {
        let line = lines.next().expect("the stream goes on");
        // Chunked transfer: the chunk sizes come on lines of their own.
        if let Some(v) = line.strip_prefix("event: ") {
            name = v.to_owned();
        } else if let Some(v) = line.strip_prefix("data: ") {
            events.push((name.clone(), serde_json::from_str(v).unwrap()));
        }
    }
    assert_eq!(events[0], ("hello".to_owned(), serde_json::json!({"interval": 1.0})));
    // The first update is at the latest cycle, or now before the first cycle; then one per cycle.
    let times: Vec<f64> = events[2..]
        .iter()
        .map(|(n, data)| {
            assert_eq!(n, "update");
            data["t"].as_f64().unwrap()
        })
        .collect();
    assert!(times.windows(2).all(|w| w[1] > w[0] && (w[1] - w[0]).fract() == 0.0), "an update per cycle, on whole seconds: {times:?}");
    let last = &events[3].1["results"];
    assert_eq!(last[0]["data"]["result"][0]["metric"]["__name__"], "vitals_build_info", "{last}");
    assert_eq!(last[1]["status"], "error", "{last}");
    assert_eq!(last[1]["errorType"], "bad_data", "{last}");

    // An open stream does not hold up a shutdown: it ends, and Vitals exits.
    server.signal(libc::SIGTERM);
    let started = Instant::now();
    assert!(server.wait(Duration::from_secs(15)).success(), "{}", server.stderr());
    assert!(started.elapsed() < Duration::from_secs(10), "stopping took {:?} with a stream open", started.elapsed());
    // The stream is closed: reading it comes to its end (a read error or timeout would panic).
    assert!(lines.count() < 1000);
}
