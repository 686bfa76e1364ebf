//! Where each key of the file sits (line and column), found by a YAML parser that reports
//! positions, so that problems found after deserialising still point into the file.

use saphyr_parser::{Event, Marker, Parser, ScanError};

/// A place in the file; both numbers count from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    /// The line.
    pub line: usize,
    /// The column, in characters.
    pub column: usize,
}

impl Position {
    /// The start of the file.
    pub(crate) const START: Position = Position { line: 1, column: 1 };

    fn at(marker: &Marker) -> Position {
        Position { line: marker.line(), column: marker.col() + 1 }
    }
}

/// Why the text could not be read as one YAML document.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    /// Where the problem is.
    pub position: Position,
    /// What the problem is.
    pub message: String,
}

/// One key (or list item) of the file and its value.
#[derive(Debug)]
struct Entry {
    /// Dotted path, list items as `[index]`: `storage.tiers[1].resolution`.
    path: String,
    /// Where the key is; for a list item, where the item is.
    key: Position,
    /// Where the value starts.
    value: Position,
}

/// The position of every key and list item of the file's first document.
#[derive(Debug)]
pub(crate) struct Positions {
    entries: Vec<Entry>,
}

/// A mapping or list being walked, and the path of its values.
enum Frame {
    Mapping {
        path: String,
        /// The key whose value comes next; none while a key is awaited.
        key: Option<(String, Position)>,
    },
    List {
        path: String,
        next_index: usize,
    },
}

impl Positions {
    /// Scans the text, or tells why it is not a single YAML document.
    pub(crate) fn scan(text: &str) -> Result<Positions, SyntaxError> {
        let mut entries = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut documents = 0;
        for item in Parser::new_from_str(text) {
            let (event, span) = item.map_err(|err: ScanError| SyntaxError {
                position: Position::at(err.marker()),
                message: format!("invalid YAML: {}", err.info()),
            })?;
            let position = Position::at(&span.start);
            let (scalar, opens) = match event {
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(SyntaxError {
                            position,
                            message: "a second YAML document starts here; \
                                      a config file holds only one"
                                .to_owned(),
                        });
                    }
                    continue;
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                    continue;
                }
                Event::Scalar(text, ..) => (Some(text.into_owned()), None),
                Event::MappingStart(..) => (None, Some(true)),
                Event::SequenceStart(..) => (None, Some(false)),
                Event::Alias(_) => (None, None),
                Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {
                    continue;
                }
            };
            let path = match stack.last_mut() {
                None => String::new(),
                Some(Frame::Mapping { path, key }) => match key.take() {
                    None => {
                        // This node is a key. A key that is a mapping or a list is not
                        // one the config knows; give it a name no lookup will ask for.
                        let name = scalar.unwrap_or_else(|| "?".to_owned());
                        *key = Some((name, position));
                        if let Some(is_mapping) = opens {
                            stack.push(Frame::open(is_mapping, "?".to_owned()));
                        }
                        continue;
                    }
                    Some((name, key_position)) => {
                        let child = join(path, &name);
                        entries.push(Entry { path: child.clone(), key: key_position, value: position });
                        child
                    }
                },
                Some(Frame::List { path, next_index }) => {
                    let child = format!("{path}[{next_index}]");
                    *next_index += 1;
                    entries.push(Entry { path: child.clone(), key: position, value: position });
                    child
                }
            };
            if let Some(is_mapping) = opens {
                stack.push(Frame::open(is_mapping, path));
            }
        }
        Ok(Positions { entries })
    }

    /// Whether the file sets the key at `path` (`storage.tiers[0].retention`).
    pub(crate) fn contains(&self, path: &str) -> bool {
        self.entry(path).is_some()
    }

    /// Where the value of the key at `path` starts; for a key the file does not set, where
    /// the nearest enclosing key is written, or the start of the file.
    pub(crate) fn value(&self, path: &str) -> Position {
        if let Some(entry) = self.entry(path) {
            return entry.value;
        }
        let mut path = path;
        while let Some(end) = path.rfind(['.', '[']) {
            path = &path[..end];
            if let Some(entry) = self.entry(path) {
                return entry.key;
            }
        }
        Position::START
    }

    fn entry(&self, path: &str) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.path == path)
    }

    /// Where the key at `path` is written a second time, if it is.
    pub(crate) fn repeated_key(&self, path: &str) -> Option<(Position, Position)> {
        let mut keys = self.entries.iter().filter(|entry| entry.path == path).map(|entry| entry.key);
        Some((keys.next()?, keys.next()?))
    }
}

impl Frame {
    fn open(is_mapping: bool, path: String) -> Frame {
        if is_mapping {
            Frame::Mapping { path, key: None }
        } else {
            Frame::List { path, next_index: 0 }
        }
    }
}

/// The path of key `name` inside the mapping at `parent`.
fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
listen: 127.0.0.1:7464
storage:
  wal: {fsync: always}
  tiers:
    - resolution: 1m
      retention: 30d
    - {resolution: 5m, retention: 90d}
";

    fn at(line: usize, column: usize) -> Position {
        Position { line, column }
    }

    #[test]
    fn finds_keys_in_block_and_flow_style() {
        let positions = Positions::scan(TEXT).unwrap();
        assert_eq!(positions.value("listen"), at(1, 9));
        assert_eq!(positions.value("storage.wal.fsync"), at(3, 16));
        assert_eq!(positions.value("storage.tiers[0].retention"), at(6, 18));
        assert_eq!(positions.value("storage.tiers[1].resolution"), at(7, 20));
        assert!(positions.contains("storage.tiers[1].retention"));
        assert!(!positions.contains("storage.retention"));
    }

    #[test]
    fn falls_back_to_the_nearest_enclosing_key() {
        let positions = Positions::scan(TEXT).unwrap();
        assert_eq!(positions.value("storage.retention"), at(2, 1));
        assert_eq!(positions.value("collection.interval"), Position::START);
    }

    #[test]
    fn finds_a_repeated_key() {
        let positions = Positions::scan("a: 1\nb: 2\na: 3\n").unwrap();
        assert_eq!(positions.repeated_key("a"), Some((at(1, 1), at(3, 1))));
        assert_eq!(positions.repeated_key("b"), None);
    }

    #[test]
    fn refuses_a_second_document() {
        let err = Positions::scan("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(err.position, at(2, 1));
    }

    #[test]
    fn reports_syntax_errors_with_their_position() {
        let err = Positions::scan("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.message.starts_with("invalid YAML: "), "{}", err.message);
        assert_eq!(err.position.line, 2);
    }
}
