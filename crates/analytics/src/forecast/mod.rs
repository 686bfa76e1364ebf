//! Forecasts with prediction intervals, the model chosen per series by held-out error.
//!
//! The history is a regular grid (NaN where there was no value; see `prepare` for how gaps
//! are handled). It is standardised (so that byte counts in the trillions and ratios near 1
//! fit alike, and MSTL's single-precision arithmetic keeps its digits), and its seasonal
//! periods are found (`season`). Then each candidate model (linear trend, ETS, MSTL+ETS when
//! there are periods) is fitted to the first 80 % and scored on the last 20 % by its mean
//! absolute error scaled by the mean absolute one-step change of the fitted part (so 1.0
//! means "as far off, on average, as a step of the series"). The best is refitted on the
//! whole history.
//!
//! Honest intervals: the models' intervals assume their own form is right and their errors
//! normal, which machine metrics (spiky, heavy-tailed, shifting) seldom are.
//! So the chosen model's held-out errors are compared with its held-out intervals, and each
//! side of the final 80 % (95 %) intervals is scaled about the mean by the factor that would
//! have left 10 % (2.5 %) of the held-out values beyond it, up to `MAX_INTERVAL_SCALE`. Per
//! side, because such series are skewed: mostly near a floor with spikes above it. They are
//! widened, never narrowed, so on spiky series they err on the wide side.

mod linear;
mod models;
mod prepare;
mod season;

use models::Candidate;

use crate::AnalyticsError;

/// Fewest values a history needs.
pub const MIN_POINTS: usize = 10;
/// The standard normal quantile for a central 80 % interval.
const Z80: f64 = 1.281_551_565_544_600_4;
/// The standard normal quantile for a central 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;
/// Least factor the intervals are scaled by: they are never narrowed, as the held-out part
/// is short and its errors correlated, and may have been calmer than what follows (with
/// narrowing, the 95 % intervals of the wandering series in the tests covered 85 %).
const MIN_INTERVAL_SCALE: f64 = 1.0;
/// Most factor the intervals are scaled by.
const MAX_INTERVAL_SCALE: f64 = 10.0;
/// Share of the history held out to choose the model.
const HOLDOUT_SHARE: f64 = 0.2;

/// One forecast step: the mean and the 80 % and 95 % prediction intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The mean forecast.
    pub mean: f64,
    /// Lower bound of the 80 % interval.
    pub lo80: f64,
    /// Upper bound of the 80 % interval.
    pub hi80: f64,
    /// Lower bound of the 95 % interval.
    pub lo95: f64,
    /// Upper bound of the 95 % interval.
    pub hi95: f64,
}

impl Point {
    fn is_finite(&self) -> bool {
        [self.mean, self.lo80, self.hi80, self.lo95, self.hi95].iter().all(|v| v.is_finite())
    }

    /// The point with every value `v` replaced by `v * scale + shift`.
    fn unscale(self, scale: f64, shift: f64) -> Point {
        let f = |v: f64| v * scale + shift;
        Point { mean: f(self.mean), lo80: f(self.lo80), hi80: f(self.hi80), lo95: f(self.lo95), hi95: f(self.hi95) }
    }
}

/// The kind of model a forecast chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ModelKind {
    /// The history was constant: so is the forecast, with no spread.
    Constant,
    /// A least-squares line.
    Linear,
    /// Exponential smoothing (ETS), the form chosen by AICc.
    Ets,
    /// Seasonal decomposition (MSTL) with ETS on the seasonally adjusted series.
    Mstl,
}

impl ModelKind {
    /// The name used in answers: `constant`, `linear`, `ets` or `mstl`.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Constant => "constant",
            ModelKind::Linear => "linear",
            ModelKind::Ets => "ets",
            ModelKind::Mstl => "mstl",
        }
    }
}

