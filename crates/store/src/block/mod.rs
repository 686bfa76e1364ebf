//! Immutable blocks: one file per (tier, time window) holding compressed columns.
//!
//! Layout of a `.vblk` file:
//! ```text
//! "VTSBLK01" | timestamp columns | value columns | series table (zstd) | footer
//! footer = table offset u64 LE | table length u64 LE | crc32 of table and offset/length u32 LE | "VTSEND01"
//! ```
//! Series that share their timestamps (everything scraped together does) share one
//! timestamp column, so timestamps cost almost nothing per sample. Each value column is
//! encoded by [`crate::codec`] with whichever scheme is smallest for it; raw value columns
//! are split into pages of [`VALUE_PAGE`] values, tier blocks keep block-wide columns.
//! Raw timestamp columns and value pages decoded by queries' small reads stay in a small
//! process-wide cache (`decoded.rs`, 16 MiB) for the next reads of the same recent data;
//! compaction and long scans bypass it.

mod decoded;
mod reader;
mod writer;

pub(crate) use reader::{Block, BlockCursor};
pub(crate) use writer::{BlockSeriesData, BlockWriter};

/// File magic at the start of a block.
const MAGIC: &[u8; 8] = b"VTSBLK01";
/// Magic at the very end of a block.
const MAGIC_END: &[u8; 8] = b"VTSEND01";
/// Footer size: offset, length, crc, magic.
const FOOTER: usize = 8 + 8 + 4 + 8;

/// Where a column's bytes are and their CRC32. Columns are checked when decoded, so opening
/// a block reads only its table, whatever the block's size.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ColRef {
    pub off: usize,
    pub len: usize,
    pub crc: u32,
}

impl ColRef {
    fn put(&self, buf: &mut Vec<u8>) {
        crate::codec::varint::put_uvarint(buf, self.off as u64);
        crate::codec::varint::put_uvarint(buf, self.len as u64);
        buf.extend_from_slice(&self.crc.to_le_bytes());
    }

    fn read(c: &mut crate::codec::varint::Cursor<'_>) -> Result<ColRef, crate::codec::varint::Malformed> {
        let off = c.uvarint()? as usize;
        let len = c.uvarint()? as usize;
        let b = c.bytes(4)?;
        Ok(ColRef { off, len, crc: u32::from_le_bytes([b[0], b[1], b[2], b[3]]) })
    }
}

/// Identity and extent of a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BlockMeta {
    /// Resolution in ms of the tier the block belongs to; 0 for raw samples.
    pub resolution_ms: i64,
    /// Start of the aligned window the block lies in (inclusive, ms).
    pub window_start: i64,
    /// End of that window (exclusive, ms).
    pub window_end: i64,
    /// Write sequence number: among overlapping blocks the higher one wins a duplicate.
    pub seq: u64,
    /// 0 for a block written from the head; 1 once compacted (and rolled up, for raw).
    pub level: u8,
    /// Smallest and largest timestamp in the block.
    pub min_t: i64,
    /// See `min_t`.
    pub max_t: i64,
    /// Number of samples (raw) or aggregate points (tiers).
    pub samples: u64,
}

/// Values per page of a raw series' value column: a read decodes only the pages it needs
/// (about half an hour of 1 s data), at a small cost in compression.
const VALUE_PAGE: usize = 8192;

/// The columns a tier block keeps per point, in order.
pub(crate) const TIER_COLUMNS: usize = 5;
