//! Writing a block file.

use std::collections::HashMap;
use std::path::Path;

use super::{BlockMeta, ColRef, FOOTER, MAGIC, MAGIC_END, TIER_COLUMNS, VALUE_PAGE};
use crate::codec::{self, varint::*};
use crate::error::StoreError;
use crate::model::Labels;

/// One series' data for a block: shared-length timestamp and value columns.
pub(crate) struct BlockSeriesData<'a> {
    /// The series.
    pub labels: &'a Labels,
    /// Timestamps, strictly increasing.
    pub ts: Vec<i64>,
    /// One column for raw blocks; min, max, sum, count, last for tier blocks (all the
    /// same length as `ts`).
    pub cols: Vec<Vec<f64>>,
}

/// Builds a block file series by series, keeping only encoded bytes in memory.
pub(crate) struct BlockWriter {
    meta: BlockMeta,
    file: Vec<u8>,
    table: Vec<u8>,
    ts_index: HashMap<Vec<i64>, u32>,
    ts_cols: Vec<(ColRef, usize)>,
    /// Block-wide columns (tier blocks): every series' points appended in series order.
    shared: Vec<Vec<f64>>,
    shared_len: u64,
    series: u64,
    min_t: i64,
    max_t: i64,
    samples: u64,
}

impl BlockWriter {
    /// Starts a block with the given identity (extent fields are computed). Raw blocks
    /// keep one value column per series; tier blocks keep [`TIER_COLUMNS`] block-wide
    /// columns, because their series are short and per-column overhead would dominate.
    pub(crate) fn new(meta: BlockMeta) -> BlockWriter {
        let mut file = Vec::with_capacity(1 << 16);
        file.extend_from_slice(MAGIC);
        let shared = if meta.resolution_ms == 0 { Vec::new() } else { vec![Vec::new(); TIER_COLUMNS] };
        BlockWriter {
            meta,
            file,
            table: Vec::new(),
            ts_index: HashMap::new(),
            ts_cols: Vec::new(),
            shared,
            shared_len: 0,
            series: 0,
            min_t: i64::MAX,
            max_t: i64::MIN,
            samples: 0,
        }
    }

    /// Adds one series; series without points are skipped.
    pub(crate) fn add(&mut self, s: &BlockSeriesData<'_>) {
        let (Some(&first), Some(&last)) = (s.ts.first(), s.ts.last()) else { return };
        self.min_t = self.min_t.min(first);
        self.max_t = self.max_t.max(last);
        self.samples += s.ts.len() as u64;
        self.series += 1;
        let ts_idx = match self.ts_index.get(&s.ts) {
            Some(i) => *i,
            None => {
                let col = self.append_column(&codec::encode_timestamps(&s.ts));
                self.ts_cols.push((col, s.ts.len()));
                let i = (self.ts_cols.len() - 1) as u32;
                self.ts_index.insert(s.ts.clone(), i);
                i
            }
        };
        let t = &mut self.table;
        put_uvarint(t, s.labels.len() as u64);
        for l in s.labels.iter() {
            put_str(t, &l.name);
            put_str(t, &l.value);
        }
        put_uvarint(t, ts_idx as u64);
        if !self.shared.is_empty() {
            // Zero own columns: the points start at this offset of the block-wide columns.
            put_uvarint(t, 0);
            put_uvarint(t, self.shared_len);
            for (dst, src) in self.shared.iter_mut().zip(&s.cols) {
                dst.extend_from_slice(src);
            }
            self.shared_len += s.ts.len() as u64;
            return;
        }
        // Raw series: one value column, encoded in pages so reads decode only what they need.
        put_uvarint(t, 1);
        let values = s.cols.first().map_or(&[][..], |c| c.as_slice());
        put_uvarint(&mut self.table, values.len().div_ceil(VALUE_PAGE) as u64);
        for page in values.chunks(VALUE_PAGE) {
            let col = self.append_column(&codec::encode_values(page));
            col.put(&mut self.table);
        }
    }

    /// Appends an encoded column to the data section.
    fn append_column(&mut self, enc: &[u8]) -> ColRef {
        let col = ColRef { off: self.file.len(), len: enc.len(), crc: crc32fast::hash(enc) };
        self.file.extend_from_slice(enc);
        col
    }

    /// The block's sequence number.
    pub(crate) fn meta_seq(&self) -> u64 {
        self.meta.seq
    }

    /// Whether no series with points was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.series == 0
    }

    /// Writes the file atomically at `path`; returns the final meta and the file size.
    pub(crate) fn finish(mut self, path: &Path) -> Result<(BlockMeta, u64), StoreError> {
        let shared = std::mem::take(&mut self.shared);
        let shared_refs: Vec<ColRef> = shared.iter().map(|c| self.append_column(&codec::encode_values(c))).collect();
        let meta = &mut self.meta;
        meta.min_t = self.min_t;
        meta.max_t = self.max_t;
        meta.samples = self.samples;
        let mut head = Vec::new();
        put_uvarint(&mut head, meta.resolution_ms as u64);
        put_varint(&mut head, meta.window_start);
        put_varint(&mut head, meta.window_end);
        put_uvarint(&mut head, meta.seq);
        head.push(meta.level);
        put_varint(&mut head, meta.min_t);
        put_varint(&mut head, meta.max_t);
        put_uvarint(&mut head, meta.samples);
        put_uvarint(&mut head, VALUE_PAGE as u64);
        put_uvarint(&mut head, self.ts_cols.len() as u64);
        for (col, n) in &self.ts_cols {
            col.put(&mut head);
            put_uvarint(&mut head, *n as u64);
        }
        put_uvarint(&mut head, shared_refs.len() as u64);
        put_uvarint(&mut head, self.shared_len);
        for col in &shared_refs {
            col.put(&mut head);
        }
        put_uvarint(&mut head, self.series);
        head.extend_from_slice(&self.table);
        // Label strings repeat across series: zstd takes the table down several-fold.
        let table = zstd::bulk::compress(&head, 9).map_err(|e| StoreError::Io {
            action: "compressing block table",
            path: path.to_path_buf(),
            source: e,
        })?;
        let file = &mut self.file;
        let table_off = file.len() as u64;
        file.extend_from_slice(&table);
        file.extend_from_slice(&table_off.to_le_bytes());
        file.extend_from_slice(&(table.len() as u64).to_le_bytes());
        let crc = crc32fast::hash(&file[table_off as usize..]);
        file.extend_from_slice(&crc.to_le_bytes());
        file.extend_from_slice(MAGIC_END);
        debug_assert_eq!(file.len() as u64, table_off + table.len() as u64 + FOOTER as u64);
        crate::disk::write_atomic(path, file)?;
        Ok((self.meta, self.file.len() as u64))
    }
}
