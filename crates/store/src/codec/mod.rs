//! Column codecs: every column is encoded with each candidate scheme and the smallest
//! encoding that decodes back bit for bit is kept, behind a one-byte tag.
//!
//! Candidates: Gorilla delta-of-delta / XOR (hand-written, [`gorilla`]), pco (the `pco`
//! crate, which finds decimal structure, deltas and offsets in numeric columns), and
//! a constant form for columns holding one value.

pub mod bits;
pub mod gorilla;
pub mod varint;

use varint::{put_uvarint, Cursor};

const TAG_GORILLA: u8 = 0;
const TAG_PCO: u8 = 1;
const TAG_CONST: u8 = 2;

/// A column failed to decode: the stored bytes are damaged.
#[derive(Debug, thiserror::Error)]
#[error("corrupt column: {0}")]
pub struct CorruptColumn(pub &'static str);

/// Which scheme encoded a column (for benchmark reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Gorilla delta-of-delta or XOR.
    Gorilla,
    /// pco.
    Pco,
    /// One repeated value.
    Constant,
}

/// The scheme a column was written with.
pub fn scheme_of(col: &[u8]) -> Option<Scheme> {
    match *col.first()? {
        TAG_GORILLA => Some(Scheme::Gorilla),
        TAG_PCO => Some(Scheme::Pco),
        TAG_CONST => Some(Scheme::Constant),
        _ => None,
    }
}

fn tagged(tag: u8, n: usize, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 6);
    out.push(tag);
    put_uvarint(&mut out, n as u64);
    out.extend_from_slice(body);
    out
}

fn pco_bytes<T: pco::data_types::Number>(xs: &[T]) -> Option<Vec<u8>> {
    // pco's per-column overhead only pays off past a few dozen values.
    if xs.len() < 32 {
        return None;
    }
    pco::standalone::simple_compress(xs, &pco::ChunkConfig::default()).ok()
}

/// Encodes a timestamp column with the smallest scheme.
pub fn encode_timestamps(ts: &[i64]) -> Vec<u8> {
    let mut best = tagged(TAG_GORILLA, ts.len(), &gorilla::encode_timestamps(ts));
    if let Some(p) = pco_bytes(ts) {
        let cand = tagged(TAG_PCO, ts.len(), &p);
        if cand.len() < best.len() && decode_timestamps(&cand, ts.len()).is_ok_and(|d| d == ts) {
            best = cand;
        }
    }
    best
}

/// Decodes a column written by [`encode_timestamps`] that must hold `expected` values.
pub fn decode_timestamps(col: &[u8], expected: usize) -> Result<Vec<i64>, CorruptColumn> {
    let (tag, n, body) = split(col, expected)?;
    match tag {
        TAG_GORILLA => {
            let mut out = Vec::with_capacity(n);
            gorilla::decode_timestamps(body, n, &mut out).map_err(|_| CorruptColumn("truncated timestamps"))?;
            Ok(out)
        }
        TAG_PCO => {
            let out: Vec<i64> = pco::standalone::simple_decompress(body).map_err(|_| CorruptColumn("bad pco timestamps"))?;
            (out.len() == n).then_some(out).ok_or(CorruptColumn("timestamp count mismatch"))
        }
        _ => Err(CorruptColumn("unknown timestamp encoding")),
    }
}

/// Encodes a value column with the smallest scheme that keeps every bit.
pub fn encode_values(vs: &[f64]) -> Vec<u8> {
    if let Some(first) = vs.first() {
        if vs.iter().all(|v| v.to_bits() == first.to_bits()) {
            return tagged(TAG_CONST, vs.len(), &first.to_bits().to_le_bytes());
        }
    }
    let mut best = tagged(TAG_GORILLA, vs.len(), &gorilla::encode_values(vs));
    if let Some(p) = pco_bytes(vs) {
        let cand = tagged(TAG_PCO, vs.len(), &p);
        // Keep pco only when it gives back the exact bits (NaN payloads included).
        if cand.len() < best.len() && decode_values(&cand, vs.len()).is_ok_and(|d| same_bits(&d, vs)) {
            best = cand;
        }
    }
    best
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// Decodes a column written by [`encode_values`] that must hold `expected` values.
pub fn decode_values(col: &[u8], expected: usize) -> Result<Vec<f64>, CorruptColumn> {
    let (tag, n, body) = split(col, expected)?;
    match tag {
        TAG_GORILLA => {
            let mut out = Vec::with_capacity(n);
            gorilla::decode_values(body, n, &mut out).map_err(|_| CorruptColumn("truncated values"))?;
            Ok(out)
        }
        TAG_PCO => {
            let out: Vec<f64> = pco::standalone::simple_decompress(body).map_err(|_| CorruptColumn("bad pco values"))?;
            (out.len() == n).then_some(out).ok_or(CorruptColumn("value count mismatch"))
        }
        TAG_CONST => {
            let b: [u8; 8] = body.try_into().map_err(|_| CorruptColumn("bad constant column"))?;
            Ok(vec![f64::from_bits(u64::from_le_bytes(b)); n])
        }
        _ => Err(CorruptColumn("unknown value encoding")),
    }
}

fn split(col: &[u8], expected: usize) -> Result<(u8, usize, &[u8]), CorruptColumn> {
    let mut c = Cursor::new(col);
    let tag = c.u8().map_err(|_| CorruptColumn("empty column"))?;
    let n = c.uvarint().map_err(|_| CorruptColumn("bad column length"))?;
    // The count comes from the block's checksummed series table: a mismatch means damage,
    // and checking it first bounds every allocation below.
    if n != expected as u64 {
        return Err(CorruptColumn("column length differs from the series table"));
    }
    let rest = c.bytes(col.len() - 1 - varint_len(n)).map_err(|_| CorruptColumn("bad column"))?;
    Ok((tag, n as usize, rest))
}

fn varint_len(mut n: u64) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn values_round_trip(bits in proptest::collection::vec(any::<u64>(), 0..400)) {
            let vs: Vec<f64> = bits.iter().map(|b| f64::from_bits(*b)).collect();
            let got = decode_values(&encode_values(&vs), vs.len()).unwrap();
            prop_assert!(same_bits(&got, &vs));
        }

        #[test]
        fn decimal_values_round_trip(start in 0u32..1_000_000, steps in proptest::collection::vec(0u32..500, 0..400)) {
            let mut acc = start as f64 / 100.0;
            let vs: Vec<f64> = steps.iter().map(|s| { acc += *s as f64 / 100.0; acc }).collect();
            let got = decode_values(&encode_values(&vs), vs.len()).unwrap();
            prop_assert!(same_bits(&got, &vs));
        }

        #[test]
        fn timestamps_round_trip(start in 0i64..1i64<<45, jit in proptest::collection::vec(0i64..50, 0..400)) {
            let ts: Vec<i64> = jit.iter().enumerate().map(|(i, j)| start + i as i64 * 1000 + j).collect();
            prop_assert_eq!(decode_timestamps(&encode_timestamps(&ts), ts.len()).unwrap(), ts);
        }

        #[test]
        fn garbage_is_an_error_not_a_panic(buf in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode_values(&buf, 10);
            let _ = decode_timestamps(&buf, 10);
        }
    }

    #[test]
    fn constant_column_is_tiny_and_keeps_stale_markers() {
        let vs = vec![crate::model::stale_marker(); 500];
        let enc = encode_values(&vs);
        assert!(enc.len() <= 12);
        assert!(decode_values(&enc, 500).unwrap().iter().all(|v| crate::model::is_stale_marker(*v)));
    }
}
