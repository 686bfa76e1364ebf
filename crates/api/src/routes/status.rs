//! `/api/v1/status/buildinfo` and `/api/v1/status/runtimeinfo`, in Prometheus' shapes.
//!
//! Build info reports `version` as the Prometheus version whose query API and PromQL
//! semantics Vitals follows ([`PROMETHEUS_COMPATIBLE`]), and Vitals' own version and commit in
//! `vitalsVersion` and `revision`. Grafana's Prometheus data source reads `version` as
//! semver to choose which API features to use (for example `/api/v1/labels` with `match[]`,
//! from 2.24); a Vitals version such as 0.1.0 would make it fall back to the oldest API. It
//! treats an answer without a `features` object as plain Prometheus (with one, it looks
//! for Mimir), and a server that answers `/api/v1/status/flags` as Thanos, which is why
//! Vitals leaves that route out.

use std::fmt::Write;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::App;

/// The Prometheus release whose HTTP API and PromQL semantics Vitals implements.
pub(crate) const PROMETHEUS_COMPATIBLE: &str = "3.0.0";

/// `{"version":"3.0.0","revision":...,"vitalsVersion":...}` plus Prometheus' other fields.
pub(crate) async fn buildinfo(State(app): State<App>) -> Json<Value> {
    let b = app.build;
    Json(json!({"status": "success", "data": {
        "version": PROMETHEUS_COMPATIBLE,
        "revision": b.revision,
        "branch": "",
        "buildUser": "",
        "buildDate": "",
        "goVersion": "",
        "application": "Vitals",
        "vitalsVersion": b.version,
    }}))
}

/// Start time, working directory, store corruptions, async tasks and workers (in the
/// goroutine and GOMAXPROCS fields) and the raw-data retention.
pub(crate) async fn runtimeinfo(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    let store = app.ready()?.store.clone();
    let stats = tokio::task::spawn_blocking(move || (store.stats(), store.options().clone()))
        .await
        .map_err(|e| ApiError::internal(format!("reading store statistics failed: {e}")))?;
    let (stats, opts) = stats;
    let started = DateTime::<Utc>::from(app.started).to_rfc3339_opts(SecondsFormat::Nanos, true);
    let cwd = std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default();
    let tokio = tokio::runtime::Handle::current().metrics();
    let mut retention = if opts.retention_ms > 0 { duration(opts.retention_ms) } else { "forever".to_owned() };
    if opts.max_disk_bytes > 0 {
        let _ = write!(retention, " or {}", bytes(opts.max_disk_bytes));
    }
    Ok(Json(json!({"status": "success", "data": {
        "startTime": started,
        "CWD": cwd,
        // The configuration is read once at start; there is no reload that could fail.
        "reloadConfigSuccess": true,
        "lastConfigTime": started,
        "corruptionCount": stats.wal_corruptions_total + stats.blocks_corrupt_total,
        "goroutineCount": tokio.num_alive_tasks(),
        "GOMAXPROCS": tokio.num_workers(),
        "GOGC": "",
        "GODEBUG": "",
        "storageRetention": retention,
    }})))
}

/// Milliseconds as a Prometheus duration, largest units first: `15d` is `2w1d`.
fn duration(ms: i64) -> String {
    const DAY: i64 = 86_400_000;
    let units = [("y", 365 * DAY), ("w", 7 * DAY), ("d", DAY), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)];
    let mut rest = ms;
    let mut out = String::new();
    for (name, size) in units {
        if rest >= size {
            let _ = write!(out, "{}{name}", rest / size);
            rest %= size;
        }
    }
    out
}

/// A byte count in the largest binary unit that divides it, like `10GiB`.
fn bytes(n: u64) -> String {
    let units = [("TiB", 1u64 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    match units.iter().find(|(_, size)| n.is_multiple_of(*size)) {
        Some((name, size)) => format!("{}{name}", n / size),
        None => format!("{n}B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_in_prometheus_units() {
        assert_eq!(duration(15 * 86_400_000), "2w1d");
        assert_eq!(duration(90 * 60_000 + 500), "1h30m500ms");
        assert_eq!(bytes(10 << 30), "10GiB");
        assert_eq!(bytes(1536 << 10), "1536KiB");
        assert_eq!(bytes(1000), "1000B");
    }
}
