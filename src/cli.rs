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
    /// Forecast each series of a PromQL expression with 80 % and 95 % intervals (linear
    /// trend, ETS or MSTL+ETS, chosen per series by held-out error).
    Forecast(ForecastArgs),
    /// When disks, inodes and memory (or the series of an expression) will be full, with an
    /// 80 % interval.
    Capacity(CapacityArgs),
    /// Where series shift level (E-divisive means with Student's t-test), asking a running Vitals.
    Changepoints(ChangepointsArgs),
    /// Whether series rise or fall, and how fast (Theil-Sen, Mann-Kendall), asking a running Vitals.
    Trend(TrendArgs),
    /// Rank series by how much they changed in a window against a baseline, or (with
    /// --target) by their correlation with a target series at some lag.
    Correlate(CorrelateArgs),
    /// P50, P95, P99 and P99.9 of the samples an expression selects in a window, per
    /// series and merged.
    Percentiles(PercentilesArgs),
    /// Score each row of a `timestamp,value` CSV file (the NAB format) for anomalies, in
    /// order, and print `timestamp,value,anomaly_score` rows.
    Anomalies(AnomaliesArgs),
}

/// `vitals analyze forecast`.
#[derive(Args)]
pub struct ForecastArgs {
    /// The PromQL expression whose series to forecast.
    pub expr: String,
    /// How far ahead: a duration such as 6h or 7d.
    #[arg(long, value_name = "DURATION", default_value = "1d")]
    pub horizon: String,
    /// How much history to fit (default: four horizons, at least 1d, at most 90d).
    #[arg(long, value_name = "DURATION")]
    pub history: Option<String>,
    /// End of the history: Unix seconds, RFC 3339 or `now` (default).
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,
    /// Step of the history and the forecast (default: the finest of 1s ... 1d giving at most
    /// 2000 points of history).
    #[arg(long, value_name = "DURATION")]
    pub step: Option<String>,
    /// Output: a table (at most 25 steps per series), the server's JSON, or CSV (every step).
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: ForecastFormat,
    /// The server to ask.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `vitals analyze capacity`.
#[derive(Args)]
pub struct CapacityArgs {
    /// A PromQL expression whose series to check (default: file system space and inodes per
    /// mount point, and memory, each as the used share).
    pub expr: Option<String>,
    /// The value that counts as full (default 1.0).
    #[arg(long, value_name = "NUMBER")]
    pub threshold: Option<f64>,
    /// Which way the series runs out: `up` (it rises to the threshold, as used space does)
    /// or `down` (it falls to it, as free space does). Default: up.
    #[arg(long, value_name = "WAY")]
    pub direction: Option<CapacityDirection>,
    /// How far ahead to look.
    #[arg(long, value_name = "DURATION", default_value = "30d")]
    pub horizon: String,
    /// How much history to fit (default: four horizons, at most 90d).
    #[arg(long, value_name = "DURATION")]
    pub history: Option<String>,
    /// End of the history: Unix seconds, RFC 3339 or `now` (default).
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,
    /// Output: one sentence per series, the server's JSON, or CSV.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: ForecastFormat,
    /// The server to ask.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `--direction` values of `vitals analyze capacity`.
#[derive(Clone, Copy, ValueEnum)]
pub enum CapacityDirection {
    /// The series rises to the threshold.
    Up,
    /// The series falls to the threshold.
    Down,
}

impl CapacityDirection {
    /// The route's `direction` parameter.
    pub fn as_param(self) -> &'static str {
        match self {
            CapacityDirection::Up => "up",
            CapacityDirection::Down => "down",
        }
    }
}

/// `--format` values of `vitals analyze forecast` and `capacity`.
#[derive(Clone, Copy, ValueEnum)]
pub enum ForecastFormat {
    /// Readable text.
    Table,
    /// The server's JSON answer as it sent it.
    Json,
    /// Comma-separated rows with a header.
    Csv,
}

/// The window of an analysis over stored series; the server's defaults where not given.
#[derive(Args)]
pub struct AnalysisWindow {
    /// Start: Unix seconds, RFC 3339 or `now` (default: the analysis' usual span before --end).
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,
    /// End: Unix seconds, RFC 3339 or `now` (default: now).
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,
    /// Step between points: seconds or a duration like 1m (default: the analysis' usual number of points).
    #[arg(long, value_name = "DURATION")]
    pub step: Option<String>,
}

/// `vitals analyze changepoints`.
#[derive(Args)]
pub struct ChangepointsArgs {
    /// PromQL expression whose series to analyse.
    pub expr: String,
    /// The time window (default: the last 24 hours, 1440 points).
    #[command(flatten)]
    pub window: AnalysisWindow,
    /// Largest p-value of a reported change (default 0.001).
    #[arg(long, value_name = "P")]
    pub p_value: Option<f64>,
    /// Fewest points on each side of a change (default 5).
    #[arg(long, value_name = "N")]
    pub min_size: Option<usize>,
    /// Points per analysis window (default 200; 0: each series whole).
    #[arg(long, value_name = "N")]
    pub window_points: Option<usize>,
    /// The server to ask and the output.
    #[command(flatten)]
    pub ask: AskArgs,
}

/// `vitals analyze trend`.
#[derive(Args)]
pub struct TrendArgs {
    /// PromQL expression whose series to analyse.
    pub expr: String,
    /// The time window (default: the last 7 days, 1008 points).
    #[command(flatten)]
    pub window: AnalysisWindow,
    /// Significance level of the verdict (default 0.05).
    #[arg(long, value_name = "ALPHA")]
    pub alpha: Option<f64>,
    /// The server to ask and the output.
    #[command(flatten)]
    pub ask: AskArgs,
}

/// `vitals analyze correlate`.
#[derive(Args)]
pub struct CorrelateArgs {
    /// The window of interest, START..END (Unix seconds, RFC 3339 or `now`), or a
    /// duration such as 15m for the last 15 minutes. Default: the last 5 minutes (an
    /// hour with --target).
    #[arg(long, value_name = "START..END")]
    pub window: Option<String>,
    /// The baseline to compare the window with, START..END or a duration ending where
    /// the window starts. Default: the 4 window lengths before the window.
    #[arg(long, value_name = "START..END", conflicts_with = "target")]
    pub baseline: Option<String>,
    /// Rank series by their correlation with this expression's one series instead.
    #[arg(long, value_name = "EXPR")]
    pub target: Option<String>,
    /// Largest lag (either way) tried with --target, a duration such as 5m. Default: 5m,
    /// at most half the window.
    #[arg(long, value_name = "DURATION", requires = "target")]
    pub max_lag: Option<String>,
    /// The series to rank. Default: every series.
    #[arg(long, value_name = "EXPR")]
    pub query: Option<String>,
    /// How to score: ks (default) or volume for changes; pearson (default) or spearman
    /// with --target.
    #[arg(long, value_name = "METHOD")]
    pub method: Option<String>,
    /// Grid step, seconds or a duration such as 10s. Default: about 3,600 points per window, at least 1 s.
    #[arg(long, value_name = "DURATION")]
    pub step: Option<String>,
    /// How many series to show (0: all).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: u64,
    /// The server to ask and the output.
    #[command(flatten)]
    pub ask: AskArgs,
}

/// `vitals analyze percentiles`.
#[derive(Args)]
pub struct PercentilesArgs {
    /// The PromQL expression, such as 'http_request_duration_seconds'. For a selector,
    /// every raw sample in the window counts; for other expressions, their value every --step.
    #[arg(value_name = "EXPR")]
    pub expr: String,
    /// The window, START..END (Unix seconds, RFC 3339 or `now`) or a duration such as
    /// 15m for the last 15 minutes. Default: the last hour.
    #[arg(long, value_name = "START..END")]
    pub window: Option<String>,
    /// Merge series per these labels (comma-separated), rather than all into one.
    #[arg(long, value_name = "LABELS")]
    pub by: Option<String>,
    /// Step for expressions that are not selectors, seconds or a duration.
    #[arg(long, value_name = "DURATION")]
    pub step: Option<String>,
    /// The server to ask and the output.
    #[command(flatten)]
    pub ask: AskArgs,
}

/// The server an analysis asks, and how its answer is printed (for the analyses without
/// CSV).
#[derive(Args)]
pub struct AskArgs {
    /// Output: text for people (aligned columns or a line per finding), or the server's JSON.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: AnalyzeFormat,
    /// The server to ask.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `--format` values of the analyses that ask a server and have no CSV.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeFormat {
    /// Text for people: aligned columns, or a line per finding.
    Table,
    /// The server's JSON answer as it sent it.
    Json,
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

/// Where to find a running Vitals, for the analyses that ask one, and the budget of the
/// request.
#[derive(Args)]
pub struct ServerArgs {
    /// The Vitals to ask, such as http://127.0.0.1:7464; default: the configuration's
    /// `listen` address.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Configuration file, for the `listen` address when --url is not given.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Give up after this long, such as 30s (default: the server's query timeout, which this
    /// can only shorten).
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Most series the expression may give (default: the analysis' own cap, 200 for forecast
    /// and capacity, 10000 for correlate, 1000 otherwise; 0: no cap).
    #[arg(long, value_name = "N")]
    pub max_series: Option<usize>,
}
