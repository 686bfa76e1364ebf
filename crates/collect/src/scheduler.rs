//! The scheduler: a thread that starts a collection cycle every `collection.interval`,
//! aligned to the wall clock, until it is stopped.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use vitals_store::Store;

use crate::cycle::Cycles;
use crate::{Collector, Latest};

/// How the scheduler runs.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Time between cycles (`collection.interval`).
    pub interval: Duration,
    /// Labels added to every series collected: `job="vitals"` and `instance="<listen
    /// address>"`, as a Prometheus scrape of Vitals would set them.
    pub base_labels: Vec<(String, String)>,
}

/// A running scheduler. [`Scheduler::stop`] ends it after the cycle in progress; dropping
/// it stops it too, without waiting.
pub struct Scheduler {
    stop: Sender<()>,
    thread: Option<JoinHandle<()>>,
    latest: Latest,
}

impl Scheduler {
    /// Starts one thread per collector and the scheduling thread. Each cycle stamps every
    /// sample with the cycle's timestamp (a multiple of the interval), so series collected
    /// together share timestamps.
    pub fn start(store: &Store, collectors: Vec<Box<dyn Collector>>, opts: SchedulerOptions) -> std::io::Result<Scheduler> {
        let latest = Latest::default();
        let mut cycles = Cycles::new(store, collectors, &opts, latest.clone())?;
        let (stop, stop_rx) = mpsc::channel::<()>();
        let interval_ms = (opts.interval.as_millis() as i64).max(1);
        let thread = thread::Builder::new().name("collect-scheduler".into()).spawn(move || {
            let mut last = i64::MIN;
            loop {
                let now = now_ms();
                // The next multiple of the interval; ticks missed while a cycle overran are skipped.
                let tick = ((now.div_euclid(interval_ms) + 1) * interval_ms).max(last.saturating_add(interval_ms));
                match stop_rx.recv_timeout(Duration::from_millis((tick - now).max(0) as u64)) {
                    Err(RecvTimeoutError::Timeout) => {
                        cycles.run(tick, interval_ms);
                        last = tick;
                    }
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                }
            }
            cycles.shut_down();
        })?;
        Ok(Scheduler { stop, thread: Some(thread), latest })
    }

    /// The latest readings of every collector, for `/metrics`.
    pub fn latest(&self) -> Latest {
        self.latest.clone()
    }

    /// Stops after the cycle in progress (its samples are appended) and waits for it.
    pub fn stop(mut self) {
        let _ = self.stop.send(());
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the collection scheduler panicked");
            }
        }
    }
}

/// Wall-clock milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}
