//! `/api/v1/import/prometheus`: text exposition in the request body, optionally gzip
//! (`Content-Encoding: gzip`, one or more members), at most 256 MiB before and after
//! decompression. Samples without a timestamp get the time the request arrived.
//!
//! - **204 No Content**: every sample is stored (or was already, identically) and in the
//!   WAL: an acknowledged import survives a crash of Vitals.
//! - **400, malformed input**: the whole body is checked before anything is stored, so a
//!   malformed line — or a series or metric name Vitals cannot store, or a line over 1 MiB
//!   — stores nothing. The error names the first bad line: `line 3, column 7: expected '='
//!   after label name "job" ...; nothing was stored`. A timestamp more than a day after the
//!   request's arrival counts as malformed (it would make retention delete everything
//!   older).
//! - **400, samples refused**: well-formed samples the store refuses because they are
//!   older than the out-of-order window allows cannot be stored, ever; the others are
//!   stored and the error says how many of each and which line was refused first
//!   (`stored 7 of 10 samples; refused 3 (out_of_window: 3), the first: line 9: ...`).
//!   VictoriaMetrics drops such samples silently with a 204; Vitals tells the caller, as
//!   Prometheus' remote-write receiver does with a 400, so that a retry is not attempted.
//! - **400** for a body that cannot be read or is not valid gzip, **413** for a body over
//!   the limit (compressed or decompressed), **415** for an unsupported
//!   `Content-Encoding`.
//!
//! Two imports run at a time; further ones wait for their turn before their bodies are
//! read, so at most two bodies are held in memory. A gzip body is decompressed as it is
//! read, twice (check, then import), rather than held decompressed.
//!
//! Every import is recorded in the audit log with its counts, a failed one with its
//! `error`.

use std::io::{self, BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use flate2::read::MultiGzDecoder;
use serde_json::{json, Map, Value};
use vitals_collect::ingest::{self, IngestError, IngestOptions, IngestReport, OnError};
use vitals_collect::wall_clock_ms;
use vitals_store::Store;

use crate::error::ApiError;
use crate::routes::blocking;
use crate::App;

/// The largest body accepted, compressed or not.
const BODY_LIMIT: usize = 256 << 20;

/// `POST /api/v1/import/prometheus`: checks the body, imports it and audits the import;
/// see the module documentation for the answers.
pub(crate) async fn import(State(app): State<App>, req: Request) -> Result<StatusCode, ApiError> {
    let received_ms = wall_clock_ms();
    let actor = match req.extensions().get::<ConnectInfo<SocketAddr>>() {
        Some(ConnectInfo(peer)) => format!("http {peer}"),
        None => "http".to_owned(),
    };
    let ready = app.ready()?;
    let (store, state) = (ready.store.clone(), ready.state.clone());
    let turn = app.import_turn().await?;
    let started = Instant::now();
    let received = receive(req).await;
    blocking("import", move || {
        let _turn = turn;
        let mut detail = Map::new();
        detail.insert("source".into(), json!("http"));
        let result = received.and_then(|(body, gzip)| {
            detail.insert("bytes".into(), json!(body.len()));
            if gzip {
                detail.insert("content_encoding".into(), json!("gzip"));
            }
            run(&store, &body, gzip, received_ms, &mut detail)
        });
        detail.insert("duration_ms".into(), json!(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)));
        if let Err(e) = &result {
            detail.insert("error".into(), json!(e.message));
        }
        if let Err(e) = state.audit(&actor, "import", Value::Object(detail)) {
            tracing::warn!("recording an import in the audit log: {e}");
        }
        result
    })
    .await
}

