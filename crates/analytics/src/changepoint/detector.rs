//! [`ChangePointDetector`]: a series that grows, with its change points kept up to date.

use super::merge::merge;
use super::{bisect, ChangePoint, ChangePointOptions};
use crate::AnalyticsError;

/// Holds a series and its change points; appending points redoes only the windows that
/// reach the end of the series and the merge, and gives what [`super::change_points`] on
/// the whole series gives.
#[derive(Debug, Clone)]
pub struct ChangePointDetector {
    options: ChangePointOptions,
    times: Vec<i64>,
    values: Vec<f64>,
    /// Per window (window `j` starts at `j * half`): its length when analysed, and its splits.
    windows: Vec<(usize, Vec<usize>)>,
    found: Vec<ChangePoint>,
}

impl ChangePointDetector {
    /// An empty detector, once the options are checked.
    pub fn new(options: ChangePointOptions) -> Result<ChangePointDetector, AnalyticsError> {
        options.validate()?;
        Ok(ChangePointDetector { options, times: Vec::new(), values: Vec::new(), windows: Vec::new(), found: Vec::new() })
    }

    /// The change points so far, oldest first.
    pub fn change_points(&self) -> &[ChangePoint] {
        &self.found
    }

    /// The number of points held.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no points are held.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Appends one point and updates the change points.
    pub fn push(&mut self, time: i64, value: f64) -> Result<(), AnalyticsError> {
        self.extend(&[time], &[value])
    }

    /// Appends points (`times` increasing and after the last point held, `values` finite,
    /// as many as `times`) and updates the change points once. On an error nothing is added.
    pub fn extend(&mut self, times: &[i64], values: &[f64]) -> Result<(), AnalyticsError> {
        if times.len() != values.len() {
            return Err(AnalyticsError::Invalid(format!("{} times but {} values", times.len(), values.len())));
        }
        let mut last = self.times.last().copied();
        for (i, (&t, &v)) in times.iter().zip(values).enumerate() {
            let at = self.values.len() + i;
            if !v.is_finite() {
                return Err(AnalyticsError::Invalid(format!("point {at} (time {t}) has the value {v}; give finite values")));
            }
            if last.is_some_and(|l| t <= l) {
                return Err(AnalyticsError::Invalid(format!(
                    "point {at} (time {t}) is not after the one before it; give times in increasing order"
                )));
            }
            last = Some(t);
        }
        if times.is_empty() {
            return Ok(());
        }
        self.times.extend_from_slice(times);
        self.values.extend_from_slice(values);
        self.update();
        Ok(())
    }

    /// Redoes the windows whose extent changed, then the merge.
    fn update(&mut self) {
        let n = self.values.len();
        let width = self.options.window.unwrap_or(usize::MAX);
        let half = (width / 2).max(1);
        let mut j = 0;
        loop {
            let start = j * half;
            // A window that would end inside the previous one adds nothing.
            if j > 0 && n <= ((j - 1) * half).saturating_add(width) {
                break;
            }
            let end = start.saturating_add(width).min(n);
            let len = end - start;
            if self.windows.get(j).is_none_or(|(done, _)| *done != len) {
                let splits = bisect(&self.values, start, end, &self.options);
                if j < self.windows.len() {
                    self.windows[j] = (len, splits);
                } else {
                    self.windows.push((len, splits));
                }
            }
            j += 1;
        }
        let mut candidates: Vec<usize> = self.windows.iter().flat_map(|(_, s)| s.iter().copied()).collect();
        candidates.sort_unstable();
        candidates.dedup();
        self.found = merge(&self.values, &self.times, &candidates, &self.options);
    }
}
