//! The engine: parses a query, evaluates it over the store and shapes the result.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use promql_parser::parser::{self, value::ValueType, Expr};
use vitals_store::Store;

use crate::cache::{QueryCache, Shape};
use crate::error::QueryError;
use crate::error_position::{error_position, line_column};
use crate::eval::{drop_metric_name, Evaluator, Series, Val};
use crate::value::{InstantSample, QueryOutput, RangeSeries, Value};
use crate::EngineOptions;

/// The engine; cheap to clone, Send + Sync. Clones share a cache of parsed queries.
#[derive(Clone)]
pub struct Engine {
    store: Store,
    opts: EngineOptions,
    cache: Arc<Mutex<QueryCache>>,
    /// Whether runs record their duration in the cache: only with the options the engine
    /// was made with, as a shortened timeout or lookback makes a heavy query look quick.
    records: bool,
}

impl Engine {
    /// An engine reading `store`.
    pub fn new(store: Store, opts: EngineOptions) -> Engine {
        Engine { store, opts, cache: Arc::default(), records: true }
    }

    /// This engine with other options, sharing its cache of parsed queries; its runs do not
    /// record their durations (see [`Engine::last_duration`]), which would not be those of
    /// runs with the original options.
    pub fn with_options(&self, opts: EngineOptions) -> Engine {
        Engine { store: self.store.clone(), opts, cache: self.cache.clone(), records: false }
    }

    /// The engine's options.
    pub fn options(&self) -> &EngineOptions {
        &self.opts
    }

    /// How long `query` took the last time it ran over a span like `[start_ms, end_ms]` at
    /// `step_ms` (for an instant query, `start_ms == end_ms`), if it ran recently and
    /// successfully with this engine's original options (not those of [`Engine::with_options`]); callers
    /// use it to decide where to run the next evaluation.
    pub fn last_duration(&self, query: &str, start_ms: i64, end_ms: i64, step_ms: i64) -> Option<Duration> {
        self.cache.lock().duration(query, Shape::of(start_ms, end_ms, step_ms))
    }

    /// Instant query at `time_ms`.
    pub fn instant(&self, query: &str, time_ms: i64) -> Result<QueryOutput, QueryError> {
        let expr = self.parsed(query)?;
        let started = Instant::now();
        let out = self.instant_expr(&expr, time_ms);
        self.record(query, Shape::of(time_ms, time_ms, 1), started, &out);
        out
    }

    /// The parsed tree of `query`, from the cache or the parser.
    fn parsed(&self, query: &str) -> Result<Arc<Expr>, QueryError> {
        if let Some(expr) = self.cache.lock().get(query) {
            return Ok(expr);
        }
        let expr = Arc::new(parse(query)?);
        self.cache.lock().insert(query, expr.clone());
        Ok(expr)
    }

    /// Instant query of a parsed expression.
    pub(crate) fn instant_expr(&self, expr: &Expr, time_ms: i64) -> Result<QueryOutput, QueryError> {
        let mut ev = Evaluator::new(&self.store, &self.opts, time_ms, time_ms, 1);
        let val = ev.eval(expr)?;
        let value = match val {
            Val::Scalar(v) => Value::Scalar { t: time_ms, v: v.first().copied().unwrap_or(f64::NAN) },
            Val::Str(s) => Value::String { t: time_ms, s },
            Val::Vector(series) => Value::Vector(
                finish(series)?
                    .into_iter()
                    .filter_map(|s| s.points.first().map(|p| InstantSample { labels: s.labels, t: time_ms, v: p.1 }))
                    .collect(),
            ),
            Val::Matrix(series) => Value::Matrix(sorted_matrix(finish(series)?)),
        };
        Ok(output(value, ev))
    }

    /// Range query; `step_ms > 0`; `end >= start`.
    pub fn range(&self, query: &str, start_ms: i64, end_ms: i64, step_ms: i64) -> Result<QueryOutput, QueryError> {
        let expr = self.parsed(query)?;
        let started = Instant::now();
        let out = self.range_expr(&expr, start_ms, end_ms, step_ms);
        self.record(query, Shape::of(start_ms, end_ms, step_ms), started, &out);
        out
    }

