//! Known data for the query tests: two counters that grow at exactly 1/s and 0.1/s and a
//! gauge, every 15 s for 10 minutes from 1700000000 (2023-11-14T22:13:20Z).

use crate::common::Server;

/// The first sample's time, in seconds.
pub const T0: i64 = 1_700_000_000;

/// The last sample's time, in seconds (10 minutes after [`T0`]).
pub const T_END: i64 = T0 + 600;

/// The data as text exposition with millisecond timestamps.
pub fn exposition() -> String {
    let mut text = String::from("# HELP demo_requests_total Requests served.\n# TYPE demo_requests_total counter\n");
    for i in 0..=40 {
        let t = (T0 + i * 15) * 1000;
        text.push_str(&format!("demo_requests_total{{code=\"200\",job=\"web\"}} {} {t}\n", i * 15));
        text.push_str(&format!("demo_requests_total{{code=\"500\",job=\"web\"}} {} {t}\n", i as f64 * 1.5));
    }
    text.push_str("# HELP demo_temperature_celsius Room temperature.\n# TYPE demo_temperature_celsius gauge\n");
    for i in 0..=40 {
        text.push_str(&format!("demo_temperature_celsius{{room=\"a\"}} {} {}\n", 20.0 + i as f64 * 0.25, (T0 + i * 15) * 1000));
    }
    text
}

/// A running server in `dir` holding the demo data.
pub fn server(dir: &std::path::Path) -> Server {
    let server = Server::start(&dir.join("data"));
    let (status, body) = server.import(&exposition());
    assert_eq!(status, 204, "{body}");
    server
}
