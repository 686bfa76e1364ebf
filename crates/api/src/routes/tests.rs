use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;
use vitals_collect::{BuildInfoCollector, Collector, CollectorState, NotRun, Scheduler, SchedulerOptions};
use vitals_query::{Engine, EngineOptions};
use vitals_state::State;
use vitals_store::{Labels, Sample, Store, StoreOptions};

use super::test_fixture::{fixture_with, Fixture};
use crate::{router, App, Ready};

/// The shared fixture, with an out-of-order window of a minute.
fn fixture() -> Fixture {
    fixture_with(StoreOptions { out_of_order_window_ms: 60_000, ..StoreOptions::default() }, |_| {})
}

pub(super) async fn call(app: &Router, method: &str, uri: &str, headers: &[(&str, &str)], body: impl Into<Body>) -> (StatusCode, String) {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = app.clone().oneshot(req.body(body.into()).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

pub(super) async fn get(app: &Router, uri: &str) -> (StatusCode, String) {
    call(app, "GET", uri, &[], Body::empty()).await
}

pub(super) async fn import(app: &Router, body: &str) -> (StatusCode, String) {
    call(app, "POST", "/api/v1/import/prometheus", &[], body.to_owned()).await
}

/// Polls `check` every 10 ms until it holds, or fails the test after 10 s.
async fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < Duration::from_secs(10), "not {what} after 10 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn gzip(text: &str) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap()
}

pub(super) fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Percent-encodes a query value.
pub(super) fn q(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub(super) const BODY: &str = "# TYPE http_requests_total counter\n\
http_requests_total{code=\"200\",job=\"api\"} 3 1700000000000\n\
http_requests_total{code=\"200\",job=\"api\"} 7.25 1700000001000\n\
http_requests_total{code=\"500\",job=\"api\"} 1 1700000000000\n\
node_load1{job=\"node\"} 0.5 1700000000000\n";

#[tokio::test]
async fn before_the_store_is_open_only_healthy_answers() {
    let app = router(App::new());
    assert_eq!(get(&app, "/-/healthy").await, (StatusCode::OK, "Vitals is Healthy.\n".to_owned()));
    assert_eq!(get(&app, "/-/ready").await.0, StatusCode::SERVICE_UNAVAILABLE);
    let (status, body) = get(&app, "/api/v1/labels").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(json(&body)["errorType"], "unavailable");
}

#[tokio::test]
async fn import_then_query_series_labels_values_and_export() {
    let f = fixture();
    assert_eq!(import(&f.app, BODY).await, (StatusCode::NO_CONTENT, String::new()));
    assert_eq!(get(&f.app, "/-/ready").await, (StatusCode::OK, "Vitals is Ready.\n".to_owned()));

    let (status, body) = get(&f.app, &format!("/api/v1/series?match[]={}", q("http_requests_total{code=~\"2..\"}"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(json(&body), json(r#"{"status":"success","data":[{"__name__":"http_requests_total","code":"200","job":"api"}]}"#));

    let (_, body) = get(&f.app, "/api/v1/labels").await;
    assert_eq!(json(&body)["data"], json(r#"["__name__","code","job"]"#));
    let (_, body) = get(&f.app, &format!("/api/v1/label/job/values?match[]={}", q("{job!=\"api\",__name__=~\".+\"}"))).await;
    assert_eq!(json(&body)["data"], json(r#"["node"]"#));
    let (_, body) = get(&f.app, "/api/v1/label/__name__/values?limit=1").await;
    assert_eq!(json(&body), json(r#"{"status":"success","data":["http_requests_total"],"warnings":["results truncated due to limit"]}"#));

    // start/end select by time: only the second sample is after 1700000000.5.
    let (_, body) =
        get(&f.app, &format!("/api/v1/series?match[]=http_requests_total&start=1700000000.5&end={}", q("2023-11-14T22:13:21Z"))).await;
    assert_eq!(json(&body)["data"].as_array().unwrap().len(), 1);

    let (status, body) = get(&f.app, &format!("/api/v1/export?match[]={}", q("{job=\"api\"}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        "{\"metric\":{\"__name__\":\"http_requests_total\",\"code\":\"200\",\"job\":\"api\"},\"values\":[3,7.25],\"timestamps\":[1700000000000,1700000001000]}\n\
         {\"metric\":{\"__name__\":\"http_requests_total\",\"code\":\"500\",\"job\":\"api\"},\"values\":[1],\"timestamps\":[1700000000000]}\n"
    );
    let audit = f.state.recent_audit(1).unwrap();
    assert_eq!((audit[0].action.as_str(), audit[0].detail["accepted"].as_u64()), ("import", Some(4)));
}

#[tokio::test]
async fn post_forms_are_read_like_queries() {
    let f = fixture();
    import(&f.app, BODY).await;
    let form = format!("match[]={}&match[]={}", q("node_load1"), q("{code=\"500\"}"));
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    let (status, body) = call(&f.app, "POST", "/api/v1/series", &headers, form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(json(&body)["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_malformed_line_is_named_and_nothing_is_stored() {
    let f = fixture();
    let body = format!("{BODY}up{{job=\"x\" 1\n{{\"my.metric\"}} 2\n");
    let (status, text) = import(&f.app, &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let err = json(&text);
    assert_eq!(err["errorType"], "bad_data");
    assert_eq!(
        err["error"],
        "line 6, column 12: expected ',' or '}' after label \"job\", found \"1\" (and 1 more malformed line); nothing was stored"
    );
    assert_eq!(f.store.stats().samples_appended_total, 0);
    assert!(f.store.metadata().is_empty());

    let (status, text) = import(&f.app, "up 1 1700000000000\nup 2 9223372036854775807\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(json(&text)["error"].as_str().unwrap().starts_with("line 2: timestamp 9223372036854775807 is more than a day after"), "{text}");
    assert_eq!(f.store.stats().samples_appended_total, 0);

    let (status, text) = import(&f.app, "# TYPE \"my.metric\" gauge\nup 1 1700000000000\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        json(&text)["error"],
        "line 1: invalid metric name \"my.metric\" (Vitals stores only names like [a-zA-Z_:][a-zA-Z0-9_:]*); nothing was stored"
    );
    assert_eq!(f.store.stats().samples_appended_total, 0);
    assert!(f.store.metadata().is_empty());
}

#[tokio::test]
async fn gzip_bodies_and_encodings() {
    let f = fixture();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(BODY.as_bytes()).unwrap();
    let (status, _) = call(&f.app, "POST", "/api/v1/import/prometheus", &[("content-encoding", "gzip")], gz.finish().unwrap()).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(f.store.stats().samples_appended_total, 4);

    let (status, text) = call(&f.app, "POST", "/api/v1/import/prometheus", &[("content-encoding", "gzip")], BODY.to_owned()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(json(&text)["error"].as_str().unwrap().starts_with("the body is not valid gzip"), "{text}");
    let audit = f.state.recent_audit(1).unwrap();
    assert!(audit[0].detail["error"].as_str().unwrap().starts_with("the body is not valid gzip"), "{:?}", audit[0].detail);
    let (status, text) = call(&f.app, "POST", "/api/v1/import/prometheus", &[("content-encoding", "br")], BODY.to_owned()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{text}");
}

#[tokio::test]
async fn samples_outside_the_window_are_reported_after_the_rest_is_stored() {
    let f = fixture();
    let (status, text) = import(&f.app, "a 1 1700000000000\nb 1 1700000000000\n").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
    let (status, text) = import(&f.app, "a 2 1600000000000\nb 2 1700000005000\nc 1 1600000000000\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        json(&text)["error"],
        "stored 2 of 3 samples; refused 1 (out_of_window: 1), the first: line 1: sample of a{} at 1600000000000 ms is older than \
         the out-of-order window allows (the series already has a sample at 1700000000000 ms)"
    );
    assert_eq!(f.store.stats().samples_appended_total, 4);
}

#[tokio::test]
async fn bad_parameters_are_400_with_the_reason() {
    let f = fixture();
    let cases = [
        ("/api/v1/series", "no match[] parameter provided"),
        ("/api/v1/export", "no match[] parameter provided"),
        ("/api/v1/series?match[]=sum(up)", "invalid parameter \"match[]\": \"sum(up)\" is not a series selector"),
        ("/api/v1/series?match[]=%7Bjob%3D~%22.*%22%7D", "invalid parameter \"match[]\": "),
        ("/api/v1/labels?start=yesterday", "invalid parameter \"start\": cannot parse \"yesterday\""),
        ("/api/v1/labels?start=10&end=5", "end timestamp must not be before start time"),
        ("/api/v1/labels?limit=-1", "invalid parameter \"limit\""),
        ("/api/v1/label/1x/values", "invalid label name: \"1x\""),
    ];
    for (uri, want) in cases {
        let (status, body) = get(&f.app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        let err = json(&body);
        assert_eq!(err["status"], "error");
        assert!(err["error"].as_str().unwrap().contains(want), "{uri}: {body}");
    }
    assert_eq!(get(&f.app, "/nope").await.0, StatusCode::NOT_FOUND);
    assert_eq!(call(&f.app, "GET", "/api/v1/import/prometheus", &[], Body::empty()).await.0, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn metrics_page_has_help_and_type() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions { background: false, ..StoreOptions::default() }).unwrap();
    let collectors: Vec<Box<dyn Collector>> = vec![Box::new(BuildInfoCollector::new("9.9.9"))];
    let not_run = vec![NotRun { name: "hwmon".into(), state: CollectorState::Unavailable, reason: "no /sys/class/hwmon".into() }];
    let opts = SchedulerOptions { interval: Duration::from_millis(100), base_labels: vec![("job".into(), "vitals".into())], not_run };
    let scheduler = Scheduler::start(&store, collectors, opts).unwrap();
    let app = App::new();
    let state = Arc::new(State::open(dir.path()).unwrap());
    let engine = Engine::new(store.clone(), EngineOptions::default());
    app.set_ready(Ready { store, state, latest: scheduler.latest(), collectors: scheduler.statuses(), engine });
    let app = router(app);
    let mut page = String::new();
    let mut status = StatusCode::OK;
    let start = Instant::now();
    // The first cycle runs within 100 ms; poll for it rather than guess how long it takes.
    while !page.contains("vitals_collector_up{collector=\"build\"}") {
        assert!(start.elapsed() < Duration::from_secs(10), "no collector_up on /metrics after 10 s: {page}");
        tokio::time::sleep(Duration::from_millis(20)).await;
        (status, page) = get(&app, "/metrics").await;
    }
    let (code, body) = get(&app, "/api/v1/status/collectors").await;
    scheduler.stop();
    assert_eq!(code, StatusCode::OK, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "success");
    assert_eq!(v["data"][0]["name"], "build");
    assert_eq!(v["data"][0]["state"], "up");
    assert_eq!(v["data"][0]["interval_seconds"], 0.1);
    assert!(v["data"][0]["last_duration_seconds"].as_f64().unwrap() >= 0.0, "{body}");
    assert_eq!(v["data"][1]["summary"], "unavailable: no /sys/class/hwmon", "{body}");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("# HELP vitals_build_info Always 1; the labels tell which Vitals build is running.\n# TYPE vitals_build_info gauge\nvitals_build_info{version=\"9.9.9\"} 1\n"), "{page}");
    assert!(page.contains("# TYPE vitals_collector_up gauge\nvitals_collector_up{collector=\"build\"} 1\n"), "{page}");
    assert!(page.contains("# UNIT vitals_collector_duration_seconds seconds\n"), "{page}");
    assert!(!page.contains("job="), "job and instance are the scraper's: {page}");
}

#[tokio::test]
async fn gzip_bodies_of_several_members_are_read_whole() {
    let f = fixture();
    let (first, second) = BODY.split_at(BODY.find("node_load1").unwrap());
    let mut body = gzip(first);
    body.extend(gzip(second));
    let (status, text) = call(&f.app, "POST", "/api/v1/import/prometheus", &[("content-encoding", "gzip")], body).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
    assert_eq!(f.store.stats().samples_appended_total, 4, "the second member's sample is stored too");
    let (_, body) = get(&f.app, "/api/v1/export?match[]=node_load1").await;
    assert!(body.starts_with(r#"{"metric":{"__name__":"node_load1","job":"node"},"values":[0.5]"#), "{body}");
}

#[tokio::test]
async fn a_body_that_decompresses_past_the_limit_is_413() {
    let f = fixture();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mib = vec![b'\n'; 1 << 20];
    for _ in 0..257 {
        gz.write_all(&mib).unwrap();
    }
    let (status, text) = call(&f.app, "POST", "/api/v1/import/prometheus", &[("content-encoding", "gzip")], gz.finish().unwrap()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert_eq!(json(&text)["error"], "the decompressed body is larger than the limit of 256 MiB");
}

/// A body that yields `chunks` and then fails.
fn failing_body(chunks: &[&'static str]) -> Body {
    let items: Vec<Result<Bytes, std::io::Error>> =
        chunks.iter().map(|c| Ok(Bytes::from_static(c.as_bytes()))).chain([Err(std::io::Error::other("connection reset"))]).collect();
    Body::from_stream(futures_util::stream::iter(items))
}

#[tokio::test]
async fn only_a_body_over_the_limit_is_413_other_read_errors_are_400() {
    let f = fixture();
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let big = format!("match[]=up&x={}", "y".repeat(4 << 20));
    let (status, text) = call(&f.app, "POST", "/api/v1/series", &form, big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert_eq!(json(&text)["error"], "the form body is larger than the limit of 4 MiB");

    let (status, text) = call(&f.app, "POST", "/api/v1/series", &form, failing_body(&["match[]=up"])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert_eq!(json(&text)["error"], "reading the form body: connection reset");

    let (status, text) = call(&f.app, "POST", "/api/v1/import/prometheus", &[], failing_body(&["up 1 1700000000000\n"])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert_eq!(json(&text)["error"], "reading the request body: connection reset");
    assert_eq!(f.store.stats().samples_appended_total, 0);
    let audit = f.state.recent_audit(1).unwrap();
    assert_eq!(audit[0].detail["error"], "reading the request body: connection reset");
}

#[tokio::test]
async fn form_values_win_over_query_values() {
    let f = fixture();
    import(&f.app, BODY).await;
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let (status, body) = call(&f.app, "POST", "/api/v1/label/__name__/values?limit=1", &form, "limit=5".to_owned()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(json(&body), json(r#"{"status":"success","data":["http_requests_total","node_load1"]}"#));
    // match[] from both places counts.
    let (_, body) = call(&f.app, "POST", "/api/v1/series?match[]=node_load1", &form, format!("match[]={}", q("{code=\"500\"}"))).await;
    assert_eq!(json(&body)["data"].as_array().unwrap().len(), 2, "{body}");
}

#[tokio::test]
async fn an_undecodable_path_is_a_json_400() {
    let f = fixture();
    let (status, body) = get(&f.app, "/api/v1/label/%FF/values").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let err = json(&body);
    assert_eq!((err["status"].as_str(), err["errorType"].as_str()), (Some("error"), Some("bad_data")));
    assert!(err["error"].as_str().unwrap().starts_with("invalid label name in the path: "), "{body}");
    let (status, body) = get(&f.app, "/api/v1/label/%ZZ/values").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(json(&body)["errorType"], "bad_data");
}

#[tokio::test]
async fn exports_of_more_series_than_one_read_have_every_series_once_in_order() {
    let f = fixture();
    let n = 2500;
    let batch: Vec<(Labels, Sample)> = (0..n)
        .map(|i| (Labels::from_pairs([("__name__", "many"), ("i", &format!("{i:05}"))]), Sample { t: 1_700_000_000_000, v: f64::from(i) }))
        .collect();
    f.store.append_labeled(&batch).unwrap();
    // Two selectors matching overlapping series: each series still comes once.
    let (status, body) = get(&f.app, &format!("/api/v1/export?match[]=many&match[]={}", q("{i=~\"0.*\"}"))).await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), n as usize);
    for (i, line) in lines.iter().enumerate() {
        let want = format!("{{\"metric\":{{\"__name__\":\"many\",\"i\":\"{i:05}\"}},\"values\":[{i}],\"timestamps\":[1700000000000]}}");
        assert_eq!(*line, want);
    }
}

#[tokio::test]
async fn a_store_failure_is_audited() {
    let f = fixture();
    f.store.close().unwrap();
    let (status, text) = import(&f.app, "up 1 1700000000000\n").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
    let audit = f.state.recent_audit(1).unwrap();
    assert_eq!(audit[0].detail["error"], "Vitals is shutting down");
    assert_eq!(audit[0].detail["samples"], 1);
    assert_eq!(audit[0].detail["accepted"], 0);
}

/// A body that stays open until its sender is dropped, and tells when it is first read.
fn held_body() -> (tokio::sync::mpsc::Sender<Bytes>, Arc<AtomicBool>, Body) {
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(1);
    let read = Arc::new(AtomicBool::new(false));
    let flag = read.clone();
    let stream = futures_util::stream::unfold(rx, move |mut rx| {
        flag.store(true, Ordering::SeqCst);
        async move { rx.recv().await.map(|b| (Ok::<_, std::io::Error>(b), rx)) }
    });
    (tx, read, Body::from_stream(stream))
}

#[tokio::test]
async fn at_most_two_imports_read_their_bodies_at_once() {
    let f = fixture();
    let mut senders = Vec::new();
    let mut read = Vec::new();
    let mut calls = Vec::new();
    for _ in 0..3 {
        let (tx, flag, body) = held_body();
        let app = f.app.clone();
        calls.push(tokio::spawn(async move { call(&app, "POST", "/api/v1/import/prometheus", &[], body).await }));
        senders.push(Some(tx));
        read.push(flag);
    }
    let reading = |read: &[Arc<AtomicBool>]| read.iter().filter(|r| r.load(Ordering::SeqCst)).count();
    wait_until("reading two bodies", || reading(&read) == 2).await;
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    assert_eq!(reading(&read), 2, "the third import waits for its turn");

    let first = read.iter().position(|r| r.load(Ordering::SeqCst)).unwrap();
    let tx = senders[first].take().unwrap();
    tx.send(Bytes::from_static(b"first 1 1700000000000\n")).await.unwrap();
    drop(tx);
    wait_until("reading the third body", || reading(&read) == 3).await;
    for (i, tx) in senders.iter_mut().enumerate() {
        if let Some(tx) = tx.take() {
            tx.send(Bytes::from(format!("other{i} 1 1700000000000\n"))).await.unwrap();
        }
    }
    for c in calls {
        assert_eq!(c.await.unwrap(), (StatusCode::NO_CONTENT, String::new()));
    }
    assert_eq!(f.store.stats().samples_appended_total, 3);
}
