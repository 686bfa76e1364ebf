//! A detector's learnt state as bytes, so that `vitals serve` can continue from it after a
//! restart ([`AnomalyDetector::to_bytes`], [`AnomalyDetector::from_bytes`]).
//!
//! Hand-written little-endian layout rather than a serialisation crate: the state is a few
//! fixed arrays and numbers (790 bytes), so a fixed layout is as compact as it gets, costs no
//! allocation beyond the output and no new dependency, and every field can be checked on the
//! way in. Layout of version 1, offsets in bytes:
//!
//! | Offset | Type | Field |
//! | --- | --- | --- |
//! | 0 | u8 | format version (1) |
//! | 1 | u32 | samples seen |
//! | 5 | u32 | end of the quiet period (in samples seen) |
//! | 9 | f64 | score of the last flag |
//! | 17 | u8 | next slot of the recent raw scores |
//! | 18 | 16 × f64 | recent raw scores |
//! | 146 | u32, f64, f64 | raw scores' running count, mean and variance |
//! | 166 | 7 × 52 | per resolution: levels (u8), values pushed (u8), current context (u16), range low and high (f64, f64), table of contexts seen this epoch (4 × u64) |
//! | 530 | u32, 4 × f64 | samples in the current epoch; its range of values, low and high; the epoch before's |
//! | 566 | 7 × 32 | per resolution: table of contexts seen in the epoch before (4 × u64) |
//!
//! Not saved: the parameters (the caller's current ones apply) and the last sample's time
//! (a clock that was wrong before the restart must not make every new sample look out of
//! order).

use super::context::{Contexts, LENGTH, WORDS};
use super::detector::{AnomalyDetector, FIRST_LEVELS, MAX_AVERAGE, RESOLUTIONS};
use super::epochs::{Epochs, EMPTY, EPOCH};
use super::stats::Ewm;
use super::AnomalyParams;
use crate::AnalyticsError;

/// The layout written by this build.
const VERSION: u8 = 1;
/// Bytes of one resolution's table.
const CONTEXTS_LEN: usize = 1 + 1 + 2 + 8 + 8 + 8 * WORDS;
/// Bytes of a saved detector.
pub(crate) const SAVED_LEN: usize =
    1 + 4 + 4 + 8 + 1 + 8 * MAX_AVERAGE + (4 + 8 + 8) + RESOLUTIONS * CONTEXTS_LEN + (4 + 4 * 8) + RESOLUTIONS * 8 * WORDS;

