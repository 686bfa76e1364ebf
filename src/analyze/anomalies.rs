//! `vitals analyze anomalies --input FILE.csv`: the streaming detector over a NAB-format
//! file, row by row in order (no look-ahead), each row written as soon as it is scored.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};

use anyhow::{bail, Context, Result};
use vitals_analytics::{nab, AnomalyDetector, AnomalyParams};

use crate::cli::AnomaliesArgs;

/// Reads `args.input` and writes `timestamp,value,anomaly_score` rows to stdout, the first
/// two fields as written. A bad row stops with its line number, after the rows before it.
pub fn run(args: &AnomaliesArgs) -> Result<()> {
    let path = args.input.display();
    let file = File::open(&args.input).with_context(|| format!("opening {path}"))?;
    let mut params = AnomalyParams::default();
    if let Some(t) = args.threshold {
        params.threshold = t;
    }
    let mut detector = AnomalyDetector::new(&params);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut lines = BufReader::new(file).lines();
    let header = lines.next().transpose().with_context(|| format!("reading {path}"))?.unwrap_or_default();
    if header.trim_end_matches('\r').trim() != "timestamp,value" {
        bail!("{path}: line 1: expected the header `timestamp,value`, got {header:?}");
    }
    writeln!(out, "timestamp,value,anomaly_score")?;
    for (i, line) in lines.enumerate() {
        let line_no = i + 2;
        let line = line.with_context(|| format!("reading {path} at line {line_no}"))?;
        let row = match nab::parse_row(&line, line_no) {
            Ok(row) => row,
            Err(e) => {
                out.flush()?;
                bail!("{path}: {e}; the rows before it were written");
            }
        };
        let score = detector.update(row.timestamp_ms, row.value).score;
        writeln!(out, "{},{},{score:.6}", row.timestamp_text, row.value_text)?;
    }
    out.flush()?;
    Ok(())
}
