//! Vitals' HTTP server: the routes of one axum [`Router`].
//!
//! | Route | Methods | What |
//! | --- | --- | --- |
//! | `/metrics` | GET | Vitals' own current metrics, text exposition format |
//! | `/-/healthy` | GET | 200 while the process serves HTTP |
//! | `/-/ready` | GET | 200 once the store is open (WAL replayed), else 503 |
//! | `/api/v1/query` | GET, POST | PromQL instant query (Prometheus API) |
//! | `/api/v1/query_range` | GET, POST | PromQL range query (Prometheus API) |
//! | `/api/v1/format_query` | GET, POST | a query in PromQL's canonical layout (Prometheus API) |
//! | `/api/v1/series` | GET, POST | series matching `match[]` (Prometheus API) |
//! | `/api/v1/labels` | GET, POST | label names (Prometheus API) |
//! | `/api/v1/label/{name}/values` | GET, POST | values of one label (Prometheus API) |
//! | `/api/v1/metadata` | GET | metric families' type, help and unit (Prometheus API) |
//! | `/api/v1/status/buildinfo` | GET | version (of the Prometheus API followed) and build (Prometheus API) |
//! | `/api/v1/status/runtimeinfo` | GET | start time, retention, ... (Prometheus API) |
//! | `/api/v1/status/collectors` | GET | each collector's state (up, degraded, down, unavailable, disabled) and why |
//! | `/api/v1/analytics/forecast` | GET, POST | each series' forecast with 80 % and 95 % intervals, the model chosen by held-out error |
//! | `/api/v1/analytics/capacity` | GET, POST | when each series crosses a threshold (disks, inodes, memory full by default), with an 80 % interval |
//! | `/api/v1/export` | GET, POST | raw samples as JSON lines (VictoriaMetrics format) |
//! | `/api/v1/import/prometheus` | POST | text exposition in, optionally gzip |
//! | `/api/v1/analytics/changepoints` | GET, POST | where series shift level (E-divisive, Student's t) |
//! | `/api/v1/analytics/trend` | GET, POST | Theil-Sen slope, Mann-Kendall test, rising or falling |
//! | `/api/v1/analytics/correlate` | GET, POST | series ranked by change against a baseline (Kolmogorov-Smirnov, volume), or by lagged correlation with a `target` (Pearson, Spearman) |
//! | `/api/v1/analytics/percentiles` | GET, POST | P50, P95, P99, P99.9 of a query's samples in a window, per series and merged, by a mergeable sketch |
//! | `/api/v1/live` | GET | instant queries pushed after every collection cycle (server-sent events) |
//! | `/`, `/assets/{file}` | GET | the web dashboard, embedded (built from `web/` by `build.rs`) |
//! | `/api/v1/analytics/anomalies` | GET, POST | streaming anomaly scores and flagged points of each series of a query over a window |
//!
//! API errors use Prometheus' shape, `{"status":"error","errorType":"bad_data","error":"..."}`,
//! with 400 for bad input; bad input never causes a 5xx. Queries that cannot be evaluated
//! are 422 `execution` (too many samples) and queries past their timeout 503 `timeout`.
//! See each route's module for its parameters and choices.

#![warn(missing_docs)]

mod app;
mod error;
mod params;
mod result;
mod routes;
mod selector;
mod time;

pub use app::{App, BuildInfo, Ready};
pub use routes::router;
