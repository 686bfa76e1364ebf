//! The analysis routes' limits and the errors at their edges: the deadline and the cap on
//! series, times at the ends of the range, overflowing options, long percentile windows,
//! capacity already past its threshold, and errors naming the right parameter.

use axum::body::Body;
use axum::extract::FromRequest;
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;
use vitals_query::{Engine, EngineOptions};
use vitals_store::{Store, StoreOptions};

use super::{Budget, Window};
use crate::params::Params;
use crate::routes::test_fixture::{self, Fixture};

/// The last sample's time, s.
const END: i64 = 1_700_000_000;
/// Samples of the fixture: one a minute for two hours.
const POINTS: i64 = 120;

/// Three series `load{host}` (a noisy level, one of them stepping up half-way), and
/// `used{mountpoint="/"}` flat at 0.95, a sample a minute for two hours up to [`END`].
async fn fixture() -> Fixture {
    let f = test_fixture::fixture();
    let mut body = String::new();
    for i in 0..POINTS {
        let t = (END - (POINTS - 1 - i) * 60) * 1000;
        let wiggle = ((i * 37) % 11) as f64 / 10.0;
        for (host, level) in [("a", 10.0), ("b", 20.0), ("c", if i < POINTS / 2 { 30.0 } else { 60.0 })] {
            body.push_str(&format!("load{{host=\"{host}\"}} {} {t}\n", level + wiggle));
        }
        body.push_str(&format!("used{{mountpoint=\"/\"}} 0.95 {t}\n"));
    }
    let (status, text) = call(&f.app, "/api/v1/import/prometheus", Some(body)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
    f
}

/// GET `uri`, or POST `body` to it; the status and the body as JSON (or as a string).
async fn call(app: &Router, uri: &str, body: Option<String>) -> (StatusCode, Value) {
    let req = match body {
        Some(b) => Request::builder().method("POST").uri(uri).body(Body::from(b)).unwrap(),
        None => Request::builder().uri(uri).body(Body::empty()).unwrap(),
    };
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The error's status, type and message.
async fn error(app: &Router, uri: &str) -> (StatusCode, String, String) {
    let (status, v) = call(app, uri, None).await;
    (status, v["errorType"].as_str().unwrap_or_default().to_owned(), v["error"].as_str().unwrap_or_default().to_owned())
}

/// Each analysis route, with the parameters it needs over the fixture's window.
fn routes() -> Vec<String> {
    let window = format!("start={}&end={END}&step=60", END - (POINTS - 1) * 60);
    vec![
        format!("/api/v1/analytics/forecast?query=load&horizon=10m&{window}"),
        format!("/api/v1/analytics/capacity?query=load&threshold=100&horizon=10m&{window}"),
        format!("/api/v1/analytics/trend?query=load&{window}"),
        format!("/api/v1/analytics/changepoints?query=load&{window}"),
        format!("/api/v1/analytics/anomalies?query=load&{window}"),
        format!("/api/v1/analytics/correlate?query=load&{window}&baseline_start={}&baseline_end={}", END - 7200, END - 3600),
        format!("/api/v1/analytics/correlate?query=load&target=load%7Bhost%3D%22a%22%7D&max_lag=5m&{window}"),
        format!("/api/v1/analytics/percentiles?query=load&start={}&end={END}", END - 7200),
    ]
}

#[tokio::test]
async fn every_analysis_has_a_deadline_and_a_cap_on_series() {
    let f = fixture().await;
    for uri in routes() {
        let (status, v) = call(&f.app, &uri, None).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {v}");
        let (status, kind, message) = error(&f.app, &format!("{uri}&timeout=0")).await;
        assert_eq!((status, kind.as_str()), (StatusCode::SERVICE_UNAVAILABLE, "timeout"), "{uri}: {message}");
        assert!(message.starts_with("query timed out in "), "{uri}: {message}");
        let (status, kind, message) = error(&f.app, &format!("{uri}&max_series=2")).await;
        assert_eq!((status, kind.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "execution"), "{uri}: {message}");
        assert!(message.starts_with("parameter \"query\" gives 3 series, more than the 2 "), "{uri}: {message}");
        assert!(message.contains("(parameter \"max_series\")"), "{uri}: {message}");
        let (status, v) = call(&f.app, &format!("{uri}&max_series=3&timeout=1h"), None).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {v}");
    }
    let (status, _, message) = error(&f.app, "/api/v1/analytics/trend?query=load&max_series=many").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(message, "invalid parameter \"max_series\": \"many\" is not a whole number (0 for no cap)");
}

#[tokio::test]
async fn the_deadline_is_checked_between_series() {
    let engine_of = || {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
        (dir, Engine::new(store, EngineOptions::default()))
    };
    let (_dir, engine) = engine_of();
    let params = |query: &'static str| async move {
        let req = Request::builder().uri(format!("/?{query}")).body(Body::empty()).unwrap();
        Params::from_request(req, &()).await.unwrap()
    };
    let budget = Budget::new(&engine, &params("timeout=1h").await, "forecast", 10).unwrap();
    assert!(budget.check(3, 10).is_ok());
    let budget = Budget::new(&engine, &params("timeout=0").await, "forecast", 10).unwrap();
    let err = budget.check(3, 10).unwrap_err();
    assert_eq!((err.status, err.error_type), (StatusCode::SERVICE_UNAVAILABLE, "timeout"));
    assert_eq!(err.message, "query timed out in forecast after 3 of 10 series (timeout 0 ms)");
}

#[tokio::test]
async fn times_at_the_ends_of_the_range_are_refused_naming_the_parameter() {
    let f = fixture().await;
    let far = "start=-9223372036854775&end=9223372036854775";
    for route in ["forecast", "capacity", "trend", "changepoints", "anomalies", "percentiles", "correlate"] {
        let (status, kind, message) = error(&f.app, &format!("/api/v1/analytics/{route}?query=load&{far}")).await;
        assert_eq!((status, kind.as_str()), (StatusCode::BAD_REQUEST, "bad_data"), "{route}: {message}");
        assert_eq!(
            message, "invalid parameter \"end\": \"9223372036854775\" is outside the times an analysis takes, the years 1 to 9999",
            "{route}"
        );
    }
    let (_, _, message) = error(&f.app, "/api/v1/analytics/trend?query=load&start=-9223372036854775").await;
    assert!(message.starts_with("invalid parameter \"start\": \"-9223372036854775\" is outside"), "{message}");
    let (_, _, message) = error(&f.app, "/api/v1/analytics/correlate?query=load&baseline_start=-9223372036854775").await;
    assert!(message.starts_with("invalid parameter \"baseline_start\": \"-9223372036854775\" is outside"), "{message}");
    // A default start reaching before the year 1.
    let (_, _, message) = error(&f.app, "/api/v1/analytics/forecast?query=load&history=5000y&end=0").await;
    assert!(message.starts_with("invalid parameter \"start\": the window would start before the year 1"), "{message}");
    // A horizon whose step count overflowed to one step.
    let (status, _, message) =
        error(&f.app, &format!("/api/v1/analytics/forecast?query=load&horizon=9223372036854775807ms&end={END}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message.starts_with("invalid parameter \"horizon\": more than 11000 steps"), "{message}");
}

#[test]
fn a_window_counts_its_points_without_overflow() {
    assert_eq!(Window { start: 0, end: 10_000, step: 1000 }.len(), 11);
    assert_eq!(Window { start: i64::MIN, end: i64::MAX, step: 1 }.len(), 0);
    assert_eq!(Window { start: 10, end: 0, step: 1 }.len(), 0);
}

#[tokio::test]
async fn a_huge_min_size_is_refused_not_a_panic() {
    let f = fixture().await;
    for extra in ["", "&window_points=0", "&window_points=5"] {
        let (status, _, message) =
            error(&f.app, &format!("/api/v1/analytics/changepoints?query=load&min_size=9223372036854775808{extra}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{message}");
        assert_eq!(message, "invalid parameter \"min_size\": min_size must be from 2 to 1000000, got 9223372036854775808");
    }
}

#[tokio::test]
async fn errors_name_the_parameter_that_is_wrong() {
    let f = fixture().await;
    let (_, _, message) = error(&f.app, "/api/v1/analytics/changepoints?query=load&window_points=3").await;
    assert_eq!(message, "invalid parameter \"window_points\": window must hold at least two segments of min_size (5) points, got 3");
    let (_, _, message) = error(&f.app, "/api/v1/analytics/changepoints?query=load&p_value=2").await;
    assert!(message.starts_with("invalid parameter \"p_value\": "), "{message}");
    for step in ["0.0001", "0", "-5"] {
        let (_, _, message) = error(&f.app, &format!("/api/v1/analytics/trend?query=load&step={step}")).await;
        assert_eq!(message, format!("invalid parameter \"step\": the step must be at least 1ms, got \"{step}\""));
    }
    let uri = format!("/api/v1/analytics/correlate?query=load&target=load%7Bhost%3D%22a%22%7D&start={}&end={END}&step=60", END - 60);
    let (status, _, message) = error(&f.app, &uri).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        message.starts_with("invalid parameter \"step\": the window gives 2 points at this step, lagged correlation needs at least 10"),
        "{message}"
    );
}

#[tokio::test]
async fn percentiles_over_windows_longer_than_2_pow_32_ms() {
    let f = fixture().await;
    // 60 days (5.2e9 ms) ending at the fixture's end: a selector's raw samples, and a subquery.
    for (query, samples, max) in [("load", "raw", 61.0), ("load*2", "step", 122.0)] {
        let uri = format!("/api/v1/analytics/percentiles?query={query}&start={}&end={END}&step=600", END - 60 * 86_400);
        let (status, v) = call(&f.app, &uri, None).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["data"]["samples"], samples);
        let merged = &v["data"]["merged"][0];
        if samples == "raw" {
            assert_eq!((merged["count"].as_i64(), merged["max"].as_f64()), (Some(3 * POINTS), Some(max)), "{v}");
        } else {
            // Every 10 minutes over the two hours of samples, at most the largest doubled.
            assert!(merged["count"].as_i64().unwrap() >= 3 * 11 && merged["max"].as_f64().unwrap() <= max, "{v}");
        }
    }
}

