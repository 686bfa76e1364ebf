//! One collector on a thread of its own: it runs when the scheduler sends a job and
//! answers with its samples, so a stuck collector holds up nobody but itself.

use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use vitals_store::SeriesRef;

use crate::health::Health;
use crate::latest::Reading;
use crate::{CollectError, Collector, Emitter};

/// A run's samples and readings, or why it failed.
pub(crate) type RunResult = Result<(Vec<(SeriesRef, f64)>, Vec<Reading>), CollectError>;

/// A finished run, sent back to the scheduler.
pub(crate) struct Done {
    /// Which worker.
    pub worker: usize,
    /// The cycle timestamp the run was for.
    pub t_ms: i64,
    /// How long `collect` took.
    pub elapsed: Duration,
    /// What it produced.
    pub result: RunResult,
}

/// The scheduler's side of a worker.
pub(crate) struct Worker {
    /// The collector's name.
    pub name: String,
    /// Runs every this many cycles.
    pub every: i64,
    /// Longest a run may take.
    pub timeout: Duration,
    /// A run was started and has not answered yet.
    pub busy: bool,
    /// Series written by the last successful run: those missing next time get a
    /// staleness marker.
    pub live: HashSet<SeriesRef>,
    /// Up or down, for logging changes only.
    pub health: Health,
    jobs: Option<Sender<i64>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread for `collector`; `index` identifies its answers on `done`.
    pub(crate) fn spawn(
        index: usize,
        mut collector: Box<dyn Collector>,
        mut emitter: Emitter,
        done: Sender<Done>,
        cycle: Duration,
    ) -> std::io::Result<Worker> {
        let name = collector.name().to_owned();
        let cycle_ms = cycle.as_millis().max(1);
        let every = collector.interval().map_or(1, |i| i.as_millis().div_ceil(cycle_ms).max(1)) as i64;
        let cap = cycle.mul_f64(0.8);
        let timeout = collector.timeout().map_or(cap, |t| t.min(cap));
        let (jobs, rx): (Sender<i64>, Receiver<i64>) = mpsc::channel();
        let thread = thread::Builder::new().name(format!("collector-{name}")).spawn(move || {
            while let Ok(t_ms) = rx.recv() {
                let started = Instant::now();
                emitter.clear();
                let outcome = panic::catch_unwind(AssertUnwindSafe(|| collector.collect(&mut emitter)));
                let result = match outcome {
                    Ok(Ok(())) => Ok(emitter.take()),
                    Ok(Err(e)) => Err(e),
                    Err(payload) => Err(CollectError::Panicked(panic_message(payload.as_ref()))),
                };
                if done.send(Done { worker: index, t_ms, elapsed: started.elapsed(), result }).is_err() {
                    return;
                }
            }
        })?;
        Ok(Worker {
            name,
            every,
            timeout,
            busy: false,
            live: HashSet::new(),
            health: Health::default(),
            jobs: Some(jobs),
            thread: Some(thread),
        })
    }

    /// Asks for a run for cycle `t_ms`; false if the thread is gone.
    pub(crate) fn start(&mut self, t_ms: i64) -> bool {
        let sent = self.jobs.as_ref().is_some_and(|j| j.send(t_ms).is_ok());
        self.busy = sent;
        sent
    }

    /// Lets the thread end; waits for it unless it is still inside a run (a stuck
    /// collector is left behind rather than holding up shutdown).
    pub(crate) fn shut_down(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            if !self.busy && thread.join().is_err() {
                tracing::error!(collector = %self.name, "collector thread panicked outside a run");
            }
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}
