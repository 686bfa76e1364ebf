//! Mergeable percentile sketches: DDSketch (sketches-ddsketch) with a relative error of
//! 1 %, for request durations and other distributions, whatever path their values come
//! by. Sketches of parts (hosts, ingest batches, series) merge into the sketch of the
//! whole, and travel as JSON.
//!
//! DDSketch over an HDR histogram: it takes floats of any sign and scale (durations in
//! seconds need no unit choice), its error is relative at every quantile, and merging is
//! adding bucket counts. Accuracy: the value reported for quantile `q` of `count` values
//! is within [`RELATIVE_ERROR`] (relative) of the value at 0-based rank
//! `floor(q * (count - 1))` of the sorted values; values closer to zero than 1e-9 count
//! as 0. Memory: at most 2,048 buckets (8 bytes each) per sign, which at 1 % covers 17
//! orders of magnitude before the lowest buckets are merged.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sketches_ddsketch::{Config, DDSketch};

use crate::AnalyticsError;

/// The stated relative error of every quantile.
pub const RELATIVE_ERROR: f64 = 0.01;

/// The quantiles Vitals reports, with their names in answers.
pub const QUANTILES: [(&str, f64); 4] = [("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("p99.9", 0.999)];

/// Most buckets per sign.
const MAX_BINS: u32 = 2048;

/// Values closer to zero than this count as zero.
const MIN_VALUE: f64 = 1e-9;

/// The name of the serialised form, checked when reading one.
const FORMAT: &str = "ddsketch-1";

/// Bound on bucket keys in a serialised sketch: the largest finite float's key at 1 %
/// is about 35,500, plus the offset of the smallest value; anything beyond is damage.
const MAX_KEY: i64 = 100_000;

/// A mergeable quantile sketch with [`RELATIVE_ERROR`].
#[derive(Clone)]
pub struct QuantileSketch {
    inner: DDSketch,
}

impl Default for QuantileSketch {
    fn default() -> QuantileSketch {
        QuantileSketch::new()
    }
}

impl std::fmt::Debug for QuantileSketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuantileSketch").field("count", &self.count()).field("min", &self.min()).field("max", &self.max()).finish()
    }
}

/// The serialised form: the format's name and error, and the sketch (`null` when
/// empty, as JSON has no infinities for an empty sketch's minimum and maximum).
#[derive(Serialize, Deserialize)]
struct Wire {
    format: String,
    relative_error: f64,
    sketch: Option<Value>,
}

impl QuantileSketch {
    /// An empty sketch.
    pub fn new() -> QuantileSketch {
        QuantileSketch { inner: DDSketch::new(config()) }
    }

    /// Adds one value; NaN and infinities (staleness markers, missing data) are skipped.
    pub fn add(&mut self, value: f64) {
        if value.is_finite() {
            self.inner.add(value);
        }
    }

    /// Adds every value of `other` to this sketch.
    pub fn merge(&mut self, other: &QuantileSketch) {
        // Every QuantileSketch has the same configuration (checked when read), which
        // is all a merge can fail on.
        let _ = self.inner.merge(&other.inner);
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.inner.count() as u64
    }

    /// The smallest value added, exactly.
    pub fn min(&self) -> Option<f64> {
        self.inner.min()
    }

    /// The largest value added, exactly.
    pub fn max(&self) -> Option<f64> {
        self.inner.max()
    }

    /// The sum of the values added.
    pub fn sum(&self) -> Option<f64> {
        self.inner.sum()
    }

    /// The `q` quantile (0 to 1) within [`RELATIVE_ERROR`], `None` when empty. Never
    /// outside the exact minimum and maximum (a bucket's middle can be).
    pub fn quantile(&self, q: f64) -> Result<Option<f64>, AnalyticsError> {
        let value = self.inner.quantile(q).map_err(|_| AnalyticsError::Invalid(format!("quantile {q} is not between 0 and 1")))?;
        Ok(value.map(|v| match (self.min(), self.max()) {
            (Some(min), Some(max)) => v.clamp(min, max),
            _ => v,
        }))
    }

