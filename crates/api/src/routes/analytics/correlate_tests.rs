//! Tests of `/api/v1/analytics/correlate` and `/api/v1/analytics/percentiles` on
//! generated stored data whose right answers are known.

use std::fmt::Write;

use axum::http::StatusCode;
use axum::Router;
use serde_json::Value;

use crate::routes::test_fixture::fixture;
use crate::routes::tests::{get, import, json, q};

/// 10 minutes at 1 s, from here (ms).
const T0: i64 = 1_700_000_000_000;
const POINTS: usize = 600;
const LAG: usize = 12;

fn noise(seed: u64, n: usize) -> Vec<f64> {
    let mut x = seed;
    let mut walk = 0.0;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            walk = 0.8 * walk + (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            walk
        })
        .collect()
}

/// Six `load` series; host "d" shifts up by 3 in the last 2 minutes. `follower` is host
/// "a"'s load `LAG` seconds later. `requests_total` counters: "steady" at 10/s, while
/// "busy" goes from 10/s to 30/s in the last 2 minutes.
fn data() -> String {
    let mut body = String::from("# TYPE requests_total counter\n");
    let hosts = ["a", "b", "c", "d", "e", "f"];
    let loads: Vec<Vec<f64>> = (0..hosts.len()).map(|h| noise(h as u64 + 1, POINTS)).collect();
    for (h, host) in hosts.iter().enumerate() {
        for (i, v) in loads[h].iter().enumerate() {
            // Around 2, as load averages are; "d" at 5 in the last 2 minutes.
            let v = if *host == "d" && i >= POINTS - 120 { v + 5.0 } else { v + 2.0 };
            writeln!(body, "load{{host=\"{host}\"}} {v} {}", T0 + i as i64 * 1000).unwrap();
        }
    }
    for i in 0..POINTS {
        let v = if i >= LAG { 5.0 + 2.0 * loads[0][i - LAG] } else { 5.0 };
        writeln!(body, "follower {v} {}", T0 + i as i64 * 1000).unwrap();
    }
    let (mut steady, mut busy) = (1e6, 1e3);
    for i in 0..POINTS {
        steady += 10.0;
        busy += if i >= POINTS - 120 { 30.0 } else { 10.0 };
        writeln!(body, "requests_total{{kind=\"steady\"}} {steady} {}", T0 + i as i64 * 1000).unwrap();
        writeln!(body, "requests_total{{kind=\"busy\"}} {busy} {}", T0 + i as i64 * 1000).unwrap();
    }
    body
}

fn secs(ms: i64) -> String {
    format!("{}", ms as f64 / 1000.0)
}

async fn ok(app: &Router, uri: &str) -> Value {
    let (status, body) = get(app, uri).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    json(&body)["data"].clone()
}

