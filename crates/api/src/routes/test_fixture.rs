//! What the analytics routes' tests share: a ready router over an empty store of its own.

use std::sync::Arc;

use axum::Router;
use vitals_collect::{Latest, Statuses};
use vitals_query::{Engine, EngineOptions};
use vitals_state::State;
use vitals_store::{Store, StoreOptions};

use crate::{router, App, Ready};

/// A router whose store lives in a temporary directory, removed with it.
pub(super) struct Fixture {
    _dir: tempfile::TempDir,
    /// The API over the store, ready to answer.
    pub(super) app: Router,
}

/// A ready router over a new, empty store (no background work, so imports are read at once).
pub(super) fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
    let state = Arc::new(State::open(dir.path()).unwrap());
    let app = App::new();
    let engine = Engine::new(store.clone(), EngineOptions::default());
    app.set_ready(Ready { store, state, latest: Latest::default(), collectors: Statuses::default(), engine });
    Fixture { _dir: dir, app: router(app) }
}