    /// Bytes the sketch holds in memory (its buckets and its fixed part).
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<QuantileSketch>() + self.inner.length() * std::mem::size_of::<u64>()
    }

    /// The sketch as JSON, for storing or sending to another host.
    pub fn to_json(&self) -> String {
        let sketch = (self.count() > 0).then(|| serde_json::to_value(&self.inner).unwrap_or(Value::Null));
        let wire = Wire { format: FORMAT.to_owned(), relative_error: RELATIVE_ERROR, sketch };
        serde_json::to_string(&wire).unwrap_or_default()
    }

    /// A sketch from [`QuantileSketch::to_json`]'s text, checked so that a damaged or
    /// foreign one is refused rather than trusted.
    pub fn from_json(text: &str) -> Result<QuantileSketch, AnalyticsError> {
        let bad = |what: String| AnalyticsError::Invalid(format!("not a Vitals quantile sketch: {what}"));
        let wire: Wire = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        if wire.format != FORMAT || wire.relative_error != RELATIVE_ERROR {
            return Err(bad(format!(
                "format {:?} with relative error {}, expected {FORMAT:?} with {RELATIVE_ERROR}",
                wire.format, wire.relative_error
            )));
        }
        let Some(value) = wire.sketch else { return Ok(QuantileSketch::new()) };
        check(&value).map_err(bad)?;
        let inner: DDSketch = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        Ok(QuantileSketch { inner })
    }
}

fn config() -> Config {
    Config::new(RELATIVE_ERROR, MAX_BINS, MIN_VALUE)
}

