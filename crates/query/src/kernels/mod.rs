//! Pure numeric kernels behind PromQL's functions and aggregations, written to give the same
//! floats as Prometheus 3.5 (its `promql/functions.go`, `promql/quantile.go` and the aggregation
//! code in `promql/engine.go`): the same summation order, Kahan compensation, extrapolation
//! rules and NaN/Inf handling.
//!
//! They work on plain data only: slices of `(timestamp_ms, value)` points or of values, floats
//! and a few small structs defined here. Nothing in this module panics on any input (empty
//! slices, NaN, infinities, extreme timestamps).
//!
//! Written by hand rather than taken from a statistics crate because agreement with Prometheus to
//! the last bit is the point: general-purpose crates use other algorithms (plain summation,
//! different quantile definitions, other rounding), which would make Vitals' answers differ from
//! the peer it replaces.

pub(crate) mod aggregate;
pub(crate) mod date;
pub(crate) mod elementwise;
pub(crate) mod histogram;
pub(crate) mod kahan;
pub(crate) mod natsort;
pub(crate) mod over_time;
pub(crate) mod quantile;
pub(crate) mod rate;
pub(crate) mod regression;
pub(crate) mod sliding;
pub(crate) mod smoothing;

#[cfg(test)]
mod robustness;
#[cfg(test)]
pub(crate) mod test_util;
