//! The detector's parameters: one set for every series (the NAB figures in
//! docs/analytics.md are for [`AnomalyParams::default`]).

/// How an [`AnomalyDetector`](super::AnomalyDetector) scores. Horizons are in samples.
#[derive(Debug, Clone, PartialEq)]
pub struct AnomalyParams {
    /// Samples seen before any score above 0 is given (learning).
    pub learn: u32,
    /// Horizon of the distribution of raw scores that the likelihood compares against.
    pub history: u32,
    /// Raw scores averaged for the likelihood (1 to 16).
    pub average: usize,
    /// Score at or above which a sample is flagged. The default, 0.99, is where NAB's
    /// threshold optimisation puts every profile's operating point (0.9991 on the shared
    /// corpus); at 0.4 the same detector made 63 false detections there instead of 36 and
    /// scored 70.5 instead of 74.4 (see docs/analytics.md).
    pub threshold: f64,
    /// Samples after a flag during which scores are held below `threshold` (one alarm per
    /// event rather than one per sample).
    pub suppress: u32,
}

impl Default for AnomalyParams {
    fn default() -> AnomalyParams {
        AnomalyParams { learn: 30, history: 1000, average: 3, threshold: 0.99, suppress: 200 }
    }
}
