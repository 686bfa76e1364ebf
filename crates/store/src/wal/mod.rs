//! The write-ahead log: numbered segment files of checksummed records in `wal/`.
//!
//! An append is acknowledged once its records are written to the segment file (so it
//! survives a crash or kill of the process); the [`FsyncPolicy`](crate::FsyncPolicy)
//! decides when the file is also fsynced (so it survives a power loss). Replay at open reads
//! every segment in order; a torn or corrupt record cuts the segment there, with a warning.

pub(crate) mod record;

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::error::{io_err, StoreError};
use record::{read_frame, Frame, Record};

/// The log writer. Writes happen under the store's append lock; syncs go through the
/// shared [`WalSync`] so that they never block writers.
pub(crate) struct Wal {
    dir: PathBuf,
    segment_size: u64,
    seg_no: u64,
    seg_bytes: u64,
    sync: Arc<WalSync>,
}

/// The part of the log that syncing needs, shared between writer and syncers.
pub(crate) struct WalSync {
    file: Mutex<Arc<File>>,
    /// Bytes written since open (a logical position across segments).
    written: AtomicU64,
    /// Position known to be on stable storage.
    synced: Mutex<u64>,
    /// Number of fsync calls, for metrics.
    pub(crate) fsyncs: AtomicU64,
}

/// What replay found.
#[derive(Debug, Default)]
pub(crate) struct ReplayReport {
    /// Segments read.
    pub segments: usize,
    /// Records applied.
    pub records: u64,
    /// Bytes cut off because they were torn or corrupt.
    pub truncated_bytes: u64,
    /// Number of corrupt places found.
    pub corruptions: u64,
}

fn segment_path(dir: &Path, n: u64) -> PathBuf {
    dir.join(format!("{n:08}"))
}

