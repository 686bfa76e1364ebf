//! One collection cycle: start the due collectors, wait for each up to its timeout,
//! report their health, mark vanished series stale and append everything with the
//! cycle's timestamp in one batch.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use vitals_store::{stale_marker, Sample, SeriesRef, Store};

use crate::anomaly_scores::{AnomalyScores, RestoredDetectors};
use crate::checkpoint::{self, Checkpoints};
use crate::health::Health;
use crate::status::{CollectorState, Statuses};
use crate::worker::{self, Done, RunResult, Runner, Slot, Start};
use crate::{AnomalyScoring, CollectError, Collector, Emitter, Latest, Metric, SchedulerOptions};

const COLLECTOR_UP: Metric =
    Metric::gauge("vitals_collector_up", "Whether the collector's last run succeeded, if only in part (1), or failed (0).", "");
const COLLECTOR_DEGRADED: Metric = Metric::gauge(
    "vitals_collector_degraded",
    "Whether the collector's last run failed part of its reading (1; up stays 1) or none of it (0); the reason is in /api/v1/status/collectors.",
    "",
);
const ANOMALY_SCORED: Metric =
    Metric::counter("vitals_anomaly_scored_samples_total", "Samples of collected series given an anomaly score.", "");
const ANOMALY_SECONDS: Metric =
    Metric::counter("vitals_anomaly_scoring_seconds_total", "Time spent giving collected samples their anomaly scores.", "seconds");
const ANOMALY_SERIES: Metric = Metric::gauge("vitals_anomaly_series", "Collected series with an anomaly detector.", "");
const COLLECTOR_DURATION: Metric = Metric::gauge("vitals_collector_duration_seconds", "How long the collector's last run took.", "seconds");

/// Name under which the scheduler's own readings are published.
const SCHEDULER: &str = "scheduler";

/// The scheduler thread's state across cycles.
pub(crate) struct Cycles {
    store: Store,
    slots: Vec<Slot>,
    runners: Vec<Runner>,
    done: Receiver<Done>,
    own: Emitter,
    latest: Latest,
    statuses: Statuses,
    appends: Health,
    /// The series' anomaly detectors, when `collection.anomaly_scores` is on.
    scores: Option<AnomalyScores>,
    /// Where the detectors are saved, when a state database was given (and its writer started).
    checkpoints: Option<Checkpoints>,
    /// Reused from cycle to cycle: each collector's outcome, those still waited for, the batch.
    outcomes: Vec<Option<(Duration, RunResult)>>,
    pending: Vec<usize>,
    batch: Vec<(SeriesRef, Sample)>,
}

impl Cycles {
    /// Spawns the collectors' threads and, with a state database for the anomaly
    /// detectors, restores them from it and spawns their checkpoint writer; says what became
    /// of the saved detectors (`None` without a state database).
    pub(crate) fn new(
        store: &Store,
        collectors: Vec<Box<dyn Collector>>,
        opts: &SchedulerOptions,
        latest: Latest,
        statuses: Statuses,
        anomaly: Option<AnomalyScoring>,
    ) -> std::io::Result<(Cycles, Option<RestoredDetectors>)> {
        let (done_tx, done) = mpsc::channel();
        let (slots, runners) = worker::spawn(collectors, store, &opts.base_labels, &done_tx, opts.interval)?;
        let own = Emitter::new(store.clone(), opts.base_labels.clone());
        statuses.init(slots.iter().map(|s| (s.name.clone(), s.interval)).collect(), &opts.not_run);
        let (mut scores, mut checkpoints, mut restored) = (None, None, None);
        if let Some(AnomalyScoring { params, state }) = anomaly {
            let saved = state.as_deref().map_or_else(HashMap::new, checkpoint::load);
            let restoring = AnomalyScores::new(store.clone(), opts.base_labels.clone(), params, saved);
            restored = state.is_some().then(|| restoring.restored());
            scores = Some(restoring);
            // Without its writer thread the detectors still score; they are only not saved.
            checkpoints = state.and_then(|state| {
                Checkpoints::start(state, opts.interval)
                    .map_err(|e| tracing::error!("the anomaly detectors will not be saved: starting their checkpoint writer: {e}"))
                    .ok()
            });
        }
        let cycles = Cycles {
            store: store.clone(),
            slots,
            runners,
            done,
            own,
            latest,
            statuses,
            appends: Health::default(),
            scores,
            checkpoints,
            outcomes: Vec::new(),
            pending: Vec::new(),
            batch: Vec::new(),
        };
        Ok((cycles, restored))
    }

