//! The scheduler: a thread that starts a collection cycle every `collection.interval`,
//! aligned to the wall clock, until it is stopped.
//!
//! The scheduler never sleeps longer than one interval, so a wall clock that steps back or
//! forward is noticed within a cycle. Cycles are stamped with increasing times: while the
//! clock is behind the last cycle's time, cycles are skipped (logged once) and collection
//! goes on once the clock has passed it again.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use tokio::sync::watch;
use vitals_analytics::AnomalyParams;
use vitals_state::State;
use vitals_store::Store;

use crate::anomaly_scores::RestoredDetectors;
use crate::cycle::Cycles;
use crate::status::{CollectorStatus, NotRun, Statuses};
use crate::{wall_clock_ms, Collector, Latest};

/// How the scheduler runs.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Time between cycles (`collection.interval`).
    pub interval: Duration,
    /// Labels added to every series collected: `job="vitals"` and `instance="<listen
    /// address>"`, as a Prometheus scrape of Vitals would set them.
    pub base_labels: Vec<(String, String)>,
    /// Collectors that are not run (unavailable here, or disabled), listed in the status
    /// with their reason.
    pub not_run: Vec<NotRun>,
}

/// How collected series are given anomaly scores ([`Scheduler::start_with`]).
#[derive(Clone)]
pub struct AnomalyScoring {
    /// The detectors' parameters.
    pub params: AnomalyParams,
    /// Where the detectors' learnt state is restored from at start and saved to, every 10
    /// minutes of cycles and at shutdown; without it, every start learns afresh.
    pub state: Option<Arc<State>>,
}

/// A running scheduler. [`Scheduler::stop`] ends it after the cycle in progress; dropping
/// it stops it too, without waiting.
pub struct Scheduler {
    stop: Sender<()>,
    thread: Option<JoinHandle<()>>,
    latest: Latest,
    statuses: Statuses,
    cycles: watch::Receiver<Option<i64>>,
    restored: Option<RestoredDetectors>,
}

impl Scheduler {
    /// Starts the collectors' threads (one per collector that can block, one shared by the
    /// others) and the scheduling thread. Each cycle stamps every
    /// sample with the cycle's timestamp (a multiple of the interval), so series collected
    /// together share timestamps.
    pub fn start(store: &Store, collectors: Vec<Box<dyn Collector>>, opts: SchedulerOptions) -> std::io::Result<Scheduler> {
        Scheduler::start_with(store, collectors, opts, None)
    }

    /// As [`Scheduler::start`], and with `anomaly_scores` every collected series gets a
    /// streaming anomaly detector with its parameters, whose scores and flags are stored
    /// in the same cycle as `vitals_anomaly_score` and `vitals_anomaly_flag` (labels: the
    /// series' own plus `metric`, its name); counters are judged by their per-second rate.
    /// With its state database, detectors continue from those saved there (see
    /// [`Scheduler::restored_detectors`]) and are saved every 10 minutes and when stopped.
    pub fn start_with(
        store: &Store,
        collectors: Vec<Box<dyn Collector>>,
        opts: SchedulerOptions,
        anomaly_scores: Option<AnomalyScoring>,
    ) -> std::io::Result<Scheduler> {
        let latest = Latest::default();
        let statuses = Statuses::default();
        let (mut cycles, restored) = Cycles::new(store, collectors, &opts, latest.clone(), statuses.clone(), anomaly_scores)?;
        let (stop, stop_rx) = mpsc::channel::<()>();
        let (cycled, cycles_rx) = watch::channel(None);
        let interval_ms = i64::try_from(opts.interval.as_millis()).unwrap_or(i64::MAX).max(1);
        let thread = thread::Builder::new().name("collect-scheduler".into()).spawn(move || {
            let mut last = i64::MIN;
            let mut clock_behind = false;
            loop {
                let now = wall_clock_ms();
                if now < last && !clock_behind {
                    tracing::warn!(
                        "the wall clock went back {} ms behind the last collection; collection resumes once it passes that time again",
                        last - now
                    );
                } else if now >= last && clock_behind {
                    tracing::info!("the wall clock has passed the last collection again; collecting");
                }
                clock_behind = now < last;
                let (tick, wait_ms) = next_tick(now, last, interval_ms);
                match stop_rx.recv_timeout(Duration::from_millis(wait_ms.unsigned_abs())) {
                    // Woken early (the wait is capped) or by a clock that moved: look again.
                    Err(RecvTimeoutError::Timeout) if wall_clock_ms() < tick => {}
                    Err(RecvTimeoutError::Timeout) => {
                        cycles.run(tick, interval_ms);
                        cycled.send_replace(Some(tick));
                        last = tick;
                    }
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                }
            }
            cycles.shut_down();
        })?;
        Ok(Scheduler { stop, thread: Some(thread), latest, statuses, cycles: cycles_rx, restored })
    }

