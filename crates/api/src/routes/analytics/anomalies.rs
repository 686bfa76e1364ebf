//! `GET|POST /api/v1/analytics/anomalies`: the streaming anomaly detector run over each
//! series a PromQL expression gives on a window, in time order, as `vitals serve` runs it
//! on collected series.
//!
//! Parameters: `query` (required), the window (`start`, `end`, `step`; default the last
//! 6 hours in 720 steps) and `threshold` (0 to 1, the score at which a point is flagged;
//! default the detector's, 0.99). Points without a value are skipped (score `null`).
//!
//! Answer: `{"threshold": t, "series": [{"metric": {...}, "timestamps": [s...],
//! "scores": [...], "anomalies": [{"timestamp": s, "value": v, "score": x}...]}]}`, one
//! entry per series, timestamps in Unix seconds, `anomalies` the flagged points (the first
//! of each suppression period).

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value as Json};
use vitals_analytics::{AnomalyDetector, AnomalyParams};

use super::{evaluate, labels_json, number, seconds, success, Budget, Window, MAX_SERIES};
use crate::error::ApiError;
use crate::params::Params;
use crate::routes::blocking;
use crate::App;

/// Default span of the window: 6 hours, in ms.
const SPAN: i64 = 6 * 3600 * 1000;
/// Default number of points.
const POINTS: i64 = 720;

/// The handler.
pub(crate) async fn anomalies(State(app): State<App>, params: Params) -> Result<Response, ApiError> {
    let budget = Budget::new(&app.ready()?.engine, &params, "anomaly detection", MAX_SERIES)?;
    let window = Window::from_params(&params, SPAN, POINTS)?;
    let mut detector_params = AnomalyParams::default();
    if let Some(t) = params.get("threshold") {
        detector_params.threshold = match t.trim().parse::<f64>() {
            Ok(v) if (0.0..=1.0).contains(&v) => v,
            _ => return Err(ApiError::bad_data(format!("invalid parameter \"threshold\": {t:?} is not a number from 0 to 1"))),
        };
    }
    blocking("anomaly detection", move || {
        let grids = evaluate(&budget, &params, window)?;
        let series: Vec<Json> = grids
            .iter()
            .enumerate()
            .map(|(i, grid)| {
                budget.check(i, grids.len())?;
                let mut detector = AnomalyDetector::new(&detector_params);
                let mut timestamps = Vec::with_capacity(grid.values.len());
                let mut scores = Vec::with_capacity(grid.values.len());
                let mut flagged = Vec::new();
                for (i, &v) in grid.values.iter().enumerate() {
                    let t = window.time(i);
                    timestamps.push(seconds(t));
                    if v.is_nan() {
                        scores.push(Json::Null);
                        continue;
                    }
                    let verdict = detector.update(t, v);
                    scores.push(number(verdict.score));
                    if verdict.anomalous {
                        flagged.push(json!({"timestamp": seconds(t), "value": number(v), "score": number(verdict.score)}));
                    }
                }
                Ok(json!({"metric": labels_json(&grid.labels), "timestamps": timestamps, "scores": scores, "anomalies": flagged}))
            })
            .collect::<Result<_, ApiError>>()?;
        Ok(success(json!({"threshold": number(detector_params.threshold), "series": series})))
    })
    .await
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::Value;

    use crate::routes::test_fixture::fixture;
    use crate::routes::tests::{get, import};

    /// Start of the generated series, in s.
    const T0: i64 = 1_700_000_000;

    #[tokio::test]
    async fn a_spike_is_flagged_where_it_is() {
        let f = fixture();
        let app = f.app;
        // 600 points 15 s apart: a wobbling level, and a spike at point 500 in one of two series.
        let mut body = String::new();
        for i in 0..600_i64 {
            let calm = 20.0 + (i % 6) as f64 * 0.5;
            let spiky = if i == 500 { 90.0 } else { calm };
            let t = (T0 + i * 15) * 1000;
            body.push_str(&format!("load{{host=\"a\"}} {spiky} {t}\nload{{host=\"b\"}} {calm} {t}\n"));
        }
        let (status, text) = import(&app, &body).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
        let uri = format!("/api/v1/analytics/anomalies?query=load&start={T0}&end={}&step=15", T0 + 599 * 15);
        let (status, text) = get(&app, &uri).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        let series = v["data"]["series"].as_array().unwrap();
        assert_eq!(series.len(), 2);
        for s in series {
            assert_eq!(s["scores"].as_array().unwrap().len(), 600);
            let flagged: Vec<f64> = s["anomalies"].as_array().unwrap().iter().map(|a| a["timestamp"].as_f64().unwrap()).collect();
            let after_learning: Vec<&f64> = flagged.iter().filter(|&&t| t >= (T0 + 100 * 15) as f64).collect();
            match s["metric"]["host"].as_str().unwrap() {
                "a" => {
                    assert_eq!(after_learning, [&((T0 + 500 * 15) as f64)], "{s}");
                    assert_eq!(s["anomalies"].as_array().unwrap().last().unwrap()["value"], 90.0);
                }
                _ => assert!(after_learning.is_empty(), "the calm series was flagged at {after_learning:?}"),
            }
        }

        let (status, text) = get(&app, "/api/v1/analytics/anomalies?query=load&threshold=2").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(text.contains("invalid parameter \\\"threshold\\\""), "{text}");
    }
}
