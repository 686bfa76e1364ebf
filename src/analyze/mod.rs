//! `vitals analyze ...`: the analyses of `vitals-analytics` from the command line. Those
//! over stored series ask a running Vitals through `/api/v1/analytics/...` (so the CLI and
//! the HTTP API give the same answers); those over a file run here.

mod anomalies;
mod capacity;
mod changepoints;
mod correlate;
mod forecast;
mod form;
mod percentiles;
mod trend;

use std::process::ExitCode;

use serde_json::Value;

use crate::cli::{AnalyzeArgs, AnalyzeCommand, AnalyzeFormat, AskArgs, ServerArgs};
use crate::client::Client;
use crate::shown::print_body;
use form::Form;

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

/// Asks the Vitals of `server` for the analysis at `path` (such as
/// `/api/v1/analytics/trend`) with `form`, and the `--timeout` and `--max-series` that were
/// given: the answer and its body as sent.
fn ask(server: &ServerArgs, path: &str, form: &Form) -> anyhow::Result<(Value, String)> {
    let mut form = form.clone();
    form.extend(form::given([("timeout", server.timeout.clone()), ("max_series", server.max_series.map(|n| n.to_string()))]));
    Client::new(server.url.as_deref(), server.config.as_deref())?.post_json(path, &form)
}

/// Asks as [`ask`] and prints the answer as `--format` says: the server's JSON as sent, or
/// what `text` makes of its `data` for people.
fn show(args: &AskArgs, path: &str, form: &Form, text: impl FnOnce(&Value) -> anyhow::Result<String>) -> anyhow::Result<()> {
    let (answer, body) = ask(&args.server, path, form)?;
    match args.format {
        AnalyzeFormat::Json => print_body(&body),
        AnalyzeFormat::Table => print!("{}", text(&answer["data"])?),
    }
    Ok(())
}