#[tokio::test]
async fn the_shifted_series_ranks_first() {
    let f = fixture();
    assert_eq!(import(&f.app, &data()).await.0, StatusCode::NO_CONTENT);
    let window = format!("start={}&end={}&step=1s", secs(T0 + 480_000), secs(T0 + 599_000));
    let data = ok(&f.app, &format!("/api/v1/analytics/correlate?query=load&{window}&limit=3")).await;
    assert_eq!(data["mode"], "change");
    assert_eq!(data["method"], "ks");
    // The default baseline: 4 windows (of 120 points) just before.
    let baseline = (data["baseline"]["start"].as_f64(), data["baseline"]["end"].as_f64());
    assert_eq!(baseline, (Some(T0 as f64 / 1000.0), Some((T0 + 479_000) as f64 / 1000.0)));
    assert_eq!(data["series"], 6);
    let result = data["result"].as_array().unwrap();
    assert_eq!(result.len(), 3);
    assert_eq!(result[0]["metric"], json(r#"{"__name__":"load","host":"d"}"#));
    assert_eq!(result[0]["score"], 1.0);
    assert!(result[0]["p_value"].as_f64().unwrap() < 1e-20, "{result:?}");
    assert!((result[0]["mean_after"].as_f64().unwrap() - result[0]["mean_before"].as_f64().unwrap() - 3.0).abs() < 0.3);
    assert_eq!((result[0]["points_before"].as_u64(), result[0]["points_after"].as_u64()), (Some(480), Some(120)));
    assert!(result[1]["score"].as_f64().unwrap() < 0.5, "{result:?}");

    // Volume, with an explicit baseline, by POST.
    let data = ok(
        &f.app,
        &format!(
            "/api/v1/analytics/correlate?query=load&{window}&baseline_start={}&baseline_end={}&method=volume",
            secs(T0),
            secs(T0 + 200_000)
        ),
    )
    .await;
    assert_eq!(data["result"][0]["metric"]["host"], "d");
    assert!(data["result"][0]["p_value"].is_null());
    assert_eq!(data["result"].as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn counters_are_compared_by_their_increases() {
    let f = fixture();
    import(&f.app, &data()).await;
    let window = format!("start={}&end={}&step=1s", secs(T0 + 480_000), secs(T0 + 599_000));
    let data = ok(&f.app, &format!("/api/v1/analytics/correlate?query=requests_total&{window}")).await;
    let result = data["result"].as_array().unwrap();
    assert_eq!(result[0]["metric"]["kind"], "busy");
    assert_eq!(result[0]["counter"], true);
    assert_eq!((result[0]["mean_before"].as_f64(), result[0]["mean_after"].as_f64()), (Some(10.0), Some(30.0)));
    // The steady counter's level grew too, but not its rate: no change.
    assert_eq!(result[1]["metric"]["kind"], "steady");
    assert_eq!(result[1]["score"], 0.0);
}

#[tokio::test]
async fn a_lagged_copy_is_found_at_its_lag() {
    let f = fixture();
    import(&f.app, &data()).await;
    let window = format!("start={}&end={}&step=1s", secs(T0), secs(T0 + 599_000));
    let uri = format!(
        "/api/v1/analytics/correlate?target={}&query={}&{window}&max_lag=1m",
        q("load{host=\"a\"}"),
        q("{__name__=~\"load|follower\"}")
    );
    let data = ok(&f.app, &uri).await;
    assert_eq!(data["mode"], "lagged");
    assert_eq!(data["target"], json(r#"{"__name__":"load","host":"a"}"#));
    assert_eq!(data["max_lag"], 60.0);
    // The target itself is not among the others.
    assert_eq!(data["series"], 6);
    let top = &data["result"][0];
    assert_eq!(top["metric"], json(r#"{"__name__":"follower"}"#));
    assert_eq!(top["pearson"]["lag"], LAG as f64);
    assert_eq!(top["pearson"]["lag_steps"], LAG);
    assert!(top["pearson"]["r"].as_f64().unwrap() > 0.999, "{top}");
    assert_eq!(top["spearman"]["lag"], LAG as f64);
    assert!(data["result"][1]["score"].as_f64().unwrap() < 0.5, "{data}");
}

#[tokio::test]
async fn bad_requests_say_what_was_wrong() {
    let f = fixture();
    import(&f.app, &data()).await;
    let window = format!("start={}&end={}&step=1s", secs(T0), secs(T0 + 599_000));
    for (params, message) in [
        (format!("target=load&{window}"), "invalid parameter \"target\": the expression must give exactly one series, it gave 6"),
        (
            format!("target=follower&{window}&max_lag=10m"),
            "invalid parameter \"max_lag\": a lag of 600 steps is more than half the window's 600 points",
        ),
        (format!("target=follower&{window}&method=kendall"), "invalid parameter \"method\": unknown correlation method \"kendall\""),
        (format!("{window}&method=ttest"), "invalid parameter \"method\": unknown change method \"ttest\""),
        (format!("{window}&baseline_start={}&baseline_end={}", secs(T0 + 10_000), secs(T0)), "invalid parameter \"baseline_end\""),
        (format!("query={}&{window}", q("sum(")), "invalid parameter \"query\""),
    ] {
        let (status, body) = get(&f.app, &format!("/api/v1/analytics/correlate?{params}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let error = json(&body)["error"].as_str().unwrap().to_owned();
        assert!(error.starts_with(message), "{error} does not start with {message}");
    }
}

#[tokio::test]
async fn percentiles_of_raw_samples_per_series_and_merged() {
    let f = fixture();
    // Durations 1..=1000 ms for path "/a", 1001..=2000 ms for "/b", one per second.
    let mut body = String::new();
    for i in 0..1000 {
        let t = T0 + i * 1000;
        writeln!(body, "request_seconds{{path=\"/a\"}} {} {t}", (i + 1) as f64 / 1000.0).unwrap();
        writeln!(body, "request_seconds{{path=\"/b\"}} {} {t}", (i + 1001) as f64 / 1000.0).unwrap();
    }
    import(&f.app, &body).await;
    // start is exclusive: from just before the first sample.
    let window = format!("start={}&end={}", secs(T0 - 1), secs(T0 + 999_000));
    let data = ok(&f.app, &format!("/api/v1/analytics/percentiles?query=request_seconds&{window}")).await;
    assert_eq!(data["relative_error"], 0.01);
    assert_eq!(data["samples"], "raw");
    // Within the stated 1 % (a value on a bucket's edge is off by exactly that).
    let close = |v: &Value, exact: f64| (v.as_f64().unwrap() - exact).abs() <= 0.01 * exact * (1.0 + 1e-9);
    let a = &data["series"][0];
    assert_eq!(a["metric"]["path"], "/a");
    assert_eq!((a["count"].as_u64(), a["min"].as_f64(), a["max"].as_f64()), (Some(1000), Some(0.001), Some(1.0)));
    // Rank floor(q * 999) of 1..=1000 ms.
    for (name, exact) in [("p50", 0.5), ("p95", 0.950), ("p99", 0.990), ("p99.9", 0.999)] {
        assert!(close(&a[name], exact), "{name}: {} vs {exact}", a[name]);
    }
    let merged = data["merged"].as_array().unwrap();
    assert_eq!(merged.len(), 1);
    assert_eq!(merged[0]["metric"], json("{}"));
    assert_eq!(merged[0]["count"], 2000);
    assert!(close(&merged[0]["p50"], 1.0) && close(&merged[0]["p99"], 1.980), "{}", merged[0]);

    let data = ok(&f.app, &format!("/api/v1/analytics/percentiles?query=request_seconds&{window}&by=path")).await;
    let merged = data["merged"].as_array().unwrap();
    assert_eq!(merged.len(), 2);
    assert_eq!(merged[1]["metric"], json(r#"{"path":"/b"}"#));
    assert!(close(&merged[1]["p95"], 1.950));

    // An expression: sampled every step instead.
    let data = ok(&f.app, &format!("/api/v1/analytics/percentiles?query={}&{window}&step=10s", q("request_seconds * 1000"))).await;
    assert_eq!(data["samples"], "step");
    assert_eq!(data["series"][0]["count"], 100);
    let (status, body) = get(&f.app, "/api/v1/analytics/percentiles").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("invalid parameter \\\"query\\\""), "{body}");
}
