//! Parses and evaluates arbitrary query text, as an instant and as a range query, against a
//! small store: any outcome is fine except a panic escaping the engine (or a hang, caught by
//! the timeout).

#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use vitals_query::{format_query, Engine, EngineOptions};
use vitals_store::{stale_marker, Labels, Sample, Store, StoreOptions};

struct Fixture {
    _dir: tempfile::TempDir,
    engine: Engine,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        // libfuzzer-sys' hook aborts at any panic, even one the engine catches (it turns
        // parser panics into parse errors). Print instead: a panic that escapes the engine
        // still aborts, in libfuzzer-sys' own catch_unwind around this target.
        std::panic::set_hook(Box::new(|info| eprintln!("{info}")));
        let dir = tempfile::tempdir().expect("temporary directory");
        let opts = StoreOptions { background: false, out_of_order_window_ms: i64::MAX / 4, retention_ms: 0, ..Default::default() };
        let store = Store::open(dir.path(), opts).expect("store");
        let mut batch = Vec::new();
        for i in 0..60i64 {
            let t = i * 15_000;
            let l = |pairs: &[(&str, &str)]| Labels::from_pairs(pairs.iter().copied());
            batch.push((l(&[("__name__", "up"), ("job", "a")]), Sample { t, v: 1.0 }));
            batch.push((l(&[("__name__", "req_total"), ("job", "a"), ("code", "200")]), Sample { t, v: (i * 3) as f64 }));
            batch.push((l(&[("__name__", "req_total"), ("job", "b"), ("code", "500")]), Sample { t, v: (i % 7) as f64 }));
            let v = if i == 30 { stale_marker() } else { (i as f64).sin() };
            batch.push((l(&[("__name__", "temp"), ("job", "b")]), Sample { t, v }));
            for le in ["0.1", "1", "+Inf"] {
                batch.push((l(&[("__name__", "lat_bucket"), ("job", "a"), ("le", le)]), Sample { t, v: (i * le.len() as i64) as f64 }));
            }
        }
        store.append_labeled(&batch).expect("append");
        let opts = EngineOptions { timeout: Duration::from_secs(2), max_samples: 200_000, ..Default::default() };
        Fixture { _dir: dir, engine: Engine::new(store, opts) }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else { return };
    if query.len() > 2_000 {
        return;
    }
    let f = fixture();
    let _ = format_query(query);
    let _ = f.engine.instant(query, 600_000);
    let _ = f.engine.range(query, 0, 900_000, 30_000);
});