    /// Runs the cycle stamped `t_ms`.
    pub(crate) fn run(&mut self, t_ms: i64, interval_ms: i64) {
        let started = Instant::now();
        // Late answers of runs that timed out in earlier cycles: those threads are free again.
        while let Ok(late) = self.done.try_recv() {
            self.runners[late.runner].busy = false;
        }
        for r in &mut self.runners {
            r.start = Start::Idle;
        }
        let (outcomes, pending) = (&mut self.outcomes, &mut self.pending);
        outcomes.clear();
        outcomes.resize_with(self.slots.len(), || None);
        pending.clear();
        for (i, s) in self.slots.iter().enumerate() {
            if !worker::due(t_ms, interval_ms, s.every) {
                continue;
            }
            let runner = &mut self.runners[s.runner];
            let start = match runner.start {
                Start::Idle => runner.start(t_ms),
                done => done,
            };
            match start {
                Start::Started => pending.push(i),
                Start::Busy => outcomes[i] = Some((s.timeout, Err(CollectError::TimedOut(s.timeout)))),
                Start::Gone | Start::Idle => {
                    outcomes[i] = Some((Duration::ZERO, Err(CollectError::Panicked("collector thread is gone".into()))))
                }
            }
        }
        wait(&self.done, &self.slots, &mut self.runners, t_ms, started, pending, outcomes);

        let mut batch = std::mem::take(&mut self.batch);
        batch.clear();
        for (i, (s, outcome)) in self.slots.iter_mut().zip(self.outcomes.iter_mut()).enumerate() {
            let Some((elapsed, result)) = outcome.take() else { continue };
            let state = settle(s, result, t_ms, &mut batch, &self.latest, self.scores.as_mut());
            let reason = match &s.health {
                Health::Degraded(reason) => Some(reason.as_str()),
                _ => None,
            };
            match (state, &s.last_error) {
                (CollectorState::Down, Some(e)) => self.statuses.record(i, t_ms, state, Some(e), elapsed),
                _ => self.statuses.record(i, t_ms, state, reason, elapsed),
            }
            let up = if state == CollectorState::Down { 0.0 } else { 1.0 };
            let degraded = if state == CollectorState::Degraded { 1.0 } else { 0.0 };
            let labels = [("collector", s.name.as_str())];
            let pushed = self
                .own
                .push(&COLLECTOR_UP, &labels, up)
                .and_then(|()| self.own.push(&COLLECTOR_DEGRADED, &labels, degraded))
                .and_then(|()| self.own.push(&COLLECTOR_DURATION, &labels, elapsed.as_secs_f64()));
            if let Err(e) = pushed {
                tracing::error!(collector = %s.name, "recording collector health: {e}");
            }
        }
        if let Some(scores) = &self.scores {
            let pushed = self
                .own
                .push(&ANOMALY_SCORED, &[], scores.scored as f64)
                .and_then(|()| self.own.push(&ANOMALY_SECONDS, &[], scores.spent.as_secs_f64()))
                .and_then(|()| self.own.push(&ANOMALY_SERIES, &[], scores.series() as f64));
            if let Err(e) = pushed {
                tracing::error!("recording the cost of anomaly scores: {e}");
            }
        }
        let own = self.own.take();
        self.latest.publish(SCHEDULER, own.readings);
        batch.extend(own.samples.into_iter().map(|(r, v)| (r, Sample { t: t_ms, v })));
        self.append(&batch);
        self.batch = batch;
        if let (Some(checkpoints), Some(scores)) = (&mut self.checkpoints, &mut self.scores) {
            checkpoints.after_cycle(scores);
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

    /// Lets every collector thread end, and saves the anomaly detectors.
    pub(crate) fn shut_down(&mut self) {
        for r in &mut self.runners {
            r.shut_down();
        }
        if let (Some(checkpoints), Some(scores)) = (&mut self.checkpoints, &mut self.scores) {
            checkpoints.shut_down(scores);
        }
    }
}

/// Collects the answers of cycle `t_ms` until every collector run in `pending` has answered
/// or passed its timeout (counted from `started`). A run is marked timed out as soon as its
/// deadline has passed, before any later answer is looked at, and only runs still pending
/// are answered: a run that answers after its timeout keeps its timeout as the outcome.
/// Every answer frees its thread.
fn wait(
    done: &Receiver<Done>,
    slots: &[Slot],
    runners: &mut [Runner],
    t_ms: i64,
    started: Instant,
    pending: &mut Vec<usize>,
    outcomes: &mut [Option<(Duration, RunResult)>],
) {
    loop {
        let now = Instant::now();
        pending.retain(|&i| {
            let timeout = slots[i].timeout;
            let late = started + timeout <= now;
            if late {
                outcomes[i] = Some((timeout, Err(CollectError::TimedOut(timeout))));
            }
            !late
        });
        let Some(deadline) = pending.iter().map(|&i| started + slots[i].timeout).min() else { return };
        match done.recv_timeout(deadline.saturating_duration_since(now)) {
            Ok(answer) => {
                runners[answer.runner].busy = false;
                // Answers for an earlier cycle, or after a run's timeout, are dropped.
                if answer.t_ms != t_ms {
                    continue;
                }
                for (i, elapsed, result) in answer.runs {
                    if let Some(at) = pending.iter().position(|&p| p == i) {
                        pending.swap_remove(at);
                        outcomes[i] = Some((elapsed, result));
                    }
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
/// them, when it failed) get a staleness marker, and its health is updated (and logged
/// when it changes). With `scores`, its samples are scored and vanished series' scores end
/// too. Returns the collector's new state.
fn settle(
    s: &mut Slot,
    result: RunResult,
    t_ms: i64,
    batch: &mut Vec<(SeriesRef, Sample)>,
    latest: &Latest,
    scores: Option<&mut AnomalyScores>,
) -> CollectorState {
    match result {
        Ok(out) => {
            s.seen.clear();
            s.seen.extend(out.samples.iter().map(|(r, _)| *r));
            s.gone.clear();
            s.gone.extend(s.live.difference(&s.seen));
            if let Some(scores) = scores {
                scores.forget(t_ms, s.gone.iter().copied(), batch);
                scores.observe(t_ms, &out.samples, &out.readings, batch);
            }
            batch.extend(s.gone.iter().map(|r| (*r, Sample { t: t_ms, v: stale_marker() })));
            std::mem::swap(&mut s.live, &mut s.seen);
            batch.extend(out.samples.into_iter().map(|(r, v)| (r, Sample { t: t_ms, v })));
            latest.publish(&s.name, out.readings);
            s.last_error = None;
            match out.degraded {
                Some(reason) => {
                    s.health.degraded(&s.what, &reason);
                    CollectorState::Degraded
                }
                None => {
                    s.health.up(&s.what);
                    CollectorState::Up
                }
            }
        }
        Err(e) => {
            if let Some(scores) = scores {
                scores.forget(t_ms, s.live.iter().copied(), batch);
            }
            batch.extend(s.live.drain().map(|r| (r, Sample { t: t_ms, v: stale_marker() })));
            latest.publish(&s.name, Vec::new());
            s.health.down(&s.what, &e);
            s.last_error = Some(e.to_string());
            CollectorState::Down
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

    fn answer(tx: &Sender<Done>, runner: usize, t_ms: i64) {
        let run = (runner, Duration::from_millis(1), Ok(crate::emitter::RunOutput::default()));
        tx.send(Done { runner, t_ms, runs: vec![run] }).unwrap();
    }

    #[test]
    fn an_answer_after_the_timeout_does_not_overwrite_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let (tx, done) = mpsc::channel();
        let cycle = Duration::from_secs(60);
        let collectors: Vec<Box<dyn Collector>> = vec![Box::new(Idle(Some(Duration::from_millis(10)))), Box::new(Idle(None))];
        let (slots, mut runners) = worker::spawn(collectors, &store, &[], &tx, cycle).unwrap();
        assert_eq!(runners.len(), 2, "collectors that can block get a thread each");
        for r in &mut runners {
            r.busy = true;
        }
        // The cycle started a second ago: worker 0's 10 ms are over, worker 1's 48 s are not.
        // Both answer now, worker 0 too late.
        let started = Instant::now().checked_sub(Duration::from_secs(1)).unwrap();
        answer(&tx, 0, 5000);
        answer(&tx, 1, 5000);
        let mut pending = vec![0, 1];
        let mut outcomes: Vec<Option<(Duration, RunResult)>> = vec![None, None];
        wait(&done, &slots, &mut runners, 5000, started, &mut pending, &mut outcomes);

        assert!(pending.is_empty());
        let shown: Vec<String> = outcomes.iter().map(|o| format!("{:?}", o.as_ref().unwrap().1.as_ref().map(|_| ()))).collect();
        assert_eq!(shown, ["Err(TimedOut(10ms))", "Ok(())"]);
        assert!(runners.iter().all(|r| !r.busy), "every thread that answered is free again");
        for r in &mut runners {
            r.shut_down();
        }
    }
}
