//! `/api/v1/export`: raw samples of the series matching `match[]` (required) between
//! `start` and `end`, in VictoriaMetrics' JSON line format, one series per line:
//!
//! ```text
//! {"metric":{"__name__":"up","job":"node"},"values":[1,0.5],"timestamps":[1700000000000,1700000001000]}
//! ```
//!
//! Finite values are JSON numbers written with the shortest digits that read back to the
//! same f64, so every value round-trips bit for bit. JSON has no NaN or infinities; like
//! VictoriaMetrics' `/api/v1/import` reads them, NaN is written `"NaN"`, +Inf `"Inf"` and
//! -Inf `"-Inf"`. Staleness markers are left out, timestamp and all: they mark the end of
//! a series rather than a value (VictoriaMetrics writes `null`, which its import reads back
//! as a plain NaN). A series whose samples in the range are all staleness markers gets no
//! line. Lines are sorted by series.
//!
//! The matching series are listed first (a bad parameter is a 400 before anything is
//! sent); their samples are then read [`SERIES_PER_READ`] series at a time and sent as the
//! lines are ready, so an export holds one chunk's samples in memory, not the whole
//! result. A store failure after the first bytes cuts the response off (the client sees an
//! incomplete body) and is logged.

use std::fmt::Write as _;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;
use vitals_store::{is_stale_marker, Labels, SeriesSamples, Store, StoreError, METRIC_NAME_LABEL};

use crate::error::ApiError;
use crate::params::Params;
use crate::result::json_string;
use crate::routes::blocking;
use crate::App;

/// Bytes of output gathered before they are sent on.
const CHUNK: usize = 64 << 10;

/// Series whose samples are read from the store at a time.
const SERIES_PER_READ: usize = 1000;

/// `GET|POST /api/v1/export`: the samples of the series matching `match[]` as JSON lines.
pub(crate) async fn export(State(app): State<App>, params: Params) -> Result<Response, ApiError> {
    let store = app.ready()?.store.clone();
    let listing = store.clone();
    // A series matched by several selectors is listed, and so exported, once.
    let (series, start, end) = blocking("export", move || {
        let sets = params.required_matcher_sets()?;
        let (start, end) = params.time_range()?;
        Ok((listing.series(&sets, start, end), start, end))
    })
    .await?;
    let (tx, rx) = mpsc::channel::<Result<Bytes, StoreError>>(4);
    tokio::task::spawn_blocking(move || write_series(&store, &series, start, end, &tx));
    let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) });
    Ok(([(header::CONTENT_TYPE, "application/stream+json; charset=utf-8")], Body::from_stream(stream)).into_response())
}

/// Reads `series` a chunk at a time and sends their lines to `tx`, about [`CHUNK`] bytes
/// at a time; stops early if the client went away. A store failure is sent as the last
/// item, which cuts the response off.
fn write_series(store: &Store, series: &[Labels], start: i64, end: i64, tx: &mpsc::Sender<Result<Bytes, StoreError>>) {
    let mut buf = String::with_capacity(CHUNK);
    for chunk in series.chunks(SERIES_PER_READ) {
        let read = match store.select_series(chunk, start, end) {
            Ok(read) => read,
            Err(e) => {
                tracing::error!("export cut off: reading {} series: {e}", chunk.len());
                let _ = tx.blocking_send(Err(e));
                return;
            }
        };
        for s in &read {
            write_line(&mut buf, s);
            if buf.len() >= CHUNK && tx.blocking_send(Ok(Bytes::from(std::mem::take(&mut buf)))).is_err() {
                return;
            }
        }
    }
    if !buf.is_empty() {
        let _ = tx.blocking_send(Ok(Bytes::from(buf)));
    }
}

