//! Tests of the query, metadata, status and format routes, through the router.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::Router;
use vitals_collect::{Latest, Statuses};
use vitals_query::{Engine, EngineOptions};
use vitals_state::State;
use vitals_store::{Store, StoreOptions};

use super::tests::{call, get, import, json, q, BODY};
use crate::{router, App, BuildInfo, Ready};

/// A ready app whose engine has `opts`, loaded with `BODY`.
async fn app_with(opts: EngineOptions) -> (tempfile::TempDir, Router) {
    let (dir, app, _) = app_and_engine(opts).await;
    (dir, app)
}

/// A ready app whose engine has `opts`, loaded with `BODY`, and a clone of its engine.
async fn app_and_engine(opts: EngineOptions) -> (tempfile::TempDir, Router, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
    let state = Arc::new(State::open(dir.path()).unwrap());
    let app = App::new().with_build(BuildInfo { version: "9.9.9", revision: "abc123" });
    let engine = Engine::new(store.clone(), opts);
    app.set_ready(Ready { store, state, latest: Latest::default(), collectors: Statuses::default(), engine: engine.clone() });
    let app = router(app);
    assert_eq!(import(&app, BODY).await.0, StatusCode::NO_CONTENT);
    (dir, app, engine)
}

async fn loaded() -> (tempfile::TempDir, Router) {
    app_with(EngineOptions::default()).await
}

/// GET `path?query=<expr>&<rest>`.
async fn query(app: &Router, path: &str, expr: &str, rest: &str) -> (StatusCode, String) {
    get(app, &format!("{path}?query={}&{rest}", q(expr))).await
}

