//! Up/degraded/down state of a collector or of the store writes, logged when it changes
//! (a different degradation reason counts as a change) rather than every cycle.

use std::fmt::Display;

/// The last known state.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) enum Health {
    /// Nothing happened yet.
    #[default]
    Unknown,
    /// The last attempt worked.
    Up,
    /// The last attempt wrote some series but failed part of its reading, for this reason.
    Degraded(String),
    /// The last attempt failed.
    Down,
}

impl Health {
    /// Records a success; logs a recovery.
    pub(crate) fn up(&mut self, what: &str) {
        match self {
            Health::Down => tracing::info!("{what} recovered"),
            Health::Degraded(_) => tracing::info!("{what} recovered: no longer degraded"),
            Health::Unknown | Health::Up => {}
        }
        *self = Health::Up;
    }

    /// Records a partial success; logs it when it starts or its reason changes.
    pub(crate) fn degraded(&mut self, what: &str, reason: &str) {
        if let Health::Degraded(old) = self {
            if old == reason {
                return;
            }
        }
        tracing::warn!("{what} degraded: {reason} (logged again when this changes)");
        *self = Health::Degraded(reason.to_owned());
    }

    /// Records a failure; logs it when it is the first of a run of failures.
    pub(crate) fn down(&mut self, what: &str, why: &dyn Display) {
        if *self == Health::Down {
            tracing::debug!("{what} still failing: {why}");
        } else {
            tracing::warn!("{what} failed: {why} (further failures are logged once it has recovered)");
        }
        *self = Health::Down;
    }
}
