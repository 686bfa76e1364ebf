//! Streaming anomaly detection: each new sample of a series gets a score in [0, 1] and a
//! flag, from state of fixed size per series (about 1.3 KiB), in well under a microsecond.
//!
//! Method (a per-sample pipeline, no look-ahead):
//! 1. Raw score: the largest of four signs of unusual behaviour, each in [0, 1]: the value's
//!    distance from its usual level and the change from the previous sample's distance from
//!    the usual change (both in standard deviations over `long` samples, /8), the recent size
//!    of changes against the usual one (|log ratio| / 12, so calm after noise counts as
//!    much as noise after calm), and the novelty (1 if never seen) of the last three levels
//!    of the value quantised in ten over the range seen.
//! 2. Anomaly likelihood (after Numenta's HTM detector): the average of the last `average`
//!    raw scores is compared with the mean and spread of raw scores over `history` samples;
//!    its Gaussian tail probability `q` becomes the score `ln q / ln 1e-7` (clamped), so
//!    the score is how surprising the recent raw scores are for this series, not how large.
//! 3. One flag per event: a score at or above `threshold` flags the sample, and for
//!    `suppress` samples after it scores are held at half the threshold.

mod context;
mod detector;
mod params;
mod stats;

pub use detector::{AnomalyDetector, AnomalyScore};
pub use params::AnomalyParams;