    /// How many anomaly detectors were found saved and restored at start; `None` without
    /// anomaly scores or a state database to restore them from.
    pub fn restored_detectors(&self) -> Option<RestoredDetectors> {
        self.restored
    }

    /// The latest readings of every collector, for `/metrics`.
    pub fn latest(&self) -> Latest {
        self.latest.clone()
    }

    /// The collectors' states, for `/api/v1/status/collectors`.
    pub fn statuses(&self) -> Statuses {
        self.statuses.clone()
    }

    /// The time (ms) of the latest cycle whose samples are in the store, `None` before the
    /// first; it changes after each cycle's append, for live views. Never waits on readers:
    /// one that misses cycles sees only the latest. Closed when the scheduler stops.
    pub fn cycles(&self) -> watch::Receiver<Option<i64>> {
        self.cycles.clone()
    }

    /// Every collector's current state: those that run, then those that do not.
    pub fn status(&self) -> Vec<CollectorStatus> {
        self.statuses.snapshot()
    }

    /// Stops after the cycle in progress (its samples are appended) and waits for it (and
    /// for the anomaly detectors to be saved).
    pub fn stop(mut self) {
        let _ = self.stop.send(());
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the collection scheduler panicked");
            }
        }
    }
}

/// At wall time `now`, with the last cycle stamped `last`: the next cycle's stamp and how
/// long to wait before looking again (ms). The stamp is the next multiple of the interval
/// after `now` (ticks missed while a cycle overran are skipped) and after `last`; the
/// wait is at most one interval, so that a clock that steps back stalls nothing.
fn next_tick(now: i64, last: i64, interval_ms: i64) -> (i64, i64) {
    let next = now.div_euclid(interval_ms).saturating_add(1).saturating_mul(interval_ms);
    let tick = next.max(last.saturating_add(interval_ms));
    (tick, tick.saturating_sub(now).clamp(0, interval_ms))
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use vitals_store::{Matcher, StoreOptions};

    use super::*;
    use crate::{CollectError, Emitter, Metric};

    const SEEN: Metric = Metric::gauge("test_seen", "A constant.", "");

    struct Constant;
    impl Collector for Constant {
        fn name(&self) -> &str {
            "constant"
        }
        fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
            out.push(&SEEN, &[], 1.0)
        }
    }

    #[test]
    fn each_cycle_is_announced_once_its_samples_are_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let opts = SchedulerOptions { interval: Duration::from_millis(100), base_labels: Vec::new(), not_run: Vec::new() };
        let scheduler = Scheduler::start(&store, vec![Box::new(Constant)], opts).unwrap();
        let mut cycles = scheduler.cycles();
        assert_eq!(*cycles.borrow_and_update(), None, "no cycle has run yet");
        let started = Instant::now();
        let mut seen = Vec::new();
        while seen.len() < 2 {
            assert!(started.elapsed() < Duration::from_secs(30), "fewer than 2 cycles announced after 30 s: {seen:?}");
            if cycles.has_changed().unwrap() {
                let t = cycles.borrow_and_update().unwrap();
                let stored = store.select(&[Matcher::equal("__name__", "test_seen")], t, t).unwrap();
                assert_eq!(stored.len(), 1, "the announced cycle {t}'s sample is readable");
                seen.push(t);
            }
            thread::sleep(Duration::from_millis(5));
        }
        assert!(seen[0] < seen[1] && seen.iter().all(|t| t % 100 == 0), "{seen:?}");
        scheduler.stop();
        assert!(cycles.has_changed().is_err(), "the announcements end with the scheduler");
    }

    #[test]
    fn ticks_are_the_next_multiple_of_the_interval() {
        assert_eq!(next_tick(10_250, i64::MIN, 1000), (11_000, 750));
        assert_eq!(next_tick(11_000, 10_000, 1000), (12_000, 1000), "on a tick, the next one");
        assert_eq!(next_tick(13_400, 11_000, 1000), (14_000, 600), "ticks missed by an overrun are skipped");
    }

    #[test]
    fn a_clock_that_steps_back_never_makes_the_wait_longer_than_an_interval() {
        let last = 1_700_000_000_000;
        let (tick, wait) = next_tick(last - 3_600_000, last, 10_000);
        assert!(tick > last, "no cycle at or before the last one: {tick}");
        assert_eq!(wait, 10_000);
        // Clock slightly behind after a cycle (rounding, slewing): wait for the next tick.
        assert_eq!(next_tick(last - 1, last, 10_000), (last + 10_000, 10_000));
    }

    #[test]
    fn a_clock_that_steps_forward_skips_to_its_next_tick() {
        assert_eq!(next_tick(5_000_300, 1_000, 1000), (5_001_000, 700));
    }
}
