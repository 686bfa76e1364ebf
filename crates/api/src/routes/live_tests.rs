//! `/api/v1/live`: the events a dashboard receives, against a store with known samples and
//! collection cycles announced by the test.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tokio::sync::watch;
use tower::ServiceExt;
use vitals_store::StoreOptions;

use super::test_fixture::{self, fixture_with, Fixture};
use super::tests::{get, import, json, q};

const SAMPLES: &str = "# TYPE temperature gauge\n\
temperature{room=\"a\"} 20 1700000000000\n\
temperature{room=\"b\"} 30 1700000000000\n\
temperature{room=\"a\"} 21 1700000001000\n\
temperature{room=\"b\"} 31 1700000001000\n";

/// A ready router over [`SAMPLES`] whose live streams follow the cycles sent on the sender
/// returned, starting at `first_cycle`.
async fn fixture(first_cycle: Option<i64>) -> (Fixture, watch::Sender<Option<i64>>) {
    let (cycles, rx) = watch::channel(first_cycle);
    let f = fixture_with(StoreOptions::default(), |app| app.set_live(rx, Duration::from_secs(1)));
    assert_eq!(import(&f.app, SAMPLES).await.0, StatusCode::NO_CONTENT);
    (f, cycles)
}

/// An open event stream, read event by event.
struct Stream {
    body: Body,
    buffer: String,
}

impl Stream {
    async fn open(app: &Router, uri: &str) -> Stream {
        let resp = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()[header::CONTENT_TYPE], "text/event-stream");
        Stream { body: resp.into_body(), buffer: String::new() }
    }

    /// The next event's name and data (`None` at the end of the stream); fails after 60 s.
    async fn next(&mut self) -> Option<(String, String)> {
        let block = self.next_block().await?;
        let (mut name, mut data) = (String::new(), String::new());
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("event: ") {
                name = v.to_owned();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data.push_str(v);
            }
        }
        Some((name, data))
    }

    /// The next block of lines up to a blank line, as sent.
    async fn next_block(&mut self) -> Option<String> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                return Some(self.buffer.drain(..end + 2).collect());
            }
            let frame = tokio::time::timeout(Duration::from_secs(60), self.body.frame()).await.expect("an event within 60 s");
            match frame {
                Some(frame) => {
                    if let Ok(bytes) = frame.unwrap().into_data() {
                        self.buffer.push_str(std::str::from_utf8(&bytes).unwrap());
                    }
                }
                None => return None,
            }
        }
    }

    /// Whether no event comes within `wait`.
    async fn quiet_for(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.body.frame()).await.is_err()
    }
}

