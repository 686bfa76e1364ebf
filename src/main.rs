//! `vitals`: one binary that watches a machine, keeps the history of its metrics and
//! serves them — `serve`, `import`, `check-config` and `version`.

mod check_config;
mod cli;
mod import;
mod input;
mod logging;
mod serve;
mod shutdown;
mod store_options;
mod version;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Serve(args) => serve::run(args),
        Command::Import(args) => import::run(args),
        Command::CheckConfig(args) => check_config::run(&args),
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
