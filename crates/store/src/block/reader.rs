//! Opening and reading a block file.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use memmap2::Mmap;

use super::decoded::{block_uid, Column, CACHE};
use super::{BlockMeta, ColRef, FOOTER, MAGIC, MAGIC_END};
use crate::codec::{self, varint::Cursor};
use crate::error::{io_err, StoreError};
use crate::model::{Labels, Sample};

/// An open, verified block. Column bytes stay in the page cache through a read-only map.
pub(crate) struct Block {
    /// The block file.
    pub path: PathBuf,
    /// Its identity and extent.
    pub meta: BlockMeta,
    /// File size in bytes.
    pub bytes: u64,
    map: Mmap,
    ts_cols: Vec<(ColRef, usize)>,
    /// Values per page of raw value columns.
    page: usize,
    /// Block-wide columns (tier blocks) and their length.
    shared: Vec<ColRef>,
    shared_len: usize,
    series: Vec<SeriesRefs>,
    /// Global series id to local index.
    by_id: HashMap<u32, usize>,
    /// This block's key in the cache of decoded columns.
    uid: u64,
}

impl Drop for Block {
    fn drop(&mut self) {
        CACHE.forget(self.uid);
    }
}

struct SeriesRefs {
    ts_col: usize,
    /// Pages of the own value column (raw blocks); empty when the series lives in the
    /// shared columns.
    pages: Vec<ColRef>,
    /// Offset of the series' points in the shared columns.
    shared_off: usize,
}

impl Block {
    /// Opens and verifies a block; returns it with the labels of its series in local order
    /// (the caller maps them to global ids with [`Block::set_ids`]).
    pub(crate) fn open(path: &Path) -> Result<(Block, Vec<Labels>), StoreError> {
        let corrupt = |what: String| StoreError::CorruptBlock { path: path.to_path_buf(), what };
        let file = File::open(path).map_err(io_err("opening block", path))?;
        // SAFETY: block files are immutable once renamed into place and only deleted, never
        // rewritten, so the mapping cannot change under us.
        let map = unsafe { Mmap::map(&file) }.map_err(io_err("mapping block", path))?;
        let n = map.len();
        if n < MAGIC.len() + FOOTER || &map[..8] != MAGIC || &map[n - 8..] != MAGIC_END {
            return Err(corrupt("not a block file or truncated (bad magic)".into()));
        }
        let footer = &map[n - FOOTER..];
        let table_off = u64::from_le_bytes(footer[0..8].try_into().unwrap_or_default()) as usize;
        let table_len = u64::from_le_bytes(footer[8..16].try_into().unwrap_or_default()) as usize;
        let crc = u32::from_le_bytes(footer[16..20].try_into().unwrap_or_default());
        if table_off.checked_add(table_len) != Some(n - FOOTER) {
            return Err(corrupt("series table out of bounds".into()));
        }
        if crc32fast::hash(&map[table_off..n - FOOTER + 16]) != crc {
            return Err(corrupt("series table checksum mismatch".into()));
        }
        let table = zstd::stream::decode_all(&map[table_off..table_off + table_len]).map_err(|e| corrupt(format!("series table: {e}")))?;
        let bad = |e: crate::codec::varint::Malformed| corrupt(format!("series table: {e}"));
        let mut c = Cursor::new(&table);
        let mut meta = BlockMeta {
            resolution_ms: c.uvarint().map_err(bad)? as i64,
            window_start: c.varint().map_err(bad)?,
            window_end: c.varint().map_err(bad)?,
            seq: c.uvarint().map_err(bad)?,
            level: c.u8().map_err(bad)?,
            min_t: 0,
            max_t: 0,
            samples: 0,
        };
        meta.min_t = c.varint().map_err(bad)?;
        meta.max_t = c.varint().map_err(bad)?;
        meta.samples = c.uvarint().map_err(bad)?;
        let page = c.uvarint().map_err(bad)? as usize;
        if page == 0 {
            return Err(corrupt("page size 0".into()));
        }
        let in_bounds = |col: &ColRef| col.off.checked_add(col.len).is_some_and(|e| e <= table_off && col.off >= MAGIC.len());
        let nts = c.uvarint().map_err(bad)? as usize;
        let mut ts_cols = Vec::with_capacity(nts.min(table.len()));
        for _ in 0..nts {
            let (col, cnt) = (ColRef::read(&mut c).map_err(bad)?, c.uvarint().map_err(bad)?);
            if !in_bounds(&col) || cnt > meta.samples {
                return Err(corrupt("timestamp column out of bounds".into()));
            }
            ts_cols.push((col, cnt as usize));
        }
        let nshared = c.uvarint().map_err(bad)? as usize;
        let shared_len = c.uvarint().map_err(bad)? as usize;
        if shared_len as u64 > meta.samples {
            return Err(corrupt("shared columns longer than the block".into()));
        }
        let mut shared = Vec::with_capacity(nshared.min(8));
        for _ in 0..nshared {
            let col = ColRef::read(&mut c).map_err(bad)?;
            if !in_bounds(&col) {
                return Err(corrupt("shared column out of bounds".into()));
            }
            shared.push(col);
        }
        let nseries = c.uvarint().map_err(bad)? as usize;
        let mut series = Vec::with_capacity(nseries.min(table.len()));
        let mut labels = Vec::with_capacity(nseries.min(table.len()));
        for _ in 0..nseries {
            let nl = c.uvarint().map_err(bad)? as usize;
            let mut pairs = Vec::with_capacity(nl.min(64));
            for _ in 0..nl {
                pairs.push((c.str().map_err(bad)?.to_owned(), c.str().map_err(bad)?.to_owned()));
            }
            let ts_col = c.uvarint().map_err(bad)? as usize;
            if ts_col >= ts_cols.len() {
                return Err(corrupt("series refers to a missing timestamp column".into()));
            }
            let n = ts_cols[ts_col].1;
            let mut pages = Vec::new();
            let mut shared_off = 0;
            match c.uvarint().map_err(bad)? {
                0 => {
                    shared_off = c.uvarint().map_err(bad)? as usize;
                    if shared.is_empty() || shared_off + n > shared_len {
                        return Err(corrupt("series points outside the shared columns".into()));
                    }
                }
                1 => {
                    let npages = c.uvarint().map_err(bad)? as usize;
                    if npages != n.div_ceil(page) {
                        return Err(corrupt("page count does not match the series length".into()));
                    }
                    pages.reserve(npages);
                    for _ in 0..npages {
                        let col = ColRef::read(&mut c).map_err(bad)?;
                        if !in_bounds(&col) {
                            return Err(corrupt("value page out of bounds".into()));
                        }
                        pages.push(col);
                    }
                }
                k => return Err(corrupt(format!("series with {k} own columns"))),
            }
            labels.push(Labels::from_pairs(pairs));
            series.push(SeriesRefs { ts_col, pages, shared_off });
        }
        let block = Block {
            path: path.to_path_buf(),
            meta,
            bytes: n as u64,
            map,
            ts_cols,
            page,
            shared,
            shared_len,
            series,
            by_id: HashMap::new(),
            uid: block_uid(),
        };
        Ok((block, labels))
    }

