//! The evaluator: walks a parsed expression over all steps of a query at once.
//!
//! Every node is evaluated for the whole step range in one go (as Prometheus' engine does):
//! a selector reads the store once for the whole range and then slides over the steps, so a
//! range query costs one read per selector, not one per step.

mod aggregate;
mod binary;
mod functions;
mod labels;
mod range_functions;
mod selector;
mod tier;

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use promql_parser::parser::{AtModifier, Expr, Offset};
use vitals_store::{Labels, Store};

use crate::annotations::Annotations;
use crate::error::QueryError;
use crate::EngineOptions;

/// Steps of an evaluation loop between two looks at the clock for the timeout.
const DEADLINE_STRIDE: usize = 256;

pub(crate) use labels::drop_metric_name;
pub(crate) use selector::store_matchers;

/// One series of an instant-vector (or range-vector) value. `drop_name` marks a series whose
/// metric name is removed when the query's result is returned (Prometheus 3's delayed name
/// removal: functions such as `label_replace` may still read or keep the name until then).
#[derive(Debug, Clone)]
pub(crate) struct Series {
    pub labels: Labels,
    pub drop_name: bool,
    pub points: Vec<(i64, f64)>,
}

/// The value of a node for every step of the evaluation.
#[derive(Debug)]
pub(crate) enum Val {
    /// One number per step.
    Scalar(Vec<f64>),
    /// Series with points at step times.
    Vector(Vec<Series>),
    /// A range vector at one evaluation time (only at the top of an instant query).
    Matrix(Vec<Series>),
    /// A string literal.
    Str(String),
}

/// Evaluation state: the step grid, limits and the collected annotations.
pub(crate) struct Evaluator<'a> {
    pub store: &'a Store,
    pub opts: &'a EngineOptions,
    /// First, last step and step width (ms).
    pub start: i64,
    pub end: i64,
    pub step: i64,
    /// The outermost query's start and end, for `@ start()` / `@ end()`.
    pub query_start: i64,
    pub query_end: i64,
    pub deadline: Instant,
    pub annotations: Annotations,
    pub samples_read: u64,
    /// Samples currently held by loaded selectors and intermediate results.
    pub held: usize,
    /// Whether this evaluates a subquery's inner expression (which reads raw samples only).
    pub is_subquery: bool,
}

