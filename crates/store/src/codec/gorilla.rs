//! Gorilla-style codecs (Pelkonen et al., VLDB 2015): delta-of-delta timestamps and
//! XOR-compressed floats. Written by hand because they are the storage hot path and the
//! baseline every other column encoding is measured against.

use super::bits::{BitReader, BitWriter, Truncated};

/// Encodes strictly increasing or arbitrary millisecond timestamps as delta-of-deltas.
pub fn encode_timestamps(ts: &[i64]) -> Vec<u8> {
    let mut w = BitWriter::default();
    let mut prev = 0i64;
    let mut prev_delta = 0i64;
    for (i, &t) in ts.iter().enumerate() {
        match i {
            0 => w.write(t as u64, 64),
            1 => {
                prev_delta = t.wrapping_sub(prev);
                write_dod(&mut w, prev_delta);
            }
            _ => {
                let delta = t.wrapping_sub(prev);
                write_dod(&mut w, delta.wrapping_sub(prev_delta));
                prev_delta = delta;
            }
        }
        prev = t;
    }
    w.finish()
}

fn write_dod(w: &mut BitWriter, dod: i64) {
    if dod == 0 {
        w.bit(false);
        return;
    }
    // Bucket sizes follow Prometheus' chunk encoding: small jitter costs 16 bits at most.
    for (prefix, plen, bits) in [(0b10u64, 2u32, 14u32), (0b110, 3, 17), (0b1110, 4, 20)] {
        let lo = -(1i64 << (bits - 1));
        let hi = (1i64 << (bits - 1)) - 1;
        if (lo..=hi).contains(&dod) {
            w.write(prefix, plen);
            w.write(dod as u64, bits);
            return;
        }
    }
    w.write(0b1111, 4);
    w.write(dod as u64, 64);
}

fn read_dod(r: &mut BitReader) -> Result<i64, Truncated> {
    let mut ones = 0;
    while ones < 4 && r.bit()? {
        ones += 1;
    }
    let bits = match ones {
        0 => return Ok(0),
        1 => 14,
        2 => 17,
        3 => 20,
        _ => 64,
    };
    let raw = r.read(bits)?;
    if bits == 64 {
        return Ok(raw as i64);
    }
    // Sign-extend the two's complement field.
    let shift = 64 - bits;
    Ok(((raw << shift) as i64) >> shift)
}

/// Decodes `n` timestamps written by [`encode_timestamps`].
pub fn decode_timestamps(buf: &[u8], n: usize, out: &mut Vec<i64>) -> Result<(), Truncated> {
    let mut r = BitReader::new(buf);
    let mut prev = 0i64;
    let mut delta = 0i64;
    for i in 0..n {
        let t = match i {
            0 => r.read(64)? as i64,
            1 => {
                delta = read_dod(&mut r)?;
                prev.wrapping_add(delta)
            }
            _ => {
                delta = delta.wrapping_add(read_dod(&mut r)?);
                prev.wrapping_add(delta)
            }
        };
        out.push(t);
        prev = t;
    }
    Ok(())
}

/// Encodes floats by XOR with the previous value, keeping their exact bits.
pub fn encode_values(vs: &[f64]) -> Vec<u8> {
    let mut w = BitWriter::default();
    let mut prev = 0u64;
    let (mut lead, mut trail) = (u32::MAX, 0u32);
    for (i, v) in vs.iter().enumerate() {
        let bits = v.to_bits();
        if i == 0 {
            w.write(bits, 64);
            prev = bits;
            continue;
        }
        let x = bits ^ prev;
        prev = bits;
        if x == 0 {
            w.bit(false);
            continue;
        }
        w.bit(true);
        let l = x.leading_zeros().min(31);
        let t = x.trailing_zeros();
        if lead != u32::MAX && l >= lead && t >= trail {
            // Fits in the previous meaningful window.
            w.bit(false);
            w.write(x >> trail, 64 - lead - trail);
        } else {
            lead = l;
            trail = t;
            let sig = 64 - l - t;
            w.bit(true);
            w.write(l as u64, 5);
            // sig is 1..=64; 64 is stored as 0 in six bits.
            w.write((sig % 64) as u64, 6);
            w.write(x >> t, sig);
        }
    }
    w.finish()
}

/// Decodes `n` floats written by [`encode_values`].
pub fn decode_values(buf: &[u8], n: usize, out: &mut Vec<f64>) -> Result<(), Truncated> {
    let mut r = BitReader::new(buf);
    let mut prev = 0u64;
    let (mut lead, mut trail) = (0u32, 0u32);
    for i in 0..n {
        if i == 0 {
            prev = r.read(64)?;
        } else if r.bit()? {
            if r.bit()? {
                lead = r.read(5)? as u32;
                let mut sig = r.read(6)? as u32;
                if sig == 0 {
                    sig = 64;
                }
                if lead + sig > 64 {
                    return Err(Truncated);
                }
                trail = 64 - lead - sig;
            }
            let sig = 64 - lead - trail;
            prev ^= r.read(sig)? << trail;
        }
        out.push(f64::from_bits(prev));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn timestamps_round_trip(ts in proptest::collection::vec(any::<i64>(), 0..300)) {
            let enc = encode_timestamps(&ts);
            let mut out = Vec::new();
            decode_timestamps(&enc, ts.len(), &mut out).unwrap();
            prop_assert_eq!(out, ts);
        }

        #[test]
        fn regular_timestamps_round_trip(start in -1i64<<50..1i64<<50, jitter in proptest::collection::vec(-2000i64..2000, 0..300)) {
            let ts: Vec<i64> = jitter.iter().enumerate().map(|(i, j)| start + i as i64 * 1000 + j).collect();
            let enc = encode_timestamps(&ts);
            let mut out = Vec::new();
            decode_timestamps(&enc, ts.len(), &mut out).unwrap();
            prop_assert_eq!(out, ts);
        }

        #[test]
        fn values_round_trip_bit_exact(bits in proptest::collection::vec(any::<u64>(), 0..300)) {
            let vs: Vec<f64> = bits.iter().map(|b| f64::from_bits(*b)).collect();
            let enc = encode_values(&vs);
            let mut out = Vec::new();
            decode_values(&enc, vs.len(), &mut out).unwrap();
            let got: Vec<u64> = out.iter().map(|v| v.to_bits()).collect();
            prop_assert_eq!(got, bits);
        }

        #[test]
        fn decoding_garbage_never_panics(buf in proptest::collection::vec(any::<u8>(), 0..100), n in 0usize..200) {
            let mut o = Vec::new();
            let _ = decode_values(&buf, n, &mut o);
            let mut o = Vec::new();
            let _ = decode_timestamps(&buf, n, &mut o);
        }
    }

    #[test]
    fn constant_series_costs_one_bit_per_value() {
        let vs = vec![42.5; 1001];
        assert_eq!(encode_values(&vs).len(), 8 + 1000 / 8);
    }
}
