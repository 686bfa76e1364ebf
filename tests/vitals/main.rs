//! Tests of the `vitals` binary: each runs the real executable on 127.0.0.1 with a free
//! port and a temporary data directory.

mod analyze_anomalies;
mod analyze_changepoints;
mod analyze_correlate;
mod analyze_forecast;
mod anomaly_restart;
mod check_config;
mod cli_import;
mod cli_query;
mod common;
mod crash;
mod demo;
mod grafana;
mod host;
mod http_import;
mod node_dataset;
mod node_exporter;
mod promtool;
mod serve;
mod services;
mod shutdown;
mod web;
