//! Reading a config file: YAML text to a checked [`Config`].

use std::fs;
use std::path::Path;

use crate::config::Config;
use crate::error::ConfigError;
use crate::partial::PartialConfig;
use crate::positions::Positions;
use crate::validate::{self, Violation};
use crate::yaml_error;

impl Config {
    /// Reads the config file at `path`; see [`Config::from_yaml`]. Errors name the file as
    /// `path` is written.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        Config::from_yaml(&text, &path.display().to_string())
    }

    /// Reads a config file's text. Keys the text leaves out keep their defaults; an empty
    /// text gives [`Config::default`]. `source` names the file in error messages.
    pub fn from_yaml(text: &str, source: &str) -> Result<Config, ConfigError> {
        let positions = Positions::scan(text).map_err(|err| ConfigError::Malformed {
            file: source.to_owned(),
            line: err.position.line,
            column: err.position.column,
            message: err.message,
        })?;
        let partial: Option<PartialConfig> = serde_path_to_error::deserialize(serde_yaml::Deserializer::from_str(text))
            .map_err(|err| yaml_error::translate(err, &positions, source))?;
        let config = partial.map_or_else(Config::default, PartialConfig::into_config);
        validate::check(&config).map_err(|violation| blame(violation, &positions, source))?;
        Ok(config)
    }
}

/// Reports a broken rule at its key, or at the other key it involves when only that one
/// is in the file: the user hears about what they wrote.
fn blame(violation: Violation, positions: &Positions, file: &str) -> ConfigError {
    let (key, message) = match violation.instead {
        Some(other) if !positions.contains(&violation.key) && positions.contains(&other.0) => other,
        _ => (violation.key, violation.message),
    };
    let position = positions.value(&key);
    ConfigError::Invalid { file: file.to_owned(), line: position.line, column: position.column, key, message }
}