/// Segment numbers present in `dir`, ascending.
pub(crate) fn segments(dir: &Path) -> Result<Vec<u64>, StoreError> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).map_err(io_err("listing", dir))? {
        let e = e.map_err(io_err("listing", dir))?;
        if let Some(n) = e.file_name().to_str().and_then(|s| s.parse::<u64>().ok()) {
            out.push(n);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// Reads every segment in order and hands each good record to `apply`. Corrupt or torn
/// data is cut off at the first bad record of its segment; later segments still replay.
pub(crate) fn replay(dir: &Path, mut apply: impl FnMut(Record)) -> Result<ReplayReport, StoreError> {
    let mut report = ReplayReport::default();
    for n in segments(dir)? {
        let path = segment_path(dir, n);
        let buf = fs::read(&path).map_err(io_err("reading WAL segment", &path))?;
        report.segments += 1;
        let mut off = 0usize;
        loop {
            match read_frame(&buf[off..]) {
                Frame::Ok(rec, len) => {
                    apply(rec);
                    report.records += 1;
                    off += len;
                }
                Frame::End => break,
                Frame::Bad(why) => {
                    let cut = (buf.len() - off) as u64;
                    tracing::warn!(segment = %path.display(), offset = off, bytes_cut = cut, "WAL: {why}; cutting the segment here");
                    let f = OpenOptions::new().write(true).open(&path).map_err(io_err("opening WAL segment", &path))?;
                    f.set_len(off as u64).map_err(io_err("truncating WAL segment", &path))?;
                    f.sync_all().map_err(io_err("syncing WAL segment", &path))?;
                    report.truncated_bytes += cut;
                    report.corruptions += 1;
                    break;
                }
            }
        }
    }
    Ok(report)
}

impl Wal {
    /// Starts a new segment after the existing ones.
    pub(crate) fn create(dir: &Path, segment_size: u64) -> Result<Wal, StoreError> {
        fs::create_dir_all(dir).map_err(io_err("creating", dir))?;
        let next = segments(dir)?.last().map_or(1, |n| n + 1);
        let file = open_segment(dir, next)?;
        let sync =
            WalSync { file: Mutex::new(Arc::new(file)), written: AtomicU64::new(0), synced: Mutex::new(0), fsyncs: AtomicU64::new(0) };
        Ok(Wal { dir: dir.to_path_buf(), segment_size, seg_no: next, seg_bytes: 0, sync: Arc::new(sync) })
    }

    /// Number of the segment being written.
    pub(crate) fn segment(&self) -> u64 {
        self.seg_no
    }

    /// The shared sync handle.
    pub(crate) fn syncer(&self) -> Arc<WalSync> {
        self.sync.clone()
    }

    /// Writes encoded records; returns the log position they end at. Rotates to a new
    /// segment first when the current one is full.
    pub(crate) fn write(&mut self, buf: &[u8]) -> Result<u64, StoreError> {
        if self.seg_bytes > 0 && self.seg_bytes + buf.len() as u64 > self.segment_size {
            self.rotate()?;
        }
        let file = self.sync.file.lock().clone();
        (&*file).write_all(buf).map_err(io_err("writing WAL segment", &segment_path(&self.dir, self.seg_no)))?;
        self.seg_bytes += buf.len() as u64;
        Ok(self.sync.written.fetch_add(buf.len() as u64, Ordering::SeqCst) + buf.len() as u64)
    }

    /// Closes the current segment (fsyncing it) and starts the next; returns the new
    /// segment's number. Segments below it can be deleted once their data is in blocks.
    pub(crate) fn rotate(&mut self) -> Result<u64, StoreError> {
        let path = segment_path(&self.dir, self.seg_no);
        self.sync.file.lock().sync_data().map_err(io_err("syncing WAL segment", &path))?;
        self.sync.fsyncs.fetch_add(1, Ordering::Relaxed);
        let next = open_segment(&self.dir, self.seg_no + 1)?;
        *self.sync.file.lock() = Arc::new(next);
        self.seg_no += 1;
        self.seg_bytes = 0;
        Ok(self.seg_no)
    }

    /// Deletes segments numbered below `n`.
    pub(crate) fn remove_before(&self, n: u64) -> Result<(), StoreError> {
        for s in segments(&self.dir)?.into_iter().filter(|&s| s < n) {
            let p = segment_path(&self.dir, s);
            fs::remove_file(&p).map_err(io_err("removing WAL segment", &p))?;
        }
        Ok(())
    }

    /// Total bytes of all segments on disk.
    pub(crate) fn disk_bytes(&self) -> u64 {
        crate::disk::dir_bytes(&self.dir)
    }
}

impl WalSync {
    /// Makes everything written up to `pos` durable. Concurrent callers share one fsync
    /// (group commit): whoever holds the sync lock covers everyone written before it.
    pub(crate) fn sync_to(&self, pos: u64) -> Result<(), StoreError> {
        let mut synced = self.synced.lock();
        if *synced >= pos {
            return Ok(());
        }
        // Read the target before the file: data counted in it is either in this file or in
        // a rotated-away segment, which rotation already synced.
        let target = self.written.load(Ordering::SeqCst);
        let file = self.file.lock().clone();
        file.sync_data().map_err(|source| StoreError::Io { action: "syncing WAL segment", path: PathBuf::from("wal"), source })?;
        self.fsyncs.fetch_add(1, Ordering::Relaxed);
        *synced = target;
        Ok(())
    }

    /// Syncs whatever has been written so far.
    pub(crate) fn sync_all(&self) -> Result<(), StoreError> {
        self.sync_to(self.written.load(Ordering::SeqCst))
    }
}

fn open_segment(dir: &Path, n: u64) -> Result<File, StoreError> {
    let p = segment_path(dir, n);
    let f = OpenOptions::new().create(true).append(true).open(&p).map_err(io_err("creating WAL segment", &p))?;
    crate::disk::sync_dir(dir)?;
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Labels;

    #[test]
    fn replay_cuts_a_torn_tail_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let mut wal = Wal::create(dir.path(), 1 << 20).unwrap();
        let mut buf = Vec::new();
        record::encode_series(&mut buf, 0, &Labels::from_pairs([("__name__", "a")]));
        record::encode_samples(&mut buf, &[(0, 1, 1.0)]);
        wal.write(&buf).unwrap();
        let mut torn = Vec::new();
        record::encode_samples(&mut torn, &[(0, 2, 2.0)]);
        wal.write(&torn[..torn.len() - 3]).unwrap();
        drop(wal);
        let mut got = Vec::new();
        let rep = replay(dir.path(), |r| got.push(r)).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(rep.corruptions, 1);
        assert_eq!(rep.truncated_bytes, torn.len() as u64 - 3);
        // The cut is permanent: a second replay finds a clean log.
        let rep = replay(dir.path(), |_| {}).unwrap();
        assert_eq!(rep.corruptions, 0);
    }
}
