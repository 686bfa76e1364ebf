//! One collection cycle: start the due collectors, wait for each up to its timeout,
//! report their health, mark vanished series stale and append everything with the
//! cycle's timestamp in one batch.

use std::collections::HashSet;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use vitals_store::{stale_marker, Sample, SeriesRef, Store};

use crate::health::Health;
use crate::worker::{Done, RunResult, Worker};
use crate::{CollectError, Collector, Emitter, Latest, Metric, SchedulerOptions};

const COLLECTOR_UP: Metric = Metric::gauge("vitals_collector_up", "Whether the collector's last run succeeded (1) or failed (0).", "");
const COLLECTOR_DURATION: Metric = Metric::gauge("vitals_collector_duration_seconds", "How long the collector's last run took.", "seconds");

/// Name under which the scheduler's own readings are published.
const SCHEDULER: &str = "scheduler";

/// The scheduler thread's state across cycles.
pub(crate) struct Cycles {
    store: Store,
    workers: Vec<Worker>,
    done: Receiver<Done>,
    own: Emitter,
    latest: Latest,
    appends: Health,
}

impl Cycles {
    /// Spawns the collectors' threads.
    pub(crate) fn new(
        store: &Store,
        collectors: Vec<Box<dyn Collector>>,
        opts: &SchedulerOptions,
        latest: Latest,
    ) -> std::io::Result<Cycles> {
        let (done_tx, done) = mpsc::channel();
        let mut workers = Vec::with_capacity(collectors.len());
        for (i, c) in collectors.into_iter().enumerate() {
            let emitter = Emitter::new(store.clone(), opts.base_labels.clone());
            workers.push(Worker::spawn(i, c, emitter, done_tx.clone(), opts.interval)?);
        }
        let own = Emitter::new(store.clone(), opts.base_labels.clone());
        Ok(Cycles { store: store.clone(), workers, done, own, latest, appends: Health::default() })
    }

    /// Runs the cycle stamped `t_ms`.
    pub(crate) fn run(&mut self, t_ms: i64, interval_ms: i64) {
        let started = Instant::now();
        // Late answers of runs that timed out in earlier cycles: those workers are free again.
        while let Ok(late) = self.done.try_recv() {
            self.workers[late.worker].busy = false;
        }
        let mut outcomes: Vec<Option<(Duration, RunResult)>> = self.workers.iter().map(|_| None).collect();
        let mut pending = Vec::new();
        for (i, w) in self.workers.iter_mut().enumerate() {
            if t_ms.div_euclid(interval_ms) % w.every != 0 {
                continue;
            }
            if w.busy {
                outcomes[i] = Some((w.timeout, Err(CollectError::TimedOut(w.timeout))));
            } else if w.start(t_ms) {
                pending.push(i);
            } else {
                outcomes[i] = Some((Duration::ZERO, Err(CollectError::Panicked("collector thread is gone".into()))));
            }
        }
        self.wait(t_ms, started, &mut pending, &mut outcomes);

        let mut batch: Vec<(SeriesRef, Sample)> = Vec::new();
        self.own.clear();
        for (w, outcome) in self.workers.iter_mut().zip(outcomes) {
            let Some((elapsed, result)) = outcome else { continue };
            let up = settle(w, result, t_ms, &mut batch, &self.latest);
            let labels = [("collector", w.name.as_str())];
            let pushed =
                self.own.push(&COLLECTOR_UP, &labels, up).and_then(|()| self.own.push(&COLLECTOR_DURATION, &labels, elapsed.as_secs_f64()));
            if let Err(e) = pushed {
                tracing::error!(collector = %w.name, "recording collector health: {e}");
            }
        }
        let (own, readings) = self.own.take();
        self.latest.publish(SCHEDULER, readings);
        batch.extend(own.into_iter().map(|(r, v)| (r, Sample { t: t_ms, v })));
        self.append(&batch);
    }

    /// Collects answers until every started run has answered or passed its timeout.
    fn wait(&mut self, t_ms: i64, started: Instant, pending: &mut Vec<usize>, outcomes: &mut [Option<(Duration, RunResult)>]) {
        while let Some(deadline) = pending.iter().map(|&i| started + self.workers[i].timeout).min() {
            match self.done.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(done) => {
                    self.workers[done.worker].busy = false;
                    // An answer for an earlier cycle comes from a run that timed out: drop it.
                    if done.t_ms == t_ms {
                        pending.retain(|&i| i != done.worker);
                        outcomes[done.worker] = Some((done.elapsed, done.result));
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    let now = Instant::now();
                    pending.retain(|&i| {
                        let timeout = self.workers[i].timeout;
                        let late = started + timeout <= now;
                        if late {
                            outcomes[i] = Some((timeout, Err(CollectError::TimedOut(timeout))));
                        }
                        !late
                    });
                }
                Err(RecvTimeoutError::Disconnected) => {
                    for &i in pending.iter() {
                        outcomes[i] = Some((Duration::ZERO, Err(CollectError::Panicked("collector thread is gone".into()))));
                    }
                    pending.clear();
                }
            }
        }
    }

    /// Appends the cycle's samples; failures and refusals are logged when they start.
    fn append(&mut self, batch: &[(SeriesRef, Sample)]) {
        match self.store.append(batch) {
            Ok(report) if report.rejected_total() > 0 => {
                let why = report.first_rejection.as_ref().map_or_else(String::new, |r| {
                    format!(
                        " (first: {} at {} ms, series newest at {} ms; has the clock gone back?)",
                        r.reason.as_str(),
                        r.t,
                        r.series_max_t
                    )
                });
                self.appends.down("storing collected samples", &format!("{} samples refused{why}", report.rejected_total()));
            }
            Ok(_) => self.appends.up("storing collected samples"),
            Err(e) => self.appends.down("storing collected samples", &e),
        }
    }

    /// Lets every collector thread end.
    pub(crate) fn shut_down(&mut self) {
        for w in &mut self.workers {
            w.shut_down();
        }
    }
}

/// Applies a run's result: its samples join the batch, series it no longer writes (all of
/// them, when it failed) get a staleness marker, and its health is updated. Returns the
/// value of `vitals_collector_up`.
fn settle(w: &mut Worker, result: RunResult, t_ms: i64, batch: &mut Vec<(SeriesRef, Sample)>, latest: &Latest) -> f64 {
    let what = format!("collector {}", w.name);
    match result {
        Ok((samples, readings)) => {
            let now: HashSet<SeriesRef> = samples.iter().map(|(r, _)| *r).collect();
            batch.extend(w.live.difference(&now).map(|r| (*r, Sample { t: t_ms, v: stale_marker() })));
            w.live = now;
            batch.extend(samples.into_iter().map(|(r, v)| (r, Sample { t: t_ms, v })));
            latest.publish(&w.name, readings);
            w.health.up(&what);
            1.0
        }
        Err(e) => {
            batch.extend(w.live.drain().map(|r| (r, Sample { t: t_ms, v: stale_marker() })));
            latest.publish(&w.name, Vec::new());
            w.health.down(&what, &e);
            0.0
        }
    }
}
