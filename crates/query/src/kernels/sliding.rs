//! Per-series state that lets a range function slide over the steps of a range query instead
//! of rescanning each step's window: the steps' windows move forward in time, so each sample
//! enters and leaves once. The answers are bit for bit those of the per-window kernels (same
//! values picked, same additions in the same order).

/// Positions of the counter resets in a series (samples whose value is below the previous
/// one's), so that `rate` and `increase` add the corrections of a window without comparing
/// every pair of its samples: resets are rare, windows long.
pub(crate) struct Resets {
    /// Index `j` of every sample with `points[j].1 < points[j - 1].1`, ascending.
    at: Vec<usize>,
}

impl Resets {
    /// The resets of `points` (NaN never counts, as in the pairwise comparison).
    pub fn new(points: &[(i64, f64)]) -> Resets {
        Resets { at: points.windows(2).enumerate().filter(|(_, w)| w[1].1 < w[0].1).map(|(j, _)| j + 1).collect() }
    }

    /// The values before each reset within the window `points[lo..hi]`, in time order: what
    /// [`crate::kernels::rate::extrapolated_rate`] adds for the pairs of that window.
    pub fn corrections<'a>(&'a self, points: &'a [(i64, f64)], lo: usize, hi: usize) -> impl Iterator<Item = f64> + 'a {
        let from = self.at.partition_point(|&j| j <= lo);
        self.at[from..].iter().take_while(move |&&j| j < hi).map(move |&j| points[j - 1].1)
    }
}

/// Which extreme a [`SlidingPick`] keeps.
#[derive(Clone, Copy)]
pub(crate) enum Extreme {
    /// `min_over_time`.
    Min,
    /// `max_over_time`.
    Max,
}

/// The minimum or maximum of a window moving forward over a series (a monotonic queue), with
/// `min_over_time`'s and `max_over_time`'s rules: NaN is skipped unless the window holds
/// nothing else (then the window's last value is the answer, as the scan would leave it), and
/// among equal values (0 and -0) the earliest wins.
pub(crate) struct SlidingPick {
    extreme: Extreme,
    /// Indices of candidate values from `head` on, oldest first; their values never improve
    /// towards the back. A plain vector with a moving head: each index enters at most once.
    queue: Vec<usize>,
    head: usize,
    /// Next index not yet offered to the queue.
    next: usize,
    /// Start of the previous window.
    lo: usize,
}

impl SlidingPick {
    /// An empty window.
    pub fn new(extreme: Extreme) -> SlidingPick {
        SlidingPick { extreme, queue: Vec::new(), head: 0, next: 0, lo: 0 }
    }

    /// The pick of `points[lo..hi]`; `lo` and `hi` never decrease from one call to the next
    /// (calls with an earlier window start over). `None` for an empty window.
    pub fn window(&mut self, points: &[(i64, f64)], lo: usize, hi: usize) -> Option<f64> {
        if lo < self.lo || hi < self.next {
            self.queue.clear();
            self.head = 0;
            self.next = lo;
        }
        self.lo = lo;
        self.next = self.next.max(lo);
        match self.extreme {
            Extreme::Min => self.advance(points, hi, |c, h| c < h),
            Extreme::Max => self.advance(points, hi, |c, h| c > h),
        }
        while self.head < self.queue.len() && self.queue[self.head] < lo {
            self.head += 1;
        }
        if hi <= lo {
            return None;
        }
        Some(self.queue.get(self.head).map_or(points[hi - 1].1, |&f| points[f].1))
    }

    /// Offers the values up to `hi` to the queue; `better(candidate, held)`.
    fn advance(&mut self, points: &[(i64, f64)], hi: usize, better: impl Fn(f64, f64) -> bool) {
        while self.next < hi {
            let v = points[self.next].1;
            if !v.is_nan() {
                while self.queue.len() > self.head && self.queue.last().is_some_and(|&b| better(v, points[b].1)) {
                    self.queue.pop();
                }
                self.queue.push(self.next);
            }
            self.next += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::over_time::{max_over_time, min_over_time};
    use crate::kernels::rate::extrapolated_rate;

    fn pts(values: &[f64]) -> Vec<(i64, f64)> {
        values.iter().enumerate().map(|(i, &v)| (i as i64 * 1000, v)).collect()
    }

    /// Every window `[lo, lo + len)` moving forward, against the per-window scan.
    #[test]
    fn sliding_pick_matches_the_scan_bit_for_bit() {
        let nan = f64::NAN;
        let series = [
            vec![3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0],
            vec![nan, 0.0, -0.0, nan, -0.0, 0.0, nan, nan, 7.0, 7.0],
            vec![nan, nan, nan, 1.0, nan, nan],
            vec![-0.0, 0.0, 0.0, -0.0, 1.0, -1.0, f64::INFINITY, f64::NEG_INFINITY],
        ];
        for values in &series {
            let p = pts(values);
            for len in 0..=values.len() {
                for (extreme, scan) in [(Extreme::Min, min_over_time as fn(&[f64]) -> f64), (Extreme::Max, max_over_time)] {
                    let mut pick = SlidingPick::new(extreme);
                    for lo in 0..values.len() {
                        let hi = (lo + len).min(values.len());
                        let got = pick.window(&p, lo, hi);
                        if hi == lo {
                            assert_eq!(got, None);
                        } else {
                            let want = scan(&values[lo..hi]);
                            assert_eq!(got.map(f64::to_bits), Some(want.to_bits()), "{values:?} [{lo}, {hi})");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn sliding_pick_starts_over_for_an_earlier_window() {
        let p = pts(&[5.0, 1.0, 3.0]);
        let mut pick = SlidingPick::new(Extreme::Max);
        assert_eq!(pick.window(&p, 1, 3), Some(3.0));
        assert_eq!(pick.window(&p, 0, 2), Some(5.0));
    }

    #[test]
    fn corrections_give_the_same_rate_as_the_pairwise_scan() {
        let p = pts(&[1.0, 5.0, 2.0, 8.0, 8.0, 3.0, f64::NAN, 4.0, 1.0, 9.0]);
        let resets = Resets::new(&p);
        for lo in 0..p.len() {
            for hi in lo..=p.len() {
                let w = &p[lo..hi];
                let pairwise: Vec<f64> = w.windows(2).filter(|x| x[1].1 < x[0].1).map(|x| x[0].1).collect();
                let fast: Vec<f64> = resets.corrections(&p, lo, hi).collect();
                assert_eq!(fast, pairwise, "[{lo}, {hi})");
                let (start, end) = (lo as i64 * 1000 - 500, hi as i64 * 1000);
                let want = extrapolated_rate(w, start, end, true, true);
                let got = crate::kernels::rate::extrapolated_rate_with(w, start, end, true, true, resets.corrections(&p, lo, hi));
                assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits));
            }
        }
    }
}
