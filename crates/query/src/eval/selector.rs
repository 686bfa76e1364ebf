//! Selectors: instant selection with lookback and staleness, range windows, subqueries.

use std::collections::HashSet;

use promql_parser::label::{MatchOp as ParserOp, Matchers};
use promql_parser::parser::{Expr, VectorSelector};
use vitals_store::{is_stale_marker, Labels, MatchOp, Matcher, METRIC_NAME_LABEL};

use super::{duration_ms, offset_ms, unparen, Evaluator, Series, Val};
use crate::error::QueryError;

/// Default subquery step when none is given (Prometheus' default evaluation interval).
const DEFAULT_SUBQUERY_STEP_MS: i64 = 60_000;

/// Series of a range-vector argument, with what is needed to cut each step's window.
pub(crate) struct RangeInput {
    /// The series' samples (no staleness markers), in time order.
    pub series: Vec<Series>,
    /// Window length (ms).
    pub range: i64,
    offset: i64,
    at: Option<i64>,
}

impl RangeInput {
    /// The window `(end - range, end]` evaluated at step time `ts`.
    pub fn window(&self, ts: i64) -> (i64, i64) {
        let end = self.at.unwrap_or(ts) - self.offset;
        (end - self.range, end)
    }

    /// A cursor giving the index ranges of `s`'s windows at step times in increasing
    /// order, moving forward instead of searching the whole series at every step.
    pub fn windows<'a>(&'a self, s: &'a Series) -> Windows<'a> {
        Windows { input: self, points: &s.points, lo: 0, hi: 0 }
    }

    /// Index range of `s.points` inside the window at step time `ts`.
    pub fn window_indices(&self, s: &Series, ts: i64) -> (usize, usize) {
        let (lo, hi) = self.window(ts);
        let a = s.points.partition_point(|p| p.0 <= lo);
        let b = s.points.partition_point(|p| p.0 <= hi);
        (a, b.max(a))
    }
}

/// See [`RangeInput::windows`].
pub(crate) struct Windows<'a> {
    input: &'a RangeInput,
    points: &'a [(i64, f64)],
    lo: usize,
    hi: usize,
}

impl Windows<'_> {
    /// Index range of the points inside the window at step time `ts`; like
    /// [`RangeInput::window_indices`], searching afresh if the window moved back.
    pub fn at(&mut self, ts: i64) -> (usize, usize) {
        let (start, end) = self.input.window(ts);
        let p = self.points;
        let moved_back = (self.lo > 0 && p[self.lo - 1].0 > start) || (self.hi > 0 && p[self.hi - 1].0 > end);
        if moved_back {
            self.lo = p.partition_point(|x| x.0 <= start);
            self.hi = p.partition_point(|x| x.0 <= end);
        } else {
            while self.lo < p.len() && p[self.lo].0 <= start {
                self.lo += 1;
            }
            self.hi = self.hi.max(self.lo);
            while self.hi < p.len() && p[self.hi].0 <= end {
                self.hi += 1;
            }
        }
        (self.lo, self.hi.max(self.lo))
    }
}

/// Converts a selector's matchers (plus its metric name) to the store's.
pub(crate) fn store_matchers(vs: &VectorSelector) -> Result<Vec<Vec<Matcher>>, QueryError> {
    let convert = |list: &[promql_parser::label::Matcher]| -> Result<Vec<Matcher>, QueryError> {
        let mut out = Vec::with_capacity(list.len() + 1);
        if let Some(name) = &vs.name {
            out.push(Matcher::equal(METRIC_NAME_LABEL, name.clone()));
        }
        for m in list {
            let op = match m.op {
                ParserOp::Equal => MatchOp::Equal,
                ParserOp::NotEqual => MatchOp::NotEqual,
                ParserOp::Re(_) => MatchOp::Regex,
                ParserOp::NotRe(_) => MatchOp::NotRegex,
            };
            let matcher = Matcher::new(op, m.name.clone(), m.value.clone())
                .map_err(|e| QueryError::BadData(format!("invalid regular expression in matcher {}: {e}", m.name)))?;
            out.push(matcher);
        }
        Ok(out)
    };
    let Matchers { matchers, or_matchers } = &vs.matchers;
    if or_matchers.is_empty() {
        Ok(vec![convert(matchers)?])
    } else {
        or_matchers.iter().map(|set| convert(set)).collect()
    }
}

