//! Vitals' understanding stage: what the numbers mean. Pure computation over series of
//! numbers, with no I/O of its own: the HTTP API (`vitals-api`) and the CLI read series
//! through the query engine and hand them here.
//!
//! | Module | What |
//! | --- | --- |
//! | `correlate` | which series changed in a window against a baseline (Kolmogorov-Smirnov, volume), which move with a target at some lag (Pearson, Spearman) |
//! | `sketch` | mergeable percentile sketches (DDSketch, 1 % relative error) for P50, P95, P99, P99.9 |

#![warn(missing_docs)]

mod correlate;
mod error;
mod sketch;

pub use correlate::{
    ks_two_sample, rank_changes, rank_lagged, ChangeInput, ChangeMethod, ChangeScore, KsTest, LagBest, LagMethod, LagScore,
};
pub use error::AnalyticsError;
pub use sketch::{QuantileSketch, QUANTILES, RELATIVE_ERROR};
