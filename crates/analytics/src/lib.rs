//! Vitals' understanding stage: what the numbers mean. Pure computation over series of
//! numbers, with no I/O of its own: the HTTP API (`vitals-api`) and the CLI read series
//! through the query engine and hand them here.
//!
//! | Module | What |
//! | --- | --- |
//! | [`forecast`] | Forecasts with 80 % and 95 % prediction intervals: linear trend, ETS, MSTL+ETS with detected seasons, chosen by held-out error. |
//! | [`capacity`] | When a forecast crosses a threshold (a disk or memory full), with an 80 % interval. |

#![warn(missing_docs)]

pub mod capacity;
mod error;
pub mod forecast;

pub use error::AnalyticsError;
