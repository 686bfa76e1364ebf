//! Turning serde_yaml's errors into [`ConfigError`]s worded for a person.

use serde_path_to_error::Error as PathError;

use crate::error::ConfigError;
use crate::positions::{Position, Positions};

/// Rewords a deserialisation error and places it at its key.
pub(crate) fn translate(err: PathError<serde_yaml::Error>, positions: &Positions, file: &str) -> ConfigError {
    let path = err.path().to_string();
    let inner = err.into_inner();
    let position = inner
        .location()
        .map(|location| Position { line: location.line(), column: location.column() })
        .unwrap_or_else(|| positions.value(&path));
    let message = bare_message(&inner);
    let file = file.to_owned();

    if let Some(rest) = message.strip_prefix("unknown field `") {
        // "unknown field `x`, expected one of `a`, `b`": the path already ends in `x`.
        let known = rest.split('`').skip(2).step_by(2).map(str::to_owned).collect();
        return ConfigError::UnknownKey { file, line: position.line, column: position.column, key: path, known };
    }
    if let Some(rest) = message.strip_prefix("duplicate field `") {
        // serde_yaml points at the mapping; point at the second time the key is written.
        let name = rest.split('`').next().unwrap_or_default();
        let key = if path == "." { name.to_owned() } else { format!("{path}.{name}") };
        if let Some((first, second)) = positions.repeated_key(&key) {
            return ConfigError::Invalid {
                file,
                line: second.line,
                column: second.column,
                key,
                message: format!("the key is given twice (first on line {})", first.line),
            };
        }
    }
    if path == "." {
        return ConfigError::Malformed { file, line: position.line, column: position.column, message: humanize(&message) };
    }
    ConfigError::Invalid { file, line: position.line, column: position.column, key: path, message: humanize(&message) }
}

/// The error's message without the path serde_yaml puts before it and the position it puts
/// after it, both of which we report our own way.
fn bare_message(err: &serde_yaml::Error) -> String {
    let mut message = err.to_string();
    if let Some(location) = err.location() {
        let suffix = format!(" at line {} column {}", location.line(), location.column());
        if message.ends_with(&suffix) {
            message.truncate(message.len() - suffix.len());
        }
    }
    // A path ("storage.tiers[0]") has no spaces; every message starts with words.
    match message.split_once(": ") {
        Some((path, rest)) if !path.contains(char::is_whitespace) => rest.to_owned(),
        _ => message,
    }
}

/// Rewrites serde's wording for a person: the value at fault in quotes, the expected
/// names bare, "key" for "field" and "null" for "unit value".
fn humanize(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for (index, part) in message.split('`').enumerate() {
        let quoted = index % 2 == 1 && (out.ends_with("variant ") || out.ends_with("field "));
        if quoted {
            out.push('"');
            out.push_str(part);
            out.push('"');
        } else {
            out.push_str(part);
        }
    }
    out.replace("missing field", "missing key").replace("unit value", "null")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_the_value_and_lists_the_choices_bare() {
        assert_eq!(
            humanize("unknown variant `sometimes`, expected one of `always`, `interval`, `never`"),
            "unknown variant \"sometimes\", expected one of always, interval, never"
        );
        assert_eq!(humanize("missing field `resolution`"), "missing key \"resolution\"");
        assert_eq!(
            humanize("invalid type: unit value, expected a mapping of settings"),
            "invalid type: null, expected a mapping of settings"
        );
    }
}
