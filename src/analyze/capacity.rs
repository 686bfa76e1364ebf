//! `vitals analyze capacity ['EXPR' --threshold X] [--horizon 30d]`: asks a running Vitals
//! for `/api/v1/analytics/capacity` and prints one sentence per series, such as
//! `filesystem / full in 9.3 days, 80 % interval 7.1 to 12.0`.

use std::fmt::Write as _;

use serde_json::Value;

use super::forecast::series_name;
use crate::cli::{CapacityArgs, ForecastFormat};
use crate::client::{parse_time, seconds, Client};

/// Runs the command.
pub fn run(args: &CapacityArgs) -> anyhow::Result<()> {
    let client = Client::new(args.server.url.as_deref(), args.server.config.as_deref())?;
    let mut form = vec![("horizon", args.horizon.clone())];
    if let Some(q) = &args.expr {
        form.push(("query", q.clone()));
    }
    if let Some(t) = args.threshold {
        form.push(("threshold", t.to_string()));
    }
    if let Some(h) = &args.history {
        form.push(("history", h.clone()));
    }
    if let Some(e) = &args.end {
        form.push(("end", seconds(parse_time("--end", e, vitals_store::wall_clock_ms())?)));
    }
    let (answer, body) = client.post_json("/api/v1/analytics/capacity", &form)?;
    let results = answer["data"]["result"].as_array().map(Vec::as_slice).unwrap_or_default();
    let out = match args.format {
        ForecastFormat::Json => body,
        ForecastFormat::Table => {
            let mut out = String::new();
            for r in results {
                match (r["sentence"].as_str(), r["error"].as_str()) {
                    (Some(s), _) => writeln!(out, "{s}"),
                    (None, Some(e)) => writeln!(out, "{}: cannot forecast: {e}", r["subject"].as_str().unwrap_or("?")),
                    (None, None) => writeln!(out, "{}: no answer", series_name(&r["metric"])),
                }?;
            }
            out
        }
        ForecastFormat::Csv => {
            let mut out = String::from("subject,threshold,last,model,mean,earliest80,latest80,sentence\n");
            for r in results {
                let n = |v: &Value| v.as_f64().map_or_else(String::new, |x| x.to_string());
                let quote = |v: &Value| format!("\"{}\"", v.as_str().unwrap_or_default().replace('"', "\"\""));
                let c = &r["crossing"];
                let sentence = if r["error"].is_string() { &r["error"] } else { &r["sentence"] };
                writeln!(
                    out,
                    "{},{},{},{},{},{},{},{}",
                    quote(&r["subject"]),
                    n(&r["threshold"]),
                    n(&r["last"]),
                    r["model"].as_str().unwrap_or_default(),
                    n(&c["mean"]),
                    n(&c["earliest"]),
                    n(&c["latest"]),
                    quote(sentence)
                )?;
            }
            out
        }
    };
    print!("{out}");
    if !out.ends_with('\n') {
        println!();
    }
    if results.is_empty() {
        anyhow::bail!("nothing to check: the expression gave no series (are the host collectors running?)");
    }
    Ok(())
}
