//! The scheduler runs collectors in isolation: a failing, panicking or stuck collector
//! does not hold up the others, and every cycle's samples share one timestamp.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use vitals_collect::{CollectError, Collector, CollectorState, Emitter, Metric, NotRun, Scheduler, SchedulerOptions};
use vitals_store::{is_stale_marker, Matcher, Store, StoreOptions};

const GOOD: Metric = Metric::gauge("test_good", "A value that is always there.", "");
const FLAPPY: Metric = Metric::gauge("test_flappy", "A series that comes and goes.", "");

struct Good(u32);
impl Collector for Good {
    fn name(&self) -> &str {
        "good"
    }
    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        self.0 += 1;
        out.push(&GOOD, &[], 1.0)?;
        if self.0 % 2 == 1 {
            out.push(&FLAPPY, &[], f64::from(self.0))?;
        }
        Ok(())
    }
}

struct Partial;
impl Collector for Partial {
    fn name(&self) -> &str {
        "partial"
    }
    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        out.push(&GOOD_TOO, &[], 2.0)?;
        out.degrade("reading /proc/nothing/else: permission denied");
        Ok(())
    }
}

const GOOD_TOO: Metric = Metric::gauge("test_partial", "What a partly failing collector could read.", "");

struct Failing;
impl Collector for Failing {
    fn name(&self) -> &str {
        "failing"
    }
    fn collect(&mut self, _: &mut Emitter) -> Result<(), CollectError> {
        Err(CollectError::Parse { path: PathBuf::from("/proc/nothing"), what: "always broken".into() })
    }
}

struct Panicky;
impl Collector for Panicky {
    fn name(&self) -> &str {
        "panicky"
    }
    fn collect(&mut self, _: &mut Emitter) -> Result<(), CollectError> {
        panic!("boom")
    }
}

struct Stuck;
impl Collector for Stuck {
    fn name(&self) -> &str {
        "stuck"
    }
    fn collect(&mut self, _: &mut Emitter) -> Result<(), CollectError> {
        std::thread::sleep(Duration::from_secs(3));
        Ok(())
    }
}

fn values(store: &Store, name: &str, collector: Option<&str>) -> Vec<(i64, f64)> {
    let mut m = vec![Matcher::equal("__name__", name)];
    if let Some(c) = collector {
        m.push(Matcher::equal("collector", c));
    }
    let got = store.select(&m, i64::MIN, i64::MAX).unwrap();
    assert!(got.len() <= 1, "{got:?}");
    got.into_iter().flat_map(|s| s.samples).map(|s| (s.t, s.v)).collect()
}

