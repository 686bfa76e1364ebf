//! Runs Prometheus' PromQL test files (the `promqltest` scripting language: `load`, `clear`,
//! `eval instant|range` with `expect` lines and expected series) against the engine, each
//! file on a fresh temporary store.
//!
//! Cases that use native histograms (`{{...}}` in the case, or a query naming a series that
//! was loaded as a native histogram, including `load_with_nhcb` conversions) are skipped:
//! Vitals stores float samples only.

mod script;
mod series;
mod variants;

use std::path::Path;

use promql_parser::parser::{Expr, VectorSelector};
use regex::Regex;
use vitals_store::{stale_marker, Labels, Sample, Store, StoreOptions};

use crate::{Engine, EngineOptions, QueryOutput, Value};
pub use script::{parse_duration, parse_script, Command, EvalCase, MsgMatch};
pub use series::{parse_labels, parse_points, Point};

/// Relative tolerance of value comparisons, as Prometheus' test runner uses.
const EPSILON: f64 = 1e-6;
/// Smallest normal f64.
const MIN_NORMAL: f64 = f64::MIN_POSITIVE;

/// What happened to one `eval` case.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The engine gave what the file expects.
    Passed,
    /// It did not; the text says what differed.
    Failed(String),
    /// Out of scope (native histograms); the text says why.
    Skipped(String),
}

/// One case's result.
#[derive(Debug, Clone)]
pub struct CaseReport {
    /// The test file's name.
    pub file: String,
    /// Line of the `eval` command (1-based).
    pub line: usize,
    /// The query.
    pub query: String,
    /// The outcome.
    pub outcome: Outcome,
}

/// Runs one test file.
pub fn run_file(path: &Path) -> Result<Vec<CaseReport>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    run_script(&name, &text)
}

/// A temporary store for one run of loads.
struct Data {
    _dir: tempfile::TempDir,
    engine: Engine,
    store: Store,
    native: Vec<Labels>,
    load_error: Option<String>,
}

impl Data {
    fn new() -> Result<Data, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("creating a temporary directory: {e}"))?;
        let opts = StoreOptions { background: false, out_of_order_window_ms: i64::MAX / 4, retention_ms: 0, ..Default::default() };
        let store = Store::open(dir.path(), opts).map_err(|e| format!("opening a temporary store: {e}"))?;
        let engine = Engine::new(store.clone(), EngineOptions::default());
        Ok(Data { _dir: dir, engine, store, native: Vec::new(), load_error: None })
    }

    fn load(&mut self, series: &[(Labels, Vec<Point>)], interval: i64, native: &[Labels]) {
        self.native.extend(native.iter().cloned());
        let mut batch = Vec::new();
        for (labels, points) in series {
            for (i, p) in points.iter().enumerate() {
                let t = interval * i as i64;
                match p {
                    Point::Value(v) => batch.push((labels.clone(), Sample { t, v: *v })),
                    Point::Stale => batch.push((labels.clone(), Sample { t, v: stale_marker() })),
                    Point::Missing => {}
                }
            }
        }
        match self.store.append_labeled(&batch) {
            Ok(r) if r.rejected_total() > 0 => {
                self.load_error = Some(format!("the store refused {} loaded samples: {:?}", r.rejected_total(), r.first_rejection))
            }
            Ok(_) => {}
            Err(e) => self.load_error = Some(format!("loading failed: {e}")),
        }
    }

    /// A native histogram series that one of the query's selectors matches, if any.
    fn uses_native(&self, query: &str) -> Option<String> {
        if self.native.is_empty() {
            return None;
        }
        let expr = promql_parser::parser::parse(query).ok()?;
        let mut selectors = Vec::new();
        collect_selectors(&expr, &mut selectors);
        for vs in selectors {
            let Ok(sets) = crate::eval::store_matchers(vs) else { continue };
            for n in &self.native {
                if sets.iter().any(|set| set.iter().all(|m| m.matches(n.get(&m.name).unwrap_or("")))) {
                    return Some(n.to_string());
                }
            }
        }
        None
    }
}

