//! Bit-level writer and reader for the Gorilla codecs.

/// Appends bits most-significant first into a byte vector.
#[derive(Default)]
pub struct BitWriter {
    buf: Vec<u8>,
    /// Bits used in the last byte (0 means the last byte is full or there is none).
    used: u32,
}

impl BitWriter {
    /// Writes the low `n` bits of `v` (n <= 64).
    pub fn write(&mut self, v: u64, n: u32) {
        let mut left = n;
        while left > 0 {
            if self.used == 0 {
                self.buf.push(0);
                self.used = 0;
            }
            let free = 8 - self.used;
            let take = free.min(left);
            let shift = left - take;
            let chunk = ((v >> shift) & ((1u64 << take) - 1)) as u8;
            let last = self.buf.len() - 1;
            self.buf[last] |= chunk << (free - take);
            self.used = (self.used + take) % 8;
            left -= take;
        }
    }

    /// Writes one bit.
    pub fn bit(&mut self, b: bool) {
        self.write(b as u64, 1);
    }

    /// The written bytes (the last one padded with zeros).
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads bits most-significant first.
pub struct BitReader<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// The input ended before the value did.
#[derive(Debug)]
pub struct Truncated;

impl<'a> BitReader<'a> {
    /// Starts at the first bit of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        BitReader { buf, pos: 0 }
    }

    /// Reads `n` bits (n <= 64) as the low bits of the result.
    #[inline]
    pub fn read(&mut self, n: u32) -> Result<u64, Truncated> {
        if n == 0 {
            return Ok(0);
        }
        let end = self.pos + n as usize;
        if end > self.buf.len() * 8 {
            return Err(Truncated);
        }
        // Load 16 bytes big-endian around the position and shift the wanted bits out:
        // one load per value instead of one per byte (this is the read hot path).
        let start = self.pos / 8;
        let window = match self.buf.get(start..start + 16) {
            Some(s) => {
                let mut a = [0u8; 16];
                a.copy_from_slice(s);
                u128::from_be_bytes(a)
            }
            None => {
                let mut a = [0u8; 16];
                let tail = &self.buf[start..];
                a[..tail.len()].copy_from_slice(tail);
                u128::from_be_bytes(a)
            }
        };
        let off = (self.pos % 8) as u32;
        self.pos = end;
        Ok(((window << off) >> (128 - n)) as u64)
    }

    /// Reads one bit.
    #[inline]
    pub fn bit(&mut self) -> Result<bool, Truncated> {
        Ok(self.read(1)? == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn round_trip(items in proptest::collection::vec((any::<u64>(), 1u32..=64), 0..200)) {
            let mut w = BitWriter::default();
            for (v, n) in &items {
                w.write(*v, *n);
            }
            let buf = w.finish();
            let mut r = BitReader::new(&buf);
            for (v, n) in &items {
                let mask = if *n == 64 { u64::MAX } else { (1u64 << n) - 1 };
                prop_assert_eq!(r.read(*n).unwrap(), v & mask);
            }
        }
    }
}
