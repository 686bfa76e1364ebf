//! Where in a query a parse error is, as Prometheus reports it (`1:5: parse error: ...`).
//!
//! promql-parser 0.11 reports no positions (its generated parser's errors are dropped and
//! syntax errors all read "invalid promql query"), so the position is found from the outside,
//! with the parser itself as the judge: the error lies where the query stops being the
//! beginning of any valid query. A prefix is still valid if some short completion (an operand,
//! a duration, a label matcher, then the closing quotes and brackets it needs) makes it parse.
//! The search is bounded: at most [`MAX_PARSES`] parses of a text of at most [`MAX_TEXT`]
//! bytes (longer queries get no position), each parse over at most that text plus a short
//! completion.
//! Written here because no crate gives PromQL error positions with this parser.

use promql_parser::parser;

/// What promql-parser says for every syntax error.
const SYNTAX_ERROR: &str = "invalid promql query";

/// Most parses one position search may run; past it, the position is not given.
const MAX_PARSES: usize = 2000;

/// Longest query (in bytes) whose error position is searched for; longer ones get none
/// (short of errors at the end of the input, which need no search), so that one bad request
/// costs at most [`MAX_PARSES`] parses of this much text.
const MAX_TEXT: usize = 4096;

/// Text that may finish a prefix's last token or supply a missing operand, before closing.
const FILLERS: [&str; 14] = ["", " x", " 1", "m", "5m", " 5m", "=\"a\"", "\"a\"", "a=\"a\"", "a) (x", " (a) (x", " x)", " bool 1", "(x"];

/// Text that may follow the closing brackets.
const TAILS: [&str; 3] = ["", " (x)", " 1"];