/// One series' line, or nothing when it has only staleness markers.
pub(crate) fn write_line(out: &mut String, s: &SeriesSamples) {
    let samples: Vec<_> = s.samples.iter().filter(|x| !is_stale_marker(x.v)).collect();
    if samples.is_empty() {
        return;
    }
    out.push_str("{\"metric\":{");
    // VictoriaMetrics writes the name first.
    let name = s.labels.iter().filter(|l| l.name == METRIC_NAME_LABEL);
    for (i, l) in name.chain(s.labels.iter().filter(|l| l.name != METRIC_NAME_LABEL)).enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(out, &l.name);
        out.push(':');
        json_string(out, &l.value);
    }
    out.push_str("},\"values\":[");
    for (i, x) in samples.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_value(out, x.v);
    }
    out.push_str("],\"timestamps\":[");
    for (i, x) in samples.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}", x.t);
    }
    out.push_str("]}\n");
}

/// A value: the shortest round-trip digits (`1`, `0.1`, `1e-7`, `-0.0`), or `"NaN"`,
/// `"Inf"`, `"-Inf"`.
fn push_value(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("\"NaN\"");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "\"Inf\"" } else { "\"-Inf\"" });
    } else {
        let start = out.len();
        // Debug gives the shortest digits that parse back to the same f64, in JSON syntax.
        let _ = write!(out, "{v:?}");
        // Whole numbers without the ".0", as VictoriaMetrics writes them; -0.0 keeps it so
        // that the sign survives JSON parsers that read "-0" as an integer.
        if out.ends_with(".0") && &out[start..] != "-0.0" {
            out.truncate(out.len() - 2);
        }
    }
}

#[cfg(test)]
mod tests {
    use vitals_store::{stale_marker, Labels, Sample};

    use super::*;

    fn line(labels: &[(&str, &str)], samples: &[(i64, f64)]) -> String {
        let s = SeriesSamples {
            labels: Labels::from_pairs(labels.iter().copied()),
            samples: samples.iter().map(|&(t, v)| Sample { t, v }).collect(),
        };
        let mut out = String::new();
        write_line(&mut out, &s);
        out
    }

    #[test]
    fn writes_victoriametrics_json_lines() {
        let got = line(&[("job", "a\"b\\c\n"), ("__name__", "up"), ("Zone", "x")], &[(1000, 1.0), (2000, 0.1), (3000, -0.0), (4000, 1e-7)]);
        assert_eq!(
            got,
            "{\"metric\":{\"__name__\":\"up\",\"Zone\":\"x\",\"job\":\"a\\\"b\\\\c\\n\"},\"values\":[1,0.1,-0.0,1e-7],\"timestamps\":[1000,2000,3000,4000]}\n"
        );
        let parsed: serde_json::Value = serde_json::from_str(&got).unwrap();
        assert_eq!(parsed["metric"]["job"], "a\"b\\c\n");
    }

    #[test]
    fn special_values_and_staleness_markers() {
        let got = line(&[("__name__", "x")], &[(1, f64::NAN), (2, f64::INFINITY), (3, stale_marker()), (4, f64::NEG_INFINITY)]);
        assert_eq!(got, "{\"metric\":{\"__name__\":\"x\"},\"values\":[\"NaN\",\"Inf\",\"-Inf\"],\"timestamps\":[1,2,4]}\n");
        assert_eq!(line(&[("__name__", "x")], &[(3, stale_marker())]), "");
    }

    #[test]
    fn finite_values_round_trip_bit_for_bit() {
        let values = [0.1 + 0.2, 1.0 / 3.0, 123456789.12345678, 5e-324, f64::MAX, -1.5e300, 1e16, 1e15, 2f64.powi(60), 0.0];
        let got = line(&[("__name__", "x")], &values.iter().enumerate().map(|(i, v)| (i as i64, *v)).collect::<Vec<_>>());
        let start = got.find("\"values\":[").unwrap() + 10;
        let end = got[start..].find(']').unwrap() + start;
        let back: Vec<u64> = got[start..end].split(',').map(|t| t.parse::<f64>().unwrap().to_bits()).collect();
        assert_eq!(back, values.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
    }
}
