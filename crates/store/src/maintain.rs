//! Maintenance: flushing the head into blocks, compaction with rollups, retention and the
//! disk cap. All of it runs under the store's maintenance lock, one step at a time, and
//! every step leaves the directory consistent if the process dies in the middle: new files
//! appear by atomic rename before old ones are removed, and overlapping data is merged on
//! read with the newest write winning.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::sync::Arc;

use crate::block::{Block, BlockCursor, BlockMeta, BlockSeriesData, BlockWriter};
use crate::error::{io_err, StoreError};
use crate::head::Head;
use crate::model::{Labels, Sample};
use crate::rollup;
use crate::store::{Inner, Store};

/// Tier blocks are merged into windows of this many buckets (1 m tier: one day per file).
const TIER_WINDOW_BUCKETS: i64 = 1440;
/// Retention deletes whole blocks: a tier window is kept to at most this share of the
/// tier's retention, so data outlives its retention by little.
const TIER_WINDOW_RETENTION_SHARE: i64 = 10;
/// Tier blocks merge early once a window has this many of them.
const TIER_MERGE_FANIN: usize = 8;

impl Store {
    /// Writes the head out as immutable blocks (one per aligned window it touches) and drops
    /// the WAL segments they cover. Returns the number of samples written.
    pub fn flush(&self) -> Result<u64, StoreError> {
        let _m = self.inner.maintenance.lock();
        flush(&self.inner)
    }

    /// Merges blocks of windows that can no longer change (or all, with `force`), builds their
    /// rollup tiers, then applies retention and the disk cap.
    pub fn compact(&self, force: bool) -> Result<(), StoreError> {
        let _m = self.inner.maintenance.lock();
        compact(&self.inner, force)?;
        apply_retention(&self.inner)
    }
}

pub(crate) fn flush(inner: &Inner) -> Result<u64, StoreError> {
    let (frozen, cut, labels) = {
        let mut mem = inner.mem.write();
        if mem.head.samples == 0 {
            drop(mem);
            save_metadata(inner)?;
            return Ok(0);
        }
        // Start a new segment before taking the head, so that a failure here leaves
        // everything as it was. Older segments go once the blocks are written, so series
        // must be named again in the new chain before their next sample.
        let cut = inner.wal.lock().rotate()?;
        for e in mem.index.series.iter_mut() {
            e.logged = false;
        }
        let frozen = Arc::new(std::mem::take(&mut mem.head));
        mem.frozen = Some(frozen.clone());
        // Labels of the series being written only (blocks borrow them while encoding).
        let labels: BTreeMap<u32, Labels> = frozen
            .series
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.is_empty())
            .map(|(id, _)| (id as u32, mem.index.series[id].labels.clone()))
            .collect();
        (frozen, cut, labels)
    };
    match write_head_blocks(inner, &frozen, &labels) {
        Ok(()) => {
            let mut mem = inner.mem.write();
            for (id, samples) in frozen.series.iter().enumerate() {
                if let Some(last) = samples.last() {
                    let e = &mut mem.index.series[id];
                    e.flushed_max_t = e.flushed_max_t.max(last.t);
                }
            }
            mem.frozen = None;
            drop(mem);
            save_metadata(inner)?;
            inner.wal.lock().remove_before(cut)?;
            inner.counters.flushes.fetch_add(1, Relaxed);
            Ok(frozen.samples as u64)
        }
        Err(e) => {
            // Give the samples back to the head; the WAL still holds them.
            let mut mem = inner.mem.write();
            for (id, samples) in frozen.series.iter().enumerate() {
                for s in samples {
                    mem.head.insert(id as u32, *s);
                }
            }
            mem.frozen = None;
            Err(e)
        }
    }
}

fn write_head_blocks(inner: &Inner, head: &Head, labels: &BTreeMap<u32, Labels>) -> Result<(), StoreError> {
    let bd = inner.opts.block_duration_ms;
    // Split every series at window boundaries.
    let mut windows: BTreeMap<i64, Vec<(u32, &[Sample])>> = BTreeMap::new();
    for (id, samples) in head.series.iter().enumerate() {
        let mut rest = &samples[..];
        while let Some(first) = rest.first() {
            let w = first.t.div_euclid(bd) * bd;
            let n = rest.partition_point(|s| s.t < w + bd);
            windows.entry(w).or_default().push((id as u32, &rest[..n]));
            rest = &rest[n..];
        }
    }
    for (w, series) in windows {
        let mut block = NewBlock::new(inner, 0, w, w + bd, 0);
        for (id, s) in series {
            block.add(id, &raw_series(&labels[&id], s));
        }
        block.register(inner, &[])?;
    }
    Ok(())
}

