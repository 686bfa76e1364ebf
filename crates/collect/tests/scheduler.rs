//! The scheduler runs collectors in isolation: a failing, panicking or stuck collector
//! does not hold up the others, and every cycle's samples share one timestamp.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use vitals_collect::{CollectError, Collector, Emitter, Metric, Scheduler, SchedulerOptions};
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
    let collectors: Vec<Box<dyn Collector>> = vec![Box::new(Good(0)), Box::new(Failing), Box::new(Panicky), Box::new(Stuck)];
    let opts = SchedulerOptions {
        interval: Duration::from_millis(100),
        base_labels: vec![("job".into(), "vitals".into()), ("instance".into(), "127.0.0.1:9".into())],
    };
    let scheduler = Scheduler::start(&store, collectors, opts).unwrap();
    let start = Instant::now();
    while values(&store, "test_good", None).len() < 6 {
        assert!(start.elapsed() < Duration::from_secs(30), "fewer than 6 cycles after 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let latest = scheduler.latest();
    scheduler.stop();

    let good = values(&store, "test_good", None);
    assert!(good.len() >= 6, "the good collector ran every cycle despite the others: {good:?}");
    assert!(good.iter().all(|(t, v)| t % 100 == 0 && *v == 1.0), "{good:?}");
    for (name, up) in [("good", 1.0), ("failing", 0.0), ("panicky", 0.0), ("stuck", 0.0)] {
        let ups = values(&store, "vitals_collector_up", Some(name));
        assert_eq!(ups.iter().map(|(t, _)| *t).collect::<Vec<_>>(), good.iter().map(|(t, _)| *t).collect::<Vec<_>>(), "{name}");
        assert!(ups.iter().all(|(_, v)| *v == up), "{name}: {ups:?}");
    }
    let stuck = values(&store, "vitals_collector_duration_seconds", Some("stuck"));
    assert!(stuck.iter().all(|(_, v)| (*v - 0.08).abs() < 1e-9), "a stuck run counts as its timeout: {stuck:?}");

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