impl Evaluator<'_> {
    /// Raw series of a selector within `[lo, hi]`, in label order, staleness markers kept.
    fn load(&mut self, vs: &VectorSelector, lo: i64, hi: i64) -> Result<Vec<Series>, QueryError> {
        let mut out: Vec<Series> = Vec::new();
        let sets = store_matchers(vs)?;
        let mut taken: HashSet<Labels> = HashSet::new();
        for set in &sets {
            for s in self.store.select(set, lo, hi)? {
                // Series matched by several `or` sets are read once.
                if sets.len() > 1 && !taken.insert(s.labels.clone()) {
                    continue;
                }
                self.samples_read += s.samples.len() as u64;
                self.hold(s.samples.len())?;
                out.push(Series { labels: s.labels, drop_name: false, points: s.samples.iter().map(|x| (x.t, x.v)).collect() });
            }
        }
        out.sort_by(|a, b| a.labels.cmp(&b.labels));
        Ok(out)
    }

    /// An instant selector at every step: the newest sample within the lookback window,
    /// unless it is a staleness marker.
    pub fn instant_selector(&mut self, vs: &VectorSelector) -> Result<Vec<Series>, QueryError> {
        if let Some(series) = self.tier_instant_selector(vs)? {
            return Ok(series);
        }
        let (at, offset) = (self.at_ms(&vs.at), offset_ms(&vs.offset));
        let lookback = duration_ms(self.opts.lookback_delta);
        let first = self.shifted(self.start, at, offset);
        let last = self.shifted(self.end, at, offset);
        let raw = self.load(vs, first - lookback + 1, last)?;
        let loaded: usize = raw.iter().map(|s| s.points.len()).sum();
        let mut out = Vec::with_capacity(raw.len());
        for s in raw {
            self.check_deadline()?;
            let mut points = Vec::new();
            let mut cursor = 0usize;
            for i in 0..self.steps() {
                self.check_deadline_at_step(i)?;
                let ts = self.step_time(i);
                let t = self.shifted(ts, at, offset);
                while cursor < s.points.len() && s.points[cursor].0 <= t {
                    cursor += 1;
                }
                if cursor == 0 {
                    continue;
                }
                let (st, sv) = s.points[cursor - 1];
                if st > t - lookback && !is_stale_marker(sv) {
                    points.push((ts, sv));
                }
            }
            if !points.is_empty() {
                out.push(Series { labels: s.labels, drop_name: false, points });
            }
        }
        let kept: usize = out.iter().map(|s| s.points.len()).sum();
        self.release(loaded);
        self.hold(kept)?;
        Ok(out)
    }

    /// Sample timestamps of an instant selector at every step (for `timestamp(selector)`).
    pub fn instant_selector_times(&mut self, vs: &VectorSelector) -> Result<Vec<Series>, QueryError> {
        let (at, offset) = (self.at_ms(&vs.at), offset_ms(&vs.offset));
        let lookback = duration_ms(self.opts.lookback_delta);
        let raw = self.load(vs, self.shifted(self.start, at, offset) - lookback + 1, self.shifted(self.end, at, offset))?;
        let mut out = Vec::with_capacity(raw.len());
        for s in raw {
            let mut points = Vec::new();
            for i in 0..self.steps() {
                self.check_deadline_at_step(i)?;
                let ts = self.step_time(i);
                let t = self.shifted(ts, at, offset);
                let n = s.points.partition_point(|p| p.0 <= t);
                if n > 0 {
                    let (st, sv) = s.points[n - 1];
                    if st > t - lookback && !is_stale_marker(sv) {
                        points.push((ts, st as f64 / 1000.0));
                    }
                }
            }
            if !points.is_empty() {
                out.push(Series { labels: s.labels, drop_name: true, points });
            }
        }
        Ok(out)
    }

    /// A range-vector argument (matrix selector or subquery), loaded once for all steps.
    pub fn range_input(&mut self, expr: &Expr) -> Result<RangeInput, QueryError> {
        match unparen(expr) {
            Expr::MatrixSelector(ms) => {
                let vs = &ms.vs;
                let (at, offset) = (self.at_ms(&vs.at), offset_ms(&vs.offset));
                let range = duration_ms(ms.range);
                let first = self.shifted(self.start, at, offset) - range;
                let last = self.shifted(self.end, at, offset);
                let mut series = self.load(vs, first + 1, last)?;
                for s in &mut series {
                    s.points.retain(|p| !is_stale_marker(p.1));
                }
                series.retain(|s| !s.points.is_empty());
                Ok(RangeInput { series, range, offset, at })
            }
            Expr::Subquery(sq) => {
                let (at, offset) = (self.at_ms(&sq.at), offset_ms(&sq.offset));
                let range = duration_ms(sq.range);
                let step = sq.step.map(duration_ms).filter(|s| *s > 0).unwrap_or(DEFAULT_SUBQUERY_STEP_MS);
                let first = self.shifted(self.start, at, offset) - range;
                let last = self.shifted(self.end, at, offset);
                // The first step time after `first` that is a multiple of the step.
                let mut start = first.div_euclid(step) * step;
                if start <= first {
                    start += step;
                }
                let mut sub = self.sub(start, last, step);
                let val = if start > last { Val::Vector(Vec::new()) } else { sub.eval(&sq.expr)? };
                self.samples_read += sub.samples_read;
                self.annotations.merge(std::mem::take(&mut sub.annotations));
                let series = match val {
                    Val::Vector(v) => v,
                    Val::Scalar(v) => vec![Series {
                        labels: Default::default(),
                        drop_name: false,
                        points: v.into_iter().enumerate().map(|(i, x)| (sub.step_time(i), x)).collect(),
                    }],
                    _ => return Err(QueryError::BadData("subquery is only allowed on instant vector".into())),
                };
                let n: usize = series.iter().map(|s| s.points.len()).sum();
                self.hold(n)?;
                Ok(RangeInput { series, range, offset, at })
            }
            other => Err(QueryError::BadData(format!("expected range vector, got {}", super::type_name(other)))),
        }
    }
}