fn raw_series<'a>(labels: &'a Labels, samples: &[Sample]) -> BlockSeriesData<'a> {
    BlockSeriesData { labels, ts: samples.iter().map(|s| s.t).collect(), cols: vec![samples.iter().map(|s| s.v).collect()] }
}

fn tier_dir(inner: &Inner, resolution_ms: i64) -> PathBuf {
    let name = if resolution_ms == 0 { "raw".to_owned() } else { format!("{}s", resolution_ms / 1000) };
    inner.blocks_dir().join(name)
}

/// A block being written: series are added one at a time, only their encoded bytes kept.
struct NewBlock {
    writer: BlockWriter,
    ids: Vec<u32>,
    resolution_ms: i64,
    window_start: i64,
}

impl NewBlock {
    fn new(inner: &Inner, resolution_ms: i64, window_start: i64, window_end: i64, level: u8) -> NewBlock {
        let seq = inner.next_seq.fetch_add(1, SeqCst);
        let meta = BlockMeta { resolution_ms, window_start, window_end, seq, level, min_t: 0, max_t: 0, samples: 0 };
        NewBlock { writer: BlockWriter::new(meta), ids: Vec::new(), resolution_ms, window_start }
    }

    fn add(&mut self, id: u32, s: &BlockSeriesData<'_>) {
        if !s.ts.is_empty() {
            self.ids.push(id);
            self.writer.add(s);
        }
    }

    /// Writes the file, opens it, and swaps it in for `replaces` (whose files are then
    /// deleted). An empty block writes nothing but still replaces.
    fn register(self, inner: &Inner, replaces: &[Arc<Block>]) -> Result<(), StoreError> {
        let new = if self.writer.is_empty() {
            None
        } else {
            let dir = tier_dir(inner, self.resolution_ms);
            std::fs::create_dir_all(&dir).map_err(io_err("creating", &dir))?;
            let path = dir.join(format!("w{}-s{:012}.vblk", self.window_start, self.writer.meta_seq()));
            self.writer.finish(&path)?;
            let (mut b, _) = Block::open(&path)?;
            b.set_ids(&self.ids);
            Some(Arc::new(b))
        };
        {
            let mut blocks = inner.blocks.write();
            blocks.retain(|b| !replaces.iter().any(|r| Arc::ptr_eq(b, r)));
            blocks.extend(new);
        }
        for r in replaces {
            std::fs::remove_file(&r.path).map_err(io_err("removing merged block", &r.path))?;
        }
        Ok(())
    }
}

/// One series' points from one block: timestamps and parallel value columns.
struct Part {
    seq: u64,
    ts: Vec<i64>,
    cols: Vec<Vec<f64>>,
}

