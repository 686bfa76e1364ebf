//! The store handle: opening a data directory, recovery, shutdown and statistics.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::JoinHandle;

use parking_lot::{Condvar, Mutex, RwLock};

use crate::block::Block;
use crate::error::{io_err, StoreError};
use crate::head::Head;
use crate::index::Index;
use crate::model::{MetricKind, MetricMetadata, Sample};
use crate::stats::{Counters, StoreStats};
use crate::wal::{self, record::Record, Wal, WalSync};
use crate::StoreOptions;

/// An open data directory. Cheap to clone; all methods take `&self` and are thread-safe.
#[derive(Clone)]
pub struct Store {
    pub(crate) inner: Arc<Inner>,
}

/// In-memory state behind one lock: the index, the head and metadata.
pub(crate) struct Mem {
    pub index: Index,
    pub head: Head,
    /// A head being written out as blocks; still visible to reads until they are in place.
    pub frozen: Option<Arc<Head>>,
    pub metadata: BTreeMap<String, MetricMetadata>,
    pub metadata_dirty: bool,
}

pub(crate) struct Inner {
    pub dir: PathBuf,
    pub opts: StoreOptions,
    pub mem: RwLock<Mem>,
    pub wal: Mutex<Wal>,
    pub wal_sync: Arc<WalSync>,
    pub blocks: RwLock<Vec<Arc<Block>>>,
    pub next_seq: AtomicU64,
    /// Newest timestamp in the store: the reference for retention and window completeness.
    pub max_t: AtomicI64,
    /// Serialises flushes, compactions and retention.
    pub maintenance: Mutex<()>,
    pub counters: Counters,
    pub closed: AtomicBool,
    pub wake: (Mutex<bool>, Condvar),
    background: Mutex<Option<JoinHandle<()>>>,
    _lock: File,
}

impl Inner {
    pub(crate) fn blocks_dir(&self) -> PathBuf {
        self.dir.join("blocks")
    }

    /// Nudges the background thread when the head has reached its size limit.
    pub(crate) fn wake_if_head_full(&self) {
        if self.opts.background && self.mem.read().head.samples >= self.opts.head_max_samples {
            let (m, cv) = &self.wake;
            *m.lock() = true;
            cv.notify_one();
        }
    }
}

