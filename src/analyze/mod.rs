//! `vitals analyze ...`: the analyses of `vitals-analytics` from the command line. Those
//! over stored series ask a running Vitals through `/api/v1/analytics/...` (so the CLI and
//! the HTTP API give the same answers); those over a file run here.

mod anomalies;
mod capacity;
mod changepoints;
mod correlate;
mod forecast;
mod percentiles;
mod shown;
mod trend;

use std::process::ExitCode;

use crate::cli::{AnalyzeArgs, AnalyzeCommand};

/// Runs the analysis and prints its answer; on failure prints `vitals analyze: <reason>`.
pub fn run(args: AnalyzeArgs) -> ExitCode {
    let result: anyhow::Result<()> = match args.command {
        AnalyzeCommand::Forecast(a) => forecast::run(&a),
        AnalyzeCommand::Capacity(a) => capacity::run(&a),
        AnalyzeCommand::Changepoints(args) => changepoints::run(&args),
        AnalyzeCommand::Trend(args) => trend::run(&args),
        AnalyzeCommand::Correlate(args) => correlate::run(&args),
        AnalyzeCommand::Percentiles(args) => percentiles::run(&args),
        AnalyzeCommand::Anomalies(a) => anomalies::run(&a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vitals analyze: {e:#}");
            ExitCode::FAILURE
        }
    }
}
