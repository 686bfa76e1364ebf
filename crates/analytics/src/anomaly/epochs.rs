//! Forgetting over a long horizon, so that a detector that runs for months (`vitals serve`
//! keeps them across restarts) keeps seeing: time is cut into epochs of [`EPOCH`] samples,
//! and at the end of each
//! - the contexts not seen in the last two epochs are forgotten (`Contexts::age`): a
//!   behaviour gone for that long is new again when it comes back;
//! - the quantisation range is narrowed to the values of the last two epochs when those
//!   span less than half of it (`Contexts::narrow`): one glitch would otherwise squeeze every
//!   ordinary value into a level or two for good.
//!
//! An epoch is a day at a 1 s collection interval, so daily patterns always lie within the
//! last two. No NAB file is that long, so the benchmark's figures do not depend on it.

/// Samples per epoch.
pub(crate) const EPOCH: u32 = 86_400;
/// The range is narrowed when the last two epochs span less than this share of it.
const NARROWER: f64 = 0.5;
/// The range of no value.
pub(crate) const EMPTY: (f64, f64) = (f64::INFINITY, f64::NEG_INFINITY);

/// The current epoch and the one before.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Epochs {
    /// Samples in the current epoch (below [`EPOCH`]).
    pub(crate) seen: u32,
    /// The current epoch's range of values ([`EMPTY`] without any).
    pub(crate) range: (f64, f64),
    /// The epoch before's.
    pub(crate) before: (f64, f64),
}

/// What the contexts do after a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Turn {
    /// Nothing: the epoch goes on.
    Same,
    /// An epoch ended: forget what the last two did not see.
    Age,
    /// An epoch ended and the last two spanned much less than the range: narrow it to
    /// (low, high), then age.
    Narrow(f64, f64),
}

impl Epochs {
    /// At the start of the first epoch.
    pub(crate) fn new() -> Epochs {
        Epochs { seen: 0, range: EMPTY, before: EMPTY }
    }

    /// Counts finite `x`, with (`lo`, `hi`) the contexts' range after it.
    pub(crate) fn push(&mut self, x: f64, (lo, hi): (f64, f64)) -> Turn {
        self.range = (self.range.0.min(x), self.range.1.max(x));
        self.seen += 1;
        if self.seen < EPOCH {
            return Turn::Same;
        }
        let (recent_lo, recent_hi) = (self.range.0.min(self.before.0), self.range.1.max(self.before.1));
        (self.seen, self.before, self.range) = (0, self.range, EMPTY);
        if recent_hi > recent_lo && recent_hi - recent_lo < NARROWER * (hi - lo) {
            Turn::Narrow(recent_lo, recent_hi)
        } else {
            Turn::Age
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_epoch_ends_every_epoch_samples_and_narrows_to_the_last_two() {
        let mut e = Epochs::new();
        let range = (0.0, 100.0);
        for i in 1..EPOCH {
            assert_eq!(e.push(if i == 1 { 100.0 } else { 10.0 }, range), Turn::Same);
        }
        // The first epoch saw 10 to 100: as wide as the range.
        assert_eq!(e.push(10.0, range), Turn::Age);
        for _ in 1..EPOCH {
            e.push(11.0, range);
        }
        // The last two epochs still reach 100.
        assert_eq!(e.push(12.0, range), Turn::Age);
        for _ in 1..EPOCH {
            e.push(11.0, range);
        }
        // Now only 11 to 12: narrowed.
        assert_eq!(e.push(11.5, range), Turn::Narrow(11.0, 12.0));
    }
}
