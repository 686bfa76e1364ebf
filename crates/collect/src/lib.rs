//! How samples get into Vitals' store, other than through the store's API directly.
//!
//! - **Collectors** ([`Collector`]) read current values — Vitals' own process
//!   ([`ProcessCollector`]), the store ([`StoreCollector`]), the build
//!   ([`BuildInfoCollector`]); the host's in later issues — and write them through an
//!   [`Emitter`], which registers each series once and reuses its reference afterwards.
//! - The **scheduler** ([`Scheduler`]) runs them every `collection.interval`, each on a
//!   thread of its own with a timeout, so one failing or stuck collector never stalls the
//!   others. Every cycle's samples share one timestamp and go to the store in one append,
//!   with `vitals_collector_up{collector}` and `vitals_collector_duration_seconds{collector}`.
//!   A collector's failure is logged when it starts and when it ends, not every cycle.
//!   [`Latest`] keeps the last values for the `/metrics` page.
//! - **Import** ([`ingest`]) reads the Prometheus text exposition format, for
//!   `vitals import` and `/api/v1/import/prometheus`.

#![warn(missing_docs)]

mod build_info;
mod collector;
mod cycle;
mod emitter;
mod health;
pub mod ingest;
mod latest;
mod metric;
mod process;
mod scheduler;
mod store_metrics;
mod worker;

pub use build_info::BuildInfoCollector;
pub use collector::{CollectError, Collector};
pub use emitter::Emitter;
pub use latest::{Latest, Reading, SeriesInfo};
pub use metric::{kind_of, type_of, Metric};
pub use process::ProcessCollector;
pub use scheduler::{Scheduler, SchedulerOptions};
pub use store_metrics::StoreCollector;
pub use vitals_store::wall_clock_ms;
