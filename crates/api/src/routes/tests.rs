use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;
use vitals_collect::{BuildInfoCollector, Collector, Latest, Scheduler, SchedulerOptions};
use vitals_state::State;
use vitals_store::{Store, StoreOptions};

use crate::{router, App, Ready};

struct Fixture {
    _dir: tempfile::TempDir,
    app: Router,
    store: Store,
    state: Arc<State>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let opts = StoreOptions { background: false, out_of_order_window_ms: 60_000, ..StoreOptions::default() };
    let store = Store::open(dir.path(), opts).unwrap();
    let state = Arc::new(State::open(dir.path()).unwrap());
    let app = App::new();
    app.set_ready(Ready { store: store.clone(), state: state.clone(), latest: Latest::default() });
    Fixture { _dir: dir, app: router(app), store, state }
}

async fn call(app: &Router, method: &str, uri: &str, headers: &[(&str, &str)], body: impl Into<Body>) -> (StatusCode, String) {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = app.clone().oneshot(req.body(body.into()).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn get(app: &Router, uri: &str) -> (StatusCode, String) {
    call(app, "GET", uri, &[], Body::empty()).await
}

async fn import(app: &Router, body: &str) -> (StatusCode, String) {
    call(app, "POST", "/api/v1/import/prometheus", &[], body.to_owned()).await
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Percent-encodes a query value.
fn q(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

const BODY: &str = "# TYPE http_requests_total counter\n\
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
    let opts = SchedulerOptions { interval: Duration::from_millis(100), base_labels: vec![("job".into(), "vitals".into())] };
    let scheduler = Scheduler::start(&store, collectors, opts).unwrap();
    let app = App::new();
    app.set_ready(Ready { store, state: Arc::new(State::open(dir.path()).unwrap()), latest: scheduler.latest() });
    let app = router(app);
    tokio::time::sleep(Duration::from_millis(350)).await;
    let (status, page) = get(&app, "/metrics").await;
    scheduler.stop();
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("# HELP vitals_build_info Always 1; the labels tell which Vitals build is running.\n# TYPE vitals_build_info gauge\nvitals_build_info{version=\"9.9.9\"} 1\n"), "{page}");
    assert!(page.contains("# TYPE vitals_collector_up gauge\nvitals_collector_up{collector=\"build\"} 1\n"), "{page}");
    assert!(page.contains("# UNIT vitals_collector_duration_seconds seconds\n"), "{page}");
    assert!(!page.contains("job="), "job and instance are the scraper's: {page}");
}
