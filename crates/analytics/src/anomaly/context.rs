//! Novelty of the recent shape at one resolution: the value is quantised into `levels`
//! levels over the range seen so far, and the last [`LENGTH`] levels form a context; each
//! context seen sets one bit of a fixed table (two: this epoch's and the one before, see
//! `epochs.rs`). A sample whose context was never seen
//! is new behaviour even when the value on its own is ordinary (a daily cycle that stops, a
//! pattern that changes shape), while a pattern that recurs, however extreme, becomes
//! familiar. This is the idea behind the best NAB detectors (contextual novelty, as in CAD
//! OSE and HTM's sequence memory), reduced to a bit table. Hand-written: a table of at most
//! 32 bytes and one lookup per sample, smaller and faster than any general sequence model.
//! When the range grows, the contexts seen are moved to the new levels
//! (`Contexts::remap`), so what was learnt stays true. The detector runs several of these
//! at different resolutions (see `detector.rs`).

use super::epochs::EMPTY;

/// The most levels a range is cut into.
pub(crate) const MAX_LEVELS: usize = 16;
/// Samples in a context.
pub(crate) const LENGTH: u32 = 2;
/// Words of the largest table: one bit per possible context.
pub(crate) const WORDS: usize = MAX_LEVELS.pow(LENGTH).div_ceil(64);
/// Share of the range seen beyond which a value is new on its own.
const SPATIAL_MARGIN: f64 = 0.05;

/// How new a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Novelty {
    /// Its context was seen before.
    Known,
    /// Its context was never seen.
    NewContext,
    /// It lies beyond the range seen, by more than [`SPATIAL_MARGIN`] of it.
    BeyondRange,
}

/// Which contexts were seen, with the range they are cut from.
#[derive(Debug, Clone)]
pub(crate) struct Contexts {
    /// Contexts seen in the current epoch.
    pub(crate) seen_bits: [u64; WORDS],
    /// Contexts seen in the epoch before (still known; forgotten at the next epoch unless
    /// seen again).
    pub(crate) older_bits: [u64; WORDS],
    pub(crate) levels: usize,
    /// `levels` to the power [`LENGTH`]: the bits of `seen_bits` in use.
    pub(crate) contexts: usize,
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    /// The current context's number: its levels as digits in base `levels`.
    pub(crate) context: usize,
    /// Values pushed, up to [`LENGTH`] - 1.
    pub(crate) count: u32,
}

impl Contexts {
    /// An empty table of contexts over `levels` levels (2 to [`MAX_LEVELS`]).
    pub(crate) fn new(levels: usize) -> Contexts {
        let levels = levels.clamp(2, MAX_LEVELS);
        Contexts {
            seen_bits: [0; WORDS],
            older_bits: [0; WORDS],
            levels,
            contexts: levels.pow(LENGTH),
            lo: EMPTY.0,
            hi: EMPTY.1,
            context: 0,
            count: 0,
        }
    }

    /// Adds finite `x` and answers how new it is (known, too, for the first [`LENGTH`] - 1
    /// values).
    pub(crate) fn push(&mut self, x: f64) -> Novelty {
        // Beyond the range seen by more than a margin: new whatever the context (Numenta's
        // "spatial anomaly", which its NAB detector adds to sequence novelty).
        let margin = SPATIAL_MARGIN * (self.hi - self.lo);
        let beyond = self.count == LENGTH - 1 && (x > self.hi + margin || x < self.lo - margin);
        let (old_lo, old_hi) = (self.lo, self.hi);
        self.lo = self.lo.min(x);
        self.hi = self.hi.max(x);
        let span = self.hi - self.lo;
        // The range grew: the contexts seen were quantised over the old one, so move them to
        // the new levels, or every known pattern would look new (and new ones known).
        if (old_lo, old_hi) != (self.lo, self.hi) && old_hi > old_lo {
            self.remap(old_lo, old_hi - old_lo, false);
        }
        let top = (self.levels - 1) as f64;
        // In [0, levels - 1]: the cast truncates a value already clamped to that range.
        let level = if span > 0.0 { (((x - self.lo) / span) * self.levels as f64).clamp(0.0, top) as usize } else { 0 };
        self.context = (self.context * self.levels + level) % self.contexts;
        if self.count < LENGTH - 1 {
            self.count += 1;
            return Novelty::Known;
        }
        let (word, mask) = (self.context / 64, 1u64 << (self.context % 64));
        let new = (self.seen_bits[word] | self.older_bits[word]) & mask == 0;
        self.seen_bits[word] |= mask;
        match (beyond, new) {
            (true, _) => Novelty::BeyondRange,
            (false, true) => Novelty::NewContext,
            (false, false) => Novelty::Known,
        }
    }
}

impl Contexts {
    /// Forgets the contexts not seen since the last call: those of the epoch before stay
    /// known until the next one (see `detector.rs`, [`EPOCH`](super::detector::EPOCH)).
    pub(crate) fn age(&mut self) {
        self.older_bits = self.seen_bits;
        self.seen_bits = [0; WORDS];
    }

    /// Cuts the levels from the narrower range `lo` to `hi` (finite, `lo < hi`, within the
    /// current range) and moves the contexts seen onto them; a context with a level outside
    /// the new range is forgotten (what only a glitch reached is new again).
    pub(crate) fn narrow(&mut self, lo: f64, hi: f64) {
        let (old_lo, old_span) = (self.lo, self.hi - self.lo);
        (self.lo, self.hi) = (lo, hi);
        self.remap(old_lo, old_span, true);
    }

