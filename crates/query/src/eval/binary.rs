//! Binary operators: arithmetic, comparison (filtering or `bool`), set operators, and vector
//! matching (`on`, `ignoring`, `group_left`, `group_right`).

use std::collections::{HashMap, HashSet};

use promql_parser::parser::{BinaryExpr, LabelModifier, VectorMatchCardinality};
use vitals_store::Labels;

use super::labels::{keep_labels, remove_labels, set_label, signature};
use super::{Evaluator, Output, Series, Val};
use crate::error::QueryError;

/// An operator, parsed once from the token.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Atan2,
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    And,
    Or,
    Unless,
}

impl Op {
    fn parse(s: &str) -> Result<Op, QueryError> {
        Ok(match s {
            "+" => Op::Add,
            "-" => Op::Sub,
            "*" => Op::Mul,
            "/" => Op::Div,
            "%" => Op::Mod,
            "^" => Op::Pow,
            "atan2" => Op::Atan2,
            "==" => Op::Eq,
            "!=" => Op::Ne,
            ">" => Op::Gt,
            "<" => Op::Lt,
            ">=" => Op::Ge,
            "<=" => Op::Le,
            "and" => Op::And,
            "or" => Op::Or,
            "unless" => Op::Unless,
            other => return Err(QueryError::BadData(format!("unsupported binary operator {other:?}"))),
        })
    }

    fn is_comparison(self) -> bool {
        matches!(self, Op::Eq | Op::Ne | Op::Gt | Op::Lt | Op::Ge | Op::Le)
    }

    /// The value and whether to keep it (comparisons filter; the value is the left one).
    fn apply(self, l: f64, r: f64) -> (f64, bool) {
        match self {
            Op::Add => (l + r, true),
            Op::Sub => (l - r, true),
            Op::Mul => (l * r, true),
            Op::Div => (l / r, true),
            Op::Mod => (l % r, true),
            Op::Pow => (l.powf(r), true),
            Op::Atan2 => (l.atan2(r), true),
            Op::Eq => (l, l == r),
            Op::Ne => (l, l != r),
            Op::Gt => (l, l > r),
            Op::Lt => (l, l < r),
            Op::Ge => (l, l >= r),
            Op::Le => (l, l <= r),
            Op::And | Op::Or | Op::Unless => (l, true),
        }
    }
}

/// How series are matched.
struct Matching {
    on: bool,
    labels: Vec<String>,
    card: VectorMatchCardinality,
    include: Vec<String>,
}

