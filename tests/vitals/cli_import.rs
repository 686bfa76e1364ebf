//! `vitals import` of a gzip file with a malformed line, in both modes, then served.

use crate::common::{gzip, now_ms, run, run_with_input, Server};

#[test]
fn import_skip_and_reject_then_serve() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("node.prom.gz");
    let t = now_ms() - 7_200_000;
    let mut text = String::from("# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\n");
    text.push_str(&format!("node_load1 0.25 {t}\nnode_load1 oops {}\n", t + 1000));
    for i in 0..200 {
        text.push_str(&format!(
            "node_cpu_seconds_total{{cpu=\"{}\",mode=\"idle\"}} {} {}\n",
            i % 4,
            1000.0 + f64::from(i) / 7.0,
            t + i64::from(i / 4) * 1000
        ));
    }
    std::fs::write(&file, gzip(&text)).unwrap();
    let (file_arg, data_arg) = (file.to_str().unwrap(), data.to_str().unwrap());

    let out = run(&["import", file_arg, "--data-dir", data_arg, "--on-error", "reject"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("{file_arg}: line 4, column 12: invalid value \"oops\"")), "{stderr}");
    assert!(stderr.contains("1 malformed line; nothing was stored"), "{stderr}");
    {
        let store = vitals_store::Store::open(&data, vitals_store::StoreOptions { background: false, ..Default::default() }).unwrap();
        assert_eq!(store.stats().series, 0, "reject mode stored nothing");
        store.close().unwrap();
    }

    let out = run(&["import", file_arg, "--data-dir", data_arg, "--on-error", "skip"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("line 4, column 12: invalid value \"oops\""), "{stderr}");
    assert!(stdout.contains("accepted:   201 samples"), "{stdout}");
    assert!(stdout.contains("series:     5 (metadata for 1 metric family)"), "{stdout}");
    assert!(stdout.contains("malformed:  1 lines skipped"), "{stdout}");

    let server = Server::start(&data);
    // `job=""`: the imported series, not those `vitals serve` collects from this host.
    let load = server.export(r#"node_load1{job=""}"#);
    assert_eq!(load, [(r#"{"__name__":"node_load1"}"#.to_owned(), vec![(t, 0.25f64.to_bits())])]);
    let cpu = server.export(r#"node_cpu_seconds_total{job=""}"#);
    assert_eq!(cpu.iter().map(|(_, s)| s.len()).sum::<usize>(), 200);
    assert_eq!(cpu[1].1[2], (t + 2000, (1000.0 + 9.0 / 7.0f64).to_bits()));

    let out = run(&["import", file_arg, "--data-dir", data_arg]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("is in use by another Vitals process"), "{stderr}");
    assert!(stderr.contains("stop that `vitals serve` first, or POST the file to its /api/v1/import/prometheus endpoint"), "{stderr}");
    drop(server);

    let state = vitals_state::State::open(&data).unwrap();
    let audit = state.recent_audit(10).unwrap();
    let imports: Vec<&serde_json::Value> = audit.iter().filter(|e| e.action == "import").map(|e| &e.detail).collect();
    assert_eq!(imports.len(), 2, "{audit:?}");
    assert_eq!((imports[0]["on_error"].as_str(), imports[0]["accepted"].as_u64()), (Some("skip"), Some(201)));
    assert!(imports[0].get("error").is_none(), "{}", imports[0]);
    assert_eq!((imports[1]["on_error"].as_str(), imports[1]["malformed"].as_u64()), (Some("reject"), Some(1)));
    let error = imports[1]["error"].as_str().unwrap();
    assert!(error.ends_with("1 malformed line; nothing was stored (--on-error skip imports the other lines)"), "{error}");
}

#[test]
fn standard_input_is_checked_then_imported_in_reject_mode() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let t = now_ms() - 60_000;
    let bad = format!("stdin_test 1 {t}\nstdin_test{{ 2\n");
    let out = run_with_input(&["import", "-", "--data-dir", data_arg], bad.as_bytes());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("standard input: line 2, column 13: "), "{stderr}");
    assert!(stderr.contains("standard input: 1 malformed line; nothing was stored"), "{stderr}");

    let good: String = (0..100).map(|i| format!("stdin_test{{i=\"{i}\"}} {i} {t}\n")).collect();
    let out = run_with_input(&["import", "-", "--data-dir", data_arg], &gzip(&good));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.starts_with("Imported standard input into "), "{stdout}");
    assert!(stdout.contains("accepted:   100 samples"), "{stdout}");

    let state = vitals_state::State::open(&data).unwrap();
    let audit = state.recent_audit(10).unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!((audit[0].detail["accepted"].as_u64(), audit[0].detail.get("error")), (Some(100), None));
    assert_eq!(audit[1].detail["accepted"].as_u64(), Some(0));
    assert!(audit[1].detail["error"].as_str().unwrap().contains("nothing was stored"), "{}", audit[1].detail);
}

#[test]
fn a_missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.prom");
    let out = run(&["import", missing.to_str().unwrap(), "--data-dir", dir.path().join("data").to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.starts_with(&format!("error: cannot read {}: No such file or directory", missing.display())), "{stderr}");
}