    /// Keeps how long a run that began at `started` took, if it ran with the engine's
    /// original options and succeeded; a failed run (a timeout, too many samples) stops
    /// early and says nothing of the next run's cost, so it forgets the last duration.
    fn record(&self, query: &str, shape: Shape, started: Instant, out: &Result<QueryOutput, QueryError>) {
        if !self.records {
            return;
        }
        let mut cache = self.cache.lock();
        match out {
            Ok(_) => cache.record(query, shape, started.elapsed()),
            Err(_) => cache.forget(query, shape),
        }
    }

    /// Range query of a parsed expression.
    pub(crate) fn range_expr(&self, expr: &Expr, start_ms: i64, end_ms: i64, step_ms: i64) -> Result<QueryOutput, QueryError> {
        if step_ms <= 0 {
            return Err(QueryError::BadData(
                "zero or negative query resolution step widths are not accepted. Try a positive integer".into(),
            ));
        }
        if end_ms < start_ms {
            return Err(QueryError::BadData("end timestamp must not be before start time".into()));
        }
        match expr.value_type() {
            ValueType::Scalar | ValueType::Vector => {}
            other => {
                return Err(QueryError::BadData(format!(
                    "invalid expression type \"{}\" for range query, must be Scalar or instant Vector",
                    type_word(other)
                )))
            }
        }
        let mut ev = Evaluator::new(&self.store, &self.opts, start_ms, end_ms, step_ms);
        let val = ev.eval(expr)?;
        let series = match val {
            Val::Scalar(v) => vec![RangeSeries {
                labels: Default::default(),
                points: v.into_iter().enumerate().map(|(i, x)| (ev.step_time(i), x)).collect(),
            }],
            Val::Vector(series) => sorted_matrix(finish(series)?),
            Val::Matrix(_) | Val::Str(_) => {
                return Err(QueryError::BadData("range queries must give a scalar or an instant vector".into()));
            }
        };
        Ok(output(Value::Matrix(series), ev))
    }
}

/// Checks a query without running it; gives its pretty-printed form.
pub fn format_query(query: &str) -> Result<String, QueryError> {
    Ok(parse(query)?.prettify())
}

/// Parses a query; a parse error carries its position when it can be found.
pub(crate) fn parse(query: &str) -> Result<Expr, QueryError> {
    // promql-parser 0.11 panics on some malformed input (e.g. a duration that overflows,
    // found by fuzzing); a query must never take the server down, so such a panic becomes a
    // parse error.
    match std::panic::catch_unwind(|| parser::parse(query)) {
        Ok(Ok(expr)) => Ok(expr),
        Ok(Err(message)) => {
            let position = error_position(query, &message);
            Err(QueryError::Parse { line_column: position.map(|p| line_column(query, p)), message, position })
        }
        Err(_) => Err(QueryError::Parse {
            message: "invalid query: the parser could not read it (e.g. a number out of range)".into(),
            position: None,
            line_column: None,
        }),
    }
}

fn type_word(t: ValueType) -> &'static str {
    match t {
        ValueType::Scalar => "scalar",
        ValueType::Vector => "instant vector",
        ValueType::Matrix => "range vector",
        ValueType::String => "string",
    }
}

/// Applies delayed name removal and refuses results with two series of the same labels.
fn finish(mut series: Vec<Series>) -> Result<Vec<Series>, QueryError> {
    let mut seen = HashSet::with_capacity(series.len());
    for s in &mut series {
        if s.drop_name {
            s.labels = drop_metric_name(&s.labels);
            s.drop_name = false;
        }
        if !seen.insert(s.labels.clone()) {
            return Err(QueryError::Execution("vector cannot contain metrics with the same labelset".into()));
        }
    }
    Ok(series)
}

fn sorted_matrix(series: Vec<Series>) -> Vec<RangeSeries> {
    let mut out: Vec<RangeSeries> = series.into_iter().map(|s| RangeSeries { labels: s.labels, points: s.points }).collect();
    out.sort_by(|a, b| a.labels.cmp(&b.labels));
    out
}

fn output(value: Value, ev: Evaluator<'_>) -> QueryOutput {
    QueryOutput { value, warnings: ev.annotations.warnings, infos: ev.annotations.infos, samples_read: ev.samples_read }
}