    /// Moves every context seen, and the current one, from levels over the range
    /// (`old_lo`, `old_lo + old_span`) to levels over the current range, each level by its
    /// middle value. With `drop_outside`, contexts with a level whose middle lies outside the
    /// current range are forgotten (the current context is clamped to the edge levels).
    fn remap(&mut self, old_lo: f64, old_span: f64, drop_outside: bool) {
        let span = self.hi - self.lo;
        let levels = self.levels;
        let top = (levels - 1) as f64;
        // Per old level: its new level (clamped), and whether its middle is in the range.
        let mut map = [(0usize, true); MAX_LEVELS];
        for (old, new) in map[..levels].iter_mut().enumerate() {
            let middle = old_lo + (old as f64 + 0.5) / levels as f64 * old_span;
            let at = (middle - self.lo) / span;
            // In [0, levels - 1], as in `push`.
            *new = ((at * levels as f64).clamp(0.0, top) as usize, (0.0..=1.0).contains(&at));
        }
        // A context's number has one digit in base `levels` per level: map each digit.
        let moved = |mut c: usize| {
            let (mut out, mut scale, mut inside) = (0, 1, true);
            for _ in 0..LENGTH {
                let (level, within) = map[c % levels];
                out += level * scale;
                inside &= within;
                c /= levels;
                scale *= levels;
            }
            (out, inside)
        };
        let table = |seen: &[u64; WORDS]| {
            let mut bits = [0u64; WORDS];
            for (w, &word) in seen.iter().enumerate() {
                let mut word = word;
                while word != 0 {
                    let c = w * 64 + word.trailing_zeros() as usize;
                    word &= word - 1;
                    let (n, inside) = moved(c);
                    if inside || !drop_outside {
                        bits[n / 64] |= 1 << (n % 64);
                    }
                }
            }
            bits
        };
        self.seen_bits = table(&self.seen_bits);
        self.older_bits = table(&self.older_bits);
        self.context = moved(self.context).0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeating_pattern_becomes_familiar_and_a_new_one_is_novel() {
        let mut c = Contexts::new(10);
        let pattern = [0.0, 5.0, 10.0, 5.0];
        let mut last = Novelty::NewContext;
        for _ in 0..10 {
            for x in pattern {
                last = c.push(x);
            }
        }
        assert_eq!(last, Novelty::Known);
        // Levels ..., 5 then 9, 9, 9: (5, 9) is known, staying at the top (9, 9) is new,
        // then known.
        assert_eq!(c.push(10.0), Novelty::Known);
        assert_eq!(c.push(10.0), Novelty::NewContext);
        assert_eq!(c.push(10.0), Novelty::Known);
        // Far beyond the range: new whatever the context.
        assert_eq!(c.push(100.0), Novelty::BeyondRange);
    }

    #[test]
    fn a_known_pattern_stays_known_when_the_range_grows() {
        let mut c = Contexts::new(10);
        // Range 0 to 10, then a pattern over levels 0, 5, 9 (values at their middles).
        c.push(0.0);
        c.push(10.0);
        let pattern = [0.5, 5.5, 9.5, 5.5];
        for _ in 0..10 {
            for x in pattern {
                c.push(x);
            }
        }
        // A glitch doubles the range: the pattern now falls in levels 0, 2, 4.
        assert_eq!(c.push(20.0), Novelty::BeyondRange);
        // The context holding the glitch is new; once it has left the context, the pattern
        // is known in its new levels.
        let after: Vec<Novelty> = [0.5, 5.5, 9.5, 5.5, 0.5, 5.5].into_iter().map(|x| c.push(x)).collect();
        assert_eq!(after[0], Novelty::NewContext);
        assert!(after[1..].iter().all(|n| *n == Novelty::Known), "{after:?}");
    }

    #[test]
    fn a_context_not_seen_for_two_epochs_is_new_again() {
        let mut c = Contexts::new(10);
        for x in [0.0, 10.0, 0.0, 10.0] {
            c.push(x);
        }
        // (9, 0) and (0, 9) are known; one epoch later still.
        c.age();
        assert_eq!(c.push(0.0), Novelty::Known);
        assert_eq!(c.push(10.0), Novelty::Known);
        // Seen again in this epoch: known through the next one too.
        c.age();
        c.age();
        // Two epochs without it: new again.
        assert_eq!(c.push(0.0), Novelty::NewContext);
    }

    #[test]
    fn narrowing_keeps_what_lies_in_the_new_range_and_forgets_the_rest() {
        let mut c = Contexts::new(10);
        // Range 0 to 100: a wobble between 1 and 9 (levels 0) and one glitch at 100 (level 9).
        for x in [0.0, 100.0, 1.0, 9.0, 1.0, 9.0] {
            c.push(x);
        }
        c.narrow(0.0, 10.0);
        // The old level 0 (0 to 10, middle 5) is the new level 5: the wobble's context (0, 0)
        // is now (5, 5), and known.
        assert_eq!(c.push(5.5), Novelty::Known);
        // The glitch's contexts, (0, 9) and (9, 0), had a level outside the new range: they
        // are forgotten, not clamped to the edge, where (0, 9) would have become (5, 9).
        assert_eq!(c.push(10.0), Novelty::NewContext);
    }
}