/// The body, and whether it is gzip: 415 for another `Content-Encoding`, 413 for a body
/// over the limit, 400 for one that cannot be read.
async fn receive(req: Request) -> Result<(Bytes, bool), ApiError> {
    let gzip = match req.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().map(|s| s.trim().to_ascii_lowercase())) {
        None => false,
        Some(Ok(e)) if e.is_empty() || e == "identity" => false,
        Some(Ok(e)) if e == "gzip" || e == "x-gzip" => true,
        Some(other) => {
            let shown = other.unwrap_or_else(|_| "(not text)".to_owned());
            return Err(ApiError::with_status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("unsupported Content-Encoding {shown:?}; send the body plain or with Content-Encoding: gzip"),
            ));
        }
    };
    let body = axum::body::to_bytes(req.into_body(), BODY_LIMIT).await.map_err(|e| ApiError::body(&e, "the request body", BODY_LIMIT))?;
    Ok((body, gzip))
}

/// Checks the whole body, then imports it; adds the counts to `detail`.
fn run(store: &Store, body: &[u8], gzip: bool, received_ms: i64, detail: &mut Map<String, Value>) -> Result<StatusCode, ApiError> {
    let opts = IngestOptions { on_error: OnError::Reject, default_time_ms: received_ms, max_listed: 1 };
    let checked = ingest::check(text(body, gzip), &opts).map_err(|e| unreadable(&e, gzip))?;
    if let Some(first) = checked.problems.first() {
        let more = match checked.malformed - 1 {
            0 => String::new(),
            n => format!(" (and {n} more malformed line{})", if n == 1 { "" } else { "s" }),
        };
        counts(detail, &checked);
        return Err(ApiError::bad_data(format!("{first}{more}; nothing was stored")));
    }
    let report = ingest::ingest(store, text(body, gzip), &opts).map_err(|e| {
        counts(detail, e.report());
        match e {
            IngestError::Store { source, .. } => ApiError::store(source),
            e => unreadable(&e, gzip),
        }
    })?;
    counts(detail, &report);
    if report.rejected_total() > 0 {
        return Err(ApiError::bad_data(refusal(&report)));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The audit log's counts of an import.
fn counts(detail: &mut Map<String, Value>, r: &IngestReport) {
    for (key, n) in [
        ("lines", r.lines),
        ("samples", r.samples),
        ("accepted", r.accepted),
        ("duplicates", r.duplicates),
        ("rejected", r.rejected_total()),
        ("malformed", r.malformed),
    ] {
        detail.insert(key.into(), json!(n));
    }
}

/// The text of the body: as is, or decompressed while it is read.
fn text(body: &[u8], gzip: bool) -> Box<dyn BufRead + '_> {
    if gzip {
        Box::new(BufReader::with_capacity(64 << 10, Capped { inner: MultiGzDecoder::new(body), left: BODY_LIMIT }))
    } else {
        Box::new(body)
    }
}

/// An error of reading the body's text: 413 when it decompresses to more than the limit,
/// else 400 (for gzip, saying that it is not valid gzip).
fn unreadable(e: &IngestError, gzip: bool) -> ApiError {
    match e {
        IngestError::Read { source, .. } if source.kind() == io::ErrorKind::FileTooLarge => {
            ApiError::with_status(StatusCode::PAYLOAD_TOO_LARGE, source.to_string())
        }
        IngestError::Read { source, .. } if gzip => {
            ApiError::bad_data(format!("the body is not valid gzip (Content-Encoding: gzip): {source}"))
        }
        e => ApiError::bad_data(e.to_string()),
    }
}

/// A reader that fails with [`io::ErrorKind::FileTooLarge`] once more than `left` bytes
/// have come through it.
struct Capped<R> {
    inner: R,
    left: usize,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("the decompressed body is larger than the limit of {} MiB", BODY_LIMIT >> 20),
            )
        })?;
        Ok(n)
    }
}

/// `stored 7 of 10 samples; refused 3 (out_of_window: 3), the first: line 9: ...`.
fn refusal(report: &IngestReport) -> String {
    let reasons: Vec<String> = report.rejected.iter().map(|(r, n)| format!("{}: {n}", r.as_str())).collect();
    let first = report.first_rejection.as_ref().map_or_else(String::new, |r| format!(", the first: {r}"));
    format!(
        "stored {} of {} samples; refused {} ({}){first}",
        report.accepted + report.duplicates,
        report.samples,
        report.rejected_total(),
        reasons.join(", ")
    )
}
