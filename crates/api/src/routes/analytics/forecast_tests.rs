//! The forecast and capacity routes on generated history whose future is known.

use axum::http::StatusCode;
use axum::Router;
use serde_json::Value;

use crate::routes::test_fixture::fixture;
use crate::routes::tests;

/// The last sample's time, ms.
const END: i64 = 1_700_000_000_000;
const STEP: i64 = 300_000;
const DAY: i64 = 86_400_000;

/// `tests::call` with a form body, answering the status and the JSON (or the text, when
/// it is not JSON).
async fn call(app: &Router, method: &str, uri: &str, body: String) -> (StatusCode, Value) {
    let (status, text) = tests::call(app, method, uri, &[("content-type", "application/x-www-form-urlencoded")], body).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Imports four days of five-minute samples of `name{mountpoint="/"}` = `f(minutes before END)`.
async fn import(app: &Router, name: &str, f: impl Fn(i64) -> f64) {
    let mut body = String::new();
    for i in 0..=4 * DAY / STEP {
        let t = END - 4 * DAY + i * STEP;
        body.push_str(&format!("{name}{{mountpoint=\"/\"}} {} {t}\n", f((END - t) / 60_000)));
    }
    let (status, text) = tests::import(app, &body).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
}

/// A used share: 0.2 four days ago, rising 0.005 an hour (0.68 now), with a small wiggle, so
/// it reaches 1.0 in 64 hours.
fn ramp(minutes_ago: i64) -> f64 {
    let hours = 96.0 - minutes_ago as f64 / 60.0;
    0.2 + 0.005 * hours + 0.002 * (minutes_ago as f64 * 1.7).sin()
}

#[tokio::test]
async fn a_ramp_is_full_when_its_line_says_and_the_interval_holds_that_time() {
    let f = fixture();
    import(&f.app, "used_ratio", ramp).await;
    let form = format!("query=used_ratio&end={}&history=4d&horizon=7d", END / 1000);
    let (status, body) = call(&f.app, "POST", "/api/v1/analytics/capacity", form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = &body["data"]["result"][0];
    let truth = (END + 64 * 3_600_000) as f64 / 1000.0;
    let mean = r["crossing"]["mean"].as_f64().unwrap();
    assert!((mean - truth).abs() < 3.0 * 3600.0, "mean crossing {mean}, truth {truth}: {r}");
    let (earliest, latest) = (r["crossing"]["earliest"].as_f64().unwrap(), r["crossing"]["latest"].as_f64().unwrap());
    assert!(earliest <= truth && truth <= latest, "{earliest} .. {latest} misses {truth}: {r}");
    assert_eq!(r["direction"], "rising");
    let sentence = r["sentence"].as_str().unwrap();
    assert!(sentence.starts_with("used_ratio{mountpoint=\"/\"} reaches 1 in 2.") && sentence.contains("days, 80 % interval"), "{sentence}");

    // The forecast route says the same line: 0.68 + 0.005 per hour.
    let uri = format!("/api/v1/analytics/forecast?query=used_ratio&end={}&history=4d&horizon=1d", END / 1000);
    let (status, body) = call(&f.app, "GET", &uri, String::new()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = &body["data"]["result"][0];
    let points = r["points"].as_array().unwrap();
    assert_eq!(points.len(), 288);
    let last = &points[287];
    assert_eq!(last[0].as_f64().unwrap(), (END + DAY) as f64 / 1000.0);
    assert!((last[1].as_f64().unwrap() - 0.8).abs() < 0.02, "{last}");
    assert!(last[4].as_f64().unwrap() < 0.8 && 0.8 < last[5].as_f64().unwrap(), "{last}");
}

#[tokio::test]
async fn a_daily_season_is_forecast_by_a_seasonal_model() {
    let f = fixture();
    let wave = |minutes_ago: i64| 50.0 + 10.0 * (minutes_ago as f64 * std::f64::consts::TAU / 1440.0).cos();
    import(&f.app, "load", |m| wave(m) + 0.3 * (m as f64 * 2.3).sin()).await;
    let uri = format!("/api/v1/analytics/forecast?query=load&end={}&history=4d&horizon=1d", END / 1000);
    let (status, body) = call(&f.app, "GET", &uri, String::new()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = &body["data"]["result"][0];
    assert_eq!(r["model"], "mstl", "{}", r["detail"]);
    assert!(r["periods"].as_array().unwrap().contains(&Value::from(86_400.0)), "{}", r["periods"]);
    let points = r["points"].as_array().unwrap();
    let mae = points
        .iter()
        .map(|p| {
            let minutes_after = (p[0].as_f64().unwrap() * 1000.0 - END as f64) / 60_000.0;
            (p[1].as_f64().unwrap() - wave(-(minutes_after as i64))).abs()
        })
        .sum::<f64>()
        / points.len() as f64;
    assert!(mae < 1.5, "mean absolute error {mae} against a daily wave of amplitude 10");
}

#[tokio::test]
async fn bad_parameters_and_short_series_are_said_so() {
    let f = fixture();
    let (status, body) = call(&f.app, "GET", "/api/v1/analytics/forecast?query=up&horizon=soon", String::new()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("\"horizon\""), "{body}");
    let (status, body) = call(&f.app, "GET", "/api/v1/analytics/capacity?query=up&threshold=full", String::new()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("\"threshold\""), "{body}");
    let (_, _) = call(&f.app, "POST", "/api/v1/import/prometheus", format!("few 1 {}\nfew 2 {}\n", END - STEP, END)).await;
    let uri = format!("/api/v1/analytics/forecast?query=few&end={}&history=1h&step=300&horizon=1h", END / 1000);
    let (status, body) = call(&f.app, "GET", &uri, String::new()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"]["result"][0]["error"],
        "a forecast needs at least 10 points, got 2 (at a step of 300 s; a shorter step or history gives more points)"
    );
}