impl AnomalyDetector {
    /// The detector's learnt state, in a versioned binary form that
    /// [`AnomalyDetector::from_bytes`] reads back (790 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(SAVED_LEN);
        out.push(VERSION);
        out.extend_from_slice(&self.seen.to_le_bytes());
        out.extend_from_slice(&self.quiet_until.to_le_bytes());
        out.extend_from_slice(&self.quiet_above.to_le_bytes());
        // Below MAX_AVERAGE (16): fits a byte.
        out.push(self.raw_at as u8);
        for raw in self.raw_recent {
            out.extend_from_slice(&raw.to_le_bytes());
        }
        let h = &self.raw_history;
        out.extend_from_slice(&h.n.to_le_bytes());
        out.extend_from_slice(&h.mean.to_le_bytes());
        out.extend_from_slice(&h.var.to_le_bytes());
        for c in &self.contexts {
            // At most MAX_LEVELS (16), LENGTH - 1 and MAX_LEVELS^LENGTH - 1 (255): they fit.
            out.push(c.levels as u8);
            out.push(c.count as u8);
            out.extend_from_slice(&(c.context as u16).to_le_bytes());
            out.extend_from_slice(&c.lo.to_le_bytes());
            out.extend_from_slice(&c.hi.to_le_bytes());
            for word in c.seen_bits {
                out.extend_from_slice(&word.to_le_bytes());
            }
        }
        let e = &self.epochs;
        out.extend_from_slice(&e.seen.to_le_bytes());
        for x in [e.range.0, e.range.1, e.before.0, e.before.1] {
            out.extend_from_slice(&x.to_le_bytes());
        }
        for c in &self.contexts {
            for word in c.older_bits {
                out.extend_from_slice(&word.to_le_bytes());
            }
        }
        out
    }

    /// A detector that continues from `bytes` (written by [`AnomalyDetector::to_bytes`]) with
    /// `params`. Everything learnt is restored; the last sample's time is not, so the next
    /// sample is accepted whatever its time. Bytes that are damaged, of another format
    /// version or from a build with other resolutions are refused with what is wrong.
    pub fn from_bytes(params: &AnomalyParams, bytes: &[u8]) -> Result<AnomalyDetector, AnalyticsError> {
        let Some(&version) = bytes.first() else { return Err(refused("it is empty".into())) };
        if version != VERSION {
            return Err(refused(format!("format version {version}, this build reads version {VERSION}")));
        }
        if bytes.len() != SAVED_LEN {
            return Err(refused(format!("{} bytes, version {VERSION} has {SAVED_LEN}", bytes.len())));
        }
        let mut r = Reader { bytes, at: 1 };
        let mut d = AnomalyDetector::new(params);
        d.seen = r.u32()?;
        d.quiet_until = r.u32()?;
        d.quiet_above = r.f64_within("score of the last flag", 1.0)?;
        let raw_at = usize::from(r.u8()?);
        if raw_at >= MAX_AVERAGE {
            return Err(refused(format!("slot of the recent raw scores {raw_at} is beyond their {MAX_AVERAGE}")));
        }
        // The caller may average fewer scores than when saved: stay within its slots.
        d.raw_at = raw_at % d.average;
        for raw in &mut d.raw_recent {
            *raw = r.f64_within("recent raw score", 1.0)?;
        }
        let mut history = Ewm::new(params.history);
        history.n = r.u32()?;
        history.mean = r.f64_within("mean of raw scores", 1.0)?;
        history.var = r.f64_within("variance of raw scores", f64::MAX)?;
        d.raw_history = history;
        for (i, c) in d.contexts.iter_mut().enumerate() {
            read_contexts(&mut r, c, FIRST_LEVELS + i)?;
        }
        d.epochs = read_epochs(&mut r)?;
        for c in &mut d.contexts {
            c.older_bits = read_table(&mut r, c, "the epoch before")?;
        }
        Ok(d)
    }
}

/// Reads one resolution's table into `c` (new, with `levels` levels), checking it.
fn read_contexts(r: &mut Reader<'_>, c: &mut Contexts, levels: usize) -> Result<(), AnalyticsError> {
    let saved_levels = usize::from(r.u8()?);
    if saved_levels != levels {
        return Err(refused(format!("a resolution of {saved_levels} levels where this build uses {levels}")));
    }
    let count = u32::from(r.u8()?);
    if count > LENGTH - 1 {
        return Err(refused(format!("{count} values in a context being filled, at most {}", LENGTH - 1)));
    }
    let context = usize::from(r.u16()?);
    if context >= c.contexts {
        return Err(refused(format!("current context {context} of {levels} levels is beyond their {}", c.contexts)));
    }
    let (lo, hi) = (r.f64()?, r.f64()?);
    let seen_bits = read_table(r, c, "this epoch")?;
    let empty = (lo, hi) == EMPTY;
    if empty && (count != 0 || context != 0 || seen_bits.iter().any(|&w| w != 0)) {
        return Err(refused(format!("contexts seen at {levels} levels without a range")));
    }
    let ordered = lo.is_finite() && hi.is_finite() && lo <= hi;
    if !empty && !ordered {
        return Err(refused(format!("range {lo} to {hi} at {levels} levels")));
    }
    (c.count, c.context, c.lo, c.hi, c.seen_bits) = (count, context, lo, hi, seen_bits);
    Ok(())
}

/// Reads a table of contexts seen (`which`: of what epoch) for `c`, refusing bits beyond
/// its contexts.
fn read_table(r: &mut Reader<'_>, c: &Contexts, which: &str) -> Result<[u64; WORDS], AnalyticsError> {
    let mut bits = [0u64; WORDS];
    for word in &mut bits {
        *word = r.u64()?;
    }
    let beyond = bits.iter().enumerate().any(|(w, &word)| {
        let first_beyond = c.contexts.saturating_sub(w * 64);
        first_beyond < 64 && word >> first_beyond != 0
    });
    if beyond {
        return Err(refused(format!("bits set beyond the {} contexts of {} levels ({which})", c.contexts, c.levels)));
    }
    Ok(bits)
}

