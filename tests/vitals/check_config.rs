//! `vitals check-config`, `vitals version` and `--help`.

use crate::common::run;

#[test]
fn check_config_prints_the_effective_config_or_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.yml");
    std::fs::write(&good, "storage:\n  retention: 30d\n").unwrap();
    let out = run(&["check-config", good.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with(&format!("{}: OK\n", good.display())), "{stdout}");
    assert!(stdout.contains("  retention: 30d\n") && stdout.contains("listen: 127.0.0.1:7464\n"), "{stdout}");

    let bad = dir.path().join("bad.yml");
    std::fs::write(&bad, "log_level: info\nstorage:\n  retension: 30d\n").unwrap();
    let out = run(&["check-config", bad.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("line 3, column 3: unknown key \"storage.retension\""), "{stderr}");

    let wrong = dir.path().join("wrong.yml");
    std::fs::write(&wrong, "storage:\n  wal:\n    fsync: sometimes\n").unwrap();
    let stderr = String::from_utf8_lossy(&run(&["check-config", wrong.to_str().unwrap()]).stderr).into_owned();
    assert!(stderr.contains("line 3, column 12: storage.wal.fsync"), "{stderr}");

    let out = run(&["check-config", dir.path().join("missing.yml").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read config file"));
}

#[test]
fn version_and_help() {
    let out = run(&["version"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with(&format!("vitals {}\n", env!("CARGO_PKG_VERSION"))), "{stdout}");
    assert!(stdout.contains("\ntarget: "), "{stdout}");
    for cmd in ["serve", "import", "check-config", "version"] {
        let out = run(&[cmd, "--help"]);
        assert_eq!(out.status.code(), Some(0), "{cmd} --help");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: vitals"), "{cmd}");
    }
}
