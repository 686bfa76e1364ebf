//! Schema migrations: numbered SQL scripts, applied in order, the count kept in
//! `PRAGMA user_version`.

use std::path::Path;

use rusqlite::Connection;

use crate::StateError;

/// Migration `i` takes the schema from version `i` to `i + 1`. Never edit one that has
/// shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: the audit log.
    "CREATE TABLE audit (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        time_ms INTEGER NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        detail  TEXT NOT NULL CHECK (json_valid(detail))
    );
    CREATE INDEX audit_time ON audit (time_ms);",
    // 2: the anomaly detectors' learnt state, one row per judged series.
    "CREATE TABLE anomaly_detectors (
        series   TEXT PRIMARY KEY,
        state    BLOB NOT NULL,
        saved_ms INTEGER NOT NULL
    );",
];

/// Brings the schema up to date, each migration in its own transaction.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StateError> {
    let sql = |action| move |source| StateError::Sql { path: path.to_path_buf(), action, source };
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(sql("reading the schema version"))?;
    if found > known {
        return Err(StateError::TooNew { path: path.to_path_buf(), found, known });
    }
    for (version, script) in (1..).zip(MIGRATIONS).skip(found.max(0) as usize) {
        let tx = conn.transaction().map_err(sql("starting a migration"))?;
        tx.execute_batch(script).map_err(sql("applying a schema migration"))?;
        tx.pragma_update(None, "user_version", version).map_err(sql("recording the schema version"))?;
        tx.commit().map_err(sql("committing a schema migration"))?;
    }
    Ok(())
}

/// The schema version this build creates.
#[cfg(test)]
pub(crate) fn latest() -> i64 {
    MIGRATIONS.len() as i64
}