/// Checks a serialised DDSketch before the crate reads it: the crate trusts its own
/// fields (bucket indices come from them), so a damaged sketch could make it index out
/// of bounds. This follows the field layout of sketches-ddsketch 0.3's serde form.
fn check(value: &Value) -> Result<(), String> {
    let expected = serde_json::to_value(config()).map_err(|e| e.to_string())?;
    if value.get("config") != Some(&expected) {
        return Err("its configuration differs from Vitals' (1 % relative error, 2048 buckets)".to_owned());
    }
    let mut total = value.get("zero_count").and_then(Value::as_u64).ok_or("no zero_count")?;
    for name in ["store", "negative_store"] {
        let store = value.get(name).ok_or(format!("no {name}"))?;
        let int = |field: &str| store.get(field).and_then(Value::as_i64).ok_or(format!("{name}.{field} is not an integer"));
        let bins: Vec<u64> = store
            .get("bins")
            .and_then(Value::as_array)
            .ok_or(format!("{name}.bins is not a list"))?
            .iter()
            .map(|b| b.as_u64().ok_or(format!("{name}.bins holds a non-count")))
            .collect::<Result<_, _>>()?;
        let count = store.get("count").and_then(Value::as_u64).ok_or(format!("{name}.count is not a count"))?;
        let (min_key, max_key, offset, limit) = (int("min_key")?, int("max_key")?, int("offset")?, int("bin_limit")?);
        let sum = bins.iter().try_fold(0u64, |a, b| a.checked_add(*b)).ok_or(format!("{name}.bins overflow"))?;
        if sum != count || limit != i64::from(MAX_BINS) || bins.len() > 2 * MAX_BINS as usize {
            return Err(format!("{name} does not add up"));
        }
        if count > 0 {
            let len = bins.len() as i64;
            let keys_fit = offset <= min_key && min_key <= max_key && max_key < offset + len;
            if !keys_fit || [min_key, max_key, offset].iter().any(|k| k.abs() > MAX_KEY) {
                return Err(format!("{name}'s keys do not fit its buckets"));
            }
        }
        total = total.checked_add(count).ok_or("counts overflow")?;
    }
    if total == 0 {
        return Err("an empty sketch must be written as null".to_owned());
    }
    for field in ["min", "max", "sum"] {
        value.get(field).and_then(Value::as_f64).ok_or(format!("{field} is not a number"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn exact(sorted: &[f64], q: f64) -> f64 {
        sorted[(q * (sorted.len() as f64 - 1.0)) as usize]
    }

    fn within(estimate: f64, truth: f64) -> bool {
        (estimate - truth).abs() <= RELATIVE_ERROR * truth.abs() * (1.0 + 1e-9)
    }

    /// Durations-like values: positive, over many orders of magnitude, with repeats.
    fn values() -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(prop_oneof![(-6.0f64..4.0).prop_map(|e| 10f64.powf(e)), Just(0.25), (-1e3f64..-1e-6)], 1..2000)
    }

    proptest! {
        #[test]
        fn quantiles_within_the_stated_error(values in values()) {
            let mut sketch = QuantileSketch::new();
            for v in &values {
                sketch.add(*v);
            }
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            prop_assert_eq!(sketch.count(), values.len() as u64);
            prop_assert_eq!(sketch.min(), sorted.first().copied());
            prop_assert_eq!(sketch.max(), sorted.last().copied());
            for (name, q) in QUANTILES {
                let got = sketch.quantile(q).unwrap().unwrap();
                prop_assert!(within(got, exact(&sorted, q)), "{} = {} but exact {}", name, got, exact(&sorted, q));
                prop_assert!(sorted[0] <= got && got <= sorted[sorted.len() - 1]);
            }
        }

        #[test]
        fn merged_parts_equal_the_whole(values in values(), cuts in prop::collection::vec(0usize..2000, 0..5)) {
            let mut whole = QuantileSketch::new();
            values.iter().for_each(|v| whole.add(*v));
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (values.len() + 1)).collect();
            cuts.push(0);
            cuts.push(values.len());
            cuts.sort_unstable();
            let mut merged = QuantileSketch::new();
            for part in cuts.windows(2) {
                let mut sketch = QuantileSketch::new();
                values[part[0]..part[1]].iter().for_each(|v| sketch.add(*v));
                // Through JSON, as between hosts.
                merged.merge(&QuantileSketch::from_json(&sketch.to_json()).unwrap());
            }
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            prop_assert_eq!(merged.count(), whole.count());
            for (_, q) in QUANTILES {
                let m = merged.quantile(q).unwrap().unwrap();
                prop_assert!(within(m, exact(&sorted, q)));
                prop_assert_eq!(m, whole.quantile(q).unwrap().unwrap());
            }
        }
    }

    #[test]
    fn empty_and_skipped_values() {
        let mut sketch = QuantileSketch::new();
        sketch.add(f64::NAN);
        sketch.add(f64::INFINITY);
        assert_eq!(sketch.count(), 0);
        assert_eq!(sketch.quantile(0.5).unwrap(), None);
        let back = QuantileSketch::from_json(&sketch.to_json()).unwrap();
        assert_eq!(back.count(), 0);
        assert!(sketch.quantile(1.5).unwrap_err().to_string().contains("not between 0 and 1"));
    }

    #[test]
    fn damaged_sketches_are_refused() {
        let mut sketch = QuantileSketch::new();
        for i in 1..100 {
            sketch.add(f64::from(i) * 0.01);
        }
        let text = sketch.to_json();
        assert_eq!(QuantileSketch::from_json(&text).unwrap().quantile(0.5).unwrap(), sketch.quantile(0.5).unwrap());
        let mut value: Value = serde_json::from_str(&text).unwrap();
        value["sketch"]["store"]["bins"] = serde_json::json!([1, 2]);
        let err = QuantileSketch::from_json(&value.to_string()).unwrap_err().to_string();
        assert!(err.contains("store does not add up"), "{err}");
        let mut value: Value = serde_json::from_str(&text).unwrap();
        value["sketch"]["store"]["max_key"] = serde_json::json!(1_000_000);
        assert!(QuantileSketch::from_json(&value.to_string()).unwrap_err().to_string().contains("keys do not fit"));
        let mut value: Value = serde_json::from_str(&text).unwrap();
        value["relative_error"] = serde_json::json!(0.05);
        assert!(QuantileSketch::from_json(&value.to_string()).is_err());
        assert!(QuantileSketch::from_json("{").unwrap_err().to_string().starts_with("not a Vitals quantile sketch"));
    }
}