impl Evaluator<'_> {
    /// Evaluates a binary expression.
    pub fn binary(&mut self, b: &BinaryExpr) -> Result<Val, QueryError> {
        let op = Op::parse(&b.op.to_string())?;
        let return_bool = b.return_bool();
        let lhs = self.eval(&b.lhs)?;
        let rhs = self.eval(&b.rhs)?;
        match (lhs, rhs) {
            (Val::Scalar(l), Val::Scalar(r)) => Ok(Val::Scalar(
                l.iter()
                    .zip(&r)
                    .map(|(&a, &b)| {
                        let (v, keep) = op.apply(a, b);
                        if op.is_comparison() {
                            f64::from(u8::from(keep))
                        } else {
                            v
                        }
                    })
                    .collect(),
            )),
            (Val::Vector(l), Val::Scalar(r)) => Ok(Val::Vector(self.vector_scalar(op, l, &r, false, return_bool))),
            (Val::Scalar(l), Val::Vector(r)) => Ok(Val::Vector(self.vector_scalar(op, r, &l, true, return_bool))),
            (Val::Vector(l), Val::Vector(r)) => {
                let matching = match &b.modifier {
                    Some(m) => Matching {
                        on: matches!(m.matching, Some(LabelModifier::Include(_))),
                        labels: m.matching.as_ref().map(|x| x.labels().labels.clone()).unwrap_or_default(),
                        card: m.card.clone(),
                        include: m.card.labels().map(|l| l.labels.clone()).unwrap_or_default(),
                    },
                    None => Matching { on: false, labels: Vec::new(), card: VectorMatchCardinality::OneToOne, include: Vec::new() },
                };
                let out = match op {
                    Op::And | Op::Or | Op::Unless => self.set_op(op, l, r, &matching)?,
                    _ => self.vector_vector(op, l, r, &matching, return_bool)?,
                };
                Ok(Val::Vector(out))
            }
            _ => Err(QueryError::BadData("binary operators apply to scalars and instant vectors only".into())),
        }
    }

    fn vector_scalar(&self, op: Op, v: Vec<Series>, s: &[f64], swap: bool, return_bool: bool) -> Vec<Series> {
        let drop = return_bool || !op.is_comparison();
        let mut out = Vec::with_capacity(v.len());
        for mut series in v {
            let mut points = Vec::with_capacity(series.points.len());
            for &(t, x) in &series.points {
                let y = s[self.step_index(t)];
                let (l, r) = if swap { (y, x) } else { (x, y) };
                let (mut value, keep) = op.apply(l, r);
                if op.is_comparison() && swap {
                    value = r;
                }
                if return_bool {
                    points.push((t, f64::from(u8::from(keep))));
                } else if keep {
                    points.push((t, value));
                }
            }
            if !points.is_empty() {
                series.points = points;
                series.drop_name |= drop;
                out.push(series);
            }
        }
        out
    }

    fn set_op(&mut self, op: Op, l: Vec<Series>, r: Vec<Series>, m: &Matching) -> Result<Vec<Series>, QueryError> {
        let lsig: Vec<Labels> = l.iter().map(|s| signature(&s.labels, m.on, &m.labels)).collect();
        let rsig: Vec<Labels> = r.iter().map(|s| signature(&s.labels, m.on, &m.labels)).collect();
        let lsteps = self.by_step(&l);
        let rsteps = self.by_step(&r);
        let mut out = Output::default();
        for (i, (ls, rs)) in lsteps.iter().zip(rsteps.iter()).enumerate() {
            let t = self.step_time(i);
            let right: HashSet<&Labels> = rs.iter().map(|(k, _)| &rsig[*k]).collect();
            match op {
                Op::And | Op::Unless => {
                    for &(k, v) in ls {
                        if right.contains(&lsig[k]) == (op == Op::And) {
                            out.push(l[k].labels.clone(), l[k].drop_name, t, v)?;
                        }
                    }
                }
                _ => {
                    let left: HashSet<&Labels> = ls.iter().map(|(k, _)| &lsig[*k]).collect();
                    for &(k, v) in ls {
                        out.push(l[k].labels.clone(), l[k].drop_name, t, v)?;
                    }
                    for &(k, v) in rs {
                        if !left.contains(&rsig[k]) {
                            out.push(r[k].labels.clone(), r[k].drop_name, t, v)?;
                        }
                    }
                }
            }
        }
        Ok(out.series)
    }

    fn vector_vector(
        &mut self,
        op: Op,
        l: Vec<Series>,
        r: Vec<Series>,
        m: &Matching,
        return_bool: bool,
    ) -> Result<Vec<Series>, QueryError> {
        let one_to_many = matches!(m.card, VectorMatchCardinality::OneToMany(_));
        let one_to_one = matches!(m.card, VectorMatchCardinality::OneToOne);
        // The "many" side is on the left; group_right swaps the sides.
        let (many, one) = if one_to_many { (&r, &l) } else { (&l, &r) };
        let many_sig: Vec<Labels> = many.iter().map(|s| signature(&s.labels, m.on, &m.labels)).collect();
        let one_sig: Vec<Labels> = one.iter().map(|s| signature(&s.labels, m.on, &m.labels)).collect();
        // Signatures are numbered once, and each matched pair's output series found once, so
        // that the steps of a range query hash no label sets.
        let mut ids: HashMap<&Labels, usize> = HashMap::new();
        let mut number = |sig| {
            let next = ids.len();
            *ids.entry(sig).or_insert(next)
        };
        let many_id: Vec<usize> = many_sig.iter().map(&mut number).collect();
        let one_id: Vec<usize> = one_sig.iter().map(&mut number).collect();
        let signatures = ids.len();
        let many_steps = self.by_step(many);
        let one_steps = self.by_step(one);
        let drop = return_bool || !op.is_comparison();
        let mut out = Output::default();
        // Per signature, the one side's series and value at the current step.
        let mut right: Vec<Option<(usize, f64)>> = vec![None; signatures];
        let mut matched = vec![false; signatures];
        let mut inserted: HashSet<usize> = HashSet::new();
        let mut pair_series: HashMap<(usize, usize), usize> = HashMap::new();
        for (i, (ms, os)) in many_steps.iter().zip(one_steps.iter()).enumerate() {
            let t = self.step_time(i);
            for &(k, v) in os {
                if let Some((prev, _)) = right[one_id[k]] {
                    let side = if one_to_many { "left" } else { "right" };
                    return Err(QueryError::Execution(format!(
                        "found duplicate series for the match group {} on the {side} hand-side of the operation: [{}, {}];many-to-many matching not allowed: matching labels must be unique on one side",
                        one_sig[k], one[k].labels, one[prev].labels
                    )));
                }
                right[one_id[k]] = Some((k, v));
            }
            inserted.clear();
            for &(k, v) in ms {
                let Some((ok, ov)) = right[many_id[k]] else { continue };
                let (lv, rv) = if one_to_many { (ov, v) } else { (v, ov) };
                let (value, keep) = op.apply(lv, rv);
                let value = if return_bool {
                    f64::from(u8::from(keep))
                } else if keep {
                    value
                } else {
                    continue;
                };
                // As in Prometheus, only pairs that survive a comparison count as matches.
                if one_to_one && std::mem::replace(&mut matched[many_id[k]], true) {
                    return Err(QueryError::Execution(
                        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)".into(),
                    ));
                }
                let index = *pair_series.entry((k, ok)).or_insert_with(|| {
                    out.series_index(result_metric(&many[k].labels, &one[ok].labels, m, one_to_one), many[k].drop_name || drop)
                });
                if !one_to_one && !inserted.insert(index) {
                    return Err(QueryError::Execution("multiple matches for labels: grouping labels must ensure unique matches".into()));
                }
                out.push_to(index, t, value)?;
            }
            for &(k, _) in os {
                right[one_id[k]] = None;
            }
            for &(k, _) in ms {
                matched[many_id[k]] = false;
            }
        }
        Ok(out.series)
    }
}

/// The labels of a matched pair's result (name removal is left to the caller's flag).
fn result_metric(many: &Labels, one: &Labels, m: &Matching, one_to_one: bool) -> Labels {
    let mut l = if one_to_one {
        if m.on {
            keep_labels(many, &m.labels)
        } else {
            remove_labels(many, &m.labels)
        }
    } else {
        many.clone()
    };
    for name in &m.include {
        l = set_label(&l, name, one.get(name).unwrap_or(""));
    }
    l
}
