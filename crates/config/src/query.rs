//! The `query` section: limits and defaults of the PromQL engine.

use std::time::Duration;

use serde::Serialize;

use crate::config::MINUTE;
use crate::duration;

/// Settings of PromQL evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryConfig {
    /// A query running longer than this is cancelled.
    #[serde(serialize_with = "duration::serialize")]
    pub timeout: Duration,
    /// A query loading more samples than this into memory at once is refused.
    pub max_samples: u64,
    /// How far back an instant selector looks for a series' latest sample.
    #[serde(serialize_with = "duration::serialize")]
    pub lookback_delta: Duration,
}

impl Default for QueryConfig {
    fn default() -> Self {
        QueryConfig { timeout: Duration::from_secs(2 * MINUTE), max_samples: 50_000_000, lookback_delta: Duration::from_secs(5 * MINUTE) }
    }
}
