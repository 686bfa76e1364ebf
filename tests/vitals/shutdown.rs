//! SIGTERM stops `vitals serve` cleanly, and the data is there after a restart.

use std::time::Duration;

use crate::common::{now_ms, Server};

#[test]
fn sigterm_shuts_down_cleanly_and_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = Server::start(&data);
    let t = now_ms() - 120_000;
    assert_eq!(server.import(&format!("shutdown_test{{k=\"v\"}} 42.5 {t}\nshutdown_test{{k=\"v\"}} 43.5 {}\n", t + 1000)).0, 204);
    server.signal(libc::SIGTERM);
    let status = server.wait(Duration::from_secs(15));
    assert_eq!(status.code(), Some(0), "{}", server.stderr());
    assert!(server.stderr().contains("stopped cleanly"), "{}", server.stderr());

    let state = vitals_state::State::open(&data).unwrap();
    let actions: Vec<String> = state.recent_audit(10).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["serve.stop", "import", "serve.start"]);
    drop(state);

    let server = Server::start(&data);
    let got = server.export("shutdown_test");
    assert_eq!(got, [(r#"{"__name__":"shutdown_test","k":"v"}"#.to_owned(), vec![(t, 42.5f64.to_bits()), (t + 1000, 43.5f64.to_bits())])]);
}