/// A forecast of one series.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// The model chosen.
    pub model: ModelKind,
    /// Its exact form, such as `ETS(AAdN)` or `MSTL(288)+ETS(ANN)`.
    pub detail: String,
    /// The seasonal periods found in the history, in grid steps.
    pub periods: Vec<usize>,
    /// The chosen model's held-out error (mean absolute error over the last 20 % of the
    /// history, fitted on the rest, over the mean absolute one-step change); 0 for constant.
    pub holdout_error: f64,
    /// Factors by which the lower and upper sides of the 80 % and the 95 % interval (in
    /// that order) were scaled about the mean after the held-out check (1: as the model
    /// gave them).
    pub interval_scale: [f64; 4],
    /// One point per grid step after the history's last grid point.
    pub points: Vec<Point>,
}

/// Forecasts `horizon` grid steps after the end of `grid` (one value per step of
/// `step_seconds`, NaN for no value).
pub fn forecast(grid: &[f64], step_seconds: f64, horizon: usize) -> Result<Forecast, AnalyticsError> {
    if horizon == 0 {
        return Err(AnalyticsError::Invalid("the horizon must be at least one step".to_owned()));
    }
    if !(step_seconds.is_finite() && step_seconds > 0.0) {
        return Err(AnalyticsError::Invalid(format!("the step must be a positive number of seconds, got {step_seconds}")));
    }
    let history = prepare::prepare(grid)?;
    let steps = horizon + history.trailing;
    let y = &history.values;
    let (mean, sd) = moments(y)?;
    if sd <= f64::EPSILON * mean.abs() || sd == 0.0 {
        let p = Point { mean, lo80: mean, hi80: mean, lo95: mean, hi95: mean };
        return Ok(Forecast {
            model: ModelKind::Constant,
            detail: "constant".to_owned(),
            periods: Vec::new(),
            holdout_error: 0.0,
            interval_scale: [1.0; 4],
            points: vec![p; horizon],
        });
    }
    let z: Vec<f64> = y.iter().map(|v| (v - mean) / sd).collect();
    let periods = season::periods(&z, step_seconds);
    let chosen = choose(&z, &periods)?;
    let mut last_error = String::new();
    for (candidate, holdout_error, widen) in chosen {
        match models::fit(&candidate, &z, steps) {
            Ok(fitted) => {
                let points: Vec<Point> = fitted.points[history.trailing..].iter().map(|p| widen.apply(*p).unscale(sd, mean)).collect();
                if !points.iter().all(Point::is_finite) {
                    return Err(AnalyticsError::Invalid(format!(
                        "the forecast of values this large (mean {mean:e}, standard deviation {sd:e}) overflows a 64-bit float"
                    )));
                }
                let model = match candidate {
                    Candidate::Linear => ModelKind::Linear,
                    Candidate::Ets => ModelKind::Ets,
                    Candidate::Mstl(_) => ModelKind::Mstl,
                };
                return Ok(Forecast {
                    model,
                    detail: fitted.detail,
                    periods,
                    holdout_error,
                    interval_scale: [widen.lo80, widen.hi80, widen.lo95, widen.hi95],
                    points,
                });
            }
            Err(e) => last_error = e,
        }
    }
    Err(AnalyticsError::Invalid(format!("no model could be fitted to the history: {last_error}")))
}

/// The mean and the standard deviation of `y` (not empty, finite values), computed on the
/// values divided by the largest magnitude so that sums of values near `f64::MAX` do not
/// overflow; an error when the standard deviation itself overflows.
fn moments(y: &[f64]) -> Result<(f64, f64), AnalyticsError> {
    let scale = y.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if scale == 0.0 {
        return Ok((0.0, 0.0));
    }
    let n = y.len() as f64;
    let mean = y.iter().map(|v| v / scale).sum::<f64>() / n;
    let sd = (y.iter().map(|v| (v / scale - mean).powi(2)).sum::<f64>() / n).sqrt();
    let (mean, sd) = (mean * scale, sd * scale);
    if !sd.is_finite() {
        return Err(AnalyticsError::Invalid(format!(
            "the values' spread overflows a 64-bit float (values up to {scale:e} in magnitude); scale the series down"
        )));
    }
    Ok((mean, sd))
}

