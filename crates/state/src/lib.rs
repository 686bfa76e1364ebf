//! Vitals' state database: the SQLite file `<data_dir>/state.sqlite` that holds what is not
//! a time series — the audit log now; alerts, recommendations and benchmark runs later.
//!
//! [`State::open`] creates or upgrades the schema (numbered migrations recorded in SQLite's
//! `PRAGMA user_version`) and runs the database in WAL journal mode, so readers never wait
//! for the writer. [`State::audit`] records who did what; [`State::recent_audit`] reads it
//! back, newest first. [`State::save_detectors`] and [`State::load_detectors`] keep the
//! anomaly detectors' learnt state across restarts of `vitals serve`.
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! let state = vitals_state::State::open(dir.path())?;
//! state.audit("cli", "import", serde_json::json!({"source": "node.prom", "accepted": 42}))?;
//! let entries = state.recent_audit(10)?;
//! assert_eq!(entries[0].action, "import");
//! assert_eq!(entries[0].detail["accepted"], 42);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod audit;
mod detectors;
mod error;
mod migrations;
mod state;

pub use audit::AuditEntry;
pub use error::StateError;
pub use state::State;