    /// About how many samples `series` of this block's series hold within `[start, end]`,
    /// assuming samples spread evenly over the block's series and time.
    pub(crate) fn samples_estimate(&self, series: usize, start: i64, end: i64) -> u64 {
        let (lo, hi) = (start.max(self.meta.min_t), end.min(self.meta.max_t));
        if hi < lo || self.series.is_empty() {
            return 0;
        }
        let span = self.meta.max_t.saturating_sub(self.meta.min_t).max(1) as f64;
        let share =
            (hi.saturating_sub(lo).max(1) as f64 / span).min(1.0) * (series.min(self.series.len()) as f64 / self.series.len() as f64);
        (self.meta.samples as f64 * share) as u64
    }

    /// Records the global id of each local series (same order as `open` returned labels).
    pub(crate) fn set_ids(&mut self, ids: &[u32]) {
        self.by_id = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    }

    /// Global ids of the series in this block.
    pub(crate) fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.by_id.keys().copied()
    }

    /// Local index of a global series id.
    pub(crate) fn local(&self, id: u32) -> Option<usize> {
        self.by_id.get(&id).copied()
    }

    /// Which timestamp column a local series uses (columns are shared between series).
    #[cfg(test)]
    fn ts_col(&self, local: usize) -> usize {
        self.series[local].ts_col
    }

    /// Decodes timestamp column `col`; with `cached`, through the cache of decoded columns.
    pub(crate) fn timestamps(&self, col: usize, cached: bool) -> Result<Arc<[i64]>, StoreError> {
        let (col, n) = self.ts_cols[col];
        if cached {
            if let Some(Column::Timestamps(ts)) = CACHE.get((self.uid, col.off)) {
                return Ok(ts);
            }
        }
        let ts: Arc<[i64]> = codec::decode_timestamps(self.checked(&col)?, n).map_err(|e| self.corrupt(e))?.into();
        if cached {
            CACHE.put((self.uid, col.off), Column::Timestamps(ts.clone()));
        }
        Ok(ts)
    }

    /// Decodes the raw value page `col` of `count` values; with `cached`, through the cache.
    fn page(&self, col: &ColRef, count: usize, cached: bool) -> Result<Arc<[f64]>, StoreError> {
        if cached {
            if let Some(Column::Values(v)) = CACHE.get((self.uid, col.off)) {
                return Ok(v);
            }
        }
        let v: Arc<[f64]> = codec::decode_values(self.checked(col)?, count).map_err(|e| self.corrupt(e))?.into();
        if cached {
            CACHE.put((self.uid, col.off), Column::Values(v.clone()));
        }
        Ok(v)
    }

    /// A reader that decodes each shared column once, for reading many series.
    pub(crate) fn cursor(&self) -> BlockCursor<'_> {
        BlockCursor { block: self, ts: HashMap::new(), shared: vec![None; self.shared.len()], cached: false }
    }

    /// A reader like [`Block::cursor`] that also keeps the raw columns it decodes in the
    /// process-wide cache and reuses those already there: for queries' small reads of
    /// recent data, not for compaction or long scans, which would only push them out.
    pub(crate) fn cached_cursor(&self) -> BlockCursor<'_> {
        BlockCursor { cached: true, ..self.cursor() }
    }

    /// Encoded value columns (own and shared) of every series (for encoding reports).
    pub(crate) fn value_columns(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.series.iter().flat_map(|s| s.pages.iter()).chain(&self.shared).map(|c| &self.map[c.off..c.off + c.len])
    }

    /// Encoded timestamp columns.
    pub(crate) fn timestamp_columns(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.ts_cols.iter().map(|(c, _)| &self.map[c.off..c.off + c.len])
    }

    /// A column's bytes, once their checksum is verified.
    fn checked(&self, col: &ColRef) -> Result<&[u8], StoreError> {
        let bytes = &self.map[col.off..col.off + col.len];
        if crc32fast::hash(bytes) != col.crc {
            return Err(self.corrupt(format!("checksum mismatch in the column at byte {}", col.off)));
        }
        Ok(bytes)
    }

    fn corrupt(&self, e: impl std::fmt::Display) -> StoreError {
        StoreError::CorruptBlock { path: self.path.clone(), what: e.to_string() }
    }
}