/// How much to scale each side of the 80 % and 95 % intervals about the mean.
#[derive(Debug, Clone, Copy)]
struct Widening {
    lo80: f64,
    hi80: f64,
    lo95: f64,
    hi95: f64,
}

impl Widening {
    /// From a model's held-out forecast and the held-out values.
    fn new(points: &[Point], actual: &[f64]) -> Widening {
        Widening {
            lo80: side_scale(points, actual, |p| p.mean - p.lo80, -1.0, 0.8),
            hi80: side_scale(points, actual, |p| p.hi80 - p.mean, 1.0, 0.8),
            lo95: side_scale(points, actual, |p| p.mean - p.lo95, -1.0, 0.95),
            hi95: side_scale(points, actual, |p| p.hi95 - p.mean, 1.0, 0.95),
        }
    }

    fn apply(self, p: Point) -> Point {
        let lo80 = p.mean - (p.mean - p.lo80) * self.lo80;
        let hi80 = p.mean + (p.hi80 - p.mean) * self.hi80;
        Point {
            mean: p.mean,
            lo80,
            hi80,
            lo95: (p.mean - (p.mean - p.lo95) * self.lo95).min(lo80),
            hi95: (p.mean + (p.hi95 - p.mean) * self.hi95).max(hi80),
        }
    }
}

/// The candidates that could be fitted on the first 80 % of `z`, best held-out error first,
/// each with its error and the scaling its held-out intervals needed.
fn choose(z: &[f64], periods: &[usize]) -> Result<Vec<(Candidate, f64, Widening)>, AnalyticsError> {
    let n = z.len();
    let hold = ((n as f64 * HOLDOUT_SHARE).round() as usize).max(1);
    let (train, test) = z.split_at(n - hold);
    let step_change = train.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (train.len() - 1) as f64;
    // A flat fitted part followed by a change: scale by the standardised unit instead.
    let scale = if step_change > 0.0 { step_change } else { 1.0 };
    let mut candidates = vec![Candidate::Linear, Candidate::Ets];
    let seasonal: Vec<usize> = periods.iter().copied().filter(|&p| train.len() >= 2 * p).collect();
    if !seasonal.is_empty() {
        candidates.push(Candidate::Mstl(seasonal));
    }
    let mut scored = Vec::new();
    let mut last_error = String::new();
    for candidate in candidates {
        match models::fit(&candidate, train, hold) {
            Ok(fitted) => {
                let error = fitted.points.iter().zip(test).map(|(p, v)| (v - p.mean).abs()).sum::<f64>() / hold as f64;
                let widen = Widening::new(&fitted.points, test);
                scored.push((candidate, error / scale, widen));
            }
            Err(e) => last_error = e,
        }
    }
    if scored.is_empty() {
        return Err(AnalyticsError::Invalid(format!("no model could be fitted to the history: {last_error}")));
    }
    scored.sort_by(|a, b| a.1.total_cmp(&b.1));
    Ok(scored)
}

/// The factor by which one side of the held-out intervals at `level` (`half`: its distance
/// from the mean; `sign`: -1 for the lower side, 1 for the upper) would have to be scaled
/// for (1 - level) / 2 of the held-out values to fall beyond it, as the level claims.
fn side_scale(points: &[Point], actual: &[f64], half: fn(&Point) -> f64, sign: f64, level: f64) -> f64 {
    let mut ratios: Vec<f64> = points
        .iter()
        .zip(actual)
        .map(|(p, v)| {
            let off = ((v - p.mean) * sign).max(0.0);
            let h = half(p);
            if off == 0.0 {
                0.0
            } else if h > 0.0 {
                off / h
            } else {
                f64::INFINITY
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let q = 1.0 - (1.0 - level) / 2.0;
    let k = ((q * ratios.len() as f64).ceil() as usize).clamp(1, ratios.len()) - 1;
    let w = ratios.get(k).copied().unwrap_or(1.0);
    // A zero-width interval cannot be widened by a factor; it stays as the model gave it.
    if w.is_finite() {
        w.clamp(MIN_INTERVAL_SCALE, MAX_INTERVAL_SCALE)
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests;