/// Reads the epochs, refusing a count beyond an epoch or a range not in order.
fn read_epochs(r: &mut Reader<'_>) -> Result<Epochs, AnalyticsError> {
    let seen = r.u32()?;
    if seen >= EPOCH {
        return Err(refused(format!("{seen} samples in an epoch of {EPOCH}")));
    }
    let mut range = || -> Result<(f64, f64), AnalyticsError> {
        let (lo, hi) = (r.f64()?, r.f64()?);
        if (lo, hi) != EMPTY && !(lo.is_finite() && hi.is_finite() && lo <= hi) {
            return Err(refused(format!("an epoch's range {lo} to {hi}")));
        }
        Ok((lo, hi))
    };
    let (range, before) = (range()?, range()?);
    if seen > 0 && range == EMPTY || seen == 0 && range != EMPTY {
        return Err(refused(format!("{seen} samples in the current epoch with a range {} to {}", range.0, range.1)));
    }
    Ok(Epochs { seen, range, before })
}

/// The error for refused bytes, saying why.
fn refused(why: String) -> AnalyticsError {
    AnalyticsError::Invalid(format!("saved anomaly detector refused: {why}"))
}

/// Little-endian reads from a slice, each checked against its end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], AnalyticsError> {
        let end = self.at.saturating_add(N);
        let field = self.bytes.get(self.at..end).and_then(|s| <[u8; N]>::try_from(s).ok());
        let field = field.ok_or_else(|| refused(format!("it ends at byte {} inside a field", self.bytes.len())))?;
        self.at = end;
        Ok(field)
    }

    fn u8(&mut self) -> Result<u8, AnalyticsError> {
        Ok(self.take::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, AnalyticsError> {
        Ok(u16::from_le_bytes(self.take()?))
    }

    fn u32(&mut self) -> Result<u32, AnalyticsError> {
        Ok(u32::from_le_bytes(self.take()?))
    }

    fn u64(&mut self) -> Result<u64, AnalyticsError> {
        Ok(u64::from_le_bytes(self.take()?))
    }

    fn f64(&mut self) -> Result<f64, AnalyticsError> {
        Ok(f64::from_le_bytes(self.take()?))
    }

    /// A statistic `what`, which must lie in [0, `max`].
    fn f64_within(&mut self, what: &str, max: f64) -> Result<f64, AnalyticsError> {
        let at = self.at;
        let x = self.f64()?;
        if !(0.0..=max).contains(&x) {
            return Err(refused(format!("{what} {x} at byte {at} is not within 0 to {max}")));
        }
        Ok(x)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::AnomalyScore;

    /// A daily-like wave with a repeating wobble, and a few spikes.
    fn value(i: i64) -> f64 {
        let wave = 50.0 + 20.0 * (i as f64 / 40.0).sin() + [0.0, 0.7, -0.4, 1.1, -0.9][(i % 5) as usize];
        if i % 347 == 300 {
            wave * 3.0
        } else {
            wave
        }
    }

    fn feed(d: &mut AnomalyDetector, range: std::ops::Range<i64>) -> Vec<AnomalyScore> {
        range.map(|i| d.update(i * 10_000, value(i))).collect()
    }

    fn trained(n: i64) -> AnomalyDetector {
        let mut d = AnomalyDetector::new(&AnomalyParams::default());
        feed(&mut d, 0..n);
        d
    }

    fn error_of(bytes: &[u8]) -> String {
        AnomalyDetector::from_bytes(&AnomalyParams::default(), bytes).expect_err("refused").to_string()
    }

    /// Byte offsets of the layout, as documented at the top of the file.
    const RAW_AT: usize = 17;
    const RAW_RECENT: usize = 18;
    const HISTORY: usize = 146;
    const FIRST_CONTEXTS: usize = 166;
    const EPOCHS: usize = 530;
    const OLDER: usize = 566;

    #[test]
    fn a_restored_detector_continues_exactly_as_the_original() {
        for n in [0, 1, 20, 700, 2000] {
            let original = trained(n);
            let bytes = original.to_bytes();
            assert_eq!(bytes.len(), SAVED_LEN);
            let mut restored = AnomalyDetector::from_bytes(&AnomalyParams::default(), &bytes).unwrap();
            let mut continued = original.clone();
            let want = feed(&mut continued, n..n + 1500);
            let got = feed(&mut restored, n..n + 1500);
            assert_eq!(got, want, "after {n} samples");
            assert!(n < 700 || want.iter().any(|s| s.anomalous), "the continuation has flags to compare");
            assert_eq!(restored.to_bytes(), continued.to_bytes());
        }
    }

    #[test]
    fn the_last_time_is_not_restored() {
        let original = trained(500);
        let mut restored = AnomalyDetector::from_bytes(&AnomalyParams::default(), &original.to_bytes()).unwrap();
        // A sample older than every one learnt (the clock was ahead before the restart) is
        // scored: it is a spike, so it is flagged.
        let verdict = restored.update(1, 1000.0);
        assert!(verdict.anomalous && verdict.score == 1.0, "{verdict:?}");
    }

    #[test]
    fn the_callers_parameters_apply() {
        let original = trained(500);
        let params = AnomalyParams { average: 1, threshold: 0.9, ..AnomalyParams::default() };
        let restored = AnomalyDetector::from_bytes(&params, &original.to_bytes()).unwrap();
        assert_eq!((restored.params.clone(), restored.average, restored.raw_at), (params, 1, 0));
    }

    #[test]
    fn another_version_is_refused() {
        let mut bytes = trained(100).to_bytes();
        bytes[0] = 2;
        assert_eq!(error_of(&bytes), "saved anomaly detector refused: format version 2, this build reads version 1");
        assert_eq!(error_of(&[]), "saved anomaly detector refused: it is empty");
    }

    #[test]
    fn a_wrong_length_is_refused() {
        let mut bytes = trained(100).to_bytes();
        bytes.push(0);
        assert_eq!(error_of(&bytes), "saved anomaly detector refused: 791 bytes, version 1 has 790");
        assert_eq!(error_of(&bytes[..100]), "saved anomaly detector refused: 100 bytes, version 1 has 790");
    }

    #[test]
    fn other_resolutions_are_refused() {
        let mut bytes = trained(100).to_bytes();
        bytes[FIRST_CONTEXTS + CONTEXTS_LEN] = 12;
        assert_eq!(error_of(&bytes), "saved anomaly detector refused: a resolution of 12 levels where this build uses 11");
    }

    #[test]
    fn non_finite_or_negative_statistics_are_refused() {
        let valid = trained(100).to_bytes();
        let with = |at: usize, x: f64| {
            let mut bytes = valid.clone();
            bytes[at..at + 8].copy_from_slice(&x.to_le_bytes());
            error_of(&bytes)
        };
        assert_eq!(with(HISTORY + 4, f64::NAN), "saved anomaly detector refused: mean of raw scores NaN at byte 150 is not within 0 to 1");
        assert!(with(HISTORY + 12, -1.0).contains("variance of raw scores -1 at byte 158"));
        assert!(with(HISTORY + 12, f64::INFINITY).contains("variance of raw scores inf"));
        assert!(with(RAW_RECENT + 8, 2.0).contains("recent raw score 2 at byte 26"));
        assert!(with(9, -0.5).contains("score of the last flag -0.5"));
        // A range that is not finite, or upside down.
        let lo = FIRST_CONTEXTS + 4;
        assert!(with(lo, f64::NAN).starts_with("saved anomaly detector refused: range NaN to 71."));
        assert!(with(lo, 1e9).starts_with("saved anomaly detector refused: range 1000000000 to"));
    }

    #[test]
    fn bits_beyond_a_table_are_refused() {
        let mut bytes = trained(100).to_bytes();
        // 10 levels: 100 contexts, so bit 100 (word 1, bit 36) is beyond.
        let word = FIRST_CONTEXTS + 20 + 8;
        bytes[word + 4] |= 0x10;
        assert_eq!(error_of(&bytes), "saved anomaly detector refused: bits set beyond the 100 contexts of 10 levels (this epoch)");
        // And in the table of the epoch before.
        let mut bytes = trained(100).to_bytes();
        bytes[OLDER + 8 + 4] |= 0x10;
        assert_eq!(error_of(&bytes), "saved anomaly detector refused: bits set beyond the 100 contexts of 10 levels (the epoch before)");
        // 16 levels use all 256 bits: nothing is beyond.
        let mut full = trained(100).to_bytes();
        let last = FIRST_CONTEXTS + 6 * CONTEXTS_LEN + 20;
        full[last..last + 32].fill(0xff);
        assert!(AnomalyDetector::from_bytes(&AnomalyParams::default(), &full).is_ok());
    }

    #[test]
    fn indices_out_of_range_are_refused() {
        let valid = trained(100).to_bytes();
        let mut bytes = valid.clone();
        bytes[RAW_AT] = 16;
        assert_eq!(error_of(&bytes), "saved anomaly detector refused: slot of the recent raw scores 16 is beyond their 16");
        let mut bytes = valid.clone();
        bytes[FIRST_CONTEXTS + 2..FIRST_CONTEXTS + 4].copy_from_slice(&100u16.to_le_bytes());
        assert_eq!(error_of(&bytes), "saved anomaly detector refused: current context 100 of 10 levels is beyond their 100");
        let mut bytes = valid;
        bytes[FIRST_CONTEXTS + 1] = 2;
        assert_eq!(error_of(&bytes), "saved anomaly detector refused: 2 values in a context being filled, at most 1");
    }

    #[test]
    fn epochs_out_of_order_are_refused() {
        let valid = trained(100).to_bytes();
        let mut bytes = valid.clone();
        bytes[EPOCHS..EPOCHS + 4].copy_from_slice(&EPOCH.to_le_bytes());
        assert_eq!(error_of(&bytes), "saved anomaly detector refused: 86400 samples in an epoch of 86400");
        let mut bytes = valid.clone();
        bytes[EPOCHS + 4..EPOCHS + 12].copy_from_slice(&f64::NAN.to_le_bytes());
        assert!(error_of(&bytes).starts_with("saved anomaly detector refused: an epoch's range NaN to"));
        let mut bytes = valid;
        bytes[EPOCHS..EPOCHS + 4].copy_from_slice(&0u32.to_le_bytes());
        assert!(error_of(&bytes).starts_with("saved anomaly detector refused: 0 samples in the current epoch with a range"));
    }

    #[test]
    fn a_detector_past_an_epoch_is_restored_exactly() {
        let n = i64::from(EPOCH) + 500;
        let original = trained(n);
        assert!(original.contexts[0].older_bits.iter().any(|&w| w != 0), "an epoch has ended");
        let mut restored = AnomalyDetector::from_bytes(&AnomalyParams::default(), &original.to_bytes()).unwrap();
        let mut continued = original.clone();
        assert_eq!(feed(&mut restored, n..n + 500), feed(&mut continued, n..n + 500));
        assert_eq!(restored.to_bytes(), continued.to_bytes());
    }

    #[test]
    fn contexts_without_a_range_are_refused() {
        let mut bytes = AnomalyDetector::new(&AnomalyParams::default()).to_bytes();
        assert!(AnomalyDetector::from_bytes(&AnomalyParams::default(), &bytes).is_ok(), "a detector that saw nothing");
        bytes[FIRST_CONTEXTS + 20] = 1;
        assert_eq!(error_of(&bytes), "saved anomaly detector refused: contexts seen at 10 levels without a range");
    }

    proptest! {
        #[test]
        fn random_bytes_are_refused_or_read_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let read = AnomalyDetector::from_bytes(&AnomalyParams::default(), &bytes);
            prop_assert!(read.is_err() || bytes.len() == SAVED_LEN);
        }

        #[test]
        fn random_fields_of_the_right_length_and_version_are_refused_or_score(mut bytes in proptest::collection::vec(any::<u8>(), SAVED_LEN)) {
            bytes[0] = VERSION;
            if let Ok(mut d) = AnomalyDetector::from_bytes(&AnomalyParams::default(), &bytes) {
                for i in 0..50 {
                    let s = d.update(i, value(i));
                    prop_assert!((0.0..=1.0).contains(&s.score));
                }
            }
        }

        #[test]
        fn a_valid_blob_with_bytes_changed_is_refused_or_scores_from(changes in proptest::collection::vec((1..SAVED_LEN, any::<u8>()), 1..8)) {
            let mut bytes = trained(300).to_bytes();
            for (at, byte) in changes {
                bytes[at] = byte;
            }
            if let Ok(mut d) = AnomalyDetector::from_bytes(&AnomalyParams::default(), &bytes) {
                for i in 0..50 {
                    let s = d.update(i, value(i) * 1e300);
                    prop_assert!((0.0..=1.0).contains(&s.score));
                }
            }
        }
    }

    #[test]
    fn every_truncation_of_a_valid_blob_is_refused() {
        let bytes = trained(300).to_bytes();
        for len in 0..bytes.len() {
            assert!(AnomalyDetector::from_bytes(&AnomalyParams::default(), &bytes[..len]).is_err(), "{len} bytes");
        }
    }
}
