//! The threads collectors run on. A collector whose reads can block (a hung network file
//! system, a slow sensor bus, a lock) gets a thread of its own, so a stuck one holds up
//! nobody but itself. Those that only read kernel-generated `/proc` files or make system
//! calls that return at once ([`Collector::can_block`] false) share one thread and run one
//! after the other: each cycle wakes one thread for all of them instead of one each, which
//! is most of a cheap collector's cost. Every run is still caught on its own: a shared
//! collector that fails or panics is down alone.

use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use vitals_store::{SeriesRef, Store};

use crate::emitter::RunOutput;
use crate::health::Health;
use crate::{CollectError, Collector, Emitter};

/// A run's samples, readings and degradation, or why it failed.
pub(crate) type RunResult = Result<RunOutput, CollectError>;

/// One collector's run: its index among the collectors, how long it took, what it gave.
pub(crate) type Outcome = (usize, Duration, RunResult);

/// The runs of one thread for one cycle, sent back to the scheduler.
pub(crate) struct Done {
    /// Which thread (index in the runners).
    pub runner: usize,
    /// The cycle timestamp the runs were for.
    pub t_ms: i64,
    /// Each due collector's run, in order.
    pub runs: Vec<Outcome>,
}

/// The scheduler's side of one collector.
pub(crate) struct Slot {
    /// The collector's name.
    pub name: String,
    /// Runs every this many cycles.
    pub every: i64,
    /// How often it runs: `every` cycles.
    pub interval: Duration,
    /// Longest a run may take.
    pub timeout: Duration,
    /// The thread it runs on (index in the runners).
    pub runner: usize,
    /// Series written by the last successful run: those missing next time get a
    /// staleness marker.
    pub live: HashSet<SeriesRef>,
    /// Scratch set for the current run's series, kept to reuse its memory.
    pub seen: HashSet<SeriesRef>,
    /// Scratch list of the series the current run no longer writes, kept to reuse its memory.
    pub gone: Vec<SeriesRef>,
    /// Up, degraded or down, for logging changes only.
    pub health: Health,
    /// Why the last run failed, for the status API.
    pub last_error: Option<String>,
    /// `collector <name>`, as logs name it.
    pub what: String,
}

/// What became of a thread's start this cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// None of its collectors is due.
    Idle,
    /// Asked to run.
    Started,
    /// Still inside an earlier run (it timed out).
    Busy,
    /// The thread is gone.
    Gone,
}

/// The scheduler's side of one thread.
pub(crate) struct Runner {
    /// `collector <name>` or `shared collector thread`, for logs.
    what: String,
    /// A run was started and has not answered yet.
    pub busy: bool,
    /// This cycle's start.
    pub start: Start,
    jobs: Option<Sender<i64>>,
    thread: Option<JoinHandle<()>>,
}

/// A collector on its thread, with its own emitter.
struct Member {
    index: usize,
    every: i64,
    collector: Box<dyn Collector>,
    emitter: Emitter,
}

/// Whether a collector running every `every` cycles of `interval_ms` is due in cycle `t_ms`.
pub(crate) fn due(t_ms: i64, interval_ms: i64, every: i64) -> bool {
    t_ms.div_euclid(interval_ms) % every == 0
}

/// The cycle interval in whole milliseconds, at least 1, as the scheduler counts it.
pub(crate) fn interval_ms(cycle: Duration) -> i64 {
    i64::try_from(cycle.as_millis()).unwrap_or(i64::MAX).max(1)
}

