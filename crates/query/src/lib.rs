//! Vitals' PromQL engine.
//!
//! Evaluates PromQL with Prometheus 3 semantics over [`vitals_store::Store`]: instant and
//! range queries, selectors with every matcher kind, `offset` and `@` (including `start()` and
//! `end()`), the lookback window (5 minutes by default) and staleness markers, left-open range
//! windows `(t - range, t]`, subqueries, every binary operator with vector matching, every
//! aggregation and the functions that do not need native histograms. Warnings and infos are
//! worded as Prometheus words them. Queries are parsed with `promql-parser`.
//!
//! Evaluation works on the whole step range at once, as Prometheus' engine does: each selector
//! reads the store once for the whole query and then slides over the steps.
//!
//! Metric names are removed as in Prometheus 3 with delayed name removal: a function or
//! operator that changes a series' meaning marks its name for removal, and the names go when
//! the result is returned, so `label_replace(rate(x[5m]), "__name__", ...)` can still read or
//! keep it.
//!
//! # Long ranges: rollup tiers
//!
//! A range query spanning at least a day whose step is at least the resolution
//! `Store::pick_resolution` gives for it reads that rollup tier (min, max, sum, count and
//! last per bucket) instead of raw samples, when the evaluation times (after `@` and
//! `offset`) fall on bucket boundaries and, for range vectors, the range is a multiple of
//! the resolution. Everything else (instant queries, shorter ranges, unaligned starts,
//! subqueries, other functions) reads raw samples and follows Prometheus exactly. What the
//! tiers change, precisely:
//!
//! - A window `(t - range, t]` is answered from the buckets `[t - range, t)`: a sample lying
//!   exactly on `t - range` is counted and one exactly on `t` is not. When no sample falls on
//!   a bucket boundary, `sum_over_time`, `count_over_time`, `min_over_time`,
//!   `max_over_time`, `last_over_time` and `present_over_time` give the raw answer
//!   (`sum_over_time` and `avg_over_time` may differ in the last bits: the sum of bucket sums
//!   is compensated, Prometheus' running mean is not computed).
//! - An instant selector at step `t` gives the last value of the bucket `[t - res, t)`: the
//!   lookback window becomes the bucket, and a staleness marker inside a bucket no longer
//!   hides the series' value for that step (buckets skip staleness markers).
//! - `rate`, `increase`, `delta`, `irate`, `idelta` and `deriv` take each bucket's last value
//!   as a sample at the bucket's end, and also read the bucket just before the window, so
//!   `increase` is the counter's rise between the last samples before `t - range` and before
//!   `t` (no extrapolation). A counter reset is seen only when a bucket's last value is below
//!   the previous bucket's; a reset followed by a rise above the old value within one bucket
//!   is missed.
//!
//! The benchmark `examples/bench.rs` (500 series, 30 days) times these queries.
//!
//! Speed: an engine and its clones keep the parsed trees of recent query texts (dashboards
//! and rules repeat theirs) with how long each last ran ([`Engine::last_duration`], which the
//! HTTP layer uses to run quick queries without a thread hand-off); range functions slide over
//! the steps (each window found from the previous one; `rate`/`increase` add only the resets
//! inside a window; `min_over_time`/`max_over_time` keep a monotonic queue), with the same
//! floats as a per-window scan.
//!
//! Parse errors carry their position as Prometheus gives it (`1:5: parse error: ...`), found
//! by asking the parser which prefixes of the query can still be completed (promql-parser
//! reports none).
//!
//! Limits: a query timeout ([`EngineOptions::timeout`]) and a bound on the samples a query
//! holds at once ([`EngineOptions::max_samples`]), failing with Prometheus' error texts.
//!
//! The [`promqltest`] module runs Prometheus' own test files (the `promqltest` language)
//! against the engine; `scripts/promqltest` and the `conformance` integration test use it.

#![warn(missing_docs)]

mod annotations;
mod cache;
mod engine;
mod error;
mod error_position;
mod eval;
mod kernels;
mod options;
pub mod promqltest;
mod value;

pub use engine::{format_query, Engine};
pub use error::QueryError;
pub use options::EngineOptions;
pub use value::{InstantSample, QueryOutput, RangeSeries, Value};
