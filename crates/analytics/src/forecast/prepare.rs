//! Gaps: a grid read from the store has NaN where a series had no value. Leading gaps are
//! dropped (the history starts at the first value), interior gaps are filled by straight
//! lines between their neighbours (the models need a regular series, and a line is the
//! least committal guess), and trailing gaps are counted so that the forecast still starts
//! at the grid point after the last one.

use crate::AnalyticsError;

/// Most of a history that may be gaps before the series is refused as too gappy.
const MAX_GAP_SHARE: f64 = 0.5;

/// A history ready for the models: no gaps, plus how many grid points followed the last value.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct History {
    /// The values from the first to the last finite one, gaps filled.
    pub values: Vec<f64>,
    /// Grid points after the last finite value.
    pub trailing: usize,
}

/// Fills the interior gaps of `grid`; see the module doc.
pub(super) fn prepare(grid: &[f64]) -> Result<History, AnalyticsError> {
    let Some(first) = grid.iter().position(|v| v.is_finite()) else {
        return Err(AnalyticsError::TooShort { what: "a forecast", needed: super::MIN_POINTS, got: 0 });
    };
    let last = grid.iter().rposition(|v| v.is_finite()).unwrap_or(first);
    let span = &grid[first..=last];
    let gaps = span.iter().filter(|v| !v.is_finite()).count();
    let present = span.len() - gaps;
    if present < super::MIN_POINTS {
        return Err(AnalyticsError::TooShort { what: "a forecast", needed: super::MIN_POINTS, got: present });
    }
    if gaps as f64 > MAX_GAP_SHARE * span.len() as f64 {
        return Err(AnalyticsError::Invalid(format!(
            "the history is too gappy to forecast: {gaps} of {} points between its first and last value are missing",
            span.len()
        )));
    }
    let mut values = span.to_vec();
    let mut before = 0;
    let mut i = 1;
    while i < values.len() {
        if values[i].is_finite() {
            before = i;
            i += 1;
            continue;
        }
        let after = (i..values.len()).find(|&j| values[j].is_finite()).unwrap_or(values.len() - 1);
        let (a, b) = (values[before], values[after]);
        let width = (after - before) as f64;
        for (k, slot) in values.iter_mut().enumerate().take(after).skip(i) {
            *slot = a + (b - a) * (k - before) as f64 / width;
        }
        i = after;
    }
    Ok(History { values, trailing: grid.len() - 1 - last })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_lines_and_ends_are_trimmed() {
        let nan = f64::NAN;
        let mut grid = vec![nan, 1.0, nan, nan, 4.0];
        grid.extend((5..20).map(f64::from));
        grid.extend([nan, nan]);
        let h = prepare(&grid).unwrap();
        assert_eq!(&h.values[..5], &[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(h.values.len(), 19);
        assert_eq!(h.trailing, 2);
    }

    #[test]
    fn empty_short_and_gappy_are_refused() {
        assert_eq!(prepare(&[f64::NAN; 4]), Err(AnalyticsError::TooShort { what: "a forecast", needed: 10, got: 0 }));
        assert_eq!(prepare(&[1.0; 5]), Err(AnalyticsError::TooShort { what: "a forecast", needed: 10, got: 5 }));
        let mut gappy = vec![f64::NAN; 40];
        for v in gappy.iter_mut().step_by(3) {
            *v = 1.0;
        }
        assert!(matches!(prepare(&gappy), Err(AnalyticsError::Invalid(m)) if m.contains("too gappy")));
    }
}
