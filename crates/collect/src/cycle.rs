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
        wait(&self.done, &mut self.workers, t_ms, started, &mut pending, &mut outcomes);

        let mut batch: Vec<(SeriesRef, Sample)> = Vec::new();
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

/// Collects the answers of cycle `t_ms` until every run in `pending` has answered or
/// passed its timeout (counted from `started`). A run is marked timed out as soon as its
/// deadline has passed, before any later answer is looked at, and only runs still pending
/// are answered: a run that answers after its timeout keeps its timeout as the outcome.
/// Every answer frees its worker.
fn wait(
    done: &Receiver<Done>,
    workers: &mut [Worker],
    t_ms: i64,
    started: Instant,
    pending: &mut Vec<usize>,
    outcomes: &mut [Option<(Duration, RunResult)>],
) {
    loop {
        let now = Instant::now();
        pending.retain(|&i| {
            let timeout = workers[i].timeout;
            let late = started + timeout <= now;
            if late {
                outcomes[i] = Some((timeout, Err(CollectError::TimedOut(timeout))));
            }
            !late
        });
        let Some(deadline) = pending.iter().map(|&i| started + workers[i].timeout).min() else { return };
        match done.recv_timeout(deadline.saturating_duration_since(now)) {
            Ok(answer) => {
                workers[answer.worker].busy = false;
                // An answer for an earlier cycle, or after the run's timeout, is dropped.
                if answer.t_ms == t_ms && pending.contains(&answer.worker) {
                    pending.retain(|&i| i != answer.worker);
                    outcomes[answer.worker] = Some((answer.elapsed, answer.result));
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                for &i in pending.iter() {
                    outcomes[i] = Some((Duration::ZERO, Err(CollectError::Panicked("collector thread is gone".into()))));
                }
                pending.clear();
            }
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

#[cfg(test)]
mod tests {
    use std::sync::mpsc::Sender;

    use vitals_store::StoreOptions;

    use super::*;

    /// A collector that is never started here: the test answers for it.
    struct Idle(Option<Duration>);
    impl Collector for Idle {
        fn name(&self) -> &str {
            "idle"
        }
        fn timeout(&self) -> Option<Duration> {
            self.0
        }
        fn collect(&mut self, _: &mut Emitter) -> Result<(), CollectError> {
            Ok(())
        }
    }

    fn answer(tx: &Sender<Done>, worker: usize, t_ms: i64) {
        tx.send(Done { worker, t_ms, elapsed: Duration::from_millis(1), result: Ok((Vec::new(), Vec::new())) }).unwrap();
    }

    #[test]
    fn an_answer_after_the_timeout_does_not_overwrite_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let (tx, done) = mpsc::channel();
        let cycle = Duration::from_secs(60);
        let mut workers: Vec<Worker> = [Some(Duration::from_millis(10)), None]
            .into_iter()
            .enumerate()
            .map(|(i, timeout)| {
                Worker::spawn(i, Box::new(Idle(timeout)), Emitter::new(store.clone(), Vec::new()), tx.clone(), cycle).unwrap()
            })
            .collect();
        for w in &mut workers {
            w.busy = true;
        }
        // The cycle started a second ago: worker 0's 10 ms are over, worker 1's 48 s are not.
        // Both answer now, worker 0 too late.
        let started = Instant::now().checked_sub(Duration::from_secs(1)).unwrap();
        answer(&tx, 0, 5000);
        answer(&tx, 1, 5000);
        let mut pending = vec![0, 1];
        let mut outcomes: Vec<Option<(Duration, RunResult)>> = vec![None, None];
        wait(&done, &mut workers, 5000, started, &mut pending, &mut outcomes);

        assert!(pending.is_empty());
        let shown: Vec<String> = outcomes.iter().map(|o| format!("{:?}", o.as_ref().unwrap().1.as_ref().map(|_| ()))).collect();
        assert_eq!(shown, ["Err(TimedOut(10ms))", "Ok(())"]);
        assert!(workers.iter().all(|w| !w.busy), "every worker that answered is free again");
        for w in &mut workers {
            w.shut_down();
        }
    }
}