#[test]
fn collectors_are_isolated_and_share_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
    let collectors: Vec<Box<dyn Collector>> =
        vec![Box::new(Good(0)), Box::new(Partial), Box::new(Failing), Box::new(Panicky), Box::new(Stuck)];
    let opts = SchedulerOptions {
        // Long enough that no collector but the stuck one times out on a loaded machine.
        interval: Duration::from_secs(2),
        base_labels: vec![("job".into(), "vitals".into()), ("instance".into(), "127.0.0.1:9".into())],
        not_run: vec![NotRun { name: "hwmon".into(), state: CollectorState::Unavailable, reason: "no /sys/class/hwmon".into() }],
    };
    let scheduler = Scheduler::start(&store, collectors, opts).unwrap();
    let start = Instant::now();
    while values(&store, "test_good", None).len() < 3 {
        assert!(start.elapsed() < Duration::from_secs(60), "fewer than 3 cycles after 60 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let latest = scheduler.latest();
    let status = scheduler.status();
    scheduler.stop();

    let shown: Vec<(&str, &str, Option<&str>)> = status.iter().map(|s| (s.name.as_str(), s.state.as_str(), s.reason.as_deref())).collect();
    assert_eq!(
        shown,
        [
            ("good", "up", None),
            ("partial", "degraded", Some("reading /proc/nothing/else: permission denied")),
            ("failing", "down", Some("/proc/nothing: always broken")),
            ("panicky", "down", Some("panicked: boom")),
            ("stuck", "down", Some("timed out after 1.6s")),
            ("hwmon", "unavailable", Some("no /sys/class/hwmon")),
        ]
    );
    assert!(status[0].last_duration.is_some() && status[0].interval == Duration::from_secs(2));
    let degraded = values(&store, "vitals_collector_degraded", Some("partial"));
    assert!(!degraded.is_empty() && degraded.iter().all(|(_, v)| *v == 1.0), "{degraded:?}");
    assert!(values(&store, "vitals_collector_up", Some("partial")).iter().all(|(_, v)| *v == 1.0), "a degraded collector is up");
    assert!(values(&store, "vitals_collector_degraded", Some("good")).iter().all(|(_, v)| *v == 0.0));
    assert!(values(&store, "test_partial", None).iter().all(|(_, v)| *v == 2.0));

    let good = values(&store, "test_good", None);
    assert!(good.len() >= 3, "the good collector ran every cycle despite the others: {good:?}");
    assert!(good.iter().all(|(t, v)| t % 2000 == 0 && *v == 1.0), "{good:?}");
    for (name, up) in [("good", 1.0), ("failing", 0.0), ("panicky", 0.0), ("stuck", 0.0)] {
        let ups = values(&store, "vitals_collector_up", Some(name));
        assert_eq!(ups.iter().map(|(t, _)| *t).collect::<Vec<_>>(), good.iter().map(|(t, _)| *t).collect::<Vec<_>>(), "{name}");
        assert!(ups.iter().all(|(_, v)| *v == up), "{name}: {ups:?}");
    }
    let stuck = values(&store, "vitals_collector_duration_seconds", Some("stuck"));
    assert!(stuck.iter().all(|(_, v)| (*v - 1.6).abs() < 1e-9), "a stuck run counts as its timeout: {stuck:?}");

    let flappy = values(&store, "test_flappy", None);
    assert!(flappy.iter().any(|(_, v)| is_stale_marker(*v)), "a vanished series is marked stale: {flappy:?}");
    assert!(flappy.iter().any(|(_, v)| !v.is_nan()));

    let series = store.series(&[vec![Matcher::equal("__name__", "test_good")]], i64::MIN, i64::MAX);
    assert_eq!(series[0].to_string(), r#"test_good{instance="127.0.0.1:9",job="vitals"}"#);
    assert_eq!(store.metadata()["vitals_collector_up"].kind, vitals_store::MetricKind::Gauge);
    let readings = latest.readings();
    assert!(readings.iter().any(|r| r.series.metric.name == "test_good"));
    assert!(readings.iter().any(|r| r.series.metric.name == "vitals_collector_up" && r.series.labels[0].1 == "stuck" && r.value == 0.0));
}

/// Runs `C` on the thread shared by collectors that cannot block.
struct Shared<C>(C, &'static str);
impl<C: Collector> Collector for Shared<C> {
    fn name(&self) -> &str {
        self.1
    }
    fn can_block(&self) -> bool {
        false
    }
    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        self.0.collect(out)
    }
}

#[test]
fn collectors_sharing_a_thread_fail_and_panic_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
    let collectors: Vec<Box<dyn Collector>> = vec![
        Box::new(Shared(Panicky, "shared_panicky")),
        Box::new(Shared(Failing, "shared_failing")),
        Box::new(Shared(Good(0), "shared_good")),
        Box::new(Stuck),
        Box::new(Shared(Partial, "shared_partial")),
    ];
    // Long enough cycles that a panic's backtrace (RUST_BACKTRACE set) fits in the shared
    // thread's 1.6 s on a loaded machine.
    let opts = SchedulerOptions { interval: Duration::from_secs(2), base_labels: Vec::new(), not_run: Vec::new() };
    let scheduler = Scheduler::start(&store, collectors, opts).unwrap();
    let start = Instant::now();
    while values(&store, "test_good", None).len() < 3 {
        assert!(start.elapsed() < Duration::from_secs(60), "fewer than 3 cycles after 60 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = scheduler.status();
    scheduler.stop();

    let shown: Vec<(&str, &str, Option<&str>)> = status.iter().map(|s| (s.name.as_str(), s.state.as_str(), s.reason.as_deref())).collect();
    assert_eq!(
        shown,
        [
            ("shared_panicky", "down", Some("panicked: boom")),
            ("shared_failing", "down", Some("/proc/nothing: always broken")),
            ("shared_good", "up", None),
            ("stuck", "down", Some("timed out after 1.6s")),
            ("shared_partial", "degraded", Some("reading /proc/nothing/else: permission denied")),
        ]
    );
    let good = values(&store, "test_good", None);
    let ups = values(&store, "vitals_collector_up", Some("shared_good"));
    assert_eq!(ups.len(), good.len(), "a sample and an up for every cycle: {ups:?}");
    assert!(ups.iter().all(|(_, v)| *v == 1.0), "after a panicking neighbour too: {ups:?}");
    assert!(values(&store, "test_partial", None).len() >= 3, "the collector after the panicking one ran every cycle");
}
