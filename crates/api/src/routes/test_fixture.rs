//! What the routes' tests share: a ready router over an empty store of its own.

use std::sync::Arc;

use axum::Router;
use vitals_collect::{Latest, Statuses};
use vitals_query::{Engine, EngineOptions};
use vitals_state::State;
use vitals_store::{Store, StoreOptions};

use crate::{router, App, Ready};

/// A router whose store and state live in a temporary directory, removed with it.
pub(super) struct Fixture {
    _dir: tempfile::TempDir,
    /// The API over the store, ready to answer.
    pub(super) app: Router,
    /// The [`App`] behind `app`, for tests that act on it once it is routed (e.g. shut its streams).
    pub(super) handle: App,
    /// The store behind `app`.
    pub(super) store: Store,
    /// The state behind `app`.
    pub(super) state: Arc<State>,
}

/// A ready router over a new, empty store with the default options (no background work, so
/// imports are read at once).
pub(super) fn fixture() -> Fixture {
    fixture_with(StoreOptions::default(), |_| {})
}

/// A ready router over a new, empty store opened with `options` but with no background work;
/// `setup` is given the [`App`] once ready and before it is routed (e.g. to start its live streams).
pub(super) fn fixture_with(options: StoreOptions, setup: impl FnOnce(&App)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions { background: false, ..options }).unwrap();
    let state = Arc::new(State::open(dir.path()).unwrap());
    let handle = App::new();
    let engine = Engine::new(store.clone(), EngineOptions::default());
    handle.set_ready(Ready {
        store: store.clone(),
        state: state.clone(),
        latest: Latest::default(),
        collectors: Statuses::default(),
        engine,
    });
    setup(&handle);
    Fixture { _dir: dir, app: router(handle.clone()), handle, store, state }
}
