//! Functions on range vectors: rates, regressions, smoothing and the `*_over_time` family.

use promql_parser::parser::Expr;
use vitals_store::Labels;

use super::aggregate::format_g;
use super::functions::absent_labels;
use super::{Evaluator, Series, Val};
use crate::error::QueryError;
use crate::kernels::over_time as ot;
use crate::kernels::rate::{extrapolated_rate, extrapolated_rate_with, instant_value};
use crate::kernels::regression::{deriv, predict_linear};
use crate::kernels::sliding::{Extreme, Resets, SlidingPick};
use crate::kernels::smoothing::{check_factors, double_exponential_smoothing};

/// Suffixes of metric names that are counters by convention.
const COUNTER_SUFFIXES: [&str; 4] = ["_total", "_sum", "_count", "_bucket"];

impl Evaluator<'_> {
    /// Evaluates a function whose first range-vector argument is windowed per step.
    pub fn range_call(&mut self, name: &str, args: &[&Expr]) -> Result<Val, QueryError> {
        // Scalar arguments, per step: before the range (quantile_over_time) or after it.
        let (range_arg, scalar_args): (&Expr, Vec<&Expr>) = match name {
            "quantile_over_time" => (args.get(1).copied().ok_or_else(|| missing(name))?, vec![args[0]]),
            _ => (args.first().copied().ok_or_else(|| missing(name))?, args.iter().skip(1).copied().collect()),
        };
        if !is_range_function(name) {
            return Err(QueryError::BadData(format!("unknown function with name {name:?}")));
        }
        let mut scalars = Vec::new();
        for a in &scalar_args {
            scalars.push(self.eval_scalar(a)?);
        }
        if name == "double_exponential_smoothing" || name == "holt_winters" {
            let (sf, tf) = (scalars.first().ok_or_else(|| missing(name))?, scalars.get(1).ok_or_else(|| missing(name))?);
            for (a, b) in sf.iter().zip(tf) {
                check_factors(*a, *b).map_err(|e| QueryError::BadData(e.to_string()))?;
            }
        }
        if scalar_args.is_empty() {
            if let Some(Val::Vector(series)) = self.tier_range_call(name, range_arg)? {
                if matches!(name, "rate" | "increase") {
                    series.iter().for_each(|s| self.note_non_counter(&s.labels));
                }
                return Ok(Val::Vector(series));
            }
        }
        let input = self.range_input(range_arg)?;
        if name == "absent_over_time" {
            let mut present = vec![false; self.steps()];
            for s in &input.series {
                for (i, p) in present.iter_mut().enumerate() {
                    let (lo, hi) = input.window_indices(s, self.step_time(i));
                    *p |= hi > lo;
                }
            }
            let points: Vec<(i64, f64)> = present.iter().enumerate().filter(|(_, p)| !**p).map(|(i, _)| (self.step_time(i), 1.0)).collect();
            let labels = absent_labels(range_arg);
            return Ok(Val::Vector(if points.is_empty() { Vec::new() } else { vec![Series { labels, drop_name: false, points }] }));
        }
        let keep_name = matches!(name, "last_over_time" | "first_over_time");
        // Only the functions of the values alone get them copied out of each window.
        // Over several steps, min and max slide over the series (see `SlidingPick`).
        let sliding = self.steps() > 1;
        let needs_values = matches!(
            name,
            "double_exponential_smoothing"
                | "holt_winters"
                | "avg_over_time"
                | "sum_over_time"
                | "stddev_over_time"
                | "stdvar_over_time"
                | "mad_over_time"
                | "changes"
                | "resets"
                | "quantile_over_time"
        ) || (!sliding && matches!(name, "min_over_time" | "max_over_time"));
        let func = F::of(name).ok_or_else(|| QueryError::BadData(format!("unknown function with name {name:?}")))?;
        let mut out = Vec::with_capacity(input.series.len());
        let mut values = Vec::new();
        let mut warned_quantile = false;
        for s in &input.series {
            self.check_deadline()?;
            let mut points = Vec::new();
            let resets = matches!(name, "rate" | "increase").then(|| Resets::new(&s.points));
            let mut pick = match name {
                "min_over_time" if sliding => Some(SlidingPick::new(Extreme::Min)),
                "max_over_time" if sliding => Some(SlidingPick::new(Extreme::Max)),
                _ => None,
            };
            let mut windows = input.windows(s);
            for i in 0..self.steps() {
                self.check_deadline_at_step(i)?;
                let ts = self.step_time(i);
                let (lo, hi) = windows.at(ts);
                if hi <= lo {
                    continue;
                }
                let w = &s.points[lo..hi];
                let (range_start, range_end) = input.window(ts);
                if needs_values {
                    values.clear();
                    values.extend(w.iter().map(|p| p.1));
                }
                let sc = |k: usize| scalars.get(k).map_or(f64::NAN, |v| v[i]);
                let v = match func {
                    F::Rate | F::Increase => {
                        let corrections = resets.iter().flat_map(|r| r.corrections(&s.points, lo, hi));
                        extrapolated_rate_with(w, range_start, range_end, true, func == F::Rate, corrections)
                    }
                    F::Delta => extrapolated_rate(w, range_start, range_end, false, false),
                    F::Irate => instant_value(w, true),
                    F::Idelta => instant_value(w, false),
                    F::Deriv => deriv(w),
                    F::PredictLinear => predict_linear(w, ts, sc(0)),
                    F::DoubleExponentialSmoothing | F::HoltWinters => double_exponential_smoothing(&values, sc(0), sc(1)),
                    F::AvgOverTime => Some(ot::avg_over_time(&values)),
                    F::SumOverTime => Some(ot::sum_over_time(&values)),
                    F::MinOverTime | F::MaxOverTime if sliding => pick.as_mut().and_then(|p| p.window(&s.points, lo, hi)),
                    F::MinOverTime => Some(ot::min_over_time(&values)),
                    F::MaxOverTime => Some(ot::max_over_time(&values)),
                    F::CountOverTime => Some(w.len() as f64),
                    F::LastOverTime => w.last().map(|p| p.1),
                    F::FirstOverTime => w.first().map(|p| p.1),
                    F::PresentOverTime => Some(1.0),
                    F::StddevOverTime => Some(ot::stddev_over_time(&values)),
                    F::StdvarOverTime => Some(ot::stdvar_over_time(&values)),
                    F::MadOverTime => Some(ot::mad_over_time(&values)),
                    F::TsOfMinOverTime => Some(ot::ts_of_min_over_time(w)),
                    F::TsOfMaxOverTime => Some(ot::ts_of_max_over_time(w)),
                    F::TsOfLastOverTime => w.last().map(|p| p.0 as f64 / 1000.0),
                    F::Changes => Some(ot::changes(&values)),
                    F::Resets => Some(ot::resets(&values)),
                    F::QuantileOverTime => {
                        let q = sc(0);
                        if !(0.0..=1.0).contains(&q) && !warned_quantile {
                            warned_quantile = true;
                            self.annotations.warn(format!("quantile value should be between 0 and 1, got {}", format_g(q)));
                        }
                        Some(ot::quantile_over_time(q, &mut values))
                    }
                };
                if let Some(v) = v {
                    points.push((ts, v));
                }
            }
            if points.is_empty() {
                continue;
            }
            if matches!(name, "rate" | "increase") {
                self.note_non_counter(&s.labels);
            }
            out.push(Series { labels: s.labels.clone(), drop_name: s.drop_name || !keep_name, points });
        }
        Ok(Val::Vector(out))
    }

    /// Info when a counter function reads a series whose name does not look like a counter.
    fn note_non_counter(&mut self, labels: &Labels) {
        if let Some(n) = labels.metric_name() {
            if !COUNTER_SUFFIXES.iter().any(|s| n.ends_with(s)) {
                self.annotations.info(format!("metric might not be a counter, name does not end in _total/_sum/_count/_bucket: {n:?}"));
            }
        }
    }
}

