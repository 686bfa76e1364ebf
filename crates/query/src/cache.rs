//! Parsed queries by their text, and how long each last took to run.
//!
//! Dashboards and alert rules send the same texts again and again (every refresh, every
//! evaluation): keeping the parsed tree saves the parse (not the compilation of regular
//! expressions: matchers are compiled at each evaluation), and the last successful run's
//! duration tells the HTTP layer whether the next run is small enough to do on the spot
//! instead of handing it to another thread. Bounded, least
//! recently used out first. A map and a counter, by hand: the workspace has no cache crate
//! and this needs none of their features.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use promql_parser::parser::Expr;

/// Most query texts kept.
const CAPACITY: usize = 256;

/// Longest query text kept (longer ones are parsed every time).
const MAX_TEXT: usize = 4096;

/// Durations kept per text (one per shape of evaluation).
const SHAPES: usize = 4;

/// A class of evaluations of one text that cost about the same: instant, or a range query
/// with a number of steps and a time span within the same powers of two.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Shape(u16);

impl Shape {
    /// The shape of an evaluation from `start_ms` to `end_ms` every `step_ms` (an instant
    /// query has `start_ms == end_ms`).
    pub fn of(start_ms: i64, end_ms: i64, step_ms: i64) -> Shape {
        let span = end_ms.saturating_sub(start_ms).max(0) as u64;
        let steps = span / step_ms.max(1) as u64 + 1;
        Shape(((span.checked_ilog2().map_or(0, |l| l + 1) as u16) << 8) | steps.checked_ilog2().map_or(0, |l| l + 1) as u16)
    }
}

struct Entry {
    expr: Arc<Expr>,
    used: u64,
    durations: Vec<(Shape, Duration)>,
}

/// The cache; shared by an engine and its clones.
#[derive(Default)]
pub(crate) struct QueryCache {
    entries: HashMap<String, Entry>,
    clock: u64,
}

impl QueryCache {
    /// The parsed tree of `text`, if kept.
    pub fn get(&mut self, text: &str) -> Option<Arc<Expr>> {
        self.clock += 1;
        let e = self.entries.get_mut(text)?;
        e.used = self.clock;
        Some(e.expr.clone())
    }

    /// Keeps the parsed tree of `text`, making room if needed.
    pub fn insert(&mut self, text: &str, expr: Arc<Expr>) {
        if text.len() > MAX_TEXT {
            return;
        }
        if self.entries.len() >= CAPACITY && !self.entries.contains_key(text) {
            if let Some(oldest) = self.entries.iter().min_by_key(|(_, e)| e.used).map(|(k, _)| k.clone()) {
                self.entries.remove(&oldest);
            }
        }
        self.clock += 1;
        self.entries.insert(text.to_owned(), Entry { expr, used: self.clock, durations: Vec::new() });
    }

    /// How long the last evaluation of `text` with this shape took, if known.
    pub fn duration(&self, text: &str, shape: Shape) -> Option<Duration> {
        self.entries.get(text)?.durations.iter().find(|(s, _)| *s == shape).map(|(_, d)| *d)
    }

    /// Records how long an evaluation of a kept `text` took.
    pub fn record(&mut self, text: &str, shape: Shape, took: Duration) {
        let Some(e) = self.entries.get_mut(text) else { return };
        match e.durations.iter_mut().find(|(s, _)| *s == shape) {
            Some(slot) => slot.1 = took,
            None => {
                if e.durations.len() >= SHAPES {
                    e.durations.remove(0);
                }
                e.durations.push((shape, took));
            }
        }
    }

    /// Forgets how long the evaluation of `text` with this shape took.
    pub fn forget(&mut self, text: &str, shape: Shape) {
        if let Some(e) = self.entries.get_mut(text) {
            e.durations.retain(|(s, _)| *s != shape);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(text: &str) -> Arc<Expr> {
        Arc::new(promql_parser::parser::parse(text).unwrap())
    }

    #[test]
    fn keeps_trees_and_durations_per_shape() {
        let mut c = QueryCache::default();
        assert!(c.get("up").is_none());
        c.insert("up", expr("up"));
        assert_eq!(c.get("up").unwrap().to_string(), "up");
        let (instant, day) = (Shape::of(5, 5, 1), Shape::of(0, 86_400_000, 60_000));
        assert_ne!(instant, day);
        assert_eq!(Shape::of(0, 86_400_000, 60_000), Shape::of(1000, 86_401_000, 60_000));
        c.record("up", day, Duration::from_millis(30));
        assert_eq!(c.duration("up", day), Some(Duration::from_millis(30)));
        assert_eq!(c.duration("up", instant), None);
        c.record("up", day, Duration::from_millis(2));
        assert_eq!(c.duration("up", day), Some(Duration::from_millis(2)));
    }

    #[test]
    fn drops_the_least_recently_used_when_full() {
        let mut c = QueryCache::default();
        for i in 0..CAPACITY {
            c.insert(&format!("m{i}"), expr("up"));
        }
        assert!(c.get("m0").is_some());
        c.insert("new", expr("up"));
        assert_eq!(c.entries.len(), CAPACITY);
        assert!(c.get("m0").is_some(), "used recently");
        assert!(c.get("m1").is_none(), "the oldest");
        assert!(c.get("new").is_some());
    }

    #[test]
    fn long_texts_are_not_kept() {
        let mut c = QueryCache::default();
        let long = "x".repeat(MAX_TEXT + 1);
        c.insert(&long, expr("up"));
        assert!(c.get(&long).is_none());
    }
}
