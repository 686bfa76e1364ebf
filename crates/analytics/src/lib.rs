//! Vitals' understanding stage: what the numbers mean. Pure computation over series of
//! numbers, with no I/O of its own: the HTTP API (`vitals-api`) and the CLI read series
//! through the query engine and hand them here.
//!
//! | Module | What |
//! | --- | --- |
//! | [`anomaly`] | Streaming anomaly scores and flags per sample, state of fixed size per series. |
//! | [`nab`] | The Numenta Anomaly Benchmark's scoring: windows, sigmoid, profiles, threshold sweep, normalisation. |

#![warn(missing_docs)]

pub mod anomaly;
mod error;
pub mod nab;

pub use anomaly::{AnomalyDetector, AnomalyParams, AnomalyScore};
pub use error::AnalyticsError;
