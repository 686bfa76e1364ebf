//! Vitals' understanding stage: what the numbers mean. Pure computation over series of
//! numbers, with no I/O of its own: the HTTP API (`vitals-api`) and the CLI read series
//! through the query engine and hand them here.
//!
//! | Module | What |
//! | --- | --- |
//! | [`forecast`] | Forecasts with 80 % and 95 % prediction intervals: linear trend, ETS, MSTL+ETS with detected seasons, chosen by held-out error. |
//! | [`capacity`] | When a forecast crosses a threshold (a disk or memory full), with an 80 % interval. |
//! | [`changepoint`] | Change points: E-divisive means with Student's t-test (as Apache Otava), incremental on append. |
//! | [`trend`] | Trends: Theil-Sen slope with Sen's interval, Mann-Kendall test, a verdict. |
//! | `correlate` | which series changed in a window against a baseline (Kolmogorov-Smirnov, volume), which move with a target at some lag (Pearson, Spearman) |
//! | `sketch` | mergeable percentile sketches (DDSketch, 1 % relative error) for P50, P95, P99, P99.9 |
//! | [`anomaly`] | Streaming anomaly scores and flags per sample, state of fixed size per series. |
//! | [`nab`] | The Numenta Anomaly Benchmark's scoring: windows, sigmoid, profiles, threshold sweep, normalisation. |

#![warn(missing_docs)]

pub mod anomaly;
pub mod capacity;
pub mod changepoint;
mod correlate;
mod error;
mod fenwick;
pub mod forecast;
pub mod nab;
mod sketch;
pub mod trend;

pub use anomaly::{AnomalyDetector, AnomalyParams, AnomalyScore};
pub use changepoint::{change_points, ChangePoint, ChangePointDetector, ChangePointOptions, Direction};
pub use correlate::{
    ks_two_sample, rank_changes, rank_lagged, ChangeInput, ChangeMethod, ChangeScore, KsTest, LagBest, LagMethod, LagScore,
};
pub use error::AnalyticsError;
pub use sketch::{QuantileSketch, QUANTILES, RELATIVE_ERROR};
pub use trend::{trend, MannKendall, Trend, TrendVerdict};
