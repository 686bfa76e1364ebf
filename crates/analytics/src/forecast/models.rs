//! The candidate models, each fitted to a standardised gap-free history and asked for
//! `horizon` steps with 80 % and 95 % intervals: the linear trend (here), ETS chosen by AICc
//! among the additive non-seasonal forms (augurs' AutoETS), and MSTL (augurs) with that ETS
//! on the seasonally adjusted series.

use augurs::ets::AutoETS;
use augurs::mstl::MSTLModel;
use augurs::{Fit, Forecast as AugursForecast, Predict};

use super::{linear, Point};

/// One of the models a forecast chooses from.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Candidate {
    /// Least-squares line.
    Linear,
    /// Exponential smoothing without seasons.
    Ets,
    /// Seasonal decomposition with these periods, then ETS on the rest.
    Mstl(Vec<usize>),
}

/// The forecast of one candidate and its exact form (such as `ETS(A,Ad,N)`).
pub(super) struct Fitted {
    /// One point per horizon step.
    pub points: Vec<Point>,
    /// The form the fit took.
    pub detail: String,
}

/// Fits `candidate` to `y` and forecasts `horizon` steps.
pub(super) fn fit(candidate: &Candidate, y: &[f64], horizon: usize) -> Result<Fitted, String> {
    let fitted = match candidate {
        Candidate::Linear => Fitted { points: linear::forecast(y, horizon)?, detail: "linear".to_owned() },
        Candidate::Ets => {
            let model = AutoETS::non_seasonal().fit(y).map_err(|e| format!("ETS: {e}"))?;
            let detail = format!("ETS({}{})", model.model().model_type(), if model.model().damped() { ", damped" } else { "" });
            let p80 = model.predict(horizon, 0.8).map_err(|e| format!("ETS: {e}"))?;
            let p95 = model.predict(horizon, 0.95).map_err(|e| format!("ETS: {e}"))?;
            Fitted { points: join(&p80, &p95)?, detail }
        }
        Candidate::Mstl(periods) => {
            let model =
                MSTLModel::new(periods.clone(), AutoETS::non_seasonal().into_trend_model()).fit(y).map_err(|e| format!("MSTL: {e}"))?;
            let p80 = model.predict(horizon, 0.8).map_err(|e| format!("MSTL: {e}"))?;
            let p95 = model.predict(horizon, 0.95).map_err(|e| format!("MSTL: {e}"))?;
            let list: Vec<String> = periods.iter().map(usize::to_string).collect();
            Fitted { points: join(&p80, &p95)?, detail: format!("MSTL({})+ETS", list.join(",")) }
        }
    };
    if fitted.points.len() != horizon || fitted.points.iter().any(|p| !p.is_finite()) {
        return Err(format!("{} gave no usable forecast", fitted.detail));
    }
    Ok(fitted)
}

/// The points of an 80 % and a 95 % forecast of the same model.
fn join(p80: &AugursForecast, p95: &AugursForecast) -> Result<Vec<Point>, String> {
    let (Some(i80), Some(i95)) = (&p80.intervals, &p95.intervals) else {
        return Err("the model gave no prediction intervals".to_owned());
    };
    Ok(p80
        .point
        .iter()
        .zip(i80.lower.iter().zip(&i80.upper))
        .zip(i95.lower.iter().zip(&i95.upper))
        .map(|((&mean, (&lo80, &hi80)), (&lo95, &hi95))| Point { mean, lo80, hi80, lo95, hi95 })
        .collect())
}