#[tokio::test]
async fn instant_queries_give_prometheus_shapes() {
    let (_dir, app) = loaded().await;
    let (status, body) = query(&app, "/api/v1/query", "http_requests_total", "time=1700000001").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"http_requests_total","code":"200","job":"api"},"value":[1700000001,"7.25"]},{"metric":{"__name__":"http_requests_total","code":"500","job":"api"},"value":[1700000001,"1"]}]}}"#
    );
    let (_, body) = query(&app, "/api/v1/query", "sum by (job) (http_requests_total) / 0", "time=1700000001.5").await;
    assert_eq!(json(&body)["data"]["result"], json(r#"[{"metric":{"job":"api"},"value":[1700000001.5,"+Inf"]}]"#));
    let (_, body) = query(&app, "/api/v1/query", "1 + 1", "time=1700000000").await;
    assert_eq!(body, r#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"2"]}}"#);
    let (_, body) = query(&app, "/api/v1/query", "\"hi\"", "time=1700000000").await;
    assert_eq!(body, r#"{"status":"success","data":{"resultType":"string","result":[1700000000,"hi"]}}"#);
    let (_, body) = query(&app, "/api/v1/query", "node_load1[5m]", "time=1700000001").await;
    assert_eq!(
        json(&body)["data"],
        json(r#"{"resultType":"matrix","result":[{"metric":{"__name__":"node_load1","job":"node"},"values":[[1700000000,"0.5"]]}]}"#)
    );
    // Without `time`, now: the samples of 2023 are past the lookback.
    let (_, body) = query(&app, "/api/v1/query", "node_load1", "").await;
    assert_eq!(json(&body)["data"]["result"], json("[]"));
}

#[tokio::test]
async fn range_queries_and_post_forms() {
    let (_dir, app) = loaded().await;
    let form = format!("query={}&start=1700000000&end=1700000002&step=1s", q("sum(http_requests_total)"));
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    let (status, body) = call(&app, "POST", "/api/v1/query_range", &headers, form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000,"4"],[1700000001,"8.25"],[1700000002,"8.25"]]}]}}"#
    );
    let (_, body) = call(&app, "POST", "/api/v1/query", &headers, format!("query=node_load1&time={}", q("2023-11-14T22:13:20.5Z"))).await;
    assert_eq!(json(&body)["data"]["result"][0]["value"], json(r#"[1700000000.5,"0.5"]"#));
    // Float seconds and RFC 3339 for start and end, seconds as a float for step.
    let (_, body) =
        query(&app, "/api/v1/query_range", "node_load1", &format!("start=1700000000&end={}&step=0.5", q("2023-11-14T22:13:21Z"))).await;
    assert_eq!(json(&body)["data"]["result"][0]["values"].as_array().unwrap().len(), 3, "{body}");
}

#[tokio::test]
async fn limit_cuts_series_with_a_warning() {
    let (_dir, app) = loaded().await;
    let (_, body) = query(&app, "/api/v1/query", "http_requests_total", "time=1700000001&limit=1").await;
    let v = json(&body);
    assert_eq!(v["data"]["result"].as_array().unwrap().len(), 1);
    assert_eq!(v["warnings"], json(r#"["results truncated due to limit"]"#));
    let (_, body) = query(&app, "/api/v1/query_range", "http_requests_total", "start=1700000000&end=1700000001&step=1&limit=2").await;
    assert!(json(&body).get("warnings").is_none(), "{body}");
}

/// Status, error type and message of a query.
async fn error_of(app: &Router, path: &str, expr: &str, rest: &str) -> (StatusCode, String, String) {
    let (status, body) = query(app, path, expr, rest).await;
    let v = json(&body);
    assert_eq!(v["status"], "error", "{body}");
    (status, v["errorType"].as_str().unwrap().to_owned(), v["error"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn bad_queries_are_400_bad_data() {
    let (_dir, app) = loaded().await;
    let (status, kind, message) = error_of(&app, "/api/v1/query", "sum(rate(x[5m])", "").await;
    assert_eq!((status, kind.as_str()), (StatusCode::BAD_REQUEST, "bad_data"));
    assert_eq!(message, "invalid parameter \"query\": 1:16: parse error: unclosed left parenthesis");
    for (expr, want) in [
        ("foo(up)", "foo"),
        ("rate(up)", "expected type"),
        ("up[5m] + 1", "instant vector"),
        ("", "no expression found in input"),
        ("up{job=~\"(\"}", "("),
        ("1 +", "parse error"),
    ] {
        let (status, kind, message) = error_of(&app, "/api/v1/query", expr, "").await;
        assert_eq!((status, kind.as_str()), (StatusCode::BAD_REQUEST, "bad_data"), "{expr}: {message}");
        assert!(message.starts_with("invalid parameter \"query\": ") && message.contains(want), "{expr}: {message}");
    }
    let (status, _, message) = error_of(&app, "/api/v1/query_range", "up[5m]", "start=1&end=2&step=1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message.contains("invalid expression type \"range vector\" for range query"), "{message}");
}

#[tokio::test]
async fn parse_errors_give_the_position_as_prometheus_does() {
    let (_dir, app) = loaded().await;
    for (expr, want) in [
        ("sum(rate(x[5m])", "1:16: parse error: unclosed left parenthesis"),
        ("1 +* 2", "1:4: parse error: invalid promql query"),
        ("foo{a=\"b\"", "1:10: parse error: unexpected end of input inside braces"),
        ("up\n  + * 2", "2:5: parse error: invalid promql query"),
    ] {
        for path in ["/api/v1/query", "/api/v1/query_range"] {
            let (status, kind, message) = error_of(&app, path, expr, "start=1&end=2&step=1").await;
            assert_eq!((status, kind.as_str()), (StatusCode::BAD_REQUEST, "bad_data"), "{expr}: {message}");
            assert_eq!(message, format!("invalid parameter \"query\": {want}"), "{path} {expr:?}");
        }
    }
}

#[tokio::test]
async fn bad_parameters_are_400_with_prometheus_texts() {
    let (_dir, app) = loaded().await;
    let cases = [
        ("/api/v1/query", "time=soon", "invalid parameter \"time\": cannot parse \"soon\" to a valid timestamp"),
        ("/api/v1/query", "limit=-1", "invalid parameter \"limit\""),
        ("/api/v1/query", "timeout=fast", "invalid parameter \"timeout\": cannot parse \"fast\" to a valid duration"),
        ("/api/v1/query_range", "end=2&step=1", "invalid parameter \"start\": cannot parse \"\" to a valid timestamp"),
        ("/api/v1/query_range", "start=2&end=1&step=1", "invalid parameter \"end\": end timestamp must not be before start time"),
        ("/api/v1/query_range", "start=1&end=2", "invalid parameter \"step\": cannot parse \"\" to a valid duration"),
        (
            "/api/v1/query_range",
            "start=1&end=2&step=0",
            "invalid parameter \"step\": zero or negative query resolution step widths are not accepted",
        ),
        ("/api/v1/query_range", "start=1&end=2&step=-5s", "invalid parameter \"step\": cannot parse \"-5s\""),
        ("/api/v1/query_range", "start=0&end=11001&step=1", "exceeded maximum resolution of 11,000 points per timeseries"),
    ];
    for (path, rest, want) in cases {
        let (status, kind, message) = error_of(&app, path, "up", rest).await;
        assert_eq!((status, kind.as_str()), (StatusCode::BAD_REQUEST, "bad_data"), "{path}?{rest}: {message}");
        assert!(message.starts_with(want), "{path}?{rest}: {message}");
    }
    // 11,000 points exactly is still allowed.
    assert_eq!(query(&app, "/api/v1/query_range", "up", "start=0&end=11000&step=1").await.0, StatusCode::OK);
}

#[tokio::test]
async fn too_many_samples_is_422_and_a_timeout_503() {
    let (_dir, app) = app_with(EngineOptions { max_samples: 2, ..EngineOptions::default() }).await;
    let (status, kind, message) =
        error_of(&app, "/api/v1/query_range", "http_requests_total", "start=1700000000&end=1700000100&step=1").await;
    assert_eq!((status, kind.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "execution"));
    assert_eq!(message, "query processing would load too many samples into memory in query execution");
    // The server still answers what fits.
    assert_eq!(query(&app, "/api/v1/query", "node_load1", "time=1700000000").await.0, StatusCode::OK);

    let (_dir, app) = loaded().await;
    let heavy = "count_over_time(vector(1)[30d:1s])";
    let (status, kind, message) = error_of(&app, "/api/v1/query", heavy, "time=1700000000&timeout=0.001").await;
    assert_eq!((status, kind.as_str()), (StatusCode::SERVICE_UNAVAILABLE, "timeout"), "{message}");
    assert_eq!(message, "query timed out in expression evaluation");

    let (_dir, app) = app_with(EngineOptions { timeout: Duration::from_millis(1), ..EngineOptions::default() }).await;
    // A longer timeout in the request does not lengthen the configured one.
    assert_eq!(error_of(&app, "/api/v1/query", heavy, "time=1700000000&timeout=1h").await.0, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn only_successful_runs_with_the_configured_options_count_as_quick() {
    let (_dir, app, engine) = app_and_engine(EngineOptions::default()).await;
    let heavy = "count_over_time(vector(1)[30d:1s])";
    let t = 1_700_000_000_000;
    // A run cut short by the request's timeout finishes fast but says nothing of the next.
    assert_eq!(error_of(&app, "/api/v1/query", heavy, "time=1700000000&timeout=0").await.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(engine.last_duration(heavy, t, t, 1), None);
    // Nor does a successful run with the request's own lookback.
    assert_eq!(query(&app, "/api/v1/query", "node_load1", "time=1700000000&lookback_delta=1s").await.0, StatusCode::OK);
    assert_eq!(engine.last_duration("node_load1", t, t, 1), None);
    // A successful run with the configured options does.
    assert_eq!(query(&app, "/api/v1/query", "node_load1", "time=1700000000").await.0, StatusCode::OK);
    assert!(engine.last_duration("node_load1", t, t, 1).is_some());

    // Nor does a run failing with the configured options.
    let (_dir, app, engine) = app_and_engine(EngineOptions { max_samples: 2, ..EngineOptions::default() }).await;
    let range = "start=1700000000&end=1700000100&step=1";
    assert_eq!(error_of(&app, "/api/v1/query_range", "http_requests_total", range).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(engine.last_duration("http_requests_total", 1_700_000_000_000, 1_700_000_100_000, 1000), None);
}

#[tokio::test]
async fn lookback_delta_per_request() {
    let (_dir, app) = loaded().await;
    let (_, body) = query(&app, "/api/v1/query", "node_load1", "time=1700000010&lookback_delta=5s").await;
    assert_eq!(json(&body)["data"]["result"], json("[]"));
    let (_, body) = query(&app, "/api/v1/query", "node_load1", "time=1700000010").await;
    assert_eq!(json(&body)["data"]["result"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn garbage_never_gives_a_server_error() {
    let (_dir, app) = loaded().await;
    let inputs = [
        "(((((((((((((((((((((((((((((((((((((((((up",
        "up offset -99999999999999y",
        "up @ 1e300",
        "sum by (",
        "label_replace(up, \"a\", \"$1\", \"b\", \"(\")",
        "quantile(2, up)",
        "topk(-1, up)",
        "histogram_quantile(0.5, up)",
        "up[0s]",
        "up[1s:0s]",
        "\u{0}\u{ffff}",
        "1/0 + -1/0",
        "absent(nonexistent{a=\"b\"})",
        "vector(1) and on() vector(2) or vector(3) unless vector(4)",
    ];
    for expr in inputs {
        for (path, rest) in [("/api/v1/query", "time=1700000001"), ("/api/v1/query_range", "start=1700000000&end=1700000100&step=7")] {
            let (status, body) = query(&app, path, expr, rest).await;
            assert!(!status.is_server_error(), "{expr:?} on {path}: {status} {body}");
            let v = json(&body);
            assert!(v["status"] == "success" || v["errorType"] == "bad_data" || v["errorType"] == "execution", "{expr:?}: {body}");
        }
    }
}

#[tokio::test]
async fn metadata_by_family_with_limits() {
    let (_dir, app) = loaded().await;
    let (status, body) = get(&app, "/api/v1/metadata").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(json(&body), json(r#"{"status":"success","data":{"http_requests_total":[{"type":"counter","help":"","unit":""}]}}"#));
    let (_, body) = get(&app, "/api/v1/metadata?metric=node_load1").await;
    assert_eq!(json(&body)["data"], json("{}"));
    let (_, body) = get(&app, "/api/v1/metadata?limit=0&limit_per_metric=1").await;
    assert_eq!(json(&body)["data"], json("{}"));
    let (status, body) = get(&app, "/api/v1/metadata?limit_per_metric=few").await;
    assert_eq!((status, json(&body)["error"].as_str()), (StatusCode::BAD_REQUEST, Some("limit_per_metric must be a number")));
}

#[tokio::test]
async fn build_and_runtime_info() {
    let (_dir, app) = loaded().await;
    let (_, body) = get(&app, "/api/v1/status/buildinfo").await;
    let v = json(&body);
    assert_eq!((v["status"].as_str(), v["data"]["version"].as_str()), (Some("success"), Some("3.0.0")));
    assert_eq!((v["data"]["vitalsVersion"].as_str(), v["data"]["revision"].as_str()), (Some("9.9.9"), Some("abc123")));
    assert!(v["data"].get("features").is_none(), "Grafana would take it for Mimir: {body}");
    // Grafana takes a server that answers the flags route for Thanos.
    assert_eq!(get(&app, "/api/v1/status/flags").await.0, StatusCode::NOT_FOUND);
    let (_, body) = get(&app, "/api/v1/status/runtimeinfo").await;
    let v = json(&body);
    assert_eq!(v["data"]["storageRetention"], "2w1d or 10GiB", "{body}");
    assert_eq!(v["data"]["corruptionCount"], 0);
    assert!(v["data"]["startTime"].as_str().unwrap().ends_with('Z'), "{body}");
    assert!(v["data"]["GOMAXPROCS"].as_u64().unwrap() >= 1, "{body}");
}

#[tokio::test]
async fn format_query_prints_the_canonical_form() {
    let (_dir, app) = loaded().await;
    let (status, body) = get(&app, &format!("/api/v1/format_query?query={}", q("sum(rate(foo{bar=\"baz\"}[5m]))by(job)"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(json(&body), json(r#"{"status":"success","data":"sum by (job) (rate(foo{bar=\"baz\"}[5m]))"}"#));
    let (status, body) = get(&app, &format!("/api/v1/format_query?query={}", q("sum(("))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json(&body)["error"], "invalid parameter \"query\": 1:6: parse error: unclosed left parenthesis", "{body}");
}
