//! Engine options.

use std::time::Duration;

/// Options of the engine.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Longest a query may run (default 2 minutes).
    pub timeout: Duration,
    /// Most samples a query may hold at once (default 50,000,000, as Prometheus' `--query.max-samples`).
    pub max_samples: usize,
    /// How far back an instant selector looks for a sample (default 5 minutes).
    pub lookback_delta: Duration,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions { timeout: Duration::from_secs(120), max_samples: 50_000_000, lookback_delta: Duration::from_secs(300) }
    }
}
