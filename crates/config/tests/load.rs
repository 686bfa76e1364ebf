//! Reading a config file from disk.

use std::fs;

use vitals_config::Config;

#[test]
fn loads_a_file_and_names_it_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vitals.yml");

    fs::write(&path, "listen: 127.0.0.1:9999\n").unwrap();
    assert_eq!(Config::load(&path).unwrap().listen.to_string(), "127.0.0.1:9999");

    fs::write(&path, "listen: 127.0.0.1:9999\nlisen: 1\n").unwrap();
    let message = Config::load(&path).unwrap_err().to_string();
    assert!(message.starts_with(&format!("{}: line 2, column 1: unknown key \"lisen\"", path.display())), "{message}");
}

#[test]
fn a_missing_file_names_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.yml");
    let message = Config::load(&path).unwrap_err().to_string();
    assert_eq!(message, format!("cannot read config file {}: No such file or directory (os error 2)", path.display()));
}