/// Every vector selector in an expression.
fn collect_selectors<'e>(e: &'e Expr, out: &mut Vec<&'e VectorSelector>) {
    match e {
        Expr::VectorSelector(vs) => out.push(vs),
        Expr::MatrixSelector(ms) => out.push(&ms.vs),
        Expr::Aggregate(a) => {
            collect_selectors(&a.expr, out);
            if let Some(p) = &a.param {
                collect_selectors(p, out);
            }
        }
        Expr::Unary(u) => collect_selectors(&u.expr, out),
        Expr::Binary(b) => {
            collect_selectors(&b.lhs, out);
            collect_selectors(&b.rhs, out);
        }
        Expr::Paren(p) => collect_selectors(&p.expr, out),
        Expr::Subquery(s) => collect_selectors(&s.expr, out),
        Expr::Call(c) => c.args.args.iter().for_each(|a| collect_selectors(a, out)),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

/// Runs a test script; `name` labels the cases.
pub fn run_script(name: &str, text: &str) -> Result<Vec<CaseReport>, String> {
    let commands = parse_script(text).map_err(|e| format!("{name}: {e}"))?;
    let mut data = Data::new()?;
    let mut out = Vec::new();
    for cmd in commands {
        match cmd {
            Command::Clear => data = Data::new()?,
            Command::Load { series, interval, native } => data.load(&series, interval, &native),
            Command::Eval(case) => {
                let outcome = if case.native {
                    Outcome::Skipped("native histograms in the case".into())
                } else if let Some(n) = data.uses_native(&case.query) {
                    Outcome::Skipped(format!("reads native histogram series {n}"))
                } else if let Some(e) = &data.load_error {
                    Outcome::Failed(e.clone())
                } else {
                    check(&data.engine, &case)
                };
                out.push(CaseReport { file: name.to_owned(), line: case.line, query: case.query.clone(), outcome });
            }
        }
    }
    Ok(out)
}

/// Runs a case and compares. An instant case is also run as Prometheus' runner does: with
/// `@` pinned to its time and evaluated at other times, and as a range query around its time.
fn check(engine: &Engine, case: &EvalCase) -> Outcome {
    if case.range {
        return judge(case, engine.range(&case.query, case.start, case.end, case.step)).map_or_else(Outcome::Failed, |_| Outcome::Passed);
    }
    let expr = match promql_parser::parser::parse(&case.query) {
        Ok(e) => e,
        Err(_) => return judge(case, engine.instant(&case.query, case.start)).map_or_else(Outcome::Failed, |_| Outcome::Passed),
    };
    let mut runs = vec![(expr.clone(), case.start)];
    runs.extend(variants::at_variants(&expr, case.start));
    for (i, (e, t)) in runs.iter().enumerate() {
        let what = if i == 0 { String::new() } else { format!(" (as {e} at {t}ms)") };
        match judge(case, engine.instant_expr(e, *t)) {
            Err(why) => return Outcome::Failed(format!("{why}{what}")),
            Ok(false) => {}
            Ok(true) if case.ordered => {}
            Ok(true) => {
                if let Err(why) = range_mode(engine, case, e, *t) {
                    return Outcome::Failed(format!("in range mode: {why}{what}"));
                }
            }
        }
    }
    Outcome::Passed
}

/// The instant case run as a range query from one minute before to one minute after its
/// time; the middle step must give the expected result.
fn range_mode(engine: &Engine, case: &EvalCase, e: &Expr, t: i64) -> Result<(), String> {
    let out = engine.range_expr(e, t - 60_000, t + 60_000, 60_000).map_err(|e| format!("error: {e}"))?;
    let Value::Matrix(series) = &out.value else { return Err("range query did not give a matrix".into()) };
    let samples: Vec<crate::InstantSample> = series
        .iter()
        .filter_map(|s| s.points.iter().find(|p| p.0 == t).map(|p| crate::InstantSample { labels: s.labels.clone(), t, v: p.1 }))
        .collect();
    let value = match (e.value_type(), samples.first()) {
        (promql_parser::parser::value::ValueType::Scalar, Some(s)) => Value::Scalar { t, v: s.v },
        _ => Value::Vector(samples),
    };
    compare(case, &QueryOutput { value, warnings: Vec::new(), infos: Vec::new(), samples_read: 0 })
}

/// Judges one evaluation against the case: Ok(true) when it succeeded as expected, Ok(false)
/// when it failed as expected.
fn judge(case: &EvalCase, result: Result<QueryOutput, crate::QueryError>) -> Result<bool, String> {
    let out = match result {
        Err(e) if case.fail.is_empty() => return Err(format!("unexpected error: {e}")),
        Err(e) => {
            let text = e.to_string();
            return match case.fail.iter().find(|m| !message_matches(m, &text)) {
                Some(m) => Err(format!("error {text:?} does not match {m:?}")),
                None => Ok(false),
            };
        }
        Ok(out) => out,
    };
    if !case.fail.is_empty() {
        return Err("expected an error, the query succeeded".into());
    }
    check_annotations("warn", &case.warn, case.no_warn, &out.warnings)?;
    check_annotations("info", &case.info, case.no_info, &out.infos)?;
    compare(case, &out)?;
    Ok(true)
}

fn message_matches(m: &MsgMatch, text: &str) -> bool {
    match m {
        MsgMatch::Any => true,
        MsgMatch::Exact(s) => s == text,
        MsgMatch::Regex(r) => Regex::new(r).is_ok_and(|re| re.is_match(text)),
    }
}

fn check_annotations(kind: &str, expected: &[MsgMatch], none: bool, got: &[String]) -> Result<(), String> {
    if none && !got.is_empty() {
        return Err(format!("expected no {kind} annotation, got {got:?}"));
    }
    for m in expected {
        if !got.iter().any(|g| message_matches(m, g)) {
            return Err(format!("expected a {kind} annotation matching {m:?}, got {got:?}"));
        }
    }
    if !expected.is_empty() {
        if let Some(g) = got.iter().find(|g| !expected.iter().any(|m| message_matches(m, g))) {
            return Err(format!("unexpected {kind} annotation {g:?}"));
        }
    }
    Ok(())
}

/// Whether two values are equal within the runner's tolerance (NaN equals NaN).
pub fn almost_equal(a: f64, b: f64) -> bool {
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || diff < MIN_NORMAL {
        return diff < EPSILON * MIN_NORMAL;
    }
    diff / (a.abs() + b.abs()) < EPSILON
}

fn compare(case: &EvalCase, out: &QueryOutput) -> Result<(), String> {
    match &out.value {
        Value::Scalar { v, .. } => match case.expected.as_slice() {
            [(None, p)] if matches!(p.as_slice(), [Point::Value(x)] if almost_equal(*x, *v)) => Ok(()),
            [(None, p)] if case.range => Err(format!("expected {p:?}, got scalar {v}")),
            _ => Err(format!("expected {:?}, got scalar {v}", case.expected)),
        },
        Value::String { s, .. } => Err(format!("got string {s:?}, which the runner does not compare")),
        Value::Vector(samples) => {
            if case.range {
                return Err("received an instant vector for a range query".into());
            }
            let mut seen = vec![false; case.expected.len()];
            for (pos, s) in samples.iter().enumerate() {
                let Some(i) = case.expected.iter().position(|e| e.0.as_ref() == Some(&s.labels)) else {
                    return Err(format!("unexpected series {} {} in result", s.labels, s.v));
                };
                if case.ordered && i != pos {
                    return Err(format!("expected {} at position {}, found at {}", s.labels, i + 1, pos + 1));
                }
                match case.expected[i].1.first() {
                    Some(Point::Value(x)) if almost_equal(*x, s.v) => {}
                    other => return Err(format!("expected {other:?} for {}, got {}", s.labels, s.v)),
                }
                seen[i] = true;
            }
            match seen.iter().position(|s| !s) {
                Some(i) => Err(format!("expected series {:?} not found", case.expected[i].0)),
                None => Ok(()),
            }
        }
        Value::Matrix(series) => {
            if !case.range {
                return Err("received range result on instant evaluation".into());
            }
            if case.ordered {
                return Err("expected ordered result, but query returned a matrix".into());
            }
            if let Some(w) = series.windows(2).find(|w| w[0].labels >= w[1].labels) {
                return Err(format!("matrix not sorted by labels: {} before {}", w[0].labels, w[1].labels));
            }
            let mut seen = vec![false; case.expected.len()];
            for s in series {
                let Some(i) = case.expected.iter().position(|e| e.0.as_ref() == Some(&s.labels)) else {
                    return Err(format!("unexpected series {} {:?} in result", s.labels, s.points));
                };
                seen[i] = true;
                let want: Vec<(i64, f64)> = case.expected[i]
                    .1
                    .iter()
                    .enumerate()
                    .filter_map(|(k, p)| match p {
                        Point::Value(v) => Some((case.start + case.step * k as i64, *v)),
                        _ => None,
                    })
                    .collect();
                let same = want.len() == s.points.len() && want.iter().zip(&s.points).all(|(a, b)| a.0 == b.0 && almost_equal(a.1, b.1));
                if !same {
                    return Err(format!("series {}: expected {want:?}, got {:?}", s.labels, s.points));
                }
            }
            match seen.iter().position(|s| !s) {
                Some(i) => Err(format!("expected series {:?} not found", case.expected[i].0)),
                None => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(script: &str) -> Vec<Outcome> {
        run_script("t.test", script).unwrap().into_iter().map(|c| c.outcome).collect()
    }

    #[test]
    fn passes_and_fails_on_values_labels_and_order() {
        let o = outcomes(concat!(
            "load 1m\n  m{a=\"1\"} 1 2 3\n  m{a=\"2\"} 5 5 5\n\n",
            "eval instant at 2m m\n  m{a=\"1\"} 3\n  m{a=\"2\"} 5\n\n",
            "eval instant at 2m m\n  m{a=\"1\"} 4\n  m{a=\"2\"} 5\n\n",
            "eval instant at 2m m\n  m{a=\"1\"} 3\n\n",
            "eval range from 0 to 2m step 1m m{a=\"1\"} * 2\n  {a=\"1\"} 2 4 6\n\n",
            "eval range from 0 to 2m step 1m m{a=\"1\"}\n  m{a=\"1\"} 1 _ 3\n\n",
            "eval instant at 2m sort_desc(m)\n  expect ordered\n  m{a=\"1\"} 3\n  m{a=\"2\"} 5\n\n",
        ));
        assert_eq!(o[0], Outcome::Passed);
        assert!(matches!(&o[1], Outcome::Failed(w) if w.contains("expected Some(Value(4.0))")), "{:?}", o[1]);
        assert!(matches!(&o[2], Outcome::Failed(w) if w.contains("unexpected series")), "{:?}", o[2]);
        assert_eq!(o[3], Outcome::Passed);
        assert!(matches!(&o[4], Outcome::Failed(_)), "a missing point must be missing");
        assert!(matches!(&o[5], Outcome::Failed(w) if w.contains("position")), "{:?}", o[5]);
    }

    #[test]
    fn checks_failures_and_annotations() {
        let o = outcomes(concat!(
            "load 1m\n  m 1 2 3\n  n{a=\"1\"} 1 1 1\n  n{a=\"2\"} 1 1 1\n\n",
            "eval instant at 2m rate(m[5m])\n  expect info msg: PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"m\"\n  {} 0.008333333333333333\n\n",
            "eval instant at 2m rate(m[5m])\n  expect no_info\n  {} 0.008333333333333333\n\n",
            "eval instant at 2m m + on() n\n  expect fail\n\n",
            "eval instant at 2m m\n  expect fail\n\n",
            "eval instant at 2m 1 +\n  expect fail regex: parse error\n\n",
        ));
        assert_eq!(o[0], Outcome::Passed);
        assert!(matches!(&o[1], Outcome::Failed(w) if w.contains("expected no info")), "{:?}", o[1]);
        assert_eq!(o[2], Outcome::Passed);
        assert!(matches!(&o[3], Outcome::Failed(w) if w.contains("expected an error")), "{:?}", o[3]);
        assert_eq!(o[4], Outcome::Passed);
    }

    #[test]
    fn native_histogram_cases_are_skipped() {
        let o = outcomes(concat!(
            "load 1m\n  h {{schema:0 sum:1 count:1}}x2\n  f 1 2 3\n\n",
            "eval instant at 1m h\n  {} 1\n\n",
            "eval instant at 1m f\n  f 2\n\n",
            "eval instant at 1m f\n  f {{schema:0 sum:1 count:1}}\n\n",
        ));
        assert!(matches!(&o[0], Outcome::Skipped(w) if w.contains("reads native histogram series h")), "{:?}", o[0]);
        assert_eq!(o[1], Outcome::Passed);
        assert!(matches!(&o[2], Outcome::Skipped(_)));
    }

    #[test]
    fn tolerance_is_relative() {
        assert!(almost_equal(1.0, 1.0 + 1e-9));
        assert!(!almost_equal(1.0, 1.0001));
        assert!(almost_equal(f64::NAN, f64::NAN));
        assert!(!almost_equal(0.0, 1e-300));
    }
}
