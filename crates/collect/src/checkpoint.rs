//! Checkpoints of the anomaly detectors into the state database, so that a restart of
//! `vitals serve` continues from what they learnt rather than relearning every series (and
//! flagging whatever looks new meanwhile).
//!
//! Every [`CHECKPOINT_EVERY`] of cycles the scheduler thread snapshots every detector (a copy
//! of a few hundred bytes each) and hands the snapshot to one writer thread, so a cycle
//! never waits for SQLite and two writes never overlap; at shutdown the writer is let finish
//! and the last snapshot is written on the scheduler thread. A failed write is logged and
//! collection goes on.

use std::collections::HashMap;
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use vitals_state::State;

use crate::anomaly_scores::AnomalyScores;

/// Time between checkpoints, counted in cycles of the collection interval.
pub(crate) const CHECKPOINT_EVERY: Duration = Duration::from_secs(600);

/// One snapshot: score series' labels as text, detector state.
type Snapshot = Vec<(String, Vec<u8>)>;

/// The detectors saved in `state`, or none (logged) if they cannot be read.
pub(crate) fn load(state: &State) -> HashMap<String, Vec<u8>> {
    state.load_detectors().unwrap_or_else(|e| {
        tracing::error!("the anomaly detectors start afresh: {e}");
        HashMap::new()
    })
}

/// The checkpoints' schedule and writer.
pub(crate) struct Checkpoints {
    state: Arc<State>,
    /// Cycles between checkpoints, and cycles since the last one.
    every: u64,
    cycles: u64,
    writer: Option<(SyncSender<Snapshot>, JoinHandle<()>)>,
}

impl Checkpoints {
    /// Checkpoints into `state` for cycles of `interval`; spawns the writer thread.
    pub(crate) fn start(state: Arc<State>, interval: Duration) -> std::io::Result<Checkpoints> {
        let every = CHECKPOINT_EVERY.as_millis().div_ceil(interval.as_millis().max(1));
        // Room for one snapshot: if the writer is still busy with the previous one (ten
        // minutes on), the new one is skipped rather than queued or waited for.
        let (tx, rx) = mpsc::sync_channel::<Snapshot>(1);
        let writer_state = state.clone();
        let thread = thread::Builder::new().name("anomaly-checkpoint".into()).spawn(move || {
            for snapshot in rx {
                write(&writer_state, &snapshot);
            }
        })?;
        Ok(Checkpoints { state, every: u64::try_from(every).unwrap_or(u64::MAX).max(1), cycles: 0, writer: Some((tx, thread)) })
    }

    /// Counts a cycle; when a checkpoint is due, snapshots `scores` for the writer thread.
    /// Restored detectors whose series did not come back within the period are dropped.
    pub(crate) fn after_cycle(&mut self, scores: &mut AnomalyScores) {
        self.cycles += 1;
        if self.cycles < self.every {
            return;
        }
        self.cycles = 0;
        let Some((tx, _)) = &self.writer else { return };
        match tx.try_send(scores.snapshot(true)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                tracing::warn!("the previous anomaly detector checkpoint is still being written; skipping this one")
            }
            Err(TrySendError::Disconnected(_)) => tracing::error!("the anomaly detector checkpoint writer is gone; no checkpoint written"),
        }
    }

    /// Lets a write in progress finish, then writes the last snapshot of `scores`.
    pub(crate) fn shut_down(&mut self, scores: &mut AnomalyScores) {
        if let Some((tx, thread)) = self.writer.take() {
            drop(tx);
            if thread.join().is_err() {
                tracing::error!("the anomaly detector checkpoint writer panicked");
            }
        }
        write(&self.state, &scores.snapshot(false));
    }
}

/// Writes `snapshot`, logging the outcome.
fn write(state: &State, snapshot: &Snapshot) {
    let started = Instant::now();
    match state.save_detectors(snapshot) {
        Ok(()) => tracing::debug!("saved {} anomaly detectors in {:?}", snapshot.len(), started.elapsed()),
        Err(e) => tracing::error!("saving the anomaly detectors (collection goes on): {e}"),
    }
}

#[cfg(test)]
mod tests {
    use vitals_analytics::AnomalyParams;
    use vitals_store::{Labels, Store, StoreOptions};

    use super::*;
    use crate::latest::{Reading, SeriesInfo};
    use crate::Metric;

    const LOAD: Metric = Metric::gauge("node_load1", "1m load average.", "");

    #[test]
    fn a_checkpoint_is_written_every_ten_minutes_of_cycles_and_at_shutdown() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store"), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        let state = Arc::new(State::open(dir.path()).unwrap());
        let mut scores = AnomalyScores::new(store.clone(), Vec::new(), AnomalyParams::default(), HashMap::new());
        let load = store.series_ref(&Labels::from_pairs([("__name__", "node_load1")])).unwrap();
        let reading = Reading { series: Arc::new(SeriesInfo { metric: &LOAD, labels: Vec::new() }), value: 1.0 };
        let cycle = |scores: &mut AnomalyScores, i: i64| {
            scores.observe(i * 1000, &[(load, 1.0 + (i % 3) as f64)], std::slice::from_ref(&reading), &mut Vec::new());
        };
        // Cycles of 4 minutes: a checkpoint every third one.
        let mut checkpoints = Checkpoints::start(state.clone(), Duration::from_secs(240)).unwrap();
        for i in 0..2 {
            cycle(&mut scores, i);
            checkpoints.after_cycle(&mut scores);
        }
        assert!(state.load_detectors().unwrap().is_empty(), "no checkpoint before ten minutes");
        cycle(&mut scores, 2);
        checkpoints.after_cycle(&mut scores);
        let key = r#"vitals_anomaly_score{metric="node_load1"}"#;
        let started = Instant::now();
        while state.load_detectors().unwrap().is_empty() {
            assert!(started.elapsed() < Duration::from_secs(10), "the checkpoint was not written");
            thread::sleep(Duration::from_millis(5));
        }
        let first = state.load_detectors().unwrap();
        assert_eq!(first.keys().collect::<Vec<_>>(), [key]);
        // More learnt, then shutdown: its snapshot is written before it returns.
        cycle(&mut scores, 3);
        checkpoints.shut_down(&mut scores);
        let last = state.load_detectors().unwrap();
        assert_eq!(last.len(), 1);
        assert_ne!(last[key], first[key], "the shutdown's snapshot has the cycle learnt after the checkpoint");
        assert_eq!(last[key], scores.snapshot(false)[0].1);
    }
}
