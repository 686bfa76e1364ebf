//! `vitals`: one binary that watches a machine, keeps the history of its metrics and
//! serves them — `serve`, `import`, `check-config`, `query` and `version`.

mod analyze;
mod check_config;
mod cli;
mod client;
mod import;
mod input;
mod logging;
mod query;
mod serve;
mod shown;
mod shutdown;
mod store_options;
mod version;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

// mimalloc instead of glibc's malloc: reads build many short-lived sample vectors, and
// glibc's mmap-backed large allocations cost a page fault per page each time (about a fifth
// of read time in the store benchmark).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Serve(args) => serve::run(args),
        Command::Import(args) => import::run(args),
        Command::CheckConfig(args) => check_config::run(&args),
        // Prints its own errors, as `vitals query: <reason>`.
        Command::Query(args) => return query::run(args),
        // Prints its own errors, as `vitals analyze: <reason>`.
        Command::Analyze(args) => return analyze::run(args),
        Command::Version => version::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