impl<'a> Evaluator<'a> {
    /// An evaluator over the steps `start, start+step, ..., <= end`.
    pub fn new(store: &'a Store, opts: &'a EngineOptions, start: i64, end: i64, step: i64) -> Evaluator<'a> {
        Evaluator {
            store,
            opts,
            start: clamp_time(start),
            end: clamp_time(end),
            step: step.clamp(1, TIME_LIMIT_MS),
            query_start: clamp_time(start),
            query_end: clamp_time(end),
            deadline: Instant::now().checked_add(opts.timeout).unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400 * 365)),
            annotations: Annotations::default(),
            samples_read: 0,
            held: 0,
            is_subquery: false,
        }
    }

    /// Number of steps.
    pub fn steps(&self) -> usize {
        usize::try_from(self.end.saturating_sub(self.start) / self.step + 1).unwrap_or(0)
    }

    /// Time of step `i`.
    pub fn step_time(&self, i: usize) -> i64 {
        self.start + self.step * i as i64
    }

    /// Index of the step at time `t`.
    pub fn step_index(&self, t: i64) -> usize {
        usize::try_from((t - self.start) / self.step).unwrap_or(0)
    }

    /// Fails once the query has run past its timeout.
    pub fn check_deadline(&self) -> Result<(), QueryError> {
        if Instant::now() > self.deadline {
            return Err(QueryError::Timeout(self.opts.timeout));
        }
        Ok(())
    }

    /// [`Evaluator::check_deadline`] at every [`DEADLINE_STRIDE`]th step `i` of a loop over
    /// steps, so that one long series still stops near the timeout without reading the
    /// clock at every step.
    pub fn check_deadline_at_step(&self, i: usize) -> Result<(), QueryError> {
        if i.is_multiple_of(DEADLINE_STRIDE) {
            self.check_deadline()?;
        }
        Ok(())
    }

    /// Counts `n` more samples as held; fails past the engine's limit.
    pub fn hold(&mut self, n: usize) -> Result<(), QueryError> {
        self.held = self.held.saturating_add(n);
        if self.held > self.opts.max_samples {
            return Err(QueryError::TooManySamples(self.opts.max_samples));
        }
        Ok(())
    }

    /// Releases samples counted by [`Evaluator::hold`].
    pub fn release(&mut self, n: usize) {
        self.held = self.held.saturating_sub(n);
    }

    /// A child evaluator over another step grid (for subqueries), sharing limits.
    fn sub(&self, start: i64, end: i64, step: i64) -> Evaluator<'a> {
        Evaluator {
            store: self.store,
            opts: self.opts,
            start: clamp_time(start),
            end: clamp_time(end),
            step: step.clamp(1, TIME_LIMIT_MS),
            query_start: self.query_start,
            query_end: self.query_end,
            deadline: self.deadline,
            annotations: Annotations::default(),
            samples_read: 0,
            held: self.held,
            is_subquery: true,
        }
    }

    /// Evaluates `expr` for every step.
    pub fn eval(&mut self, expr: &Expr) -> Result<Val, QueryError> {
        self.check_deadline()?;
        if self.steps() > self.opts.max_samples {
            return Err(QueryError::TooManySamples(self.opts.max_samples));
        }
        match expr {
            Expr::NumberLiteral(n) => Ok(Val::Scalar(vec![n.val; self.steps()])),
            Expr::StringLiteral(s) => Ok(Val::Str(s.val.clone())),
            Expr::Paren(p) => self.eval(&p.expr),
            Expr::Unary(u) => match self.eval(&u.expr)? {
                Val::Scalar(v) => Ok(Val::Scalar(v.into_iter().map(|x| -x).collect())),
                Val::Vector(mut v) => {
                    for s in &mut v {
                        s.drop_name = true;
                        s.points.iter_mut().for_each(|p| p.1 = -p.1);
                    }
                    Ok(Val::Vector(v))
                }
                _ => Err(QueryError::BadData("unary expression only allowed on expressions of type scalar or instant vector".into())),
            },
            Expr::VectorSelector(vs) => Ok(Val::Vector(self.instant_selector(vs)?)),
            Expr::MatrixSelector(_) | Expr::Subquery(_) => {
                if self.start != self.end {
                    return Err(QueryError::BadData(
                        "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector".into(),
                    ));
                }
                let input = self.range_input(expr)?;
                let series = input
                    .series
                    .iter()
                    .filter_map(|s| {
                        let (lo, hi) = input.window_indices(s, self.start);
                        (hi > lo).then(|| Series { labels: s.labels.clone(), drop_name: s.drop_name, points: s.points[lo..hi].to_vec() })
                    })
                    .collect();
                Ok(Val::Matrix(series))
            }
            Expr::Binary(b) => self.binary(b),
            Expr::Aggregate(a) => self.aggregate(a),
            Expr::Call(c) => self.call(c),
            Expr::Extension(_) => Err(QueryError::BadData("extension expressions are not supported".into())),
        }
    }

    /// Evaluates an expression that must give an instant vector.
    pub fn eval_vector(&mut self, expr: &Expr) -> Result<Vec<Series>, QueryError> {
        match self.eval(expr)? {
            Val::Vector(v) => Ok(v),
            _ => Err(QueryError::BadData(format!("expected instant vector, got {}", type_name(expr)))),
        }
    }

    /// Evaluates an expression that must give a scalar.
    pub fn eval_scalar(&mut self, expr: &Expr) -> Result<Vec<f64>, QueryError> {
        match self.eval(expr)? {
            Val::Scalar(v) => Ok(v),
            _ => Err(QueryError::BadData(format!("expected scalar, got {}", type_name(expr)))),
        }
    }

    /// Evaluates an expression that must give a string.
    pub fn eval_string(&mut self, expr: &Expr) -> Result<String, QueryError> {
        match self.eval(expr)? {
            Val::Str(s) => Ok(s),
            _ => Err(QueryError::BadData(format!("expected string, got {}", type_name(expr)))),
        }
    }

    /// Splits series into per-step lists of (series index, value).
    pub fn by_step(&self, series: &[Series]) -> Steps {
        // A counting sort into one allocation (not one vector per step: a range query has
        // thousands of steps), keeping the series order within each step.
        let steps = self.steps();
        let mut starts = vec![0usize; steps + 1];
        for s in series {
            for &(t, _) in &s.points {
                if let Some(n) = starts.get_mut(self.step_index(t) + 1) {
                    *n += 1;
                }
            }
        }
        for k in 0..steps {
            starts[k + 1] += starts[k];
        }
        let mut next = starts.clone();
        let mut entries = vec![(0, 0.0); starts[steps]];
        for (i, s) in series.iter().enumerate() {
            for &(t, v) in &s.points {
                let k = self.step_index(t);
                if k < steps {
                    entries[next[k]] = (i, v);
                    next[k] += 1;
                }
            }
        }
        Steps { starts, entries }
    }

    /// The evaluation time of a selector at step time `ts`, after `@` and `offset`.
    pub fn shifted(&self, ts: i64, at: Option<i64>, offset: i64) -> i64 {
        clamp_time(at.unwrap_or(ts).saturating_sub(offset))
    }

    /// `@` modifier as milliseconds.
    pub fn at_ms(&self, at: &Option<AtModifier>) -> Option<i64> {
        at.as_ref().map(|a| match a {
            AtModifier::Start => self.query_start,
            AtModifier::End => self.query_end,
            AtModifier::At(t) => clamp_time(system_time_ms(*t)),
        })
    }
}

