//! The audit log: who did what, when, with a JSON detail.

use rusqlite::params;

use crate::{State, StateError};

/// One audit log entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Increasing id.
    pub id: i64,
    /// When, in milliseconds since the Unix epoch.
    pub time_ms: i64,
    /// Who: `vitals` for the server itself, `cli` for a command, `http <address>` for a client.
    pub actor: String,
    /// What, as a dotted word: `serve.start`, `serve.stop`, `import`.
    pub action: String,
    /// Details of the action.
    pub detail: serde_json::Value,
}

impl State {
    /// Records that `actor` did `action`, with `detail`; returns the entry's id.
    pub fn audit(&self, actor: &str, action: &str, detail: serde_json::Value) -> Result<i64, StateError> {
        let time_ms = State::now_ms();
        let conn = self.conn();
        conn.execute(
            "INSERT INTO audit (time_ms, actor, action, detail) VALUES (?1, ?2, ?3, ?4)",
            params![time_ms, actor, action, detail.to_string()],
        )
        .map_err(|source| StateError::Sql { path: self.path.clone(), action: "writing an audit entry", source })?;
        Ok(conn.last_insert_rowid())
    }

    /// The `limit` most recent audit entries, newest first.
    pub fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEntry>, StateError> {
        let sql = |source| StateError::Sql { path: self.path.clone(), action: "reading the audit log", source };
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT id, time_ms, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?1").map_err(sql)?;
        let rows = stmt
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |row| {
                Ok((row.get::<_, i64>(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get::<_, String>(4)?))
            })
            .map_err(sql)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, time_ms, actor, action, detail) = row.map_err(sql)?;
            let detail = serde_json::from_str(&detail).map_err(|source| StateError::BadDetail { path: self.path.clone(), id, source })?;
            out.push(AuditEntry { id, time_ms, actor, action, detail });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::migrations;

    use super::*;

    #[test]
    fn entries_come_back_newest_first_with_their_detail() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        let first = state.audit("vitals", "serve.start", json!({"version": "0.1.0"})).unwrap();
        let second = state.audit("http 127.0.0.1:5000", "import", json!({"accepted": 3, "rejected": 0})).unwrap();
        assert!(second > first);
        let got = state.recent_audit(10).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].id, got[0].actor.as_str(), got[0].action.as_str()), (second, "http 127.0.0.1:5000", "import"));
        assert_eq!(got[0].detail, json!({"accepted": 3, "rejected": 0}));
        assert_eq!(got[1].detail["version"], "0.1.0");
        assert!(got[0].time_ms >= got[1].time_ms && got[1].time_ms > 1_600_000_000_000);
        assert_eq!(state.recent_audit(1).unwrap().len(), 1);
    }

    #[test]
    fn reopening_keeps_entries_and_does_not_migrate_twice() {
        let dir = tempfile::tempdir().unwrap();
        State::open(dir.path()).unwrap().audit("cli", "import", json!({})).unwrap();
        let state = State::open(dir.path()).unwrap();
        assert_eq!(state.recent_audit(10).unwrap().len(), 1);
        let conn = state.conn();
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, migrations::latest());
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_newer_schema_is_refused_with_its_version() {
        let dir = tempfile::tempdir().unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("state.sqlite")).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = State::open(dir.path()).err().unwrap();
        assert!(matches!(err, StateError::TooNew { found: 99, .. }), "{err}");
        let known = format!("schema version 99 is newer than this Vitals knows (up to {})", migrations::latest());
        assert!(err.to_string().contains(&known), "{err}");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("state.sqlite"), b"this is not sqlite, just some text that is long enough").unwrap();
        let err = State::open(dir.path()).err().unwrap().to_string();
        assert!(err.starts_with("state database ") && err.contains("state.sqlite"), "{err}");
    }
}
