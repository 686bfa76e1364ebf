//! A cursor over one line, with the token readers every line kind shares and
//! the error constructor that turns a byte offset into a character column.

use std::borrow::Cow;

use crate::names::bare_len;
use crate::LineError;

/// A position in one line (without its line break).
pub(crate) struct Cursor<'a> {
    line: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(line: &'a str) -> Self {
        Cursor { line, pos: 0 }
    }

    /// Byte offset of the cursor.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.line.as_bytes().get(self.pos).copied()
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.line.len()
    }

    /// The unread rest of the line.
    pub(crate) fn rest(&self) -> &'a str {
        &self.line[self.pos..]
    }

    /// Moves past `n` bytes, which the caller has checked are ASCII.
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos += n;
    }

    /// Consumes `b` if it is next.
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        if found {
            self.pos += 1;
        }
        found
    }

    /// True if the next byte is a space or a tab.
    pub(crate) fn at_ws(&self) -> bool {
        matches!(self.peek(), Some(b' ' | b'\t'))
    }

    /// Skips spaces and tabs; true if there were any.
    pub(crate) fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while self.at_ws() {
            self.pos += 1;
        }
        self.pos > start
    }

    /// Reads up to the next space, tab or the end of the line.
    pub(crate) fn token(&mut self) -> &'a str {
        let rest = self.rest();
        let len = rest.find([' ', '\t']).unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    /// Reads a bare metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`), if one is next.
    pub(crate) fn bare_metric_name(&mut self) -> Option<&'a str> {
        self.bare_name(true)
    }

    /// Reads a bare label name (`[a-zA-Z_][a-zA-Z0-9_]*`), if one is next.
    pub(crate) fn bare_label_name(&mut self) -> Option<&'a str> {
        self.bare_name(false)
    }

    fn bare_name(&mut self, colon: bool) -> Option<&'a str> {
        let len = bare_len(self.rest().as_bytes(), colon);
        let name = &self.rest()[..len];
        self.pos += len;
        (len > 0).then_some(name)
    }

    /// Reads a quoted name such as `"my.metric"`; the cursor is on the quote.
    /// Names needing escapes are refused rather than unescaped, so that a
    /// name can always borrow from the line.
    pub(crate) fn quoted_name(&mut self) -> Result<&'a str, LineError> {
        let open = self.pos;
        let body = &self.line[open + 1..];
        let Some(len) = body.find(['"', '\\']) else {
            return Err(self.error_at(open, "unterminated quoted name: missing closing '\"'"));
        };
        if body.as_bytes()[len] == b'\\' {
            return Err(self.error_at(open + 1 + len, "escape sequences are not supported in quoted names"));
        }
        if len == 0 {
            return Err(self.error_at(open, "empty quoted name"));
        }
        self.pos = open + 1 + len + 1;
        Ok(&body[..len])
    }

    /// Reads a double-quoted label value, unescaping `\\`, `\"` and `\n`;
    /// the cursor is on the opening quote. Borrows unless there are escapes.
    pub(crate) fn label_value(&mut self, label: &str) -> Result<Cow<'a, str>, LineError> {
        let open = self.pos;
        let start = open + 1;
        let bytes = self.line.as_bytes();
        let mut owned: Option<String> = None;
        let mut chunk = start;
        let mut i = start;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'"' => {
                    self.pos = i + 1;
                    let tail = &self.line[chunk..i];
                    return Ok(match owned {
                        None => Cow::Borrowed(tail),
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                    });
                }
                b'\\' => {
                    let unescaped = match bytes.get(i + 1) {
                        Some(b'\\') => '\\',
                        Some(b'"') => '"',
                        Some(b'n') => '\n',
                        _ => {
                            let what = match self.line[i + 1..].chars().next() {
                                Some(c) => format!("\"\\{}\"", c.escape_debug()),
                                None => "'\\' at end of line".to_string(),
                            };
                            return Err(self.error_at(
                                i,
                                format!(
                                    "invalid escape sequence {what} in value of label \"{label}\" \
                                     (allowed: \\\\, \\\" and \\n)"
                                ),
                            ));
                        }
                    };
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.line[chunk..i]);
                    s.push(unescaped);
                    i += 2;
                    chunk = i;
                }
                _ => i += 1,
            }
        }
        Err(self.error_at(open, format!("unterminated value of label \"{label}\": missing closing '\"'")))
    }

    /// Describes what is at the cursor for an error message: `"x"` or `end of line`.
    pub(crate) fn found(&self) -> String {
        match self.rest().chars().next() {
            Some(c) => format!("\"{}\"", c.escape_debug()),
            None => "end of line".to_string(),
        }
    }

    /// An error at the cursor.
    pub(crate) fn error(&self, message: impl Into<String>) -> LineError {
        self.error_at(self.pos, message)
    }

    /// An error at byte offset `pos`, reported as a 1-based character column.
    pub(crate) fn error_at(&self, pos: usize, message: impl Into<String>) -> LineError {
        let column = self.line.get(..pos).map_or(pos, |s| s.chars().count()) + 1;
        LineError { column, message: message.into() }
    }
}
