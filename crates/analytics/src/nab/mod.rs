//! The Numenta Anomaly Benchmark (NAB v1.1) scoring, written after numenta/NAB's scorer,
//! sweeper and optimiser: labelled windows, the scaled sigmoid of a detection's position,
//! the probationary period, the profiles' weights, one threshold per profile chosen over
//! the whole corpus, and normalisation so that the null detector scores 0 and the perfect
//! one 100. Also the NAB file format (`timestamp,value` rows) and its reference
//! "windowed Gaussian" detector. Pure computation: the caller reads the files.

mod format;
mod gaussian;
mod labels;
mod score;

pub use format::{parse_row, parse_timestamp, Row};
pub use gaussian::WindowedGaussian;
pub use labels::{parse_profiles, parse_windows, Profile};
pub use score::{detections, normalise, optimise, probation_period, raw_score, Detections, Labelled};
