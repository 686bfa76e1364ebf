//! Correlations: which series changed in a window of interest against a baseline
//! ([`rank_changes`], two-sample Kolmogorov-Smirnov or the volume heuristic), and which
//! series move with a target series at some lag ([`rank_lagged`], Pearson and Spearman).

mod change;
mod ks;
mod lagged;
mod xcorr;

pub use change::{rank_changes, ChangeInput, ChangeMethod, ChangeScore};
pub use ks::{ks_two_sample, KsTest};
pub use lagged::{rank_lagged, LagBest, LagMethod, LagScore};
