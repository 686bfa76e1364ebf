//! Aggregation operators with `by` / `without`.

use std::collections::HashMap;

use promql_parser::parser::{AggregateExpr, LabelModifier};
use vitals_store::{Labels, METRIC_NAME_LABEL};

use super::labels::{keep_labels, set_label};
use super::{Evaluator, Output, Series, Val};
use crate::error::QueryError;
use crate::kernels::aggregate::{MeanAcc, VarianceAcc};
use crate::kernels::kahan::KahanSum;
use crate::kernels::quantile::quantile;

impl Evaluator<'_> {
    /// Evaluates an aggregation.
    pub fn aggregate(&mut self, a: &AggregateExpr) -> Result<Val, QueryError> {
        let op = a.op.to_string();
        // The parameter is evaluated before the vector, as written.
        let param = match &a.param {
            Some(p) if op == "count_values" => Param::Label(self.eval_string(p)?),
            Some(p) => Param::Number(self.eval_scalar(p)?),
            None => Param::None,
        };
        let input = self.eval_vector(&a.expr)?;
        let grouping = |l: &Labels| -> Labels {
            match &a.modifier {
                None => Labels::default(),
                Some(LabelModifier::Include(names)) => keep_labels(l, &names.labels),
                Some(LabelModifier::Exclude(names)) => Labels::from_pairs(
                    l.iter()
                        .filter(|x| x.name != METRIC_NAME_LABEL && !names.labels.contains(&x.name))
                        .map(|x| (x.name.as_str(), x.value.as_str())),
                ),
            }
        };
        let mut group_of = Vec::with_capacity(input.len());
        let mut groups: Vec<(Labels, bool)> = Vec::new();
        let mut index: HashMap<Labels, usize> = HashMap::new();
        for s in &input {
            let g = grouping(&s.labels);
            let id = *index.entry(g.clone()).or_insert_with(|| {
                groups.push((g.clone(), s.drop_name && g.metric_name().is_some()));
                groups.len() - 1
            });
            group_of.push(id);
        }
        let steps = self.by_step(&input);
        let mut out = Output::default();
        match op.as_str() {
            "topk" | "bottomk" | "limitk" | "limit_ratio" => {
                let Param::Number(p) = &param else { return Err(QueryError::BadData(format!("{op} needs a parameter"))) };
                for (i, samples) in steps.iter().enumerate() {
                    self.check_deadline_at_step(i)?;
                    let t = self.step_time(i);
                    let mut per_group: Vec<Vec<(usize, f64)>> = vec![Vec::new(); groups.len()];
                    for &(k, v) in samples {
                        per_group[group_of[k]].push((k, v));
                    }
                    let chosen = self.select_k(&op, p[i], per_group, &input)?;
                    for (k, v) in chosen {
                        out.push(input[k].labels.clone(), input[k].drop_name, t, v)?;
                    }
                }
            }
            "count_values" => {
                let Param::Label(label) = &param else { return Err(QueryError::BadData("count_values needs a label name".into())) };
                if !vitals_store::valid_label_name(label) {
                    return Err(QueryError::BadData(format!("invalid label name {label:?}")));
                }
                for (i, samples) in steps.iter().enumerate() {
                    self.check_deadline_at_step(i)?;
                    let t = self.step_time(i);
                    let mut counts: Vec<(Labels, f64)> = Vec::new();
                    let mut at: HashMap<Labels, usize> = HashMap::new();
                    for &(k, v) in samples {
                        let l = set_label(&groups[group_of[k]].0, label, &format_value(v));
                        let j = *at.entry(l.clone()).or_insert_with(|| {
                            counts.push((l, 0.0));
                            counts.len() - 1
                        });
                        counts[j].1 += 1.0;
                    }
                    for (l, c) in counts {
                        out.push(l, false, t, c)?;
                    }
                }
            }
            _ => {
                for (i, samples) in steps.iter().enumerate() {
                    self.check_deadline_at_step(i)?;
                    let t = self.step_time(i);
                    let mut accs: Vec<Option<Acc>> = (0..groups.len()).map(|_| None).collect();
                    for &(k, v) in samples {
                        accs[group_of[k]].get_or_insert_with(|| Acc::new(&op)).push(v);
                    }
                    let q = match &param {
                        Param::Number(p) => p[i],
                        _ => f64::NAN,
                    };
                    if op == "quantile" && !(0.0..=1.0).contains(&q) && !accs.iter().all(Option::is_none) {
                        self.annotations.warn(format!("quantile value should be between 0 and 1, got {}", format_g(q)));
                    }
                    for (g, acc) in accs.into_iter().enumerate() {
                        if let Some(acc) = acc {
                            out.push(groups[g].0.clone(), groups[g].1, t, acc.value(q))?;
                        }
                    }
                }
            }
        }
        Ok(Val::Vector(out.series))
    }

    /// topk / bottomk / limitk / limit_ratio for one step: the chosen (series, value) pairs.
    fn select_k(&mut self, op: &str, p: f64, groups: Vec<Vec<(usize, f64)>>, input: &[Series]) -> Result<Vec<(usize, f64)>, QueryError> {
        let mut out = Vec::new();
        if op == "limit_ratio" {
            if p.is_nan() {
                return Err(QueryError::BadData("Ratio value is NaN".into()));
            }
            let mut ratio = p;
            if !(-1.0..=1.0).contains(&p) {
                ratio = p.clamp(-1.0, 1.0);
                self.annotations.warn(format!(
                    "ratio value should be between -1 and 1, got {}, capping to {}",
                    format_value(p),
                    format_value(ratio)
                ));
            }
            for g in groups {
                for (k, v) in g {
                    let offset = label_hash(&input[k].labels) as f64 / u64::MAX as f64;
                    let keep = if ratio >= 0.0 { offset < ratio } else { offset >= 1.0 + ratio };
                    if keep {
                        out.push((k, v));
                    }
                }
            }
            return Ok(out);
        }
        if p.is_nan() {
            return Err(QueryError::BadData("Parameter value is NaN".into()));
        }
        if p >= i64::MAX as f64 || p < i64::MIN as f64 {
            return Err(QueryError::BadData(format!("Scalar value {} overflows int64", format_value(p))));
        }
        let k = p as i64;
        if k < 1 {
            return Ok(out);
        }
        let k = usize::try_from(k).unwrap_or(usize::MAX);
        for mut g in groups {
            match op {
                "topk" => g.sort_by(|a, b| desc_nan_last(a.1, b.1)),
                "bottomk" => g.sort_by(|a, b| asc_nan_last(a.1, b.1)),
                _ => {}
            }
            g.truncate(k);
            out.extend(g);
        }
        Ok(out)
    }
}

