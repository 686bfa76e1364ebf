//! The state every handler shares: empty until the store is open.

use std::sync::{Arc, OnceLock};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use vitals_collect::Latest;
use vitals_state::State;
use vitals_store::Store;

use crate::error::ApiError;

/// Imports that may run at once; more wait for a turn, in order of arrival, before their
/// bodies are read, so that at most this many bodies are held in memory.
const CONCURRENT_IMPORTS: usize = 2;

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
#[derive(Clone)]
pub struct App {
    ready: Arc<OnceLock<Ready>>,
    imports: Arc<Semaphore>,
}

impl Default for App {
    fn default() -> App {
        App { ready: Arc::default(), imports: Arc::new(Semaphore::new(CONCURRENT_IMPORTS)) }
    }
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

    /// Waits for an import's turn; the import runs while the permit is held.
    pub(crate) async fn import_turn(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.imports.clone().acquire_owned().await.map_err(|_| ApiError::unavailable("Vitals is shutting down"))
    }
}
