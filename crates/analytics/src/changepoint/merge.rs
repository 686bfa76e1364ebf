//! The second pass: candidates tested against their neighbours, the weakest removed until
//! all left are significant (Otava's merge, with `min_size` and a tie-break of our own).

use super::ttest::{compare, Comparison};
use super::{ChangePoint, ChangePointOptions, Direction};

/// A candidate and its test against its neighbours.
struct Candidate {
    index: usize,
    cmp: Comparison,
    /// Whether a side is shorter than `min_size`.
    short: bool,
}

/// The change points among `candidates` (sorted, distinct indexes inside `values`).
pub(crate) fn merge(values: &[f64], times: &[i64], candidates: &[usize], options: &ChangePointOptions) -> Vec<ChangePoint> {
    let test = |prev: usize, at: usize, next: usize| {
        let mut cmp = compare(&values[prev..at], &values[at..next]);
        if options.adjust {
            // Bonferroni over the positions the split could have taken between its neighbours.
            let positions = (next - prev + 1).saturating_sub(options.min_size.saturating_mul(2)).max(1);
            cmp.p_value = (cmp.p_value * positions as f64).min(1.0);
        }
        Candidate { index: at, cmp, short: at - prev < options.min_size || next - at < options.min_size }
    };
    let bound = |list: &[usize], i: usize| -> (usize, usize) {
        let prev = if i == 0 { 0 } else { list[i - 1] };
        let next = list.get(i + 1).copied().unwrap_or(values.len());
        (prev, next)
    };
    let mut idx: Vec<usize> = candidates.to_vec();
    let mut cands: Vec<Candidate> = (0..idx.len())
        .map(|i| {
            let (prev, next) = bound(&idx, i);
            test(prev, idx[i], next)
        })
        .collect();
    loop {
        // The weakest: short ones first, then the largest p-value, then the smallest |t|.
        let weakest = (0..cands.len()).max_by(|&a, &b| {
            let (ca, cb) = (&cands[a], &cands[b]);
            ca.short.cmp(&cb.short).then(ca.cmp.p_value.total_cmp(&cb.cmp.p_value)).then(cb.cmp.t.abs().total_cmp(&ca.cmp.t.abs()))
        });
        let Some(mut w) = weakest else { break };
        if !cands[w].short && cands[w].cmp.p_value <= options.p_value {
            if options.min_change <= 0.0 {
                break;
            }
            let smallest = (0..cands.len()).min_by(|&a, &b| magnitude(&cands[a].cmp).total_cmp(&magnitude(&cands[b].cmp)));
            match smallest {
                Some(s) if magnitude(&cands[s].cmp) <= options.min_change => w = s,
                _ => break,
            }
        }
        idx.remove(w);
        cands.remove(w);
        for i in [w.wrapping_sub(1), w] {
            if i < idx.len() {
                let (prev, next) = bound(&idx, i);
                cands[i] = test(prev, idx[i], next);
            }
        }
    }
    cands.into_iter().map(|c| change_point(c.index, times[c.index], &c.cmp)).collect()
}

/// The larger of the relative changes either way, as Otava's magnitude; infinite when a
/// mean is 0 and the other is not.
fn magnitude(c: &Comparison) -> f64 {
    let rel = |a: f64, b: f64| {
        if a == 0.0 {
            if b == 0.0 {
                0.0
            } else {
                f64::INFINITY
            }
        } else {
            (b / a - 1.0).abs()
        }
    };
    rel(c.mean_before, c.mean_after).max(rel(c.mean_after, c.mean_before))
}

fn change_point(index: usize, time: i64, c: &Comparison) -> ChangePoint {
    ChangePoint {
        index,
        time,
        p_value: c.p_value,
        mean_before: c.mean_before,
        mean_after: c.mean_after,
        stddev_before: c.stddev_before,
        stddev_after: c.stddev_after,
        relative_change: (c.mean_before != 0.0).then(|| c.mean_after / c.mean_before - 1.0),
        direction: if c.mean_after >= c.mean_before { Direction::Up } else { Direction::Down },
    }
}
