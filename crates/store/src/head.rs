//! The in-memory head: recent samples per series, sorted by time, not yet in a block.

use crate::model::Sample;

/// Samples per series id since the last flush.
#[derive(Default)]
pub(crate) struct Head {
    pub series: Vec<Vec<Sample>>,
    pub samples: usize,
}

impl Head {
    /// Inserts a sample in time order. Returns false if an identical sample (same time,
    /// same bits) is already there; a different value at the same time replaces it.
    pub fn insert(&mut self, id: u32, s: Sample) -> bool {
        let id = id as usize;
        if self.series.len() <= id {
            self.series.resize_with(id + 1, Vec::new);
        }
        let v = &mut self.series[id];
        match v.last() {
            None => {}
            Some(last) if s.t > last.t => {}
            Some(_) => {
                return match v.binary_search_by(|x| x.t.cmp(&s.t)) {
                    Ok(i) if v[i].v.to_bits() == s.v.to_bits() => false,
                    Ok(i) => {
                        v[i].v = s.v;
                        true
                    }
                    Err(i) => {
                        v.insert(i, s);
                        self.samples += 1;
                        true
                    }
                };
            }
        }
        v.push(s);
        self.samples += 1;
        true
    }

    /// Samples of a series within `[start, end]`.
    pub fn range(&self, id: u32, start: i64, end: i64) -> &[Sample] {
        let Some(v) = self.series.get(id as usize) else { return &[] };
        let lo = v.partition_point(|s| s.t < start);
        let hi = v.partition_point(|s| s.t <= end);
        &v[lo..hi.max(lo)]
    }
}

impl Head {
    /// Adds the start of every aligned window of `bd` ms that holds a sample within
    /// `[start, end]` (jumping window to window, not sample to sample).
    pub fn windows(&self, start: i64, end: i64, bd: i64, out: &mut std::collections::BTreeSet<i64>) {
        for v in &self.series {
            let mut i = v.partition_point(|s| s.t < start);
            while let Some(s) = v.get(i).filter(|s| s.t <= end) {
                let w = s.t.div_euclid(bd) * bd;
                out.insert(w);
                i += v[i..].partition_point(|s| s.t < w.saturating_add(bd));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_order_and_duplicates() {
        let mut h = Head::default();
        assert!(h.insert(0, Sample { t: 10, v: 1.0 }));
        assert!(h.insert(0, Sample { t: 30, v: 3.0 }));
        assert!(h.insert(0, Sample { t: 20, v: 2.0 }));
        assert!(!h.insert(0, Sample { t: 20, v: 2.0 }));
        assert!(h.insert(0, Sample { t: 20, v: 2.5 }));
        let got: Vec<(i64, f64)> = h.range(0, 0, 100).iter().map(|s| (s.t, s.v)).collect();
        assert_eq!(got, vec![(10, 1.0), (20, 2.5), (30, 3.0)]);
        assert_eq!(h.samples, 3);
        assert_eq!(h.range(0, 11, 29).len(), 1);
        assert!(h.range(5, 0, 100).is_empty());
        let mut w = std::collections::BTreeSet::new();
        h.windows(15, 100, 10, &mut w);
        assert_eq!(w.into_iter().collect::<Vec<_>>(), vec![20, 30]);
    }
}
