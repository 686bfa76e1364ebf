//! Functions on instant vectors and scalars, and the dispatch of every function call.

use std::collections::HashMap;

use promql_parser::parser::{Call, Expr};
use regex::Regex;
use vitals_store::{Labels, METRIC_NAME_LABEL};

use super::aggregate::format_g;
use super::labels::set_label;
use super::{unparen, Evaluator, Output, Series, Val};
use crate::error::QueryError;
use crate::kernels::date::{date_part, DatePart};
use crate::kernels::elementwise;
use crate::kernels::histogram::{bucket_fraction, bucket_quantile, Bucket};
use crate::kernels::natsort::natural_cmp;

/// Functions Prometheus only defines on native histograms: float samples give no output.
const NATIVE_HISTOGRAM_ONLY: [&str; 5] = ["histogram_count", "histogram_sum", "histogram_avg", "histogram_stddev", "histogram_stdvar"];

impl Evaluator<'_> {
    /// Evaluates a function call.
    pub fn call(&mut self, c: &Call) -> Result<Val, QueryError> {
        let name = c.func.name;
        let args: Vec<&Expr> = c.args.args.iter().map(|a| a.as_ref()).collect();
        let arg = |i: usize| args.get(i).copied().ok_or_else(|| QueryError::BadData(format!("missing argument {} of {name}()", i + 1)));
        if let Some(f) = math_fn(name) {
            let v = self.eval_vector(arg(0)?)?;
            return Ok(Val::Vector(map_values(v, f)));
        }
        if let Some(part) = date_fn(name) {
            if args.is_empty() {
                let points = (0..self.steps()).map(|i| (self.step_time(i), date_part(part, self.step_time(i) as f64 / 1000.0))).collect();
                return Ok(Val::Vector(vec![Series { labels: Labels::default(), drop_name: false, points }]));
            }
            let v = self.eval_vector(arg(0)?)?;
            return Ok(Val::Vector(map_values(v, move |x| date_part(part, x))));
        }
        match name {
            "time" => Ok(Val::Scalar((0..self.steps()).map(|i| self.step_time(i) as f64 / 1000.0).collect())),
            "pi" => Ok(Val::Scalar(vec![std::f64::consts::PI; self.steps()])),
            "vector" => {
                let s = self.eval_scalar(arg(0)?)?;
                let points = s.into_iter().enumerate().map(|(i, v)| (self.step_time(i), v)).collect();
                Ok(Val::Vector(vec![Series { labels: Labels::default(), drop_name: false, points }]))
            }
            "scalar" => {
                let v = self.eval_vector(arg(0)?)?;
                let mut out = vec![f64::NAN; self.steps()];
                let mut counts = vec![0usize; self.steps()];
                for s in &v {
                    for &(t, x) in &s.points {
                        let i = self.step_index(t);
                        counts[i] += 1;
                        out[i] = x;
                    }
                }
                for (o, c) in out.iter_mut().zip(counts) {
                    if c != 1 {
                        *o = f64::NAN;
                    }
                }
                Ok(Val::Scalar(out))
            }
            "round" => {
                let v = self.eval_vector(arg(0)?)?;
                let to = match args.get(1) {
                    Some(e) => self.eval_scalar(e)?,
                    None => vec![1.0; self.steps()],
                };
                Ok(Val::Vector(self.map_with_scalars(v, &[&to], |x, p| elementwise::round(x, p[0]))))
            }
            "clamp" => {
                let v = self.eval_vector(arg(0)?)?;
                let lo = self.eval_scalar(arg(1)?)?;
                let hi = self.eval_scalar(arg(2)?)?;
                Ok(Val::Vector(self.filter_map_with_scalars(v, &[&lo, &hi], |x, p| elementwise::clamp(x, p[0], p[1]))))
            }
            "clamp_min" | "clamp_max" => {
                let v = self.eval_vector(arg(0)?)?;
                let b = self.eval_scalar(arg(1)?)?;
                let min = name == "clamp_min";
                Ok(Val::Vector(self.map_with_scalars(v, &[&b], |x, p| {
                    if min {
                        elementwise::go_max(p[0], x)
                    } else {
                        elementwise::go_min(p[0], x)
                    }
                })))
            }
            "timestamp" => match unparen(arg(0)?) {
                Expr::VectorSelector(vs) => Ok(Val::Vector(self.instant_selector_times(vs)?)),
                other => {
                    let v = self.eval_vector(other)?;
                    Ok(Val::Vector(
                        v.into_iter()
                            .map(|mut s| {
                                s.drop_name = true;
                                s.points.iter_mut().for_each(|p| p.1 = p.0 as f64 / 1000.0);
                                s
                            })
                            .collect(),
                    ))
                }
            },
            "label_replace" => self.label_replace(&args),
            "label_join" => self.label_join(&args),
            "sort" | "sort_desc" => {
                let mut v = self.eval_vector(arg(0)?)?;
                let desc = name == "sort_desc";
                v.sort_by(|a, b| {
                    let (x, y) = (a.points.first().map_or(f64::NAN, |p| p.1), b.points.first().map_or(f64::NAN, |p| p.1));
                    match (x.is_nan(), y.is_nan()) {
                        (true, true) => std::cmp::Ordering::Equal,
                        (true, false) => std::cmp::Ordering::Greater,
                        (false, true) => std::cmp::Ordering::Less,
                        _ if desc => y.partial_cmp(&x).unwrap_or(std::cmp::Ordering::Equal),
                        _ => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
                    }
                });
                Ok(Val::Vector(v))
            }
            "sort_by_label" | "sort_by_label_desc" => {
                let mut v = self.eval_vector(arg(0)?)?;
                let mut names = Vec::new();
                for a in &args[1..] {
                    names.push(self.eval_string(a)?);
                }
                let desc = name == "sort_by_label_desc";
                v.sort_by(|a, b| {
                    for n in &names {
                        let (x, y) = (a.labels.get(n).unwrap_or(""), b.labels.get(n).unwrap_or(""));
                        if x != y {
                            let o = natural_cmp(x, y);
                            return if desc { o.reverse() } else { o };
                        }
                    }
                    let o = a.labels.cmp(&b.labels);
                    if desc {
                        o.reverse()
                    } else {
                        o
                    }
                });
                Ok(Val::Vector(v))
            }
            "absent" => {
                let e = arg(0)?;
                let v = self.eval_vector(e)?;
                let labels = absent_labels(e);
                let mut present = vec![false; self.steps()];
                for s in &v {
                    for &(t, _) in &s.points {
                        present[self.step_index(t)] = true;
                    }
                }
                let points: Vec<(i64, f64)> =
                    present.iter().enumerate().filter(|(_, p)| !**p).map(|(i, _)| (self.step_time(i), 1.0)).collect();
                Ok(Val::Vector(if points.is_empty() { Vec::new() } else { vec![Series { labels, drop_name: false, points }] }))
            }
            "histogram_quantile" => self.histogram_quantile(&args),
            "histogram_fraction" => self.histogram_fraction(&args),
            n if NATIVE_HISTOGRAM_ONLY.contains(&n) => {
                for a in &args {
                    self.eval(a)?;
                }
                Ok(Val::Vector(Vec::new()))
            }
            _ => self.range_call(name, &args),
        }
    }

    /// Applies `f(value, scalars at that step)` to every point; the metric name is dropped.
    fn map_with_scalars(&self, v: Vec<Series>, scalars: &[&Vec<f64>], f: impl Fn(f64, &[f64]) -> f64) -> Vec<Series> {
        self.filter_map_with_scalars(v, scalars, |x, p| Some(f(x, p)))
    }

    /// As [`Evaluator::map_with_scalars`]; points for which `f` gives `None` are left out.
    fn filter_map_with_scalars(&self, v: Vec<Series>, scalars: &[&Vec<f64>], f: impl Fn(f64, &[f64]) -> Option<f64>) -> Vec<Series> {
        let mut buf = vec![0.0; scalars.len()];
        v.into_iter()
            .filter_map(|mut s| {
                s.drop_name = true;
                s.points.retain_mut(|p| {
                    let i = self.step_index(p.0);
                    for (b, sc) in buf.iter_mut().zip(scalars) {
                        *b = sc[i];
                    }
                    match f(p.1, &buf) {
                        Some(x) => {
                            p.1 = x;
                            true
                        }
                        None => false,
                    }
                });
                (!s.points.is_empty()).then_some(s)
            })
            .collect()
    }

    fn label_replace(&mut self, args: &[&Expr]) -> Result<Val, QueryError> {
        if args.len() != 5 {
            return Err(QueryError::BadData("label_replace() takes 5 arguments".into()));
        }
        let v = self.eval_vector(args[0])?;
        let dst = self.eval_string(args[1])?;
        let repl = self.eval_string(args[2])?;
        let src = self.eval_string(args[3])?;
        let pattern = self.eval_string(args[4])?;
        let re = Regex::new(&format!("^(?s:{pattern})$"))
            .map_err(|e| QueryError::BadData(format!("invalid regular expression in label_replace(): {pattern}: {e}")))?;
        if !vitals_store::valid_label_name(&dst) {
            return Err(QueryError::BadData(format!("invalid destination label name in label_replace(): {dst}")));
        }
        let mut out = Output::default();
        for s in v {
            let value = s.labels.get(&src).unwrap_or("");
            let (labels, drop) = match re.captures(value) {
                Some(caps) => {
                    let mut res = String::new();
                    caps.expand(&repl, &mut res);
                    let drop = s.drop_name && dst != METRIC_NAME_LABEL;
                    (set_label(&s.labels, &dst, &res), drop)
                }
                None => (s.labels.clone(), s.drop_name),
            };
            for (t, x) in s.points {
                out.push(labels.clone(), drop, t, x)?;
            }
        }
        Ok(Val::Vector(out.series))
    }

    fn label_join(&mut self, args: &[&Expr]) -> Result<Val, QueryError> {
        if args.len() < 3 {
            return Err(QueryError::BadData("label_join() takes at least 3 arguments".into()));
        }
        let v = self.eval_vector(args[0])?;
        let dst = self.eval_string(args[1])?;
        let sep = self.eval_string(args[2])?;
        let mut srcs = Vec::new();
        for a in &args[3..] {
            let s = self.eval_string(a)?;
            if !vitals_store::valid_label_name(&s) && s != METRIC_NAME_LABEL {
                return Err(QueryError::BadData(format!("invalid source label name in label_join(): {s}")));
            }
            srcs.push(s);
        }
        if !vitals_store::valid_label_name(&dst) {
            return Err(QueryError::BadData(format!("invalid destination label name in label_join(): {dst}")));
        }
        let mut out = Output::default();
        for s in v {
            let joined = srcs.iter().map(|n| s.labels.get(n).unwrap_or("")).collect::<Vec<_>>().join(&sep);
            let labels = set_label(&s.labels, &dst, &joined);
            let drop = s.drop_name && dst != METRIC_NAME_LABEL;
            for (t, x) in s.points {
                out.push(labels.clone(), drop, t, x)?;
            }
        }
        Ok(Val::Vector(out.series))
    }

    /// `histogram_quantile(q, buckets)` on classic `le` buckets.
    fn histogram_quantile(&mut self, args: &[&Expr]) -> Result<Val, QueryError> {
        let (Some(qe), Some(ve)) = (args.first(), args.get(1)) else {
            return Err(QueryError::BadData("histogram_quantile() takes 2 arguments".into()));
        };
        let q = self.eval_scalar(qe)?;
        let v = self.eval_vector(ve)?;
        self.classic_buckets(v, |ev, i, name, buckets| {
            if !(0.0..=1.0).contains(&q[i]) {
                ev.annotations.warn(format!("quantile value should be between 0 and 1, got {}", format_g(q[i])));
            }
            let r = bucket_quantile(q[i], buckets);
            if r.forced_monotonic {
                ev.annotations.info(format!(
                    "input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name {name:?}"
                ));
            }
            r.value
        })
    }

    /// `histogram_fraction(lower, upper, buckets)` on classic `le` buckets.
    fn histogram_fraction(&mut self, args: &[&Expr]) -> Result<Val, QueryError> {
        let (Some(le), Some(ue), Some(ve)) = (args.first(), args.get(1), args.get(2)) else {
            return Err(QueryError::BadData("histogram_fraction() takes 3 arguments".into()));
        };
        let lower = self.eval_scalar(le)?;
        let upper = self.eval_scalar(ue)?;
        let v = self.eval_vector(ve)?;
        self.classic_buckets(v, |_, i, _, buckets| bucket_fraction(lower[i], upper[i], buckets))
    }

    /// Groups classic bucket series by their labels without `le` and applies `f(evaluator,
    /// step index, metric name, buckets)` per group and step. Series without a valid `le`
    /// are left out with a warning. The metric name goes with the result (delayed removal).
    fn classic_buckets(
        &mut self,
        v: Vec<Series>,
        mut f: impl FnMut(&mut Self, usize, &str, &mut Vec<Bucket>) -> f64,
    ) -> Result<Val, QueryError> {
        let mut group_of: Vec<Option<(usize, f64)>> = Vec::with_capacity(v.len());
        let mut groups: Vec<(Labels, String)> = Vec::new();
        let mut index: HashMap<Labels, usize> = HashMap::new();
        for s in &v {
            let name = s.labels.metric_name().unwrap_or("").to_owned();
            let Some(le) = s.labels.get("le").and_then(parse_go_float) else {
                self.annotations.warn(format!(
                    "bucket label \"le\" is missing or has a malformed value of {:?} for metric name {:?}",
                    s.labels.get("le").unwrap_or(""),
                    name
                ));
                group_of.push(None);
                continue;
            };
            let key = set_label(&s.labels, "le", "");
            let id = *index.entry(key.clone()).or_insert_with(|| {
                groups.push((key, name));
                groups.len() - 1
            });
            group_of.push(Some((id, le)));
        }
        let steps = self.by_step(&v);
        let mut out = Output::default();
        for (i, samples) in steps.iter().enumerate() {
            let t = self.step_time(i);
            let mut buckets: Vec<Vec<Bucket>> = (0..groups.len()).map(|_| Vec::new()).collect();
            for &(k, x) in samples {
                if let Some((g, le)) = group_of[k] {
                    buckets[g].push(Bucket { upper_bound: le, count: x });
                }
            }
            for (g, mut b) in buckets.into_iter().enumerate() {
                if b.is_empty() {
                    continue;
                }
                let value = f(self, i, &groups[g].1, &mut b);
                out.push(groups[g].0.clone(), true, t, value)?;
            }
        }
        Ok(Val::Vector(out.series))
    }
}

