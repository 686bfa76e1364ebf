//! The issue's acceptance check on real data: `vitals import` of the shared node_exporter
//! dataset, then `vitals serve` on that directory exports every sample, value for value.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::path::Path;

use crate::common::{run, Server};
use vitals_exposition::{for_each_line, Line};

type Series = BTreeMap<String, String>;

#[test]
fn imported_node_dataset_is_served_value_for_value() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/node-1s.prom.gz");
    if !file.exists() {
        eprintln!("skipped: {} is not there (it sits beside the repository in CI)", file.display());
        return;
    }
    let mut want: BTreeMap<Series, Vec<(i64, u64)>> = BTreeMap::new();
    let gz = flate2::read::MultiGzDecoder::new(std::fs::File::open(&file).unwrap());
    for_each_line(BufReader::new(gz), |n, line| {
        if let Line::Sample(s) = line.unwrap_or_else(|e| panic!("line {n}: {e}")) {
            let mut key: Series = s.labels.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.to_string(), v.to_string())).collect();
            key.insert("__name__".into(), s.name.into());
            want.entry(key).or_default().push((s.timestamp_ms.unwrap(), s.value.to_bits()));
        }
        ControlFlow::Continue(())
    })
    .unwrap();
    let samples: usize = want.values().map(Vec::len).sum();

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run(&["import", file.to_str().unwrap(), "--data-dir", data.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(&format!("accepted:   {samples} samples")), "{stdout}");

    let server = Server::start(&data);
    let got: BTreeMap<Series, Vec<(i64, u64)>> = server
        .export(r#"{__name__=~"node_.*|go_.*|promhttp_.*|process_.*"}"#)
        .into_iter()
        .map(|(metric, points)| (serde_json::from_str::<Series>(&metric).unwrap(), points))
        .filter(|(m, _)| m.get("job").map(String::as_str) != Some("vitals"))
        .collect();
    assert_eq!(got.len(), want.len(), "series count");
    for (series, points) in &want {
        assert_eq!(got.get(series), Some(points), "{series:?}");
    }
}
