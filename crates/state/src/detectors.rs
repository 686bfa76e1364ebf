//! The anomaly detectors' learnt state, saved by `vitals serve` so that a restart continues
//! from it: one blob per judged series, the whole set replaced at each save.

use std::collections::HashMap;

use rusqlite::params;

use crate::{State, StateError};

impl State {
    /// Replaces the saved detectors with `detectors` (judged series, state), in one
    /// transaction: a reader sees the old set or the new one, never a mix.
    pub fn save_detectors(&self, detectors: &[(String, Vec<u8>)]) -> Result<(), StateError> {
        let sql = |action| move |source| StateError::Sql { path: self.path.clone(), action, source };
        let saved_ms = State::now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sql("starting to save anomaly detectors"))?;
        tx.execute("DELETE FROM anomaly_detectors", []).map_err(sql("removing the saved anomaly detectors"))?;
        {
            let mut insert = tx
                .prepare_cached("INSERT INTO anomaly_detectors (series, state, saved_ms) VALUES (?1, ?2, ?3)")
                .map_err(sql("preparing to save anomaly detectors"))?;
            for (series, state) in detectors {
                insert.execute(params![series, state, saved_ms]).map_err(sql("saving an anomaly detector"))?;
            }
        }
        tx.commit().map_err(sql("committing the saved anomaly detectors"))
    }

    /// The saved detectors: judged series to state.
    pub fn load_detectors(&self) -> Result<HashMap<String, Vec<u8>>, StateError> {
        let sql = |source| StateError::Sql { path: self.path.clone(), action: "reading the saved anomaly detectors", source };
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT series, state FROM anomaly_detectors").map_err(sql)?;
        let rows = stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?))).map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(&str, &[u8])]) -> Vec<(String, Vec<u8>)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.to_vec())).collect()
    }

    #[test]
    fn a_saved_set_comes_back_after_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        assert!(state.load_detectors().unwrap().is_empty(), "nothing saved yet");
        let saved = set(&[("vitals_anomaly_score{metric=\"node_load1\"}", &[1, 2, 3]), ("vitals_anomaly_score{metric=\"x\"}", &[0; 530])]);
        state.save_detectors(&saved).unwrap();
        drop(state);
        let got = State::open(dir.path()).unwrap().load_detectors().unwrap();
        assert_eq!(got, saved.into_iter().collect::<HashMap<_, _>>());
    }

    #[test]
    fn a_second_save_replaces_the_whole_set() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        state.save_detectors(&set(&[("a", &[1]), ("b", &[2])])).unwrap();
        state.save_detectors(&set(&[("b", &[3]), ("c", &[4])])).unwrap();
        let got = state.load_detectors().unwrap();
        assert_eq!(got, set(&[("b", &[3]), ("c", &[4])]).into_iter().collect::<HashMap<_, _>>());
        state.save_detectors(&[]).unwrap();
        assert!(state.load_detectors().unwrap().is_empty());
    }

    #[test]
    fn a_failed_save_keeps_the_previous_set() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        state.save_detectors(&set(&[("a", &[1])])).unwrap();
        // The same series twice breaks the key: the transaction is rolled back.
        let err = state.save_detectors(&set(&[("b", &[2]), ("b", &[3])])).unwrap_err().to_string();
        assert!(err.contains("saving an anomaly detector"), "{err}");
        assert_eq!(state.load_detectors().unwrap(), set(&[("a", &[1])]).into_iter().collect::<HashMap<_, _>>());
    }
}