/// Reads series from one block, decoding every timestamp and shared column at most once.
pub(crate) struct BlockCursor<'a> {
    block: &'a Block,
    ts: HashMap<usize, Arc<[i64]>>,
    shared: Vec<Option<Vec<f64>>>,
    /// Whether decoded raw columns go through the cache.
    cached: bool,
}

impl BlockCursor<'_> {
    /// Timestamps of a local series.
    pub(crate) fn timestamps(&mut self, local: usize) -> Result<&[i64], StoreError> {
        let col = self.block.series[local].ts_col;
        if !self.ts.contains_key(&col) {
            self.ts.insert(col, self.block.timestamps(col, self.cached)?);
        }
        Ok(self.ts.get(&col).map_or(&[], |v| &v[..]))
    }

    /// The index range `lo..hi` of a local series' points within `[start, end]`, if any.
    pub(crate) fn range(&mut self, local: usize, start: i64, end: i64) -> Result<Option<(usize, usize)>, StoreError> {
        let ts = self.timestamps(local)?;
        let lo = ts.partition_point(|t| *t < start);
        let hi = ts.partition_point(|t| *t <= end);
        Ok((lo < hi).then_some((lo, hi)))
    }

    /// Value column `c` of a local series, restricted to points `lo..hi`.
    pub(crate) fn column(&mut self, local: usize, c: usize, lo: usize, hi: usize) -> Result<Vec<f64>, StoreError> {
        let b = self.block;
        let s = &b.series[local];
        let n = b.ts_cols[s.ts_col].1;
        if hi > n || lo > hi {
            return Err(b.corrupt("point range outside the series"));
        }
        if s.pages.is_empty() {
            let Some(slot) = self.shared.get_mut(c) else { return Err(b.corrupt("missing shared column")) };
            if slot.is_none() {
                *slot = Some(codec::decode_values(b.checked(&b.shared[c])?, b.shared_len).map_err(|e| b.corrupt(e))?);
            }
            let all = slot.as_deref().unwrap_or(&[]);
            return Ok(all[s.shared_off + lo..s.shared_off + hi].to_vec());
        }
        if c != 0 {
            return Err(b.corrupt("raw series have one value column"));
        }
        let mut out = Vec::with_capacity(hi - lo);
        self.each_page(local, lo, hi, |_, vals| out.extend_from_slice(vals))?;
        Ok(out)
    }

    /// Appends the raw samples `lo..hi` of a local series to `out` (the read hot path:
    /// values go from the decoded page straight into samples, with no copy in between).
    pub(crate) fn samples_into(&mut self, local: usize, lo: usize, hi: usize, out: &mut Vec<Sample>) -> Result<(), StoreError> {
        self.timestamps(local)?;
        let ts = self.ts.get(&self.block.series[local].ts_col).map_or(&[][..], |v| &v[..]);
        out.reserve(hi.saturating_sub(lo));
        let (block, cached) = (self.block, self.cached);
        Self::pages(block, local, lo, hi, cached, |start, vals| {
            out.extend(ts[start..start + vals.len()].iter().zip(vals).map(|(&t, &v)| Sample { t, v }))
        })
    }

    fn each_page(&mut self, local: usize, lo: usize, hi: usize, f: impl FnMut(usize, &[f64])) -> Result<(), StoreError> {
        Self::pages(self.block, local, lo, hi, self.cached, f)
    }

    /// Decodes the pages of a raw series covering `lo..hi` and hands each part, with the
    /// index of its first point, to `f`.
    fn pages(b: &Block, local: usize, lo: usize, hi: usize, cached: bool, mut f: impl FnMut(usize, &[f64])) -> Result<(), StoreError> {
        let s = &b.series[local];
        let n = b.ts_cols[s.ts_col].1;
        if hi > n || lo > hi || s.pages.is_empty() {
            return Err(b.corrupt("point range outside the series"));
        }
        if lo == hi {
            return Ok(());
        }
        for p in lo / b.page..=(hi - 1) / b.page {
            let first = p * b.page;
            let count = b.page.min(n - first);
            let vals = b.page(&s.pages[p], count, cached)?;
            let (a, z) = (lo.max(first), hi.min(first + count));
            f(a, &vals[a - first..z - first]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{BlockSeriesData, BlockWriter};
    use super::*;

    fn sample_block(dir: &Path) -> PathBuf {
        let path = dir.join("b.vblk");
        let ts: Vec<i64> = (0..100).map(|i| 1000 * i + (i % 3)).collect();
        let (a, b) = (Labels::from_pairs([("__name__", "a")]), Labels::from_pairs([("__name__", "b")]));
        let series = [
            BlockSeriesData { labels: &a, ts: ts.clone(), cols: vec![(0..100).map(|i| i as f64 * 0.1).collect()] },
            BlockSeriesData { labels: &b, ts, cols: vec![vec![7.0; 100]] },
        ];
        let meta = BlockMeta { resolution_ms: 0, window_start: 0, window_end: 7_200_000, seq: 3, level: 0, min_t: 0, max_t: 0, samples: 0 };
        let mut w = BlockWriter::new(meta);
        series.iter().for_each(|s| w.add(s));
        w.finish(&path).unwrap();
        path
    }

    #[test]
    fn written_block_reads_back_with_shared_timestamps() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample_block(dir.path());
        let (mut b, labels) = Block::open(&path).unwrap();
        assert_eq!(labels[1].metric_name(), Some("b"));
        b.set_ids(&[10, 11]);
        assert_eq!(b.meta.samples, 200);
        assert_eq!(b.meta.max_t, 99_000);
        let l = b.local(11).unwrap();
        assert_eq!(b.ts_col(l), b.ts_col(b.local(10).unwrap()), "identical timestamps share a column");
        assert_eq!(b.timestamps(b.ts_col(l), false).unwrap()[99], 99_000);
        let mut cur = b.cursor();
        assert_eq!(cur.column(b.local(10).unwrap(), 0, 40, 50).unwrap()[2], 42.0 * 0.1);
    }

    #[test]
    fn any_flipped_byte_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample_block(dir.path());
        let good = std::fs::read(&path).unwrap();
        for i in (0..good.len()).step_by(7) {
            let mut bad = good.clone();
            bad[i] ^= 0x40;
            std::fs::write(&path, &bad).unwrap();
            let detected = match Block::open(&path) {
                Err(StoreError::CorruptBlock { .. }) => true,
                Err(e) => panic!("unexpected error {e}"),
                // Column bytes are checked when read: reading everything must fail.
                Ok((mut b, _)) => {
                    b.set_ids(&[10, 11]);
                    let mut cur = b.cursor();
                    let mut out = Vec::new();
                    (0..2).any(|l| cur.samples_into(l, 0, 100, &mut out).is_err())
                }
            };
            assert!(detected, "flip at {i} went unnoticed");
        }
    }
}
