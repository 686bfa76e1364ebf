//! Vitals' understanding stage: what the numbers mean. Pure computation over series of
//! numbers, with no I/O of its own: the HTTP API (`vitals-api`) and the CLI read series
//! through the query engine and hand them here.
//!
//! | Module | What |
//! | --- | --- |
//! | [`changepoint`] | Change points: E-divisive means with Student's t-test (as Apache Otava), incremental on append. |
//! | [`trend`] | Trends: Theil-Sen slope with Sen's interval, Mann-Kendall test, a verdict. |

#![warn(missing_docs)]

pub mod changepoint;
mod error;
mod fenwick;
pub mod trend;

pub use changepoint::{change_points, ChangePoint, ChangePointDetector, ChangePointOptions, Direction};
pub use error::AnalyticsError;
pub use trend::{trend, MannKendall, Trend, TrendVerdict};
