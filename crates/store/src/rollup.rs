//! Rollup aggregates: per bucket of a tier's resolution, min, max, sum, count and last.

use crate::model::{is_stale_marker, Sample};

/// One rollup point: aggregates over the samples in `[t, t + resolution)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Aggregate {
    /// Bucket start (ms), aligned to the resolution.
    pub t: i64,
    /// Smallest value (NaN values are ignored unless all are NaN).
    pub min: f64,
    /// Largest value (as `min`).
    pub max: f64,
    /// Sum of the values.
    pub sum: f64,
    /// Number of samples.
    pub count: f64,
    /// The last value in the bucket.
    pub last: f64,
}

/// Aggregates time-sorted samples into buckets of `res` ms; staleness markers are skipped.
pub fn aggregate(samples: &[Sample], res: i64) -> Vec<Aggregate> {
    let mut out: Vec<Aggregate> = Vec::new();
    for s in samples.iter().filter(|s| !is_stale_marker(s.v)) {
        let t = s.t.div_euclid(res) * res;
        match out.last_mut() {
            Some(a) if a.t == t => {
                a.min = a.min.min(s.v);
                a.max = a.max.max(s.v);
                a.sum += s.v;
                a.count += 1.0;
                a.last = s.v;
            }
            _ => out.push(Aggregate { t, min: s.v, max: s.v, sum: s.v, count: 1.0, last: s.v }),
        }
    }
    out
}

/// Splits aggregates into the five columns a tier block stores.
pub(crate) fn to_columns(aggs: &[Aggregate]) -> (Vec<i64>, Vec<Vec<f64>>) {
    let ts = aggs.iter().map(|a| a.t).collect();
    let cols = vec![
        aggs.iter().map(|a| a.min).collect(),
        aggs.iter().map(|a| a.max).collect(),
        aggs.iter().map(|a| a.sum).collect(),
        aggs.iter().map(|a| a.count).collect(),
        aggs.iter().map(|a| a.last).collect(),
    ];
    (ts, cols)
}

/// Rebuilds aggregates from a tier block's columns.
pub(crate) fn from_columns(ts: &[i64], cols: &[Vec<f64>]) -> Vec<Aggregate> {
    (0..ts.len())
        .map(|i| Aggregate { t: ts[i], min: cols[0][i], max: cols[1][i], sum: cols[2][i], count: cols[3][i], last: cols[4][i] })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::stale_marker;

    #[test]
    fn buckets_and_skips_stale_markers() {
        let s = |t, v| Sample { t, v };
        let samples = [s(0, 3.0), s(30_000, 1.0), s(59_999, 2.0), s(60_000, stale_marker()), s(61_000, 5.0)];
        let a = aggregate(&samples, 60_000);
        assert_eq!(a.len(), 2);
        assert_eq!((a[0].min, a[0].max, a[0].sum, a[0].count, a[0].last), (1.0, 3.0, 6.0, 3.0, 2.0));
        assert_eq!((a[1].t, a[1].count, a[1].last), (60_000, 1.0, 5.0));
    }

    #[test]
    fn negative_timestamps_align_down() {
        let a = aggregate(&[Sample { t: -1, v: 1.0 }], 60_000);
        assert_eq!(a[0].t, -60_000);
    }
}
