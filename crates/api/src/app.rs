//! The state every handler shares: empty until the store is open.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use vitals_collect::{Latest, Statuses};
use vitals_query::Engine;
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
    /// The collectors' states (for `/api/v1/status/collectors`).
    pub collectors: Statuses,
    /// The PromQL engine over `store`, with the configured limits (for `/api/v1/query`
    /// and `/api/v1/query_range`).
    pub engine: Engine,
}

/// What live views follow: the collection's cycles.
pub(crate) struct Live {
    /// The time (ms) of the latest cycle whose samples are stored.
    pub cycles: watch::Receiver<Option<i64>>,
    /// The collection interval.
    pub interval: Duration,
}

/// What `/api/v1/status/buildinfo` tells about this build.
#[derive(Clone, Copy, Debug)]
pub struct BuildInfo {
    /// Vitals' version, such as `0.1.0`.
    pub version: &'static str,
    /// The git commit it was built from, or `unknown`.
    pub revision: &'static str,
}

/// Shared handler state. The server starts before the store has replayed its WAL; until
/// [`App::set_ready`] is called every route but `/-/healthy` answers 503.
#[derive(Clone)]
pub struct App {
    ready: Arc<OnceLock<Ready>>,
    live: Arc<OnceLock<Live>>,
    /// Set once shutdown starts: event streams end then, so that they do not hold it up.
    closing: Arc<watch::Sender<bool>>,
    imports: Arc<Semaphore>,
    /// When the app was made: the server's start time for `/api/v1/status/runtimeinfo`.
    pub(crate) started: SystemTime,
    pub(crate) build: BuildInfo,
}

impl Default for App {
    fn default() -> App {
        App {
            ready: Arc::default(),
            live: Arc::default(),
            closing: Arc::new(watch::Sender::new(false)),
            imports: Arc::new(Semaphore::new(CONCURRENT_IMPORTS)),
            started: SystemTime::now(),
            build: BuildInfo { version: env!("CARGO_PKG_VERSION"), revision: "unknown" },
        }
    }
}

impl App {
    /// An app that is not ready yet.
    pub fn new() -> App {
        App::default()
    }

    /// The same app, reporting `build` in `/api/v1/status/buildinfo` (by default the
    /// crate's version and an unknown revision).
    pub fn with_build(mut self, build: BuildInfo) -> App {
        self.build = build;
        self
    }

    /// Marks the app ready; only the first call has an effect.
    pub fn set_ready(&self, ready: Ready) {
        let _ = self.ready.set(ready);
    }

    /// Lets `/api/v1/live` follow the collection: `cycles` gives the time (ms) of each
    /// cycle once its samples are stored (`None` before the first), every `interval`.
    /// Only the first call has an effect.
    pub fn set_live(&self, cycles: watch::Receiver<Option<i64>>, interval: Duration) {
        let _ = self.live.set(Live { cycles, interval });
    }

    /// Ends the open event streams (`/api/v1/live`) and refuses new ones: call it when
    /// shutdown starts, as a graceful shutdown waits for every response to end.
    pub fn close_streams(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once [`App::close_streams`] has been called.
    pub(crate) fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut closing = self.closing.subscribe();
        async move {
            // An error means the sender is gone, with the app: closed too.
            let _ = closing.wait_for(|closed| *closed).await;
        }
    }

    /// Whether [`App::close_streams`] has been called.
    pub(crate) fn is_closing(&self) -> bool {
        *self.closing.borrow()
    }

    /// The collection's cycles, or 503 while they are not known.
    pub(crate) fn live(&self) -> Result<&Live, ApiError> {
        self.live.get().ok_or_else(|| ApiError::unavailable("Vitals is starting: the collectors are not running yet"))
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
