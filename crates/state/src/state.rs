//! Opening the database: the file, its pragmas and its schema.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::Connection;

use crate::migrations;
use crate::StateError;

/// The file name inside the data directory.
const FILE_NAME: &str = "state.sqlite";

/// An open state database. Share it behind an `Arc`; calls are serialised on one connection,
/// which suits its small, infrequent writes.
pub struct State {
    pub(crate) conn: Mutex<Connection>,
    pub(crate) path: PathBuf,
}

impl State {
    /// Opens (creating if needed) `<data_dir>/state.sqlite`, switches it to WAL journal
    /// mode and applies pending schema migrations.
    pub fn open(data_dir: &Path) -> Result<State, StateError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StateError::CreateDir { path: data_dir.to_path_buf(), source })?;
        let path = data_dir.join(FILE_NAME);
        let at = path.as_path();
        let sql = |action| move |source| StateError::Sql { path: at.to_path_buf(), action, source };
        let mut conn = Connection::open(&path).map_err(sql("opening"))?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(sql("setting the busy timeout"))?;
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0)).map_err(sql("enabling WAL mode"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StateError::NoWal { path, mode });
        }
        conn.pragma_update(None, "synchronous", "normal").map_err(sql("setting synchronous mode"))?;
        migrations::migrate(&mut conn, &path)?;
        Ok(State { conn: Mutex::new(conn), path })
    }

    /// The wall clock in Unix ms, as rows record their time.
    pub(crate) fn now_ms() -> i64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }

    /// The connection; a panic in another caller does not make the database unusable.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
