//! The extra evaluations Prometheus' test runner makes of every instant `eval`: the same
//! query with `@ <eval time>` on every selector evaluated at other times (step-invariance),
//! and the query as a range query around the evaluation time.

use std::time::{Duration, SystemTime};

use promql_parser::parser::{AtModifier, Expr};

/// Functions whose result depends on the evaluation time even when their arguments do not.
const AT_UNSAFE_FUNCTIONS: [&str; 11] = [
    "days_in_month",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "hour",
    "minute",
    "month",
    "year",
    "predict_linear",
    "time",
    "timestamp",
];

/// The query with `@ t` on every selector and subquery that has none (selectors inside a
/// subquery keep theirs), paired with the other times to evaluate it at; empty when the
/// query calls a function whose result depends on the evaluation time.
pub(crate) fn at_variants(expr: &Expr, t_ms: i64) -> Vec<(Expr, i64)> {
    let mut e = expr.clone();
    let at = AtModifier::At(time_of(t_ms));
    let mut time_dependent = false;
    pin(&mut e, &at, &mut time_dependent);
    if time_dependent {
        return Vec::new();
    }
    let times = if t_ms == 0 { vec![-1000, 0, 1000] } else { vec![-10 * t_ms, 0, t_ms / 5, t_ms, 10 * t_ms] };
    times.into_iter().map(|t| (e.clone(), t)).collect()
}

fn time_of(ms: i64) -> SystemTime {
    let d = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        SystemTime::UNIX_EPOCH + d
    } else {
        SystemTime::UNIX_EPOCH - d
    }
}

fn pin(e: &mut Expr, at: &AtModifier, time_dependent: &mut bool) {
    match e {
        Expr::VectorSelector(vs) => {
            vs.at.get_or_insert_with(|| at.clone());
        }
        Expr::MatrixSelector(ms) => {
            ms.vs.at.get_or_insert_with(|| at.clone());
        }
        Expr::Subquery(sq) => {
            sq.at.get_or_insert_with(|| at.clone());
        }
        Expr::Call(c) => {
            *time_dependent |= AT_UNSAFE_FUNCTIONS.contains(&c.func.name);
            c.args.args.iter_mut().for_each(|a| pin(a, at, time_dependent));
        }
        Expr::Aggregate(a) => {
            pin(&mut a.expr, at, time_dependent);
            if let Some(p) = &mut a.param {
                pin(p, at, time_dependent);
            }
        }
        Expr::Binary(b) => {
            pin(&mut b.lhs, at, time_dependent);
            pin(&mut b.rhs, at, time_dependent);
        }
        Expr::Unary(u) => pin(&mut u.expr, at, time_dependent),
        Expr::Paren(p) => pin(&mut p.expr, at, time_dependent),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_selectors_and_skips_time_functions() {
        let e = promql_parser::parser::parse("sum(rate(x[5m])) + y @ 100").unwrap();
        let v = at_variants(&e, 60_000);
        assert_eq!(v.len(), 5);
        assert!(v[0].0.to_string().contains("x[5m] @ 60.000"), "{}", v[0].0);
        assert!(v[0].0.to_string().contains("y @ 100.000"));
        let e = promql_parser::parser::parse("time() + x").unwrap();
        assert!(at_variants(&e, 60_000).is_empty());
    }
}
