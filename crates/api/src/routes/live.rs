//! `/api/v1/live`: instant queries evaluated again after every collection cycle, pushed to
//! the client as server-sent events (`text/event-stream`), for the dashboard's live panels.
//!
//! Parameters: `query`, repeated 1 to 100 times, each a PromQL expression. Events:
//! - `hello`, at once: `{"interval": <collection interval, seconds>}`;
//! - `update`, right after `hello` (at the latest cycle's time, or now before the first
//!   cycle) and after every cycle: `{"t": <cycle time, Unix seconds>, "results": [...]}`,
//!   one result per query, in order, each exactly the body `/api/v1/query?query=Q&time=t`
//!   gives: a success envelope, or the error envelope for a query that fails (the stream
//!   goes on).
//!
//! A `: keep-alive` comment is sent after 15 s without an event. Evaluation runs on the
//! blocking pool, only when the client is ready for the next event: a client that reads
//! slowly gets the latest cycle and skips those it missed, and holds up nobody else. No
//! `query`, or more than 100, is 400 `bad_data`; the stream ends when Vitals starts to shut
//! down ([`App::close_streams`](crate::App::close_streams)) or its collectors stop.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, StreamExt};
use tokio::sync::watch;
use vitals_query::Engine;

use crate::error::ApiError;
use crate::params::Params;
use crate::result::{encode, time};
use crate::routes::blocking;
use crate::routes::query::query_error;
use crate::App;

/// Most queries one stream may follow.
const MAX_QUERIES: usize = 100;

/// Longest silence before a keep-alive comment, so that proxies and browsers keep the
/// connection open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The stream of `hello` and `update` events for the request's queries.
pub(crate) async fn live(State(app): State<App>, params: Params) -> Result<Response, ApiError> {
    let engine = app.ready()?.engine.clone();
    let live = app.live()?;
    if app.is_closing() {
        return Err(ApiError::unavailable("Vitals is shutting down"));
    }
    let queries: Vec<String> = params.all("query").map(str::to_owned).collect();
    if queries.is_empty() {
        return Err(ApiError::bad_data("invalid parameter \"query\": parse error: no expression found in input"));
    }
    if queries.len() > MAX_QUERIES {
        return Err(ApiError::bad_data(format!(
            "invalid parameter \"query\": at most {MAX_QUERIES} queries per stream, got {}",
            queries.len()
        )));
    }
    let hello = Event::default().event("hello").data(serde_json::json!({"interval": live.interval.as_secs_f64()}).to_string());
    let mut cycles = live.cycles.clone();
    let first = cycles.borrow_and_update().unwrap_or_else(vitals_store::wall_clock_ms);
    let follow = Follow { engine, queries: queries.into(), cycles, first: Some(first) };
    let updates = stream::unfold(follow, |mut follow| async move {
        let t = follow.next_cycle().await?;
        let event = update(&follow.engine, &follow.queries, t).await;
        Some((event, follow))
    });
    let events = stream::once(async { hello }).chain(updates).map(Ok::<Event, Infallible>).take_until(app.closed());
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive")).into_response())
}

/// One stream's state between events.
struct Follow {
    engine: Engine,
    queries: Arc<[String]>,
    cycles: watch::Receiver<Option<i64>>,
    /// The time of the first update, sent without waiting.
    first: Option<i64>,
}

impl Follow {
    /// The time of the next update: the first one, then the latest cycle's once there is
    /// a new one (cycles missed meanwhile are skipped). `None` once the collectors stop.
    async fn next_cycle(&mut self) -> Option<i64> {
        if let Some(t) = self.first.take() {
            return Some(t);
        }
        loop {
            self.cycles.changed().await.ok()?;
            if let Some(t) = *self.cycles.borrow_and_update() {
                return Some(t);
            }
        }
    }
}

/// The `update` event at `t` (ms): every query evaluated on the blocking pool.
async fn update(engine: &Engine, queries: &Arc<[String]>, t: i64) -> Event {
    let (engine, n, queries) = (engine.clone(), queries.len(), queries.clone());
    let results = match blocking("live update", move || Ok(queries.iter().map(|q| result(&engine, q, t)).collect::<Vec<_>>())).await {
        Ok(results) => results,
        Err(e) => vec![e.json().to_string(); n],
    };
    let mut data = String::from("{\"t\":");
    // Writing to a String cannot fail.
    let _ = time(&mut data, t);
    data.push_str(",\"results\":[");
    data.push_str(&results.join(","));
    data.push_str("]}");
    Event::default().event("update").data(data)
}

/// The body `/api/v1/query` gives for `query` at `t`, error envelopes included.
fn result(engine: &Engine, query: &str, t: i64) -> String {
    let answer = engine
        .instant(query, t)
        .map_err(query_error)
        .and_then(|out| encode(&out, &[]).map_err(|e| ApiError::internal(format!("writing the answer: {e}"))));
    answer.unwrap_or_else(|e| e.json().to_string())
}
