//! The Prometheus text exposition format, version 0.0.4, plus the OpenMetrics
//! lines seen in practice (`# UNIT`, `# EOF`, exemplars): parsing and rendering.
//!
//! Parsing is line by line and borrows from the line: [`parse_line`] reads one
//! line, [`for_each_line`] streams a whole reader through one reused buffer.
//! This is what `vitals import` and `/api/v1/import/prometheus` use, so a
//! malformed line is reported as a [`LineError`] naming the 1-based column and
//! what was expected there, never as a panic.
//!
//! Rendering, for Vitals' own `/metrics` page, goes through [`Encoder`], whose
//! output parses back to the same families and samples.
//!
//! ```
//! use vitals_exposition::{parse_line, Encoder, Line, MetricType};
//!
//! let mut page = String::new();
//! let mut enc = Encoder::new(&mut page);
//! enc.family("http_requests_total", "Requests served.", MetricType::Counter, None)?;
//! enc.sample("http_requests_total", &[("code", "200")], 1027.0, Some(1_700_000_000_000))?;
//! assert_eq!(
//!     page.lines().collect::<Vec<_>>(),
//!     [
//!         "# HELP http_requests_total Requests served.",
//!         "# TYPE http_requests_total counter",
//!         r#"http_requests_total{code="200"} 1027 1700000000000"#,
//!     ]
//! );
//!
//! let Line::Sample(s) = parse_line(page.lines().nth(2).unwrap())? else { unreachable!() };
//! assert_eq!((s.name, s.value, s.timestamp_ms), ("http_requests_total", 1027.0, Some(1_700_000_000_000)));
//!
//! let err = parse_line(r#"up{job "node"} 1"#).unwrap_err();
//! assert_eq!(err.to_string(), r#"column 8: expected '=' after label name "job", found "\"""#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod cursor;
mod encode;
mod line;
mod metric_type;
mod names;
mod parse;
mod stream;
mod value;

pub use encode::{EncodeError, Encoder};
pub use line::{Line, LineError, SampleLine};
pub use metric_type::{MetricType, UnknownMetricType};
pub use parse::parse_line;
pub use stream::for_each_line;
