//! Runs Prometheus' PromQL test files against Vitals' engine.
//!
//! `promqltest [DIR] [--write-expected-failures FILE] [--list-skipped]`: runs every `.test` file in DIR
//! (default `../shared/promql-tests`), prints pass/fail/skip counts per file and every failing
//! case, and ends with `N passed, M failed, K skipped`. With `--write-expected-failures`, the
//! failing cases are written to FILE in the expected-failures format (`file.test:LINE  reason`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use vitals_query::promqltest::{run_file, CaseReport, Outcome};

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("promqltest: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<bool> {
    let mut dir = PathBuf::from("../shared/promql-tests");
    let mut write = None;
    let mut list_skipped = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--write-expected-failures" => write = Some(PathBuf::from(args.next().context("--write-expected-failures needs a file")?)),
            "--list-skipped" => list_skipped = true,
            "-h" | "--help" => {
                println!("usage: promqltest [DIR] [--write-expected-failures FILE] [--list-skipped]");
                return Ok(true);
            }
            _ => dir = PathBuf::from(a),
        }
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .collect();
    files.sort();
    let mut all: Vec<CaseReport> = Vec::new();
    for f in &files {
        let cases = run_file(f).map_err(anyhow::Error::msg)?;
        let count = |k: fn(&Outcome) -> bool| cases.iter().filter(|c| k(&c.outcome)).count();
        println!(
            "{:<28} {:>4} passed {:>4} failed {:>4} skipped",
            f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            count(|o| *o == Outcome::Passed),
            count(|o| matches!(o, Outcome::Failed(_))),
            count(|o| matches!(o, Outcome::Skipped(_)))
        );
        all.extend(cases);
    }
    if list_skipped {
        for c in &all {
            if let Outcome::Skipped(why) = &c.outcome {
                println!("skipped {}:{}  {}  ({why})", c.file, c.line, c.query);
            }
        }
    }
    let failed: Vec<&CaseReport> = all.iter().filter(|c| matches!(c.outcome, Outcome::Failed(_))).collect();
    if !failed.is_empty() {
        println!("\nfailing cases:");
    }
    for c in &failed {
        if let Outcome::Failed(why) = &c.outcome {
            println!("{}:{}  {}\n    {}", c.file, c.line, c.query, why);
        }
    }
    if let Some(path) = write {
        let mut text = String::from(concat!(
            "# PromQL conformance cases (../shared/promql-tests) that fail, one per line:\n",
            "#   file.test:LINE  reason\n",
            "# The conformance test fails when a listed case passes or an unlisted one fails: the list\n",
            "# can only shrink. Regenerate with scripts/promqltest --write-expected-failures FILE.\n",
        ));
        for c in &failed {
            if let Outcome::Failed(why) = &c.outcome {
                let reason: String = why.chars().take(160).collect::<String>().replace('\n', " ");
                text.push_str(&format!("{}:{}  {}\n", c.file, c.line, reason));
            }
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let passed = all.iter().filter(|c| c.outcome == Outcome::Passed).count();
    let skipped = all.iter().filter(|c| matches!(c.outcome, Outcome::Skipped(_))).count();
    println!("\n{} passed, {} failed, {} skipped", passed, failed.len(), skipped);
    Ok(failed.is_empty())
}
