//! `/api/v1/analytics/changepoints` and `/api/v1/analytics/trend` on stored series with a
//! known step and a known slope.

use serde_json::Value;

use crate::routes::test_fixture::{fixture, Fixture};
use crate::routes::tests::{get, import, json, q};

/// First sample time, ms; samples every minute.
const T0: i64 = 1_700_000_000_000;
const POINTS: i64 = 300;

/// Deterministic noise in [-0.5, 0.5).
fn noise(i: i64) -> f64 {
    ((i * 7919 + 13) % 101) as f64 / 101.0 - 0.5
}

/// A router over a store holding `latency_seconds` (1.0, then 1.5 from point 180 on, with
/// noise of +-0.05) and `disk_used_bytes` (rising 1000 bytes a minute, with noise of +-500).
async fn stored() -> Fixture {
    let f = fixture();
    let mut body = String::new();
    for i in 0..POINTS {
        let t = T0 + i * 60_000;
        let level = if i < 180 { 1.0 } else { 1.5 };
        body.push_str(&format!("latency_seconds{{job=\"bench\"}} {} {t}\n", level + 0.1 * noise(i)));
        body.push_str(&format!("disk_used_bytes{{job=\"node\"}} {} {t}\n", 1e9 + 1000.0 * i as f64 + 1000.0 * noise(i + 7)));
    }
    let (status, text) = import(&f.app, &body).await;
    assert!(status.is_success(), "{text}");
    f
}

fn window() -> String {
    format!("start={}&end={}&step=60", T0 / 1000, (T0 + (POINTS - 1) * 60_000) / 1000)
}

#[tokio::test]
async fn change_points_of_a_stored_step() {
    let f = stored().await;
    let (status, body) = get(&f.app, &format!("/api/v1/analytics/changepoints?query={}&{}", q("latency_seconds"), window())).await;
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    let series = &v["data"]["result"][0];
    assert_eq!(series["metric"], json(r#"{"__name__":"latency_seconds","job":"bench"}"#));
    assert_eq!(series["points"], 300);
    let cps = series["change_points"].as_array().unwrap();
    assert_eq!(cps.len(), 1, "{body}");
    let cp = &cps[0];
    assert_eq!(cp["time"].as_f64().unwrap(), ((T0 + 180 * 60_000) / 1000) as f64);
    assert_eq!(cp["direction"], "up");
    assert!((cp["change_percent"].as_f64().unwrap() - 50.0).abs() < 1.0, "{cp}");
    assert!((cp["mean_before"].as_f64().unwrap() - 1.0).abs() < 0.01 && (cp["mean_after"].as_f64().unwrap() - 1.5).abs() < 0.01);
    assert!(cp["p_value"].as_f64().unwrap() < 1e-10, "{cp}");
    assert_eq!((v["data"]["p_value"].as_f64(), v["data"]["min_size"].as_u64()), (Some(0.001), Some(5)));

    // The flat part alone has none.
    let (_, body) = get(&f.app, &format!("/api/v1/analytics/changepoints?query={}&{}", q("latency_seconds < 1.2"), window())).await;
    assert_eq!(json(&body)["data"]["result"][0]["change_points"], json("[]"), "{body}");
}

#[tokio::test]
async fn trend_of_a_stored_slope() {
    let f = stored().await;
    let (status, body) = get(&f.app, &format!("/api/v1/analytics/trend?query={}&{}", q("disk_used_bytes"), window())).await;
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    let s = &v["data"]["result"][0];
    let per_second = s["slope_per_second"].as_f64().unwrap();
    assert!((per_second - 1000.0 / 60.0).abs() < 0.2, "{s}");
    assert!((s["slope_per_day"].as_f64().unwrap() - 1_440_000.0).abs() < 20_000.0, "{s}");
    let interval: Vec<f64> = s["interval_per_second"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    assert!(interval[0] < per_second && per_second < interval[1], "{s}");
    assert_eq!(s["verdict"], "increasing");
    assert_eq!(s["exact"], true);
    assert!(s["mann_kendall"]["p_value"].as_f64().unwrap() < 1e-10 && s["mann_kendall"]["tau"].as_f64().unwrap() > 0.9, "{s}");

    // The latency before its step is flat.
    let (_, body) = get(&f.app, &format!("/api/v1/analytics/trend?query={}&{}", q("latency_seconds < 1.2"), window())).await;
    assert_eq!(json(&body)["data"]["result"][0]["verdict"], "no trend", "{body}");

    // Two points are too few: the series says why.
    let uri = format!("/api/v1/analytics/trend?query=disk_used_bytes&start={}&end={}&step=60", T0 / 1000, T0 / 1000 + 60);
    let (status, body) = get(&f.app, &uri).await;
    assert_eq!(status, 200, "{body}");
    let s = &json(&body)["data"]["result"][0];
    assert_eq!((s["points"].as_u64(), s["error"].as_str()), (Some(2), Some("a trend needs at least 3 points, got 2")), "{body}");
}

#[tokio::test]
async fn bad_parameters_are_named() {
    let f = stored().await;
    let cases = [
        (
            "/api/v1/analytics/changepoints?query=latency_seconds&p_value=abc",
            "invalid parameter \"p_value\": \"abc\" is not a number; give one such as 0.001",
        ),
        (
            "/api/v1/analytics/changepoints?query=latency_seconds&p_value=2",
            "invalid parameter \"p_value\": p_value must be between 0 and 1 (exclusive), got 2",
        ),
        ("/api/v1/analytics/changepoints?query=latency_seconds&min_size=x", "invalid parameter \"min_size\": \"x\" is not a whole number"),
        ("/api/v1/analytics/changepoints", "invalid parameter \"query\": give a PromQL expression"),
        (
            "/api/v1/analytics/trend?query=disk_used_bytes&alpha=0",
            "invalid parameter \"alpha\": \"0\" is not a number between 0 and 1 (exclusive)",
        ),
    ];
    for (uri, want) in cases {
        let (status, body) = get(&f.app, uri).await;
        assert_eq!(status, 400, "{uri}: {body}");
        let v: Value = json(&body);
        assert_eq!(v["error"], want, "{uri}");
    }
}
