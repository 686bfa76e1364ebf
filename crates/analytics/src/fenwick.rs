//! A Fenwick (binary indexed) tree of counts and sums over value ranks, for sums of
//! absolute differences and concordance counts in O(log n) per point.
//!
//! Written here because the two uses (the energy statistic of E-divisive, Mann-Kendall's
//! S) need both a count and a sum per node over ranks of their own data, and the tree is
//! twenty lines; the crates that offer one add nothing to that.

/// Ranks of `values`: 0 for the smallest; equal values share a rank. NaN is not expected
/// (callers check their input).
pub(crate) fn ranks(values: &[f64]) -> (Vec<usize>, usize) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0; values.len()];
    let mut rank = 0;
    for (k, &i) in order.iter().enumerate() {
        if k > 0 && values[order[k - 1]] != values[i] {
            rank += 1;
        }
        ranks[i] = rank;
    }
    let distinct = if values.is_empty() { 0 } else { rank + 1 };
    (ranks, distinct)
}

/// Counts and sums of the values inserted so far, by rank.
pub(crate) struct Fenwick {
    count: Vec<u64>,
    sum: Vec<f64>,
}

impl Fenwick {
    /// An empty tree over ranks `0..size`.
    pub(crate) fn new(size: usize) -> Fenwick {
        Fenwick { count: vec![0; size + 1], sum: vec![0.0; size + 1] }
    }

    /// Adds `value`, of rank `rank`.
    pub(crate) fn insert(&mut self, rank: usize, value: f64) {
        let mut i = rank + 1;
        while i < self.count.len() {
            self.count[i] += 1;
            self.sum[i] += value;
            i += i & i.wrapping_neg();
        }
    }

    /// The count and sum of the inserted values of rank below `rank`.
    pub(crate) fn below(&self, rank: usize) -> (u64, f64) {
        let (mut n, mut s) = (0, 0.0);
        let mut i = rank;
        while i > 0 {
            n += self.count[i];
            s += self.sum[i];
            i -= i & i.wrapping_neg();
        }
        (n, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_sums_below_a_rank() {
        let values = [5.0, 1.0, 3.0, 3.0, 9.0];
        let (r, distinct) = ranks(&values);
        assert_eq!(r, vec![2, 0, 1, 1, 3]);
        assert_eq!(distinct, 4);
        let mut f = Fenwick::new(distinct);
        for (i, v) in values.iter().enumerate() {
            f.insert(r[i], *v);
        }
        assert_eq!(f.below(0), (0, 0.0));
        assert_eq!(f.below(2), (3, 7.0));
        assert_eq!(f.below(4), (5, 21.0));
    }
}
