//! A `vitals serve` killed with SIGKILL mid-stream keeps every import it acknowledged.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{now_ms, Server};

const SERIES: usize = 20;

#[test]
fn every_acknowledged_sample_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = Server::start(&data);
    let base = now_ms() - 600_000;
    let acked = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = (0..2)
        .map(|sender| {
            let (url_server, acked, stop) = (server.addr.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
                for round in 0..100_000i64 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let t = base + round * 10;
                    let body: String = (0..SERIES)
                        .map(|s| format!("crash_test{{sender=\"{sender}\",s=\"{s}\"}} {} {t}\n", round as f64 + 0.125))
                        .collect();
                    match agent.post(format!("http://{url_server}/api/v1/import/prometheus")).send(body.as_bytes()) {
                        Ok(resp) if resp.status() == 204 => acked.lock().unwrap().push((sender, round, t)),
                        Ok(resp) => panic!("import answered {}", resp.status()),
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    // Kill it mid-stream, once enough imports were acknowledged (however long that takes).
    let start = Instant::now();
    while acked.lock().unwrap().len() <= 20 {
        let finished = senders.iter().filter(|s| s.is_finished()).count();
        assert!(finished == 0, "a sender stopped before the kill; stderr:\n{}", server.stderr());
        assert!(start.elapsed() < Duration::from_secs(60), "only {} imports acknowledged after 60 s", acked.lock().unwrap().len());
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill();
    stop.store(true, Ordering::Relaxed);
    for s in senders {
        s.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() > 20, "only {} imports acknowledged before the kill", acked.len());

    let server = Server::start(&data);
    let exported = server.export("crash_test");
    let mut have = std::collections::HashSet::new();
    for (labels, samples) in &exported {
        let v: serde_json::Value = serde_json::from_str(labels).unwrap();
        let (sender, s) = (v["sender"].as_str().unwrap().to_owned(), v["s"].as_str().unwrap().to_owned());
        for (t, bits) in samples {
            have.insert((sender.clone(), s.clone(), *t, *bits));
        }
    }
    for (sender, round, t) in &acked {
        for s in 0..SERIES {
            let want = (sender.to_string(), s.to_string(), *t, (*round as f64 + 0.125).to_bits());
            assert!(have.contains(&want), "acknowledged sample lost: {want:?} ({} acknowledged imports)", acked.len());
        }
    }
}
