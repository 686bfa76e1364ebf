//! NAB's label files: `combined_windows.json` (each file's anomaly windows) and
//! `profiles.json` (each profile's weights).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::parse_timestamp;
use crate::AnalyticsError;

/// A scoring profile's weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Its name, such as `standard`.
    pub name: String,
    /// Weight of a detected window (its earliest detection).
    pub tp: f64,
    /// Weight of a detection outside any window.
    pub fp: f64,
    /// Weight of a window without detection.
    pub fn_weight: f64,
}

#[derive(Deserialize)]
struct ProfileFile {
    #[serde(rename = "CostMatrix")]
    cost: Costs,
}

#[derive(Deserialize)]
struct Costs {
    #[serde(rename = "tpWeight")]
    tp: f64,
    #[serde(rename = "fpWeight")]
    fp: f64,
    #[serde(rename = "fnWeight")]
    fn_weight: f64,
}

/// Parses `profiles.json`.
pub fn parse_profiles(json: &str) -> Result<Vec<Profile>, AnalyticsError> {
    let map: BTreeMap<String, ProfileFile> =
        serde_json::from_str(json).map_err(|e| AnalyticsError::Invalid(format!("profiles.json: {e}")))?;
    Ok(map.into_iter().map(|(name, p)| Profile { name, tp: p.cost.tp, fp: p.cost.fp, fn_weight: p.cost.fn_weight }).collect())
}

/// Parses `combined_windows.json`: per data file (`category/name.csv`), its windows as
/// (start, end) in ms, inclusive.
pub fn parse_windows(json: &str) -> Result<BTreeMap<String, Vec<(i64, i64)>>, AnalyticsError> {
    let map: BTreeMap<String, Vec<(String, String)>> =
        serde_json::from_str(json).map_err(|e| AnalyticsError::Invalid(format!("combined_windows.json: {e}")))?;
    map.into_iter()
        .map(|(file, windows)| {
            let windows = windows
                .iter()
                .map(|(a, b)| match (parse_timestamp(a), parse_timestamp(b)) {
                    (Some(a), Some(b)) => Ok((a, b)),
                    _ => Err(AnalyticsError::Invalid(format!("combined_windows.json: {file}: bad window [{a:?}, {b:?}]"))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((file, windows))
        })
        .collect()
}
