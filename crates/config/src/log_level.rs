//! The `log_level` setting: a tracing filter directive such as `info` or `vitals=debug,info`.

use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::EnvFilter;

use crate::scalar::Kind;

const HELP: &str = "use off, error, warn, info, debug or trace, or TARGET=LEVEL like vitals=debug";

/// Checks a log filter the way the binary will read it.
///
/// A directive without `=` must be a level: tracing would read `verbose` as "everything from
/// the target `verbose`", which is never what someone writing it means.
fn check_log_level(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("empty log level; {HELP}"));
    }
    let unknown_level = text
        .split(',')
        .map(str::trim)
        .find(|directive| !directive.is_empty() && !directive.contains(['=', '[']) && directive.parse::<LevelFilter>().is_err());
    if let Some(directive) = unknown_level {
        return Err(format!("unknown log level {directive:?}; {HELP}"));
    }
    EnvFilter::builder().parse(text).map(drop).map_err(|err| format!("invalid log filter {text:?}: {err}; {HELP}"))
}

/// Reads a YAML scalar as a log filter.
pub(crate) struct AsLogLevel;

impl Kind for AsLogLevel {
    type Value = String;
    const EXPECTING: &'static str = "a log level like info, or a filter like vitals=debug,info";

    fn parse(text: &str) -> Result<String, String> {
        check_log_level(text).map(|()| text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_levels_and_filters() {
        for text in ["info", "TRACE", "off", "vitals=debug,info", "vitals::store=trace"] {
            assert_eq!(check_log_level(text), Ok(()), "{text}");
        }
    }

    #[test]
    fn rejects_unknown_levels() {
        assert_eq!(check_log_level("verbose").unwrap_err(), format!("unknown log level \"verbose\"; {HELP}"));
        assert_eq!(check_log_level("vitals=debug, loud").unwrap_err(), format!("unknown log level \"loud\"; {HELP}"));
        assert_eq!(check_log_level(" ").unwrap_err(), format!("empty log level; {HELP}"));
    }

    #[test]
    fn rejects_bad_levels_in_target_directives() {
        let message = check_log_level("vitals=loud").unwrap_err();
        assert!(message.starts_with("invalid log filter \"vitals=loud\": "), "{message}");
    }
}