#[tokio::test]
async fn hello_then_an_update_at_once_and_after_each_cycle() {
    let (f, cycles) = fixture(Some(1_700_000_000_000)).await;
    let uri = format!("/api/v1/live?query={}&query={}", q("temperature"), q("sum(temperature)"));
    let mut stream = Stream::open(&f.app, &uri).await;
    assert_eq!(stream.next().await, Some(("hello".to_owned(), r#"{"interval":1.0}"#.to_owned())));

    let (name, data) = stream.next().await.unwrap();
    assert_eq!(name, "update");
    let update = json(&data);
    assert_eq!(update["t"], 1_700_000_000.0);
    let results = update["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for (i, query) in ["temperature", "sum(temperature)"].into_iter().enumerate() {
        let (status, body) = get(&f.app, &format!("/api/v1/query?query={}&time=1700000000", q(query))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(results[i], json(&body), "slot {i} is what /api/v1/query answers");
    }
    assert_eq!(results[1]["data"]["result"][0]["value"][1], "50");
    assert!(stream.quiet_for(Duration::from_millis(300)).await, "nothing is sent until the next cycle");

    cycles.send_replace(Some(1_700_000_001_000));
    let (name, data) = stream.next().await.unwrap();
    assert_eq!(name, "update");
    let update = json(&data);
    assert_eq!(update["t"], 1_700_000_001.0);
    assert_eq!(update["results"][1]["data"]["result"][0]["value"], serde_json::json!([1_700_000_001, "52"]));

    drop(cycles);
    assert_eq!(stream.next().await, None, "the stream ends when the collectors stop");
}

#[tokio::test]
async fn a_reader_that_falls_behind_gets_only_the_latest_cycle() {
    let (f, cycles) = fixture(Some(1_700_000_000_000)).await;
    let mut stream = Stream::open(&f.app, &format!("/api/v1/live?query={}", q("sum(temperature)"))).await;
    assert_eq!(stream.next().await.unwrap().0, "hello");
    assert_eq!(json(&stream.next().await.unwrap().1)["t"], 1_700_000_000.0);
    for t in [1_700_000_000_500, 1_700_000_000_700, 1_700_000_001_000] {
        cycles.send_replace(Some(t));
    }
    assert_eq!(json(&stream.next().await.unwrap().1)["t"], 1_700_000_001.0);
    assert!(stream.quiet_for(Duration::from_millis(300)).await, "the cycles missed are not sent afterwards");
}

#[tokio::test]
async fn a_bad_query_gets_its_error_in_its_slot_and_the_others_their_results() {
    let (f, cycles) = fixture(Some(1_700_000_001_000)).await;
    let uri = format!("/api/v1/live?query={}&query={}&query=", q("sum(temperature"), q("temperature{room=\"a\"}"));
    let mut stream = Stream::open(&f.app, &uri).await;
    stream.next().await.unwrap();
    let update = json(&stream.next().await.unwrap().1);
    let (status, body) = get(&f.app, &format!("/api/v1/query?query={}&time=1700000001", q("sum(temperature"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(update["results"][0], json(&body));
    assert_eq!(update["results"][0]["errorType"], "bad_data");
    assert!(update["results"][0]["error"].as_str().unwrap().starts_with("invalid parameter \"query\": "), "{update}");
    assert_eq!(update["results"][1]["data"]["result"][0]["value"][1], "21");
    assert_eq!(update["results"][2]["status"], "error", "an empty query is an error too: {update}");

    cycles.send_replace(Some(1_700_000_002_000));
    assert_eq!(stream.next().await.unwrap().0, "update", "the stream goes on after an error");
}

#[tokio::test]
async fn before_the_first_cycle_the_first_update_is_at_the_current_time() {
    let (f, _cycles) = fixture(None).await;
    let before = vitals_store::wall_clock_ms() as f64 / 1000.0;
    let mut stream = Stream::open(&f.app, &format!("/api/v1/live?query={}", q("vector(1)"))).await;
    stream.next().await.unwrap();
    let update = json(&stream.next().await.unwrap().1);
    let t = update["t"].as_f64().unwrap();
    assert!(t >= before && t < before + 10.0, "{t} vs {before}");
    assert_eq!(update["results"][0]["data"]["result"][0]["value"][1], "1");
}

#[tokio::test]
async fn no_query_or_too_many_is_bad_data() {
    let (f, _cycles) = fixture(None).await;
    let (status, body) = get(&f.app, "/api/v1/live").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json(&body)["errorType"], "bad_data");
    assert_eq!(json(&body)["error"], "invalid parameter \"query\": parse error: no expression found in input");

    let many: Vec<String> = (0..101).map(|i| format!("query=vector({i})")).collect();
    let (status, body) = get(&f.app, &format!("/api/v1/live?{}", many.join("&"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json(&body)["error"], "invalid parameter \"query\": at most 100 queries per stream, got 101");

    let hundred: Vec<String> = (0..100).map(|i| format!("query=vector({i})")).collect();
    let mut stream = Stream::open(&f.app, &format!("/api/v1/live?{}", hundred.join("&"))).await;
    stream.next().await.unwrap();
    let update = json(&stream.next().await.unwrap().1);
    assert_eq!(update["results"][99]["data"]["result"][0]["value"][1], "99");
}

#[tokio::test]
async fn without_collectors_the_stream_is_unavailable() {
    let f = test_fixture::fixture();
    let (status, body) = get(&f.app, "/api/v1/live?query=up").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(json(&body)["errorType"], "unavailable");
}

#[tokio::test]
async fn shutting_down_ends_open_streams_and_refuses_new_ones() {
    let (_cycles, rx) = watch::channel(Some(1_700_000_000_000));
    let f = fixture_with(StoreOptions::default(), |app| app.set_live(rx, Duration::from_secs(1)));
    let mut stream = Stream::open(&f.app, "/api/v1/live?query=vector(1)").await;
    assert_eq!(stream.next().await.unwrap().0, "hello");
    assert_eq!(stream.next().await.unwrap().0, "update");

    f.handle.close_streams();
    assert_eq!(stream.next().await, None, "the open stream ends although the collectors go on");
    let (status, body) = get(&f.app, "/api/v1/live?query=vector(1)").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(json(&body)["error"], "Vitals is shutting down");
}

#[tokio::test(start_paused = true)]
async fn a_quiet_stream_gets_a_keep_alive_comment_every_15_seconds() {
    let (f, _cycles) = fixture(Some(1_700_000_000_000)).await;
    let mut stream = Stream::open(&f.app, "/api/v1/live?query=vector(1)").await;
    assert_eq!(stream.next().await.unwrap().0, "hello");
    assert_eq!(stream.next().await.unwrap().0, "update");
    let waited = tokio::time::Instant::now();
    assert_eq!(stream.next_block().await.unwrap(), ": keep-alive\n\n");
    assert_eq!(waited.elapsed(), Duration::from_secs(15));
}
