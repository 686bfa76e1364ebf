//! `/api/v1/import/prometheus`: text exposition in the request body, optionally gzip
//! (`Content-Encoding: gzip`), at most 256 MiB before and after decompression. Samples
//! without a timestamp get the time the request arrived.
//!
//! - **204 No Content**: every sample is stored (or was already, identically) and in the
//!   WAL: an acknowledged import survives a crash of Vitals.
//! - **400, malformed input**: the whole body is checked before anything is stored, so a
//!   malformed line — or a series name Vitals cannot store — stores nothing. The error
//!   names the first bad line: `line 3, column 7: expected '=' after label name "job" ...;
//!   nothing was stored`. A timestamp more than a day after the request's arrival counts as
//!   malformed (it would make retention delete everything older).
//! - **400, samples refused**: well-formed samples the store refuses because they are
//!   older than the out-of-order window allows cannot be stored, ever; the others are
//!   stored and the error says how many of each and which line was refused first
//!   (`stored 7 of 10 samples; refused 3 (out_of_window: 3), the first: line 9: ...`).
//!   VictoriaMetrics drops such samples silently with a 204; Vitals tells the caller, as
//!   Prometheus' remote-write receiver does with a 400, so that a retry is not attempted.
//! - **413** for a body over the limit, **415** for an unsupported `Content-Encoding`.
//!
//! Every import is recorded in the audit log with its counts.

use std::borrow::Cow;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use serde_json::json;
use vitals_collect::ingest::{self, IngestError, IngestOptions, IngestReport, OnError};
use vitals_state::State as StateDb;
use vitals_store::Store;

use crate::error::ApiError;
use crate::App;

/// The largest body accepted, compressed or not.
const BODY_LIMIT: usize = 256 << 20;

pub(crate) async fn import(State(app): State<App>, req: Request) -> Result<StatusCode, ApiError> {
    let received_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    let actor = match req.extensions().get::<ConnectInfo<SocketAddr>>() {
        Some(ConnectInfo(peer)) => format!("http {peer}"),
        None => "http".to_owned(),
    };
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
    let ready = app.ready()?;
    let (store, state) = (ready.store.clone(), ready.state.clone());
    let body = axum::body::to_bytes(req.into_body(), BODY_LIMIT).await.map_err(|e| {
        ApiError::with_status(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("reading the request body: {e} (the limit is {} MiB)", BODY_LIMIT >> 20),
        )
    })?;
    tokio::task::spawn_blocking(move || run(&store, &state, &body, gzip, received_ms, &actor))
        .await
        .map_err(|e| ApiError::internal(format!("import failed: {e}")))?
}

/// Decompresses, checks, imports and audits the body.
fn run(store: &Store, state: &Arc<StateDb>, body: &Bytes, gzip: bool, received_ms: i64, actor: &str) -> Result<StatusCode, ApiError> {
    let started = Instant::now();
    let text: Cow<'_, [u8]> = if gzip { Cow::Owned(gunzip(body)?) } else { Cow::Borrowed(body) };
    let audit = |detail: serde_json::Value| {
        if let Err(e) = state.audit(actor, "import", detail) {
            tracing::warn!("recording an import in the audit log: {e}");
        }
    };
    let opts = IngestOptions { on_error: OnError::Reject, default_time_ms: received_ms, max_listed: 1 };
    let checked = ingest::check(&text[..], &opts).map_err(|e| ApiError::bad_data(e.to_string()))?;
    if let Some(first) = checked.problems.first() {
        let more = match checked.malformed - 1 {
            0 => String::new(),
            n => format!(" (and {n} more malformed line{})", if n == 1 { "" } else { "s" }),
        };
        let message = format!("{first}{more}; nothing was stored");
        audit(json!({"source": "http", "bytes": text.len(), "accepted": 0, "malformed": checked.malformed, "error": message}));
        return Err(ApiError::bad_data(message));
    }
    let report = ingest::ingest(store, &text[..], &opts).map_err(|e| match e {
        IngestError::Store(e) => ApiError::store(e),
        e => ApiError::bad_data(e.to_string()),
    })?;
    audit(json!({
        "source": "http",
        "bytes": text.len(),
        "samples": report.samples,
        "accepted": report.accepted,
        "duplicates": report.duplicates,
        "rejected": report.rejected_total(),
        "duration_ms": started.elapsed().as_millis() as u64,
    }));
    if report.rejected_total() > 0 {
        return Err(ApiError::bad_data(refusal(&report)));
    }
    Ok(StatusCode::NO_CONTENT)
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

/// The decompressed body, within the size limit.
fn gunzip(body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .take(BODY_LIMIT as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| ApiError::bad_data(format!("the body is not valid gzip (Content-Encoding: gzip): {e}")))?;
    if out.len() > BODY_LIMIT {
        return Err(ApiError::with_status(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the decompressed body is larger than {} MiB", BODY_LIMIT >> 20),
        ));
    }
    Ok(out)
}
