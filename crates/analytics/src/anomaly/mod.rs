//! Streaming anomaly detection: each new sample of a series gets a score in [0, 1] and a
//! flag, from state of fixed size per series (see [`AnomalyDetector::state_bytes`]), in well under a microsecond.
//!
//! Method (a per-sample pipeline, no look-ahead):
//! 1. Raw score, 0 or 1: whether the sample's context is new at every resolution. The value
//!    is quantised into 10, 11, ... 16 levels over the range seen so far; at each resolution
//!    the last two levels form the context, and a bit table remembers every context seen
//!    (moved to the new levels whenever the range grows). Over a long horizon (epochs of a
//!    day's samples at 1 s, `epochs.rs`) contexts not seen for two epochs are forgotten, and
//!    the range narrows to what the last two epochs reached when that is much less. A context new at every resolution
//!    is new behaviour; one known at any resolution (a wobble across one grid's level edge)
//!    is not. A value beyond the range seen by more than 5 % of it is new too, and scores 1
//!    outright (Numenta's "spatial anomaly").
//! 2. Anomaly likelihood (after Numenta's HTM detector): the raw score, and the average of
//!    the last `average` raw scores, are compared with the mean and spread of raw scores
//!    over `history` samples; the Gaussian tail probability `q` of the larger z becomes the
//!    score `ln q / ln 1e-7` (clamped to [0, 1]). So the score says how surprising new
//!    behaviour is for this series: rare in a steady series, common in an erratic one.
//! 3. One flag per event: a score at or above `threshold` flags the sample, and for
//!    `suppress` samples after it scores are held at half the threshold, unless one is
//!    higher than the flagged one (a stronger event: flagged, and the quiet period restarts).
//!
//! Deviation features (distance from a running mean, size of the change from the previous
//! sample, recent against usual volatility) were tried alongside the novelty and made NAB
//! scores worse (see docs/analytics.md): daily patterns make them fire once a day. So did a
//! one-step forecaster's error (last value, Holt's linear, median of the last five).
//!
//! A detector's learnt state can be saved and restored ([`AnomalyDetector::to_bytes`],
//! [`AnomalyDetector::from_bytes`], in `saved.rs`), so that `vitals serve` keeps what it
//! learnt across a restart.

mod context;
mod detector;
mod epochs;
mod params;
mod saved;
mod stats;

pub use detector::{AnomalyDetector, AnomalyScore};
pub use params::AnomalyParams;
