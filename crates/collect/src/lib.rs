//! How samples get into Vitals' store, other than through the store's API directly.
//!
//! - **Collectors** ([`Collector`]) read current values — Vitals' own process
//!   ([`ProcessCollector`]), the store ([`StoreCollector`]), the build
//!   ([`BuildInfoCollector`]); the host's ([`host`]: CPU, memory, disks, file systems,
//!   network, time, under node_exporter's names); cgroups ([`CgroupCollector`]), configured
//!   services ([`ServicesCollector`]) and the top processes ([`TopProcessesCollector`]) —
//!   and write them through an [`Emitter`], which registers each series once and reuses its
//!   reference afterwards. A run that reads part of its sources reports itself degraded
//!   ([`Emitter::degrade`]) with a reason. [`collectors`] builds the list `vitals serve` runs
//!   from the configuration.
//! - The **scheduler** ([`Scheduler`]) runs them every `collection.interval` with a
//!   timeout each: those that can block on a thread of their own, so one stuck collector
//!   never stalls the others, and those that cannot ([`Collector::can_block`]) one after
//!   the other on one shared thread, which saves a thread wake-up each per cycle; a failing
//!   or panicking one is down alone. Every cycle's samples share one timestamp and go to
//!   the store in one append,
//!   with `vitals_collector_up{collector}` and `vitals_collector_duration_seconds{collector}`.
//!   A collector's failure is logged when it starts and when it ends, not every cycle; a
//!   degraded run keeps `vitals_collector_up` at 1 and sets `vitals_collector_degraded` to
//!   1, logged when it starts or its reason changes. [`Scheduler::status`] gives each
//!   collector's state and reason (up, degraded, down, unavailable, disabled) for the API.
//!   [`Latest`] keeps the last values for the `/metrics` page. With anomaly scores
//!   ([`AnomalyScoring`]), every series' detector is restored from the state database at
//!   start and saved to it every 10 minutes and at shutdown.
//! - **Import** ([`ingest`]) reads the Prometheus text exposition format, for
//!   `vitals import` and `/api/v1/import/prometheus`.

#![warn(missing_docs)]

mod anomaly_scores;
mod build_info;
mod cgroup;
mod checkpoint;
mod choose;
mod collector;
mod cycle;
mod device_cache;
mod emitter;
mod health;
pub mod host;
pub mod ingest;
mod latest;
mod metric;
mod process;
mod scheduler;
mod services;
mod status;
mod store_metrics;
mod worker;

pub use anomaly_scores::RestoredDetectors;
pub use build_info::BuildInfoCollector;
pub use cgroup::CgroupCollector;
pub use choose::collectors;
pub use collector::{CollectError, Collector};
pub use emitter::Emitter;
pub use latest::{Latest, Reading, SeriesInfo};
pub use metric::{kind_of, type_of, Metric};
pub use process::ProcessCollector;
pub use scheduler::{AnomalyScoring, Scheduler, SchedulerOptions};
pub use services::{ServiceSpec, ServicesCollector, TopProcessesCollector};
pub use status::{CollectorState, CollectorStatus, NotRun, Statuses};
pub use store_metrics::StoreCollector;
pub use vitals_store::wall_clock_ms;
