//! PromQL conformance: Prometheus' own test files (../shared/promql-tests) against the
//! engine. Fails when a case fails that is not in promql-expected-failures.txt, or when a
//! listed case passes (so the list can only shrink).

use std::collections::BTreeMap;
use std::path::PathBuf;

use vitals_query::promqltest::{run_file, Outcome};

#[test]
fn prometheus_test_files_pass_except_listed_cases() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("../../../shared/promql-tests");
    let listed_text = std::fs::read_to_string(root.join("tests/promql-expected-failures.txt")).expect("reading the expected-failures list");
    let listed: BTreeMap<String, String> = listed_text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (case, reason) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            (case.to_owned(), reason.trim().to_owned())
        })
        .collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .collect();
    files.sort();
    assert!(files.len() >= 11, "expected Prometheus' test files in {}", dir.display());
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut problems = Vec::new();
    for f in &files {
        for c in run_file(f).unwrap_or_else(|e| panic!("{e}")) {
            let id = format!("{}:{}", c.file, c.line);
            match (&c.outcome, listed.contains_key(&id)) {
                (Outcome::Passed, false) => passed += 1,
                (Outcome::Passed, true) => {
                    passed += 1;
                    problems.push(format!("{id} passes now: remove it from promql-expected-failures.txt ({})", c.query));
                }
                (Outcome::Failed(_), true) => failed += 1,
                (Outcome::Failed(why), false) => {
                    failed += 1;
                    problems.push(format!("{id} fails: {}\n    {why}", c.query));
                }
                (Outcome::Skipped(_), _) => skipped += 1,
            }
        }
    }
    eprintln!("conformance: {passed} passed, {failed} failed, {skipped} skipped");
    assert!(problems.is_empty(), "{} unexpected outcomes:\n{}", problems.len(), problems.join("\n"));
    let total = passed + failed;
    assert!(passed * 100 >= total * 97, "only {passed} of {total} in-scope cases pass (target 97 %)");
}
