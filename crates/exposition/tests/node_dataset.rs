//! The first 20,000 lines of a real node_exporter capture parse without error.

use std::fs::File;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::path::Path;

use flate2::read::GzDecoder;
use vitals_exposition::{for_each_line, Line};

const LINES: u64 = 20_000;

#[test]
fn node_exporter_capture_parses_cleanly() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/node-1s.prom.gz");
    let Ok(file) = File::open(&path) else {
        println!("skipped: {} is not there", path.display());
        return;
    };
    let reader = BufReader::new(GzDecoder::new(BufReader::new(file)));
    let (mut lines, mut samples, mut errors) = (0u64, 0u64, Vec::new());
    for_each_line(reader, |number, line| {
        lines = number;
        match line {
            Ok(Line::Sample(s)) => {
                assert!(!s.name.is_empty());
                assert!(s.timestamp_ms.is_some(), "line {number} has no timestamp");
                samples += 1;
            }
            Ok(_) => {}
            Err(e) => errors.push(format!("line {number}, {e}")),
        }
        if number == LINES {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(errors, Vec::<String>::new());
    assert_eq!(lines, LINES);
    assert!(samples > LINES / 2, "only {samples} samples");
}