#[tokio::test]
async fn capacity_already_past_its_threshold_says_so() {
    let f = fixture().await;
    let window = format!("start={}&end={END}&step=60&horizon=10m", END - (POINTS - 1) * 60);
    let (status, v) = call(&f.app, &format!("/api/v1/analytics/capacity?query=used&threshold=0.9&{window}"), None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let r = &v["data"]["result"][0];
    assert_eq!(r["already"], true, "{r}");
    assert_eq!(r["direction"], "rising");
    assert_eq!(r["sentence"], "used{mountpoint=\"/\"} already above 0.9 (0.95)");
    assert_eq!(r["crossing"]["mean"], END as f64);
    // Going down: 0.95 is already below 0.99, and does not reach 0.5.
    let (_, v) = call(&f.app, &format!("/api/v1/analytics/capacity?query=used&threshold=0.99&direction=down&{window}"), None).await;
    assert_eq!(v["data"]["result"][0]["sentence"], "used{mountpoint=\"/\"} already below 0.99 (0.95)");
    let (_, v) = call(&f.app, &format!("/api/v1/analytics/capacity?query=used&threshold=0.5&direction=down&{window}"), None).await;
    assert_eq!(v["data"]["result"][0]["sentence"], "used{mountpoint=\"/\"} does not reach 0.5 within 10.0 minutes");
    let (status, _, message) = error(&f.app, &format!("/api/v1/analytics/capacity?query=used&direction=sideways&{window}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(message, "invalid parameter \"direction\": \"sideways\" is not up or down");
}