/// Starts the threads for `collectors` (cycle length `cycle`): one per collector that can
/// block, one shared by all the others. Each writes through its own emitter on `store` with
/// the `base` labels, and answers on `done`. Slots come in the collectors' order.
pub(crate) fn spawn(
    collectors: Vec<Box<dyn Collector>>,
    store: &Store,
    base: &[(String, String)],
    done: &Sender<Done>,
    cycle: Duration,
) -> std::io::Result<(Vec<Slot>, Vec<Runner>)> {
    let cycle_ms = interval_ms(cycle);
    let cap = cycle.mul_f64(0.8);
    let mut slots = Vec::with_capacity(collectors.len());
    let mut own_threads = Vec::new();
    let mut shared = Vec::new();
    for (index, collector) in collectors.into_iter().enumerate() {
        let name = collector.name().to_owned();
        let every = collector
            .interval()
            .map_or(1, |i| i64::try_from(i.as_millis().div_ceil(cycle_ms.unsigned_abs().into())).unwrap_or(i64::MAX).max(1));
        let timeout = collector.timeout().map_or(cap, |t| t.min(cap));
        let member = Member { index, every, collector, emitter: Emitter::new(store.clone(), base.to_vec()) };
        slots.push(Slot {
            what: format!("collector {name}"),
            name,
            every,
            interval: cycle * u32::try_from(every).unwrap_or(u32::MAX),
            timeout,
            runner: 0,
            live: HashSet::new(),
            seen: HashSet::new(),
            gone: Vec::new(),
            health: Health::default(),
            last_error: None,
        });
        if member.collector.can_block() {
            own_threads.push(member);
        } else {
            shared.push(member);
        }
    }
    let mut runners = Vec::new();
    let mut groups: Vec<(String, Vec<Member>)> = own_threads.into_iter().map(|m| (slots[m.index].name.clone(), vec![m])).collect();
    if !shared.is_empty() {
        groups.push(("shared".to_owned(), shared));
    }
    for (name, members) in groups {
        let what = if members.len() == 1 { format!("collector {name}") } else { "shared collector thread".to_owned() };
        for m in &members {
            slots[m.index].runner = runners.len();
        }
        runners.push(Runner::spawn(runners.len(), format!("collector-{name}"), what, members, done.clone(), cycle_ms)?);
    }
    Ok((slots, runners))
}

impl Runner {
    /// Starts the thread `thread_name` running `members`; `index` identifies its answers.
    fn spawn(
        index: usize,
        thread_name: String,
        what: String,
        mut members: Vec<Member>,
        done: Sender<Done>,
        cycle_ms: i64,
    ) -> std::io::Result<Runner> {
        let (jobs, rx): (Sender<i64>, Receiver<i64>) = mpsc::channel();
        let thread = thread::Builder::new().name(thread_name).spawn(move || {
            while let Ok(t_ms) = rx.recv() {
                let mut runs = Vec::with_capacity(members.len());
                for m in members.iter_mut().filter(|m| due(t_ms, cycle_ms, m.every)) {
                    let started = Instant::now();
                    let result = run(m);
                    runs.push((m.index, started.elapsed(), result));
                }
                if done.send(Done { runner: index, t_ms, runs }).is_err() {
                    return;
                }
            }
        })?;
        Ok(Runner { what, busy: false, start: Start::Idle, jobs: Some(jobs), thread: Some(thread) })
    }

    /// Asks for the runs of cycle `t_ms`, unless it is still busy with an earlier one;
    /// records and returns what became of it.
    pub(crate) fn start(&mut self, t_ms: i64) -> Start {
        self.start = if self.busy {
            Start::Busy
        } else if self.jobs.as_ref().is_some_and(|j| j.send(t_ms).is_ok()) {
            self.busy = true;
            Start::Started
        } else {
            Start::Gone
        };
        self.start
    }

    /// Lets the thread end; waits for it unless it is still inside a run (a stuck
    /// collector is left behind rather than holding up shutdown).
    pub(crate) fn shut_down(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            if !self.busy && thread.join().is_err() {
                tracing::error!("{} panicked outside a run", self.what);
            }
        }
    }
}

/// One run of a member, a panic caught as its failure.
fn run(m: &mut Member) -> RunResult {
    m.emitter.clear();
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| m.collector.collect(&mut m.emitter)));
    match outcome {
        Ok(Ok(())) => Ok(m.emitter.take()),
        Ok(Err(e)) => Err(e),
        Err(payload) => Err(CollectError::Panicked(panic_message(payload.as_ref()))),
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
