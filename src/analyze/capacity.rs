//! `vitals analyze capacity ['EXPR' --threshold X] [--horizon 30d]`: asks a running Vitals
//! for `/api/v1/analytics/capacity` and prints one sentence per series, such as
//! `filesystem / full in 9.3 days, 80 % interval 7.1 to 12.0`.

use std::fmt::Write as _;

use serde_json::Value;

use super::ask;
use super::form::{given, time_field};
use crate::cli::{CapacityArgs, ForecastFormat};
use crate::shown::{csv_number, list, print_body, quoted, series};

/// Runs the command.
pub fn run(args: &CapacityArgs) -> anyhow::Result<()> {
    let mut form = vec![("horizon", args.horizon.clone())];
    form.extend(given([
        ("query", args.expr.clone()),
        ("threshold", args.threshold.map(|t| t.to_string())),
        ("direction", args.direction.map(|d| d.as_param().to_owned())),
        ("history", args.history.clone()),
    ]));
    if let Some(e) = &args.end {
        form.push(("end", time_field("--end", e)?));
    }
    let (answer, body) = ask(&args.server, "/api/v1/analytics/capacity", &form)?;
    let results = list(&answer["data"]["result"]);
    let out = match args.format {
        ForecastFormat::Json => body,
        ForecastFormat::Table => {
            let mut out = String::new();
            for r in results {
                match (r["sentence"].as_str(), r["error"].as_str()) {
                    (Some(s), _) => writeln!(out, "{s}"),
                    (None, Some(e)) => writeln!(out, "{}: cannot forecast: {e}", r["subject"].as_str().unwrap_or("?")),
                    (None, None) => writeln!(out, "{}: no answer", series(&r["metric"])),
                }?;
            }
            out
        }
        ForecastFormat::Csv => {
            let mut out = String::from("subject,threshold,last,model,mean,earliest80,latest80,sentence\n");
            for r in results {
                let quote = |v: &Value| quoted(v.as_str().unwrap_or_default());
                let c = &r["crossing"];
                let sentence = if r["error"].is_string() { &r["error"] } else { &r["sentence"] };
                writeln!(
                    out,
                    "{},{},{},{},{},{},{},{}",
                    quote(&r["subject"]),
                    csv_number(&r["threshold"]),
                    csv_number(&r["last"]),
                    r["model"].as_str().unwrap_or_default(),
                    csv_number(&c["mean"]),
                    csv_number(&c["earliest"]),
                    csv_number(&c["latest"]),
                    quote(sentence)
                )?;
            }
            out
        }
    };
    print_body(&out);
    if results.is_empty() {
        anyhow::bail!("nothing to check: the expression gave no series (are the host collectors running?)");
    }
    Ok(())
}
