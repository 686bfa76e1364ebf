//! `vitals serve` saves its anomaly detectors in the state database when it stops, and a
//! restart on the same address continues from every one of them.

use std::time::Duration;

use crate::common::{now_ms, Server};

/// The last value of `vitals_anomaly_series` stamped before `before_ms`, and how many there are.
fn series_with_detectors(server: &Server, before_ms: i64) -> (usize, f64) {
    let export = server.export("vitals_anomaly_series");
    let samples: Vec<(i64, f64)> =
        export.iter().flat_map(|(_, s)| s.iter().map(|(t, bits)| (*t, f64::from_bits(*bits)))).filter(|(t, _)| *t < before_ms).collect();
    (samples.len(), samples.iter().max_by_key(|(t, _)| *t).map_or(0.0, |(_, v)| *v))
}

/// The collection interval: short, so that the detectors are past learning in seconds.
const INTERVAL_MS: i64 = 250;

#[test]
fn anomaly_detectors_are_saved_at_shutdown_and_restored_at_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("vitals.yaml");
    std::fs::write(&config, format!("collection:\n  interval: {INTERVAL_MS}ms\n")).unwrap();
    // A fixed address: the detectors are saved under their series' labels, `instance` included.
    let listen = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().to_string()
    };
    let mut server = Server::start_listening(&data, &listen, &config);
    assert!(server.stderr().contains("restored 0 anomaly detectors (0 saved)"), "{}", server.stderr());
    // Past the detectors' learning (30 samples).
    server.wait_until(Duration::from_secs(60), "40 cycles scored", || series_with_detectors(&server, i64::MAX).0 >= 40);
    server.signal(libc::SIGTERM);
    assert_eq!(server.wait(Duration::from_secs(15)).code(), Some(0), "{}", server.stderr());

    let saved = vitals_state::State::open(&data).unwrap().load_detectors().unwrap();
    let restarted_at = now_ms();
    let server = Server::start_listening(&data, &listen, &config);
    let (_, judged) = series_with_detectors(&server, restarted_at);
    assert!(judged >= 10.0, "the host's series are judged: {judged}");
    assert_eq!(saved.len() as f64, judged, "one saved detector per judged series at the last cycle");
    let instance = format!("instance=\"{listen}\"");
    assert!(saved.keys().all(|k| k.starts_with("vitals_anomaly_score{") && k.contains(&instance)), "{:?}", saved.keys().next());
    let line = format!("restored {n} anomaly detectors ({n} saved)", n = saved.len());
    assert!(server.stderr().contains(&line), "no {line:?} in:\n{}", server.stderr());

    // And the series use them: a fresh detector scores exactly 0 while it learns (30
    // samples), a restored one that had learnt scores above 0 from its first sample (a
    // counter's second: a rate needs two). So within the first cycles nearly every series
    // scores.
    server.wait_until(Duration::from_secs(30), "12 cycles after the restart", || {
        server.export("vitals_anomaly_series").iter().flat_map(|(_, s)| s).filter(|(t, _)| *t >= restarted_at).count() >= 12
    });
    let export = server.export("vitals_anomaly_score");
    let first = export.iter().flat_map(|(_, s)| s).map(|(t, _)| *t).filter(|t| *t >= restarted_at).min().unwrap();
    let early =
        |s: &Vec<(i64, u64)>| s.iter().any(|(t, bits)| (first..first + 10 * INTERVAL_MS).contains(t) && f64::from_bits(*bits) > 0.0);
    let scoring = export.iter().filter(|(_, s)| early(s)).count();
    assert!(scoring >= saved.len() * 9 / 10, "{scoring} of {} series scored above 0 in the first 10 cycles after the restart", saved.len());
}