/// Order for topk: larger first, NaN last.
fn desc_nan_last(a: f64, b: f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => b.partial_cmp(&a).unwrap_or(std::cmp::Ordering::Equal),
    }
}

/// Order for bottomk: smaller first, NaN last.
fn asc_nan_last(a: f64, b: f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal),
    }
}

/// A stable 64-bit hash of a label set (FNV-1a over names and values), which places each
/// series at a fixed point in [0, 1] for `limit_ratio`.
fn label_hash(l: &Labels) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for x in l.iter() {
        for b in x.name.bytes().chain([0xff]).chain(x.value.bytes()).chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A float as Prometheus prints it in labels and messages (Go's shortest `'f'` format).
pub(crate) fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v}")
    }
}

/// A float as Go's `%g` prints it in Prometheus' annotation messages: shortest digits, in
/// exponent form (`1e+06`) when the exponent is below -4 or at least 6.
pub(crate) fn format_g(v: f64) -> String {
    if !v.is_finite() {
        return format_value(v);
    }
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..6).contains(&exp) {
        format!("{v}")
    } else {
        format!("{mantissa}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.unsigned_abs())
    }
}

enum Param {
    None,
    Number(Vec<f64>),
    Label(String),
}

/// One group's running aggregate.
enum Acc {
    Sum(KahanSum),
    Avg(MeanAcc),
    Count(f64),
    Group,
    Min(f64),
    Max(f64),
    Var(VarianceAcc, bool),
    Quantile(Vec<f64>),
}

impl Acc {
    fn new(op: &str) -> Acc {
        match op {
            "sum" => Acc::Sum(KahanSum::new()),
            "avg" => Acc::Avg(MeanAcc::new()),
            "count" => Acc::Count(0.0),
            "group" => Acc::Group,
            "min" => Acc::Min(f64::NAN),
            "max" => Acc::Max(f64::NAN),
            "stddev" => Acc::Var(VarianceAcc::new(), true),
            "stdvar" => Acc::Var(VarianceAcc::new(), false),
            _ => Acc::Quantile(Vec::new()),
        }
    }

    fn push(&mut self, v: f64) {
        match self {
            Acc::Sum(s) => s.push(v),
            Acc::Avg(m) => m.push(v),
            Acc::Count(c) => *c += 1.0,
            Acc::Group => {}
            Acc::Min(m) => {
                if m.is_nan() || v < *m {
                    *m = v;
                }
            }
            Acc::Max(m) => {
                if m.is_nan() || v > *m {
                    *m = v;
                }
            }
            Acc::Var(a, _) => a.push(v),
            Acc::Quantile(vs) => vs.push(v),
        }
    }

    fn value(self, q: f64) -> f64 {
        match self {
            Acc::Sum(s) => s.value(),
            Acc::Avg(m) => m.value(),
            Acc::Count(c) => c,
            Acc::Group => 1.0,
            Acc::Min(m) | Acc::Max(m) => m,
            Acc::Var(a, true) => a.stddev(),
            Acc::Var(a, false) => a.variance(),
            Acc::Quantile(mut vs) => quantile(q, &mut vs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_does() {
        assert_eq!(format_g(2.0), "2");
        assert_eq!(format_g(-1.1), "-1.1");
        assert_eq!(format_g(100000.0), "100000");
        assert_eq!(format_g(1e6), "1e+06");
        assert_eq!(format_g(123456789.0), "1.23456789e+08");
        assert_eq!(format_g(0.0001), "0.0001");
        assert_eq!(format_g(0.00001), "1e-05");
        assert_eq!(format_g(f64::NAN), "NaN");
        assert_eq!(format_value(1e21), "1000000000000000000000");
        assert_eq!(format_value(f64::NEG_INFINITY), "-Inf");
    }
}