impl Store {
    /// Opens (creating if needed) a data directory: loads blocks, replays the WAL, and,
    /// with `opts.background`, starts the maintenance thread. Fails if another process has
    /// the directory open.
    pub fn open(dir: &Path, opts: StoreOptions) -> Result<Store, StoreError> {
        fs::create_dir_all(dir.join("blocks")).map_err(io_err("creating data directory", dir))?;
        let lock = lock_dir(dir)?;
        let counters = Counters::default();
        let mut index = Index::default();
        let mut blocks = Vec::new();
        let mut next_seq = 1;
        let mut max_t = i64::MIN;
        for path in block_files(&dir.join("blocks"))? {
            match load_block(&path, &mut index) {
                Ok(b) => {
                    next_seq = next_seq.max(b.meta.seq + 1);
                    max_t = max_t.max(b.meta.max_t);
                    blocks.push(Arc::new(b));
                }
                Err(e @ StoreError::CorruptBlock { .. }) => {
                    let aside = path.with_extension("corrupt");
                    tracing::error!("{e}; moving it aside to {}", aside.display());
                    fs::rename(&path, &aside).map_err(io_err("moving corrupt block aside", &path))?;
                    counters.blocks_corrupt.fetch_add(1, Relaxed);
                }
                Err(e) => return Err(e),
            }
        }
        let metadata = load_metadata(dir)?;
        let mut mem = Mem { index, head: Head::default(), frozen: None, metadata, metadata_dirty: false };

        // Replay: series ids in the log are the writing process's; map them through labels.
        let wal_dir = dir.join("wal");
        fs::create_dir_all(&wal_dir).map_err(io_err("creating", &wal_dir))?;
        let mut id_map: Vec<Option<u32>> = Vec::new();
        let mut unknown = 0u64;
        let report = wal::replay(&wal_dir, |rec| match rec {
            Record::Series { id, labels } => {
                let new = mem.index.get_or_insert(&labels);
                if id_map.len() <= id as usize {
                    id_map.resize(id as usize + 1, None);
                }
                id_map[id as usize] = Some(new);
            }
            Record::Samples(samples) => {
                for (id, t, v) in samples {
                    match id_map.get(id as usize).copied().flatten() {
                        Some(new) => {
                            let e = &mut mem.index.series[new as usize];
                            e.max_t = e.max_t.max(t);
                            max_t = max_t.max(t);
                            mem.head.insert(new, Sample { t, v });
                        }
                        None => unknown += 1,
                    }
                }
            }
            Record::Metadata { metric, meta } => {
                mem.metadata.insert(metric, meta);
                mem.metadata_dirty = true;
            }
        })?;
        if unknown > 0 {
            tracing::warn!(samples = unknown, "WAL: samples of series whose record was lost to corruption were skipped");
        }
        if report.segments > 0 {
            tracing::info!(segments = report.segments, records = report.records, head_samples = mem.head.samples, "WAL replayed");
        }
        counters.wal_corruptions.fetch_add(report.corruptions, Relaxed);
        counters.wal_truncated_bytes.fetch_add(report.truncated_bytes, Relaxed);

        // Series records are written lazily, before a series' first sample in the new
        // segment chain (see `SeriesEntry::logged`), so restarts do not rewrite the index.
        let wal = Wal::create(&wal_dir, opts.segment_size)?;
        if mem.head.samples == 0 {
            // Nothing to replay next time: the old segments hold only series and metadata.
            if mem.metadata_dirty {
                crate::maintain::write_metadata(dir, &mem.metadata)?;
                mem.metadata_dirty = false;
            }
            wal.remove_before(wal.segment())?;
        }
        let wal_sync = wal.syncer();
        wal_sync.sync_all()?;

        let inner = Arc::new(Inner {
            dir: dir.to_path_buf(),
            mem: RwLock::new(mem),
            wal: Mutex::new(wal),
            wal_sync,
            blocks: RwLock::new(blocks),
            next_seq: AtomicU64::new(next_seq),
            max_t: AtomicI64::new(max_t),
            maintenance: Mutex::new(()),
            counters,
            closed: AtomicBool::new(false),
            wake: (Mutex::new(false), Condvar::new()),
            background: Mutex::new(None),
            _lock: lock,
            opts,
        });
        let store = Store { inner };
        if store.inner.opts.background {
            let handle = crate::background::spawn(&store.inner).map_err(io_err("starting the maintenance thread", dir))?;
            *store.inner.background.lock() = Some(handle);
        }
        Ok(store)
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The options the store was opened with.
    pub fn options(&self) -> &StoreOptions {
        &self.inner.opts
    }

    /// Stops background work and makes everything acknowledged durable (fsync). The WAL
    /// keeps the head; the next open replays it. Further appends fail.
    pub fn close(&self) -> Result<(), StoreError> {
        if self.inner.closed.swap(true, Relaxed) {
            return Ok(());
        }
        {
            let (m, cv) = &self.inner.wake;
            *m.lock() = true;
            cv.notify_all();
        }
        if let Some(h) = self.inner.background.lock().take() {
            if h.join().is_err() {
                tracing::error!("store maintenance thread panicked");
            }
        }
        let _m = self.inner.maintenance.lock();
        crate::maintain::save_metadata(&self.inner)?;
        self.inner.wal_sync.sync_all()
    }

    /// A snapshot of the store's counters and sizes.
    pub fn stats(&self) -> StoreStats {
        let inner = &*self.inner;
        let c = &inner.counters;
        let (series, head_samples) = {
            let mem = inner.mem.read();
            (mem.index.series.len() as u64, mem.head.samples as u64)
        };
        let mut blocks: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
        blocks.insert(0, (0, 0));
        for t in &inner.opts.tiers {
            blocks.insert(t.resolution_ms, (0, 0));
        }
        for b in inner.blocks.read().iter() {
            let e = blocks.entry(b.meta.resolution_ms).or_default();
            e.0 += 1;
            e.1 += b.bytes;
        }
        StoreStats {
            series,
            head_samples,
            samples_appended_total: Counters::get(&c.samples_appended),
            samples_duplicate_total: Counters::get(&c.samples_duplicate),
            samples_rejected_total: crate::RejectReason::ALL.iter().enumerate().map(|(i, r)| (*r, Counters::get(&c.rejected[i]))).collect(),
            wal_fsyncs_total: inner.wal_sync.fsyncs.load(Relaxed),
            wal_corruptions_total: Counters::get(&c.wal_corruptions),
            wal_truncated_bytes_total: Counters::get(&c.wal_truncated_bytes),
            wal_bytes: inner.wal.lock().disk_bytes(),
            blocks: blocks.into_iter().map(|(r, (n, b))| (r, n, b)).collect(),
            flushes_total: Counters::get(&c.flushes),
            compactions_total: Counters::get(&c.compactions),
            blocks_deleted_retention_total: Counters::get(&c.blocks_deleted_retention),
            blocks_deleted_disk_cap_total: Counters::get(&c.blocks_deleted_disk_cap),
            blocks_corrupt_total: Counters::get(&c.blocks_corrupt),
            maintenance_errors_total: Counters::get(&c.maintenance_errors),
            disk_bytes: crate::disk::dir_bytes(&inner.dir),
        }
    }

    /// Metadata of every metric family that declared it, by metric name.
    pub fn metadata(&self) -> BTreeMap<String, MetricMetadata> {
        self.inner.mem.read().metadata.clone()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Last handle gone without close(): the maintenance thread ends on its next tick;
        // make acknowledged data durable now.
        if !self.closed.load(Relaxed) {
            if let Err(e) = self.wal_sync.sync_all() {
                tracing::error!("syncing the WAL at drop: {e}");
            }
        }
    }
}

/// Takes the directory's exclusive lock. A process that has just exited (or a child that
/// briefly inherited the descriptor between fork and exec) may still hold it for a moment,
/// so the lock is retried for a short while before giving up.
/// Opens a block and registers its series; raw blocks also tell each series' newest time.
fn load_block(path: &Path, index: &mut Index) -> Result<Block, StoreError> {
    let (mut b, labels) = Block::open(path)?;
    let ids: Vec<u32> = labels.iter().map(|l| index.get_or_insert(l)).collect();
    b.set_ids(&ids);
    if b.meta.resolution_ms == 0 {
        let mut cur = b.cursor();
        for (local, id) in ids.iter().enumerate() {
            let last = cur.timestamps(local)?.last().copied().unwrap_or(i64::MIN);
            let e = &mut index.series[*id as usize];
            e.max_t = e.max_t.max(last);
            e.flushed_max_t = e.flushed_max_t.max(last);
        }
    }
    Ok(b)
}

fn lock_dir(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join("LOCK");
    let f = File::options().create(true).truncate(false).write(true).open(&path).map_err(io_err("opening lock file", &path))?;
    for attempt in 0..LOCK_ATTEMPTS {
        // SAFETY: flock on a valid, owned file descriptor.
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            return Ok(f);
        }
        if attempt + 1 < LOCK_ATTEMPTS {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    Err(StoreError::Locked(dir.to_path_buf()))
}

/// Lock attempts, 50 ms apart.
const LOCK_ATTEMPTS: u32 = 20;

/// Block files under `blocks/<tier>/`, removing leftovers of interrupted writes.
fn block_files(root: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let mut out = Vec::new();
    for tier in fs::read_dir(root).map_err(io_err("listing", root))? {
        let tier = tier.map_err(io_err("listing", root))?.path();
        if !tier.is_dir() {
            continue;
        }
        for f in fs::read_dir(&tier).map_err(io_err("listing", &tier))? {
            let p = f.map_err(io_err("listing", &tier))?.path();
            match p.extension().and_then(|e| e.to_str()) {
                Some("vblk") => out.push(p),
                Some("tmp") => fs::remove_file(&p).map_err(io_err("removing unfinished block", &p))?,
                _ => {}
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads `metadata.tsv` (metric, type, unit, help with `\n` and `\\` escaped).
fn load_metadata(dir: &Path) -> Result<BTreeMap<String, MetricMetadata>, StoreError> {
    let path = dir.join("metadata.tsv");
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(io_err("reading", &path)(e)),
    };
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let mut f = line.splitn(4, '\t');
        match (f.next(), f.next().and_then(MetricKind::parse), f.next(), f.next()) {
            (Some(m), Some(kind), Some(unit), Some(help)) => {
                let help = crate::maintain::unescape_help(help);
                out.insert(m.to_owned(), MetricMetadata { kind, help, unit: unit.to_owned() });
            }
            _ => tracing::warn!("{}: line {}: malformed metadata entry skipped", path.display(), n + 1),
        }
    }
    Ok(out)
}
