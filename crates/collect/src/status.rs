//! The collectors' states as the API shows them: up, degraded, down or unavailable, with
//! the reason, the last run's duration and the interval.

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a collector's last run gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectorState {
    /// Not run yet.
    Pending,
    /// The last run worked.
    Up,
    /// The last run wrote some series but failed part of its reading.
    Degraded,
    /// The last run failed, timed out or panicked.
    Down,
    /// Not run at all: its source does not exist on this machine.
    Unavailable,
    /// Not run at all: switched off by `collection.disabled`.
    Disabled,
}

impl CollectorState {
    /// The state as one lower-case word (`up`, `degraded`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CollectorState::Pending => "pending",
            CollectorState::Up => "up",
            CollectorState::Degraded => "degraded",
            CollectorState::Down => "down",
            CollectorState::Unavailable => "unavailable",
            CollectorState::Disabled => "disabled",
        }
    }
}

/// One collector's current state.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectorStatus {
    /// The collector's name.
    pub name: String,
    /// Its state.
    pub state: CollectorState,
    /// Why it is degraded, down, unavailable or disabled; `None` when up.
    pub reason: Option<String>,
    /// How long its last run took.
    pub last_duration: Option<Duration>,
    /// When its last run's cycle was stamped (ms since the epoch).
    pub last_run_ms: Option<i64>,
    /// How often it runs.
    pub interval: Duration,
}

/// A collector that is not run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotRun {
    /// The collector's name.
    pub name: String,
    /// [`CollectorState::Unavailable`] or [`CollectorState::Disabled`].
    pub state: CollectorState,
    /// Why.
    pub reason: String,
}

/// Shared view of every collector's status, in the scheduler's order. Cheap to clone.
#[derive(Clone, Default)]
pub struct Statuses {
    all: Arc<Mutex<Vec<CollectorStatus>>>,
}

impl Statuses {
    /// Every collector's status: those that run first, then those that do not.
    pub fn snapshot(&self) -> Vec<CollectorStatus> {
        self.all.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Starts the list: `running` collectors pending, with their intervals, then `not_run`.
    pub(crate) fn init(&self, running: Vec<(String, Duration)>, not_run: &[NotRun]) {
        let mut all: Vec<CollectorStatus> = running
            .into_iter()
            .map(|(name, interval)| CollectorStatus {
                name,
                state: CollectorState::Pending,
                reason: None,
                last_duration: None,
                last_run_ms: None,
                interval,
            })
            .collect();
        all.extend(not_run.iter().map(|n| CollectorStatus {
            name: n.name.clone(),
            state: n.state,
            reason: Some(n.reason.clone()),
            last_duration: None,
            last_run_ms: None,
            interval: Duration::ZERO,
        }));
        *self.all.lock().unwrap_or_else(|p| p.into_inner()) = all;
    }

    /// Records the run of collector `index` in cycle `t_ms`. The reason is copied only when
    /// it changed, so a steady state allocates nothing.
    pub(crate) fn record(&self, index: usize, t_ms: i64, state: CollectorState, reason: Option<&str>, took: Duration) {
        let mut all = self.all.lock().unwrap_or_else(|p| p.into_inner());
        let Some(s) = all.get_mut(index) else { return };
        s.state = state;
        if s.reason.as_deref() != reason {
            s.reason = reason.map(str::to_owned);
        }
        s.last_duration = Some(took);
        s.last_run_ms = Some(t_ms);
    }
}
