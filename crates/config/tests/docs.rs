//! docs/configuration.md tells the truth about the defaults.

use std::path::Path;

use vitals_config::Config;

#[test]
fn the_documented_default_file_is_the_default() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/configuration.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let start = doc.find("```yaml\n").unwrap() + "```yaml\n".len();
    let length = doc[start..].find("```").unwrap();
    let documented = Config::from_yaml(&doc[start..start + length], "configuration.md").unwrap();
    assert_eq!(documented, Config::default());
}
