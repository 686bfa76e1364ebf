//! LEB128 varints and zigzag, used by the WAL records and block tables.

/// Appends `v` as an unsigned LEB128 varint.
pub fn put_uvarint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

/// Appends `v` zigzag-encoded.
pub fn put_varint(buf: &mut Vec<u8>, v: i64) {
    put_uvarint(buf, ((v << 1) ^ (v >> 63)) as u64);
}

/// Appends a length-prefixed string.
pub fn put_str(buf: &mut Vec<u8>, s: &str) {
    put_uvarint(buf, s.len() as u64);
    buf.extend_from_slice(s.as_bytes());
}

/// A cursor over encoded bytes; every read fails cleanly on truncated or invalid input.
pub struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// Malformed encoded data.
#[derive(Debug, thiserror::Error)]
#[error("malformed data at byte {pos}: {what}")]
pub struct Malformed {
    /// Offset in the decoded buffer.
    pub pos: usize,
    /// What was wrong.
    pub what: &'static str,
}

impl<'a> Cursor<'a> {
    /// Starts at the beginning of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }

    fn err(&self, what: &'static str) -> Malformed {
        Malformed { pos: self.pos, what }
    }

    /// Whether all bytes were consumed.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// Reads an unsigned varint.
    #[inline]
    pub fn uvarint(&mut self) -> Result<u64, Malformed> {
        let mut out = 0u64;
        let mut shift = 0;
        loop {
            let b = *self.buf.get(self.pos).ok_or_else(|| self.err("truncated varint"))?;
            self.pos += 1;
            if shift == 63 && b > 1 {
                return Err(self.err("varint overflows 64 bits"));
            }
            out |= ((b & 0x7f) as u64) << shift;
            if b < 0x80 {
                return Ok(out);
            }
            shift += 7;
            if shift > 63 {
                return Err(self.err("varint too long"));
            }
        }
    }

    /// Reads a zigzag varint.
    #[inline]
    pub fn varint(&mut self) -> Result<i64, Malformed> {
        let u = self.uvarint()?;
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    /// Reads `n` raw bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len()).ok_or_else(|| self.err("truncated bytes"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// Reads a little-endian u64.
    #[inline]
    pub fn u64_le(&mut self) -> Result<u64, Malformed> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, Malformed> {
        Ok(self.bytes(1)?[0])
    }

    /// Reads a length-prefixed UTF-8 string.
    pub fn str(&mut self) -> Result<&'a str, Malformed> {
        let n = self.uvarint()? as usize;
        let b = self.bytes(n)?;
        std::str::from_utf8(b).map_err(|_| self.err("invalid UTF-8 in string"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn varints_round_trip(vals in proptest::collection::vec(any::<i64>(), 0..100), s in ".*") {
            let mut buf = Vec::new();
            for v in &vals { put_varint(&mut buf, *v); put_uvarint(&mut buf, *v as u64); }
            put_str(&mut buf, &s);
            let mut c = Cursor::new(&buf);
            for v in &vals {
                prop_assert_eq!(c.varint().unwrap(), *v);
                prop_assert_eq!(c.uvarint().unwrap(), *v as u64);
            }
            prop_assert_eq!(c.str().unwrap(), s.as_str());
            prop_assert!(c.is_empty());
        }

        #[test]
        fn garbage_never_panics(buf in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut c = Cursor::new(&buf);
            while c.uvarint().is_ok() && !c.is_empty() {}
        }
    }
}
