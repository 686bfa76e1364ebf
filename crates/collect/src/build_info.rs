//! The `build` collector: `vitals_build_info{version}`, always 1.

use crate::{CollectError, Collector, Emitter, Metric};

const BUILD_INFO: Metric = Metric::gauge("vitals_build_info", "Always 1; the labels tell which Vitals build is running.", "");

/// Reports the running build's version.
pub struct BuildInfoCollector {
    version: String,
}

impl BuildInfoCollector {
    /// A collector reporting `version`.
    pub fn new(version: impl Into<String>) -> BuildInfoCollector {
        BuildInfoCollector { version: version.into() }
    }
}

impl Collector for BuildInfoCollector {
    fn name(&self) -> &str {
        "build"
    }

    fn can_block(&self) -> bool {
        // Reads nothing.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        out.push(&BUILD_INFO, &[("version", &self.version)], 1.0)
    }
}
