//! Reading rollup tiers instead of raw samples for coarse range queries.
//!
//! Used only by range queries spanning at least a day ([`TIER_MIN_SPAN_MS`]) whose step is a multiple of the resolution the store picks
//! (`Store::pick_resolution`), whose evaluation times (after `@` and `offset`) fall on bucket
//! boundaries and, for range vectors, whose range is a multiple of the resolution. A window
//! `(t - range, t]` is then answered from the buckets `[t - range, t)`; the crate
//! documentation lists what this changes.

use std::collections::HashSet;

use promql_parser::parser::{Expr, VectorSelector};
use vitals_store::{Aggregate, Labels};

use super::selector::store_matchers;
use super::{duration_ms, offset_ms, unparen, Evaluator, Series, Val};
use crate::error::QueryError;
use crate::kernels::kahan::KahanSum;
use crate::kernels::rate::{extrapolated_rate, instant_value};
use crate::kernels::regression::deriv;

/// Range queries shorter than this read raw samples even when a tier would fit: raw data
/// is exact and, over such spans, quick enough.
pub(crate) const TIER_MIN_SPAN_MS: i64 = 24 * 3600 * 1000;

/// Range functions a tier can answer.
const TIER_FUNCTIONS: [&str; 13] = [
    "sum_over_time",
    "count_over_time",
    "min_over_time",
    "max_over_time",
    "avg_over_time",
    "last_over_time",
    "present_over_time",
    "rate",
    "increase",
    "delta",
    "irate",
    "idelta",
    "deriv",
];

impl Evaluator<'_> {
    /// The tier resolution to read for a selection `range` ms wide (0 for instant
    /// selectors), if the query qualifies.
    fn tier_resolution(&self, range: i64, at: Option<i64>, offset: i64) -> Option<i64> {
        if self.end - self.start < TIER_MIN_SPAN_MS || self.is_subquery {
            return None;
        }
        let first = self.shifted(self.start, at, offset);
        let res = self.store.pick_resolution(first - range, self.step);
        let aligned = res > 0 && range % res == 0 && first.rem_euclid(res) == 0 && (at.is_some() || self.step % res == 0);
        aligned.then_some(res)
    }

    /// Bucket aggregates of a selector's series for buckets starting in `[lo, hi)`.
    fn tier_load(&mut self, vs: &VectorSelector, res: i64, lo: i64, hi: i64) -> Result<Vec<(Labels, Vec<Aggregate>)>, QueryError> {
        let mut out: Vec<(Labels, Vec<Aggregate>)> = Vec::new();
        let sets = store_matchers(vs)?;
        let mut taken: HashSet<Labels> = HashSet::new();
        for set in &sets {
            for s in self.store.select_tier(res, set, lo, hi - 1)? {
                // Series matched by several `or` sets are read once.
                if sets.len() > 1 && !taken.insert(s.labels.clone()) {
                    continue;
                }
                let n = s.points.iter().map(|a| a.count as u64).sum::<u64>();
                self.samples_read += n;
                self.hold(s.points.len())?;
                out.push((s.labels, s.points));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// An instant selector answered from a tier: at each step `t`, the last value of the
    /// bucket `[t - res, t)`.
    pub fn tier_instant_selector(&mut self, vs: &VectorSelector) -> Result<Option<Vec<Series>>, QueryError> {
        let (at, offset) = (self.at_ms(&vs.at), offset_ms(&vs.offset));
        let Some(res) = self.tier_resolution(0, at, offset) else { return Ok(None) };
        let first = self.shifted(self.start, at, offset);
        let last = self.shifted(self.end, at, offset);
        let mut out = Vec::new();
        for (labels, aggs) in self.tier_load(vs, res, first - res, last)? {
            let points: Vec<(i64, f64)> = (0..self.steps())
                .filter_map(|i| {
                    let ts = self.step_time(i);
                    let t = self.shifted(ts, at, offset);
                    let k = aggs.partition_point(|a| a.t < t - res);
                    aggs.get(k).filter(|a| a.t == t - res && a.count > 0.0).map(|a| (ts, a.last))
                })
                .collect();
            if !points.is_empty() {
                out.push(Series { labels, drop_name: false, points });
            }
        }
        Ok(Some(out))
    }

    /// A range function answered from a tier, if the function and query qualify.
    pub fn tier_range_call(&mut self, name: &str, arg: &Expr) -> Result<Option<Val>, QueryError> {
        let Expr::MatrixSelector(ms) = unparen(arg) else { return Ok(None) };
        if !TIER_FUNCTIONS.contains(&name) {
            return Ok(None);
        }
        let vs = &ms.vs;
        let (at, offset, range) = (self.at_ms(&vs.at), offset_ms(&vs.offset), duration_ms(ms.range));
        let Some(res) = self.tier_resolution(range, at, offset) else { return Ok(None) };
        let first = self.shifted(self.start, at, offset);
        let last = self.shifted(self.end, at, offset);
        let keep_name = name == "last_over_time";
        let over_time = name.ends_with("_over_time");
        let mut out = Vec::new();
        let mut points_buf: Vec<(i64, f64)> = Vec::new();
        for (labels, aggs) in self.tier_load(vs, res, first - range - res, last)? {
            self.check_deadline()?;
            let mut points = Vec::new();
            for i in 0..self.steps() {
                self.check_deadline_at_step(i)?;
                let ts = self.step_time(i);
                let t = self.shifted(ts, at, offset);
                let hi = aggs.partition_point(|a| a.t < t);
                // Rates also read the bucket just before the window: its last value is the
                // counter's value where the window starts.
                let from = if over_time { t - range } else { t - range - res };
                let lo = aggs.partition_point(|a| a.t < from);
                let w: Vec<&Aggregate> = aggs[lo..hi].iter().filter(|a| a.count > 0.0).collect();
                if w.is_empty() || (over_time && w[0].t < t - range) {
                    continue;
                }
                // Each bucket's last value stands for a sample at the bucket's end.
                points_buf.clear();
                points_buf.extend(w.iter().map(|a| (a.t + res, a.last)));
                let v = match name {
                    "sum_over_time" => Some(kahan(w.iter().map(|a| a.sum))),
                    "count_over_time" => Some(w.iter().map(|a| a.count).sum()),
                    "min_over_time" => Some(w.iter().map(|a| a.min).fold(f64::NAN, |m, x| if m.is_nan() || x < m { x } else { m })),
                    "max_over_time" => Some(w.iter().map(|a| a.max).fold(f64::NAN, |m, x| if m.is_nan() || x > m { x } else { m })),
                    "avg_over_time" => Some(kahan(w.iter().map(|a| a.sum)) / w.iter().map(|a| a.count).sum::<f64>()),
                    "last_over_time" => w.last().map(|a| a.last),
                    "present_over_time" => Some(1.0),
                    "rate" => extrapolated_rate(&points_buf, t - range, t, true, true),
                    "increase" => extrapolated_rate(&points_buf, t - range, t, true, false),
                    "delta" => extrapolated_rate(&points_buf, t - range, t, false, false),
                    "irate" => instant_value(&points_buf, true),
                    "idelta" => instant_value(&points_buf, false),
                    _ => deriv(&points_buf),
                };
                if let Some(v) = v {
                    points.push((ts, v));
                }
            }
            if !points.is_empty() {
                out.push(Series { labels, drop_name: !keep_name, points });
            }
        }
        Ok(Some(Val::Vector(out)))
    }
}

fn kahan(values: impl Iterator<Item = f64>) -> f64 {
    let mut s = KahanSum::new();
    values.for_each(|v| s.push(v));
    s.value()
}
