//! docs/configuration.md tells the truth about the defaults and documents every key.

use std::path::Path;

use vitals_config::Config;

fn doc() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/configuration.md")).unwrap()
}

#[test]
fn the_documented_default_file_is_the_default() {
    let doc = doc();
    let start = doc.find("```yaml\n").unwrap() + "```yaml\n".len();
    let length = doc[start..].find("```").unwrap();
    let documented = Config::from_yaml(&doc[start..start + length], "configuration.md").unwrap();
    assert_eq!(documented, Config::default());
}

/// Every key of the rendered defaults, as a dotted path, outside lists (list entries have
/// tables of their own).
fn default_keys() -> Vec<String> {
    let mut keys = Vec::new();
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut list: Option<usize> = None;
    for line in Config::default().to_yaml().lines() {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim_start();
        if text.starts_with("- ") {
            list = Some(indent);
            continue;
        }
        if list.is_some_and(|l| indent > l) {
            continue; // inside a list entry
        }
        list = None;
        let Some((key, _)) = text.split_once(':') else { continue };
        stack.retain(|(i, _)| *i < indent);
        let path = stack.iter().map(|(_, k)| k.as_str()).chain([key]).collect::<Vec<_>>().join(".");
        keys.push(path);
        stack.push((indent, key.to_owned()));
    }
    keys
}

#[test]
fn every_key_is_documented() {
    let doc = doc();
    let keys = default_keys();
    assert!(keys.contains(&"collection.filesystems.fs_types_exclude".to_owned()), "{keys:?}");
    let missing: Vec<&String> = keys
        .iter()
        .filter(|k| k.contains('.') || !["collection", "storage", "query"].contains(&k.as_str()))
        .filter(|k| !doc.contains(&format!("| `{k}` |")))
        .collect();
    let missing: Vec<&&String> = missing.iter().filter(|k| !is_group(&keys, k)).collect();
    assert!(missing.is_empty(), "keys without a row in docs/configuration.md: {missing:?}");
}

/// A key holding other keys (`storage.wal`) is documented through them.
fn is_group(keys: &[String], key: &str) -> bool {
    keys.iter().any(|k| k.starts_with(&format!("{key}.")))
}