/// Decodes one series from every block of a group that has it.
fn parts_of(id: u32, group: &[Arc<Block>], cursors: &mut [BlockCursor<'_>]) -> Result<Vec<Part>, StoreError> {
    let mut parts = Vec::new();
    for (b, cur) in group.iter().zip(cursors.iter_mut()) {
        let Some(local) = b.local(id) else { continue };
        let ncols = if b.meta.resolution_ms == 0 { 1 } else { crate::block::TIER_COLUMNS };
        let ts = cur.timestamps(local)?.to_vec();
        let cols = (0..ncols).map(|c| cur.column(local, c, 0, ts.len())).collect::<Result<Vec<_>, _>>()?;
        parts.push(Part { seq: b.meta.seq, ts, cols });
    }
    Ok(parts)
}

/// Series ids present in any block of the group, ascending.
fn group_ids(group: &[Arc<Block>]) -> Vec<u32> {
    group.iter().flat_map(|b| b.ids()).collect::<std::collections::BTreeSet<u32>>().into_iter().collect()
}

/// Merges parts by time; where timestamps collide the most recently written block wins.
fn merge_parts(parts: &[Part]) -> (Vec<i64>, Vec<Vec<f64>>) {
    let mut rows: Vec<(i64, u64, usize, usize)> =
        parts.iter().enumerate().flat_map(|(p, part)| part.ts.iter().enumerate().map(move |(r, &t)| (t, part.seq, p, r))).collect();
    rows.sort_unstable();
    let mut kept: Vec<(i64, usize, usize)> = Vec::with_capacity(rows.len());
    for (t, _, p, r) in rows {
        match kept.last_mut() {
            Some(last) if last.0 == t => *last = (t, p, r),
            _ => kept.push((t, p, r)),
        }
    }
    let ncols = parts.first().map_or(0, |p| p.cols.len());
    let ts = kept.iter().map(|k| k.0).collect();
    let cols = (0..ncols).map(|c| kept.iter().map(|&(_, p, r)| parts[p].cols[c][r]).collect()).collect();
    (ts, cols)
}

pub(crate) fn compact(inner: &Inner, force: bool) -> Result<(), StoreError> {
    let reference = inner.max_t.load(Relaxed);
    let ooo = inner.opts.out_of_order_window_ms;
    let bd = inner.opts.block_duration_ms;
    let complete = |window_end: i64| force || window_end.saturating_add(ooo) <= reference;

    // Raw windows: merge and roll up once complete.
    let mut raw_groups: BTreeMap<i64, Vec<Arc<Block>>> = BTreeMap::new();
    for b in inner.blocks.read().iter().filter(|b| b.meta.resolution_ms == 0) {
        raw_groups.entry(b.meta.window_start).or_default().push(b.clone());
    }
    for (w, group) in raw_groups {
        if !complete(w + bd) || (group.len() == 1 && group[0].meta.level > 0) {
            continue;
        }
        // One series at a time: memory holds one series' samples plus encoded output.
        // Rollups are registered first: the merged (level 1) raw block is what marks the
        // window as rolled up, so a crash before it is in place leaves level-0 blocks and
        // a redo.
        let ids = group_ids(&group);
        let labels = label_snapshot(inner, ids.iter());
        let mut cursors: Vec<_> = group.iter().map(|b| b.cursor()).collect();
        let mut raw = NewBlock::new(inner, 0, w, w + bd, 1);
        let mut tiers: Vec<NewBlock> = inner.opts.tiers.iter().map(|t| NewBlock::new(inner, t.resolution_ms, w, w + bd, 0)).collect();
        for id in ids {
            let (ts, cols) = merge_parts(&parts_of(id, &group, &mut cursors)?);
            let samples: Vec<Sample> = ts.iter().zip(&cols[0]).map(|(&t, &v)| Sample { t, v }).collect();
            for (tier, block) in inner.opts.tiers.iter().zip(tiers.iter_mut()) {
                let (tts, tcols) = rollup::to_columns(&rollup::aggregate(&samples, tier.resolution_ms));
                block.add(id, &BlockSeriesData { labels: &labels[&id], ts: tts, cols: tcols });
            }
            raw.add(id, &BlockSeriesData { labels: &labels[&id], ts, cols });
        }
        drop(cursors);
        for block in tiers {
            block.register(inner, &[])?;
        }
        raw.register(inner, &group)?;
        inner.counters.compactions.fetch_add(1, Relaxed);
    }

    // Tier windows: merge the per-raw-window tier blocks into larger files.
    for tier in &inner.opts.tiers {
        let tw = tier_window(tier, bd);
        let mut groups: BTreeMap<i64, Vec<Arc<Block>>> = BTreeMap::new();
        for b in inner.blocks.read().iter().filter(|b| b.meta.resolution_ms == tier.resolution_ms) {
            groups.entry(b.meta.window_start.div_euclid(tw) * tw).or_default().push(b.clone());
        }
        for (w, group) in groups {
            if group.len() < 2 || !(complete(w + tw) || group.len() >= TIER_MERGE_FANIN) {
                continue;
            }
            let ids = group_ids(&group);
            let labels = label_snapshot(inner, ids.iter());
            let mut cursors: Vec<_> = group.iter().map(|b| b.cursor()).collect();
            let mut merged = NewBlock::new(inner, tier.resolution_ms, w, w + tw, 1);
            for id in ids {
                let (ts, cols) = merge_parts(&parts_of(id, &group, &mut cursors)?);
                merged.add(id, &BlockSeriesData { labels: &labels[&id], ts, cols });
            }
            drop(cursors);
            merged.register(inner, &group)?;
            inner.counters.compactions.fetch_add(1, Relaxed);
        }
    }
    Ok(())
}

/// Length of the windows a tier's blocks are merged into: a multiple of the raw window.
fn tier_window(tier: &crate::TierOptions, bd: i64) -> i64 {
    let mut want = tier.resolution_ms.saturating_mul(TIER_WINDOW_BUCKETS);
    if tier.retention_ms > 0 {
        want = want.min(tier.retention_ms / TIER_WINDOW_RETENTION_SHARE);
    }
    (want / bd).max(1) * bd
}

fn label_snapshot<'a>(inner: &Inner, ids: impl Iterator<Item = &'a u32>) -> BTreeMap<u32, Labels> {
    let mem = inner.mem.read();
    ids.map(|id| (*id, mem.index.series[*id as usize].labels.clone())).collect()
}

