//! WAL record framing and encoding.
//!
//! Frame: `len: u32 LE` (of kind + payload), `crc32: u32 LE` (of kind + payload), `kind: u8`,
//! payload. A frame whose length runs past the file or whose checksum fails marks the end of
//! what can be trusted in that segment.

use crate::codec::varint::{put_str, put_uvarint, put_varint, Cursor, Malformed};
use crate::model::{Label, Labels, MetricKind, MetricMetadata};

/// Frame header size: length and checksum.
pub(crate) const HEADER: usize = 8;
/// Upper bound on one record, far above anything the writer produces.
pub(crate) const MAX_RECORD: usize = 256 << 20;

const KIND_SERIES: u8 = 1;
const KIND_SAMPLES: u8 = 2;
const KIND_METADATA: u8 = 3;

/// A decoded WAL record.
#[derive(Debug, PartialEq)]
pub(crate) enum Record {
    /// A series id (as the writing process numbered it) and its labels.
    Series { id: u32, labels: Labels },
    /// Samples as (series id, timestamp ms, value).
    Samples(Vec<(u32, i64, f64)>),
    /// Metadata for a metric family.
    Metadata { metric: String, meta: MetricMetadata },
}

fn frame(buf: &mut Vec<u8>, kind: u8, body: impl FnOnce(&mut Vec<u8>)) {
    let start = buf.len();
    buf.extend_from_slice(&[0; HEADER]);
    buf.push(kind);
    body(buf);
    let len = (buf.len() - start - HEADER) as u32;
    let crc = crc32fast::hash(&buf[start + HEADER..]);
    buf[start..start + 4].copy_from_slice(&len.to_le_bytes());
    buf[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// Appends a series record.
pub(crate) fn encode_series(buf: &mut Vec<u8>, id: u32, labels: &Labels) {
    frame(buf, KIND_SERIES, |b| {
        put_uvarint(b, id as u64);
        put_uvarint(b, labels.len() as u64);
        for l in labels.iter() {
            put_str(b, &l.name);
            put_str(b, &l.value);
        }
    });
}

/// Appends a samples record; timestamps are stored relative to the first.
pub(crate) fn encode_samples(buf: &mut Vec<u8>, samples: &[(u32, i64, f64)]) {
    frame(buf, KIND_SAMPLES, |b| {
        put_uvarint(b, samples.len() as u64);
        let base = samples.first().map_or(0, |s| s.1);
        put_varint(b, base);
        for &(id, t, v) in samples {
            put_uvarint(b, id as u64);
            put_varint(b, t.wrapping_sub(base));
            b.extend_from_slice(&v.to_bits().to_le_bytes());
        }
    });
}

/// Appends a metadata record.
pub(crate) fn encode_metadata(buf: &mut Vec<u8>, metric: &str, meta: &MetricMetadata) {
    frame(buf, KIND_METADATA, |b| {
        put_str(b, metric);
        put_str(b, meta.kind.as_str());
        put_str(b, &meta.help);
        put_str(b, &meta.unit);
    });
}

/// Outcome of reading one frame from a buffer.
pub(crate) enum Frame {
    /// A good record and the bytes it took.
    Ok(Record, usize),
    /// The buffer ends exactly here.
    End,
    /// The bytes from here on cannot be trusted; the reason says why.
    Bad(String),
}

/// Reads the frame at the start of `buf`.
pub(crate) fn read_frame(buf: &[u8]) -> Frame {
    if buf.is_empty() {
        return Frame::End;
    }
    if buf.len() < HEADER {
        return Frame::Bad(format!("torn record header ({} bytes)", buf.len()));
    }
    let len = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    let crc = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
    if len == 0 || len > MAX_RECORD {
        return Frame::Bad(format!("invalid record length {len}"));
    }
    let Some(body) = buf.get(HEADER..HEADER + len) else {
        return Frame::Bad(format!("torn record: {len} bytes announced, {} present", buf.len() - HEADER));
    };
    if crc32fast::hash(body) != crc {
        return Frame::Bad("record checksum mismatch".into());
    }
    match decode(body) {
        Ok(r) => Frame::Ok(r, HEADER + len),
        Err(e) => Frame::Bad(format!("undecodable record: {e}")),
    }
}

fn decode(body: &[u8]) -> Result<Record, Malformed> {
    let mut c = Cursor::new(&body[1..]);
    let bad = |what| Malformed { pos: 0, what };
    let rec = match body[0] {
        KIND_SERIES => {
            let id = u32::try_from(c.uvarint()?).map_err(|_| bad("series id overflows"))?;
            let n = c.uvarint()? as usize;
            let mut pairs = Vec::with_capacity(n.min(64));
            for _ in 0..n {
                let name = c.str()?.to_owned();
                let value = c.str()?.to_owned();
                pairs.push(Label { name, value });
            }
            Record::Series { id, labels: Labels::from_pairs(pairs.into_iter().map(|l| (l.name, l.value))) }
        }
        KIND_SAMPLES => {
            let n = c.uvarint()? as usize;
            let base = c.varint()?;
            // Each sample takes at least 10 bytes: bound the allocation by the body size.
            let mut out = Vec::with_capacity(n.min(body.len() / 10 + 1));
            for _ in 0..n {
                let id = u32::try_from(c.uvarint()?).map_err(|_| bad("series id overflows"))?;
                let t = base.wrapping_add(c.varint()?);
                let v = f64::from_bits(c.u64_le()?);
                out.push((id, t, v));
            }
            Record::Samples(out)
        }
        KIND_METADATA => {
            let metric = c.str()?.to_owned();
            let kind = MetricKind::parse(c.str()?).ok_or(bad("unknown metric type"))?;
            let help = c.str()?.to_owned();
            let unit = c.str()?.to_owned();
            Record::Metadata { metric, meta: MetricMetadata { kind, help, unit } }
        }
        _ => return Err(bad("unknown record kind")),
    };
    if !c.is_empty() {
        return Err(bad("trailing bytes in record"));
    }
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn records_round_trip() {
        let mut buf = Vec::new();
        let labels = Labels::from_pairs([("__name__", "up"), ("job", "x")]);
        encode_series(&mut buf, 7, &labels);
        encode_samples(&mut buf, &[(7, 1000, 1.5), (7, 999, f64::NAN)]);
        let meta = MetricMetadata { kind: MetricKind::Gauge, help: "h".into(), unit: "".into() };
        encode_metadata(&mut buf, "up", &meta);
        let mut off = 0;
        let mut got = Vec::new();
        while let Frame::Ok(r, n) = read_frame(&buf[off..]) {
            got.push(r);
            off += n;
        }
        assert_eq!(off, buf.len());
        assert_eq!(got[0], Record::Series { id: 7, labels });
        match &got[1] {
            Record::Samples(s) => {
                assert_eq!(s[0], (7, 1000, 1.5));
                assert_eq!((s[1].0, s[1].1), (7, 999));
                assert!(s[1].2.is_nan());
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(got[2], Record::Metadata { metric: "up".into(), meta });
    }

    #[test]
    fn torn_and_flipped_records_are_detected() {
        let mut buf = Vec::new();
        encode_samples(&mut buf, &[(1, 5, 2.0)]);
        assert!(matches!(read_frame(&buf[..buf.len() - 1]), Frame::Bad(m) if m.starts_with("torn record")));
        let mut flipped = buf.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(matches!(read_frame(&flipped), Frame::Bad(m) if m.contains("checksum")));
    }

    proptest! {
        #[test]
        fn garbage_never_panics(buf in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = read_frame(&buf);
        }
    }
}
