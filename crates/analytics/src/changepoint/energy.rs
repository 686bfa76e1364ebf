//! The E-divisive split: where a segment's divergence between its two sides (Székely and
//! Rizzo's energy statistic with exponent 1, scaled as by Matteson and James) is greatest.
//!
//! For a split of `x` into `left = x[..k]` (m points) and `right = x[k..]` (n points):
//!
//! ```text
//! Q(k) = m n / (m + n) * (2/(m n) Σ|l - r| - 2/(m(m-1)) Σ_{pairs in left}|a - b| - 2/(n(n-1)) Σ_{pairs in right}|a - b|)
//! ```
//!
//! Hand-written because the published implementations build the whole n x n distance
//! matrix (O(n²) time and memory per segment); here the within-left sums for every k come
//! from one forward pass and the within-right sums from one backward pass, each adding a
//! point's distance to all the points before it from a Fenwick tree of ranks, so a whole
//! segment costs O(n log n) time and O(n) memory, and long series need no windows.

use crate::fenwick::{ranks, Fenwick};

/// The split `k` (the first index of the right side) maximising `Q(k)` with both sides at
/// least `min_size` (at least 2) points long, and its `Q`; `None` when the segment is too
/// short or every `Q` is zero (a constant segment).
pub(crate) fn best_split(x: &[f64], min_size: usize) -> Option<(usize, f64)> {
    let len = x.len();
    let min_size = min_size.max(2);
    if len / 2 < min_size {
        return None;
    }
    let (rank, distinct) = ranks(x);
    // within[k]: the sum of |a - b| over the pairs of x[..k]; after[k]: over the pairs of x[k..].
    let within = pair_sums(x.iter().copied().zip(rank.iter().copied()), len, distinct);
    let mut after = pair_sums(x.iter().rev().copied().zip(rank.iter().rev().copied()), len, distinct);
    after.reverse();
    let total = within[len];
    let mut best: Option<(usize, f64)> = None;
    for k in min_size..=len - min_size {
        let (m, n) = (k as f64, (len - k) as f64);
        let (a, b) = (within[k], after[k]);
        let cross = total - a - b;
        let q = m * n / (m + n) * (2.0 * cross / (m * n) - 2.0 * a / (m * (m - 1.0)) - 2.0 * b / (n * (n - 1.0)));
        if q > best.map_or(0.0, |(_, bq)| bq) {
            best = Some((k, q));
        }
    }
    best
}

/// `sums[k]` = the sum of |a - b| over the pairs among the first `k` points of `points`
/// (value, rank), for k in 0..=len.
fn pair_sums(points: impl Iterator<Item = (f64, usize)>, len: usize, distinct: usize) -> Vec<f64> {
    let mut tree = Fenwick::new(distinct);
    let mut sums = Vec::with_capacity(len + 1);
    sums.push(0.0);
    let (mut count, mut sum, mut acc) = (0u64, 0.0, 0.0);
    for (v, r) in points {
        let (nb, sb) = tree.below(r);
        let (na, sa) = (count - nb, sum - sb);
        acc += (v * nb as f64 - sb) + (sa - v * na as f64);
        sums.push(acc);
        tree.insert(r, v);
        count += 1;
        sum += v;
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statistic straight from its definition, O(n²) per split.
    fn q_naive(x: &[f64], k: usize) -> f64 {
        let (l, r) = x.split_at(k);
        let (m, n) = (l.len() as f64, r.len() as f64);
        let cross: f64 = l.iter().flat_map(|a| r.iter().map(move |b| (a - b).abs())).sum();
        let within =
            |s: &[f64]| -> f64 { (0..s.len()).flat_map(|i| (i + 1..s.len()).map(move |j| (i, j))).map(|(i, j)| (s[i] - s[j]).abs()).sum() };
        m * n / (m + n) * (2.0 * cross / (m * n) - 2.0 * within(l) / (m * (m - 1.0)) - 2.0 * within(r) / (n * (n - 1.0)))
    }

    #[test]
    fn finds_a_step_and_agrees_with_the_definition() {
        let x = [1.0, 1.2, 0.9, 1.1, 1.0, 5.0, 5.2, 4.9, 5.1, 5.0, 5.05];
        let (k, q) = best_split(&x, 2).unwrap();
        assert_eq!(k, 5);
        assert!((q - q_naive(&x, 5)).abs() < 1e-9 * q, "{q} vs {}", q_naive(&x, 5));
        for k in 2..=x.len() - 2 {
            assert!(q_naive(&x, k) <= q + 1e-9);
        }
    }

    #[test]
    fn constant_or_short_segments_have_no_split() {
        assert_eq!(best_split(&[3.0; 20], 2), None);
        assert_eq!(best_split(&[1.0, 2.0, 3.0], 2), None);
    }

    proptest::proptest! {
        #[test]
        fn best_split_is_the_definitions_argmax(x in proptest::collection::vec(-100.0f64..100.0, 4..40)) {
            if let Some((k, q)) = best_split(&x, 2) {
                proptest::prop_assert!((q - q_naive(&x, k)).abs() <= 1e-7 * q.abs().max(1.0));
                for j in 2..=x.len() - 2 {
                    proptest::prop_assert!(q_naive(&x, j) <= q + 1e-7 * q.abs().max(1.0));
                }
            }
        }
    }
}