/// Largest time or duration magnitude (ms) the evaluator works with (about 36 million
/// years): larger values are clamped, so sums of a few times and durations cannot overflow.
pub(crate) const TIME_LIMIT_MS: i64 = i64::MAX / 8;

/// Clamps a time (ms) to ±[`TIME_LIMIT_MS`].
pub(crate) fn clamp_time(t: i64) -> i64 {
    t.clamp(-TIME_LIMIT_MS, TIME_LIMIT_MS)
}

/// `offset` as signed milliseconds.
pub(crate) fn offset_ms(o: &Option<Offset>) -> i64 {
    match o {
        None => 0,
        Some(Offset::Pos(d)) => duration_ms(*d),
        Some(Offset::Neg(d)) => -duration_ms(*d),
    }
}

/// A duration as milliseconds (saturating).
pub(crate) fn duration_ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX).min(TIME_LIMIT_MS)
}

/// A point in time as milliseconds since the epoch (negative before 1970).
pub(crate) fn system_time_ms(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => duration_ms(d),
        Err(e) => -duration_ms(e.duration()),
    }
}

/// PromQL's name of an expression's type, for error messages.
pub(crate) fn type_name(e: &Expr) -> &'static str {
    use promql_parser::parser::value::ValueType;
    match e.value_type() {
        ValueType::Scalar => "scalar",
        ValueType::Vector => "instant vector",
        ValueType::Matrix => "range vector",
        ValueType::String => "string",
    }
}

/// Strips parentheses.
pub(crate) fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unparen(&p.expr),
        other => other,
    }
}

/// The points of many series grouped by step (from [`Evaluator::by_step`]): each step's
/// (series index, value) pairs, in series order.
pub(crate) struct Steps {
    /// Where each step's pairs start in `entries`, and where the last one's end.
    starts: Vec<usize>,
    entries: Vec<(usize, f64)>,
}

impl Steps {
    /// Each step's pairs, in step order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[(usize, f64)]> + '_ {
        self.starts.windows(2).map(|w| &self.entries[w[0]..w[1]])
    }
}

/// Collects output series step by step, keyed by labels, refusing two samples with the
/// same labels at one step.
#[derive(Default)]
pub(crate) struct Output {
    index: HashMap<Labels, usize>,
    pub series: Vec<Series>,
}

impl Output {
    /// Adds a point of the series `labels`.
    pub fn push(&mut self, labels: Labels, drop_name: bool, t: i64, v: f64) -> Result<(), QueryError> {
        let i = self.series_index(labels, drop_name);
        self.push_to(i, t, v)
    }

    /// The index of the series `labels`, added without points if new; for callers that push
    /// many points to the same series, so that they hash its labels once.
    pub fn series_index(&mut self, labels: Labels, drop_name: bool) -> usize {
        match self.index.get(&labels) {
            Some(&i) => i,
            None => {
                self.index.insert(labels.clone(), self.series.len());
                self.series.push(Series { labels, drop_name, points: Vec::new() });
                self.series.len() - 1
            }
        }
    }

    /// Adds a point to the series at `index` (from [`Output::series_index`]).
    pub fn push_to(&mut self, index: usize, t: i64, v: f64) -> Result<(), QueryError> {
        let Some(s) = self.series.get_mut(index) else {
            return Err(QueryError::Execution(format!("internal error: no output series {index}")));
        };
        if s.points.last().is_some_and(|p| p.0 == t) {
            return Err(QueryError::Execution("vector cannot contain metrics with the same labelset".into()));
        }
        s.points.push((t, v));
        Ok(())
    }
}
