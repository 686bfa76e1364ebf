//! The state every handler shares: empty until the store is open.

use std::sync::{Arc, OnceLock};

use vitals_collect::Latest;
use vitals_state::State;
use vitals_store::Store;

use crate::error::ApiError;

/// What the routes need once Vitals is up.
pub struct Ready {
    /// The time-series store.
    pub store: Store,
    /// The state database (for the audit log).
    pub state: Arc<State>,
    /// The collectors' latest readings (for `/metrics`).
    pub latest: Latest,
}

/// Shared handler state. The server starts before the store has replayed its WAL; until
/// [`App::set_ready`] is called every route but `/-/healthy` answers 503.
#[derive(Clone, Default)]
pub struct App {
    ready: Arc<OnceLock<Ready>>,
}

impl App {
    /// An app that is not ready yet.
    pub fn new() -> App {
        App::default()
    }

    /// Marks the app ready; only the first call has an effect.
    pub fn set_ready(&self, ready: Ready) {
        let _ = self.ready.set(ready);
    }

    /// What the routes need, or 503 while the store is still opening.
    pub(crate) fn ready(&self) -> Result<&Ready, ApiError> {
        self.ready.get().ok_or_else(|| ApiError::unavailable("Vitals is starting: the store is still opening (replaying its WAL)"))
    }
}