/// Deletes blocks past their tier's retention, then the oldest blocks while the data
/// directory is over the disk cap (raw first, then the finest tier).
pub(crate) fn apply_retention(inner: &Inner) -> Result<(), StoreError> {
    let reference = inner.max_t.load(Relaxed);
    if reference == i64::MIN {
        return Ok(());
    }
    let retention_of = |res: i64| {
        if res == 0 {
            inner.opts.retention_ms
        } else {
            inner.opts.tiers.iter().find(|t| t.resolution_ms == res).map_or(0, |t| t.retention_ms)
        }
    };
    let expired: Vec<Arc<Block>> = inner
        .blocks
        .read()
        .iter()
        .filter(|b| {
            let r = retention_of(b.meta.resolution_ms);
            r > 0 && b.meta.max_t < reference.saturating_sub(r)
        })
        .cloned()
        .collect();
    for b in &expired {
        tracing::info!(block = %b.path.display(), "retention: deleting block");
        delete_block(inner, b)?;
        inner.counters.blocks_deleted_retention.fetch_add(1, Relaxed);
    }
    let cap = inner.opts.max_disk_bytes;
    if cap == 0 {
        return Ok(());
    }
    let mut used = crate::disk::dir_bytes(&inner.dir);
    while used > cap {
        // Oldest raw block first; tiers (finest first) only when no raw block is left.
        let victim = {
            let blocks = inner.blocks.read();
            let mut order: Vec<i64> = vec![0];
            order.extend(inner.opts.tiers.iter().map(|t| t.resolution_ms));
            order.iter().find_map(|res| {
                blocks.iter().filter(|b| b.meta.resolution_ms == *res).min_by_key(|b| (b.meta.window_start, b.meta.seq)).cloned()
            })
        };
        let Some(b) = victim else {
            tracing::warn!(used, cap, "disk cap exceeded but no block is left to delete (the WAL and head remain)");
            break;
        };
        tracing::warn!(block = %b.path.display(), used, cap, "disk cap: deleting oldest block");
        delete_block(inner, &b)?;
        used = used.saturating_sub(b.bytes);
        inner.counters.blocks_deleted_disk_cap.fetch_add(1, Relaxed);
    }
    Ok(())
}

fn delete_block(inner: &Inner, b: &Arc<Block>) -> Result<(), StoreError> {
    inner.blocks.write().retain(|x| !Arc::ptr_eq(x, b));
    std::fs::remove_file(&b.path).map_err(io_err("removing block", &b.path))
}

/// Writes `metadata.tsv` if metadata changed since the last write.
pub(crate) fn save_metadata(inner: &Inner) -> Result<(), StoreError> {
    let mut mem = inner.mem.write();
    if !mem.metadata_dirty {
        return Ok(());
    }
    write_metadata(&inner.dir, &mem.metadata)?;
    mem.metadata_dirty = false;
    Ok(())
}

/// Writes `metadata.tsv`: metric, type, unit, escaped help, tab-separated.
pub(crate) fn write_metadata(dir: &std::path::Path, metadata: &BTreeMap<String, crate::MetricMetadata>) -> Result<(), StoreError> {
    let mut text = String::new();
    for (m, meta) in metadata {
        text.push_str(&format!("{m}\t{}\t{}\t{}\n", meta.kind.as_str(), meta.unit.replace(['\t', '\n'], " "), escape_help(&meta.help)));
    }
    crate::disk::write_atomic(&dir.join("metadata.tsv"), text.as_bytes())
}

fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n").replace('\t', "\\t")
}

/// Reverses the escaping of help texts in `metadata.tsv`.
pub(crate) fn unescape_help(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}