/// The windowed functions, resolved once per call rather than compared by name per step.
#[derive(Clone, Copy, PartialEq, Eq)]
enum F {
    Rate,
    Increase,
    Delta,
    Irate,
    Idelta,
    Deriv,
    PredictLinear,
    DoubleExponentialSmoothing,
    HoltWinters,
    AvgOverTime,
    SumOverTime,
    MinOverTime,
    MaxOverTime,
    CountOverTime,
    LastOverTime,
    FirstOverTime,
    PresentOverTime,
    StddevOverTime,
    StdvarOverTime,
    MadOverTime,
    TsOfMinOverTime,
    TsOfMaxOverTime,
    TsOfLastOverTime,
    Changes,
    Resets,
    QuantileOverTime,
}

impl F {
    fn of(name: &str) -> Option<F> {
        Some(match name {
            "rate" => F::Rate,
            "increase" => F::Increase,
            "delta" => F::Delta,
            "irate" => F::Irate,
            "idelta" => F::Idelta,
            "deriv" => F::Deriv,
            "predict_linear" => F::PredictLinear,
            "double_exponential_smoothing" => F::DoubleExponentialSmoothing,
            "holt_winters" => F::HoltWinters,
            "avg_over_time" => F::AvgOverTime,
            "sum_over_time" => F::SumOverTime,
            "min_over_time" => F::MinOverTime,
            "max_over_time" => F::MaxOverTime,
            "count_over_time" => F::CountOverTime,
            "last_over_time" => F::LastOverTime,
            "first_over_time" => F::FirstOverTime,
            "present_over_time" => F::PresentOverTime,
            "stddev_over_time" => F::StddevOverTime,
            "stdvar_over_time" => F::StdvarOverTime,
            "mad_over_time" => F::MadOverTime,
            "ts_of_min_over_time" => F::TsOfMinOverTime,
            "ts_of_max_over_time" => F::TsOfMaxOverTime,
            "ts_of_last_over_time" => F::TsOfLastOverTime,
            "changes" => F::Changes,
            "resets" => F::Resets,
            "quantile_over_time" => F::QuantileOverTime,
            _ => return None,
        })
    }
}

fn missing(name: &str) -> QueryError {
    QueryError::BadData(format!("missing argument of {name}()"))
}

fn is_range_function(name: &str) -> bool {
    matches!(
        name,
        "rate"
            | "increase"
            | "delta"
            | "irate"
            | "idelta"
            | "deriv"
            | "predict_linear"
            | "double_exponential_smoothing"
            | "holt_winters"
            | "avg_over_time"
            | "sum_over_time"
            | "min_over_time"
            | "max_over_time"
            | "count_over_time"
            | "last_over_time"
            | "first_over_time"
            | "present_over_time"
            | "stddev_over_time"
            | "stdvar_over_time"
            | "mad_over_time"
            | "ts_of_min_over_time"
            | "ts_of_max_over_time"
            | "ts_of_last_over_time"
            | "changes"
            | "resets"
            | "quantile_over_time"
            | "absent_over_time"
    )
}
