//! Novelty of the recent shape: the value is quantised into a few levels over the range
//! seen so far, and the last three levels form a context whose occurrences are counted in a
//! fixed table. A context never or barely seen before is new behaviour even when each
//! value on its own is ordinary (a daily cycle that stops, a pattern that changes shape),
//! which the mean-and-deviation features cannot see. Hand-written: a 1 KiB table of counts
//! per series is all it needs, smaller and faster than any general sequence model.

/// Levels the value's range is cut into.
const LEVELS: usize = 10;
/// Contexts: three consecutive levels.
const CONTEXTS: usize = LEVELS * LEVELS * LEVELS;
/// Bytes of the table of contexts, held outside the detector.
pub(crate) const TABLE_BYTES: usize = CONTEXTS;

/// Counts of level contexts seen, with the range they are cut from.
#[derive(Debug, Clone)]
pub(crate) struct Contexts {
    counts: Box<[u8; CONTEXTS]>,
    lo: f64,
    hi: f64,
    prev: [usize; 2],
    seen: u8,
}

impl Contexts {
    /// An empty table.
    pub(crate) fn new() -> Contexts {
        Contexts { counts: Box::new([0; CONTEXTS]), lo: f64::INFINITY, hi: f64::NEG_INFINITY, prev: [0; 2], seen: 0 }
    }

    /// Adds finite `x` and answers how new its context is: 1 never seen, 0 seen before
    /// (or not yet three values).
    pub(crate) fn push(&mut self, x: f64) -> f64 {
        self.lo = self.lo.min(x);
        self.hi = self.hi.max(x);
        let span = self.hi - self.lo;
        let level = if span > 0.0 {
            // In [0, LEVELS - 1]: the cast truncates a value already clamped to that range.
            (((x - self.lo) / span) * LEVELS as f64).clamp(0.0, (LEVELS - 1) as f64) as usize
        } else {
            0
        };
        let novelty = if self.seen >= 2 {
            let slot = &mut self.counts[(self.prev[0] * LEVELS + self.prev[1]) * LEVELS + level];
            let novelty = if *slot == 0 { 1.0 } else { 0.0 };
            *slot = slot.saturating_add(1);
            novelty
        } else {
            self.seen += 1;
            0.0
        };
        self.prev = [self.prev[1], level];
        novelty
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeating_pattern_becomes_familiar_and_a_new_one_is_novel() {
        let mut c = Contexts::new();
        let pattern = [0.0, 5.0, 10.0, 5.0];
        let mut last = 1.0;
        for _ in 0..10 {
            for x in pattern {
                last = c.push(x);
            }
        }
        assert_eq!(last, 0.0);
        // Staying at the top is a context never seen.
        assert_eq!(c.push(10.0), 1.0);
    }
}
