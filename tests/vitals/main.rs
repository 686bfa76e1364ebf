//! Tests of the `vitals` binary: each runs the real executable on 127.0.0.1 with a free
//! port and a temporary data directory.

mod check_config;
mod cli_import;
mod common;
mod crash;
mod http_import;
mod serve;
mod shutdown;