/// Applies `f` to every value; the metric name is dropped.
pub(crate) fn map_values(v: Vec<Series>, f: impl Fn(f64) -> f64) -> Vec<Series> {
    v.into_iter()
        .map(|mut s| {
            s.drop_name = true;
            s.points.iter_mut().for_each(|p| p.1 = f(p.1));
            s
        })
        .collect()
}

/// The labels `absent()` / `absent_over_time()` give: the selector's equality matchers.
pub(crate) fn absent_labels(e: &Expr) -> Labels {
    let vs = match unparen(e) {
        Expr::VectorSelector(vs) => vs,
        Expr::MatrixSelector(ms) => &ms.vs,
        _ => return Labels::default(),
    };
    let mut pairs: Vec<(String, Option<String>)> = Vec::new();
    for m in &vs.matchers.matchers {
        if m.name == METRIC_NAME_LABEL {
            continue;
        }
        let seen = pairs.iter().position(|p| p.0 == m.name);
        let equal = matches!(m.op, promql_parser::label::MatchOp::Equal);
        match seen {
            None if equal => pairs.push((m.name.clone(), Some(m.value.clone()))),
            None => pairs.push((m.name.clone(), None)),
            Some(i) => pairs[i].1 = None,
        }
    }
    Labels::from_pairs(pairs.into_iter().filter_map(|(n, v)| v.map(|v| (n, v))))
}

