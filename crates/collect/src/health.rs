//! Up/down state of a collector or of the store writes, logged when it changes rather than
//! every cycle.

use std::fmt::Display;

/// The last known state.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Health {
    /// Nothing happened yet.
    #[default]
    Unknown,
    /// The last attempt worked.
    Up,
    /// The last attempt failed.
    Down,
}

impl Health {
    /// Records a success; logs a recovery.
    pub(crate) fn up(&mut self, what: &str) {
        if *self == Health::Down {
            tracing::info!("{what} recovered");
        }
        *self = Health::Up;
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