/// Byte offset in `query` of the parse error promql-parser reported as `message`, when it can
/// be found: the end of the query for errors about the input ending early, the start of an
/// unterminated string, else the character from which the query can no longer be valid.
pub(crate) fn error_position(query: &str, message: &str) -> Option<usize> {
    if message.starts_with("unclosed left parenthesis") || message.starts_with("unexpected end of input") {
        return Some(query.len());
    }
    if query.len() > MAX_TEXT {
        return None;
    }
    let mut search = Search { parses: 0 };
    if message.starts_with("unterminated quoted string") {
        // The open string starts where the prefixes stop ending inside a string.
        let ends = char_ends(query);
        let inside = |s: &mut Search, end: usize| s.lex_error(&query[..end]).is_some_and(|m| m.starts_with("unterminated quoted string"));
        let mut i = ends.len();
        while i > 0 && inside(&mut search, ends[i - 1]) {
            i -= 1;
            if search.exhausted() {
                return None;
            }
        }
        return Some(if i == 0 { 0 } else { ends[i - 1] });
    }
    let ends = char_ends(query);
    let first_bad = if message == SYNTAX_ERROR {
        // Validity of prefixes is monotone: search for the first prefix that no completion saves.
        let (mut lo, mut hi) = (0, ends.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if search.viable(&query[..ends[mid]]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
            if search.exhausted() {
                return None;
            }
        }
        lo
    } else {
        // Any other error (a bad character, a type error): the shortest prefix that some
        // completion turns into the same error.
        let mut k = 0;
        while k < ends.len() && !search.completes_to(&query[..ends[k]], message) {
            k += 1;
            if search.exhausted() {
                return None;
            }
        }
        // A name is wrong as a whole (an unknown function): point at its start.
        let word = |i: usize| query[..ends[i]].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        if k < ends.len() && word(k) {
            while k > 0 && word(k - 1) {
                k -= 1;
            }
        }
        k
    };
    // The prefix ending with character `first_bad` is the first that fails: the error is there.
    Some(match first_bad.checked_sub(1) {
        _ if first_bad >= ends.len() => query.len(),
        Some(prev) => ends[prev],
        None => 0,
    })
}

/// Prometheus' `line:column` of byte offset `pos` (both from 1; the column counts bytes
/// from the line's start, as Prometheus' `PositionRange.StartPosInput` does).
pub(crate) fn line_column(query: &str, pos: usize) -> (usize, usize) {
    let before = query.get(..pos).unwrap_or(query);
    let line = 1 + before.matches('\n').count();
    let col = pos - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// The byte offset just after each character of `s`.
fn char_ends(s: &str) -> Vec<usize> {
    s.char_indices().map(|(i, c)| i + c.len_utf8()).collect()
}

/// The parses spent by one search.
struct Search {
    parses: usize,
}

impl Search {
    fn exhausted(&self) -> bool {
        self.parses >= MAX_PARSES
    }

    fn lex_error(&mut self, text: &str) -> Option<String> {
        self.parses += 1;
        parser::lexer(text).err()
    }

    /// The parser's verdict on `text` (a panic in the parser counts as a syntax error).
    fn parse(&mut self, text: &str) -> Result<(), String> {
        self.parses += 1;
        match std::panic::catch_unwind(|| parser::parse(text).map(|_| ())) {
            Ok(r) => r,
            Err(_) => Err(SYNTAX_ERROR.into()),
        }
    }

    /// Whether some completion of `prefix` lexes and parses, or fails only on meaning (types,
    /// arguments), which a longer query could still have right.
    fn viable(&mut self, prefix: &str) -> bool {
        self.completions(prefix, |s, text| match s.parse(text) {
            Ok(()) => true,
            Err(m) => m != SYNTAX_ERROR && s.lex_error(text).is_none(),
        })
    }

    /// Whether some completion of `prefix` fails with exactly `message`.
    fn completes_to(&mut self, prefix: &str, message: &str) -> bool {
        self.completions(prefix, |s, text| s.parse(text).err().as_deref() == Some(message))
    }

    /// Tries `check` on completions of `prefix` until one passes or the budget runs out.
    fn completions(&mut self, prefix: &str, mut check: impl FnMut(&mut Search, &str) -> bool) -> bool {
        let mut text = String::with_capacity(prefix.len() + 32);
        for filler in FILLERS {
            text.clear();
            text.push_str(prefix);
            text.push_str(filler);
            let closers = closers(&text);
            text.push_str(&closers);
            let base = text.len();
            for tail in TAILS {
                text.truncate(base);
                text.push_str(tail);
                if check(self, &text) {
                    return true;
                }
                if self.exhausted() {
                    return false;
                }
            }
        }
        false
    }
}

/// What closes the strings and brackets left open at the end of `text` (comments skipped).
fn closers(text: &str) -> String {
    let mut stack = Vec::new();
    let mut chars = text.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), '\\') if q != '`' => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'' | '`') => quote = Some(c),
            (None, '#') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            (None, '(') => stack.push(')'),
            (None, '[') => stack.push(']'),
            (None, '{') => stack.push('}'),
            (None, ')' | ']' | '}') => {
                stack.pop();
            }
            _ => {}
        }
    }
    quote.into_iter().chain(stack.into_iter().rev()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `line:column` of the error promql-parser gives for `query`.
    fn at(query: &str) -> String {
        let message = parser::parse(query).expect_err("a failing query");
        let pos = error_position(query, &message).expect("a position");
        let (line, col) = line_column(query, pos);
        format!("{line}:{col}")
    }

    #[test]
    fn positions_match_prometheus() {
        // Errors at the end of the input are reported at the end.
        assert_eq!(at("sum(rate(x[5m])"), "1:16");
        assert_eq!(at("foo{a=\"b\""), "1:10");
        assert_eq!(at("x[5m"), "1:5");
        assert_eq!(at("1 +"), "1:4");
        // Otherwise at the first character that cannot be part of a valid query.
        assert_eq!(at("1 +* 2"), "1:4");
        assert_eq!(at("foo bar"), "1:5");
        assert_eq!(at("rate(x[5m)"), "1:10");
        assert_eq!(at("foo}"), "1:4");
        assert_eq!(at("é + 1"), "1:1");
        // Unterminated strings at their opening quote.
        assert_eq!(at("foo{a=\"b"), "1:7");
        // Lines count from 1; columns restart after a newline.
        assert_eq!(at("1 +\n* 2"), "2:1");
        assert_eq!(at("sum(x)\n  by (a b)"), "2:9");
    }

    #[test]
    fn semantic_errors_are_placed_where_they_become_certain() {
        assert_eq!(at("{}"), "1:1");
        assert_eq!(at("nonexistent(x)"), "1:1");
        assert_eq!(at("1 + nonexistent(x)"), "1:5");
    }

    #[test]
    fn long_queries_get_no_position_unless_the_input_ends_early() {
        let long = format!("{} + )", "x + ".repeat(MAX_TEXT / 4));
        let message = parser::parse(&long).expect_err("a failing query");
        assert_eq!(error_position(&long, &message), None);
        let open = format!("sum({}", "x + ".repeat(MAX_TEXT / 4));
        let message = parser::parse(&open).expect_err("a failing query");
        assert_eq!(error_position(&open, &message), Some(open.len()), "{message}");
    }

    #[test]
    fn closers_close_strings_then_brackets() {
        assert_eq!(closers("sum(rate(x{a=\"b"), "\"}))");
        assert_eq!(closers("x{a='\\''"), "}");
        assert_eq!(closers("f( # (\n"), ")");
    }

    #[test]
    fn line_column_counts_bytes_within_the_line() {
        assert_eq!(line_column("abc", 0), (1, 1));
        assert_eq!(line_column("é+x", 3), (1, 4));
        assert_eq!(line_column("a\nbc", 3), (2, 2));
    }
}
