//! The metadata an input declares (`# HELP`, `# TYPE`, `# UNIT`), recorded once the
//! samples are in.

use std::collections::BTreeMap;

use vitals_store::{MetricKind, MetricMetadata, Store, StoreError, MAX_METADATA_BYTES};

use crate::ingest::line::Declaration;
use crate::ingest::LineProblem;

/// What the input said about one family; what it left out stays as the store has it.
#[derive(Default)]
struct Declared {
    kind: Option<MetricKind>,
    help: Option<String>,
    unit: Option<String>,
    /// The last line that declared something, for a problem found when recording.
    line: u64,
}

/// Every family the input declared something about.
#[derive(Default)]
pub(crate) struct Families(BTreeMap<String, Declared>);

impl Families {
    /// Adds what line `line` declares about `metric`. A help text and unit that would take
    /// more than [`MAX_METADATA_BYTES`] together are a problem, and the line is left out.
    pub(crate) fn declare(&mut self, line: u64, metric: &str, declaration: Declaration<'_>) -> Result<(), LineProblem> {
        let family = match self.0.get_mut(metric) {
            Some(f) => f,
            None => self.0.entry(metric.to_owned()).or_default(),
        };
        let len = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        let size = match &declaration {
            Declaration::Help(text) => text.len() + len(&family.unit),
            Declaration::Unit(unit) => len(&family.help) + unit.len(),
            Declaration::Type(_) => 0,
        };
        if size > MAX_METADATA_BYTES {
            return Err(LineProblem {
                line,
                column: None,
                message: format!("help and unit of {metric} would take {size} bytes, more than the limit of {MAX_METADATA_BYTES}"),
            });
        }
        match declaration {
            Declaration::Help(text) => family.help = Some(text.into_owned()),
            Declaration::Type(kind) => family.kind = Some(kind),
            Declaration::Unit(unit) => family.unit = Some(unit.to_owned()),
        }
        family.line = line;
        Ok(())
    }

    /// Records every family's metadata, completed from what the store has. Returns how
    /// many families were recorded and, for those the store refused
    /// ([`StoreError::InvalidMetadata`]), a problem at the line that declared them; other
    /// store failures are errors.
    pub(crate) fn record(self, store: &Store) -> Result<(u64, Vec<LineProblem>), StoreError> {
        if self.0.is_empty() {
            return Ok((0, Vec::new()));
        }
        let known = store.metadata();
        let (mut recorded, mut problems) = (0, Vec::new());
        for (metric, d) in self.0 {
            let old = known.get(&metric);
            let meta = MetricMetadata {
                kind: d.kind.or(old.map(|m| m.kind)).unwrap_or(MetricKind::Unknown),
                help: d.help.or_else(|| old.map(|m| m.help.clone())).unwrap_or_default(),
                unit: d.unit.or_else(|| old.map(|m| m.unit.clone())).unwrap_or_default(),
            };
            match store.set_metadata(&metric, meta) {
                Ok(()) => recorded += 1,
                Err(e @ StoreError::InvalidMetadata { .. }) => {
                    problems.push(LineProblem { line: d.line, column: None, message: e.to_string() })
                }
                Err(e) => return Err(e),
            }
        }
        Ok((recorded, problems))
    }
}