/// Parses a float as Go's `strconv.ParseFloat` does for `le` values (`+Inf`, `Inf`, `NaN`...).
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    let t = s.trim();
    match t.to_ascii_lowercase().as_str() {
        "+inf" | "inf" | "+infinity" | "infinity" => return Some(f64::INFINITY),
        "-inf" | "-infinity" => return Some(f64::NEG_INFINITY),
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if t != s || t.is_empty() {
        return None;
    }
    t.replace('_', "").parse::<f64>().ok()
}

fn math_fn(name: &str) -> Option<fn(f64) -> f64> {
    Some(match name {
        "abs" => f64::abs,
        "ceil" => f64::ceil,
        "floor" => f64::floor,
        "exp" => f64::exp,
        "ln" => f64::ln,
        "log2" => f64::log2,
        "log10" => f64::log10,
        "sqrt" => f64::sqrt,
        "sgn" => elementwise::sgn,
        "acos" => f64::acos,
        "acosh" => f64::acosh,
        "asin" => f64::asin,
        "asinh" => f64::asinh,
        "atan" => f64::atan,
        "atanh" => f64::atanh,
        "cos" => f64::cos,
        "cosh" => f64::cosh,
        "sin" => f64::sin,
        "sinh" => f64::sinh,
        "tan" => f64::tan,
        "tanh" => f64::tanh,
        "deg" => elementwise::deg,
        "rad" => elementwise::rad,
        _ => return None,
    })
}

fn date_fn(name: &str) -> Option<DatePart> {
    Some(match name {
        "day_of_month" => DatePart::DayOfMonth,
        "day_of_week" => DatePart::DayOfWeek,
        "day_of_year" => DatePart::DayOfYear,
        "days_in_month" => DatePart::DaysInMonth,
        "hour" => DatePart::Hour,
        "minute" => DatePart::Minute,
        "month" => DatePart::Month,
        "year" => DatePart::Year,
        _ => return None,
    })
}
