//! `/metrics`: Vitals' own current metrics in the text exposition format, from the
//! collectors' last runs. `job` and `instance` are left to the scraper, as an exporter does.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use vitals_collect::{type_of, Reading};
use vitals_exposition::Encoder;

use crate::error::ApiError;
use crate::App;

/// The content type of text format 0.0.4.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `GET /metrics`: the collectors' last readings as text format 0.0.4, 503 until the store
/// is open.
pub(crate) async fn metrics(State(app): State<App>) -> Result<impl IntoResponse, ApiError> {
    let readings = app.ready()?.latest.readings();
    let page = render(&readings).map_err(|e| ApiError::internal(format!("rendering /metrics: {e}")))?;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], page))
}

/// One family after another (sorted by name), each with HELP, TYPE and UNIT.
fn render(readings: &[Reading]) -> Result<String, vitals_exposition::EncodeError> {
    let mut families: BTreeMap<&str, Vec<&Reading>> = BTreeMap::new();
    for r in readings {
        families.entry(r.series.metric.name).or_default().push(r);
    }
    let mut enc = Encoder::new(String::new());
    for (name, samples) in families {
        let metric = samples[0].series.metric;
        let unit = Some(metric.unit).filter(|u| !u.is_empty());
        enc.family(name, metric.help, type_of(metric.kind), unit)?;
        for r in samples {
            let labels: Vec<(&str, &str)> = r.series.labels.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            enc.sample(name, &labels, r.value, None)?;
        }
    }
    Ok(enc.into_inner())
}
