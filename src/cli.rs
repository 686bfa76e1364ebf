//! The command line: subcommands and their flags.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// One binary that watches a machine and its services, keeps their history and tells what
/// is slow.
#[derive(Parser)]
#[command(name = "vitals", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Collect metrics, store them and serve the HTTP API until SIGINT or SIGTERM.
    Serve(ServeArgs),
    /// Load a Prometheus text exposition file (plain or gzip) into a data directory.
    Import(ImportArgs),
    /// Check a configuration file and print the effective configuration.
    CheckConfig(CheckConfigArgs),
    /// Run a PromQL query on a running Vitals and print the answer.
    Query(QueryArgs),
    /// Analyse series: anomalies, forecasts, correlations, change points, trends.
    Analyze(AnalyzeArgs),
    /// Print the version, the git commit it was built from and the target.
    Version,
}

/// `vitals serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// Configuration file (YAML); without one, the defaults apply.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory; overrides the file's `data_dir`.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// HTTP listen address such as 127.0.0.1:7464 (port 0 picks a free port); overrides the
    /// file's `listen`.
    #[arg(long, value_name = "ADDR", value_parser = vitals_config::parse_listen)]
    pub listen: Option<SocketAddr>,
}

/// `vitals import`.
#[derive(Args)]
pub struct ImportArgs {
    /// The file to import, plain text or gzip (detected by its first bytes); `-` reads
    /// standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Data directory to import into; defaults to the configuration's `data_dir`. It must
    /// not be in use by a running `vitals serve`.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// What to do with malformed lines: `reject` checks the whole file first and stores
    /// nothing if any line is bad; `skip` imports the other lines and lists the bad ones.
    #[arg(long, value_name = "POLICY", default_value = "reject")]
    pub on_error: OnErrorArg,
    /// Configuration file, for `data_dir` and the storage settings.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `--on-error` values.
#[derive(Clone, Copy, ValueEnum)]
pub enum OnErrorArg {
    /// Store nothing if any line is malformed.
    Reject,
    /// Skip malformed lines and list them.
    Skip,
}

/// `vitals check-config`.
#[derive(Args)]
pub struct CheckConfigArgs {
    /// The configuration file to check.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `vitals query`.
#[derive(Args)]
pub struct QueryArgs {
    /// The PromQL expression, such as 'rate(node_cpu_seconds_total[5m])'.
    #[arg(value_name = "EXPR")]
    pub expr: String,
    /// The Vitals to ask, such as http://127.0.0.1:7464; default: the configuration's
    /// `listen` address.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Configuration file, for the `listen` address when --url is not given.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Evaluation time of an instant query: Unix seconds, RFC 3339 or `now` (default).
    #[arg(long, value_name = "TIME")]
    pub time: Option<String>,
    /// Run a range query from --start to --end every --step.
    #[arg(long)]
    pub range: bool,
    /// Start of a range query (default: an hour before --end).
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,
    /// End of a range query (default: now).
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,
    /// Step of a range query: seconds or a duration like 15s or 1m (default: about 250 points).
    #[arg(long, value_name = "DURATION")]
    pub step: Option<String>,
    /// Output: an aligned table, the server's JSON, or CSV.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: QueryFormat,
}

/// `--format` values of `vitals query`.
#[derive(Clone, Copy, ValueEnum)]
pub enum QueryFormat {
    /// Aligned columns: one row per series (instant) or per point (range).
    Table,
    /// The Prometheus API's JSON answer as the server sent it.
    Json,
    /// `series,time,value` rows.
    Csv,
}

/// `vitals analyze`.
#[derive(Args)]
pub struct AnalyzeArgs {
    /// Which analysis.
    #[command(subcommand)]
    pub command: AnalyzeCommand,
}

/// The analyses of `vitals analyze`.
#[derive(Subcommand)]
pub enum AnalyzeCommand {
    /// Score each row of a `timestamp,value` CSV file (the NAB format) for anomalies, in
    /// order, and print `timestamp,value,anomaly_score` rows.
    Anomalies(AnomaliesArgs),
}

/// `vitals analyze anomalies`.
#[derive(Args)]
pub struct AnomaliesArgs {
    /// The CSV file: a `timestamp,value` header, then rows with timestamps such as
    /// `2014-04-10 07:15:00` (UTC), RFC 3339 or Unix seconds.
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Score (0 to 1) at which a row is flagged; scores after a flag are held below it for
    /// the suppression period; default: the detector's.
    #[arg(long, value_name = "SCORE", value_parser = parse_unit)]
    pub threshold: Option<f64>,
}

/// A number in [0, 1].
fn parse_unit(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{text:?} is not a number from 0 to 1")),
    }
}

/// Where to find a running Vitals, for the analyses that ask one.
#[derive(Args)]
pub struct ServerArgs {
    /// The Vitals to ask, such as http://127.0.0.1:7464; default: the configuration's
    /// `listen` address.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Configuration file, for the `listen` address when --url is not given.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}
