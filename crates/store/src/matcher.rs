//! Label matchers: the four kinds PromQL selectors use (`=`, `!=`, `=~`, `!~`).

use regex::Regex;

/// How a matcher compares a label value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`: equal.
    Equal,
    /// `!=`: not equal.
    NotEqual,
    /// `=~`: fully matches the regular expression.
    Regex,
    /// `!~`: does not fully match the regular expression.
    NotRegex,
}

/// One label matcher, e.g. `job=~"node|vitals"`. A missing label has the value `""`.
#[derive(Clone, Debug)]
pub struct Matcher {
    /// Label name.
    pub name: String,
    /// Comparison.
    pub op: MatchOp,
    /// Value or pattern as written.
    pub value: String,
    /// The anchored regex, for the regex kinds.
    re: Option<Regex>,
}

impl Matcher {
    /// Builds a matcher; a regex is anchored at both ends as in Prometheus.
    pub fn new(op: MatchOp, name: impl Into<String>, value: impl Into<String>) -> Result<Matcher, regex::Error> {
        let value = value.into();
        let re = match op {
            MatchOp::Regex | MatchOp::NotRegex => Some(Regex::new(&format!("^(?s:{value})$"))?),
            _ => None,
        };
        Ok(Matcher { name: name.into(), op, value, re })
    }

    /// `name="value"`.
    pub fn equal(name: impl Into<String>, value: impl Into<String>) -> Matcher {
        Matcher { name: name.into(), op: MatchOp::Equal, value: value.into(), re: None }
    }

    /// Whether a label value (`""` when absent) satisfies the matcher.
    pub fn matches(&self, value: &str) -> bool {
        match (self.op, &self.re) {
            (MatchOp::Equal, _) => self.value == value,
            (MatchOp::NotEqual, _) => self.value != value,
            (MatchOp::Regex, Some(re)) => re.is_match(value),
            (MatchOp::NotRegex, Some(re)) => !re.is_match(value),
            // Regex kinds are always built with a compiled pattern by `new`.
            (MatchOp::Regex | MatchOp::NotRegex, None) => false,
        }
    }

    /// For a regex matcher that is a plain alternation of literals (`a|b|c`), the literals:
    /// the index looks them up directly instead of testing every value.
    pub(crate) fn literal_alternatives(&self) -> Option<Vec<&str>> {
        if self.op != MatchOp::Regex {
            return None;
        }
        let special = |c: char| "\\.+*?()[]{}^$".contains(c);
        if self.value.chars().any(special) {
            return None;
        }
        Some(self.value.split('|').collect())
    }
}

impl Matcher {
    /// For a regex matcher, a literal every matching value must start with (`host-1` for
    /// `host-1.*`): the index then scans only the values in that range. `None` when the
    /// pattern has no such prefix (top-level alternation, flags, a leading class...).
    pub(crate) fn literal_prefix(&self) -> Option<&str> {
        if self.op != MatchOp::Regex {
            return None;
        }
        let v = self.value.as_str();
        let mut depth = 0i32;
        for c in v.chars() {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                '|' if depth <= 0 => return None,
                _ => {}
            }
        }
        let special = |c: char| "\\.+*?()[]{}^$|".contains(c);
        let mut end = 0;
        let mut chars = v.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if special(c) {
                break;
            }
            // A quantifier after this character makes it optional or repeated.
            if matches!(chars.peek(), Some((_, '?' | '*' | '{'))) {
                break;
            }
            end = i + c.len_utf8();
        }
        (end > 0).then(|| &v[..end])
    }
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match self.op {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        };
        write!(f, "{}{}{:?}", self.name, op, self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_is_anchored() {
        let m = Matcher::new(MatchOp::Regex, "job", "node").unwrap();
        assert!(m.matches("node"));
        assert!(!m.matches("node2"));
        let m = Matcher::new(MatchOp::NotRegex, "job", "no.*").unwrap();
        assert!(!m.matches("node"));
        assert!(m.matches("vitals"));
    }

    #[test]
    fn literal_prefixes() {
        let p = |v: &str| Matcher::new(MatchOp::Regex, "l", v).unwrap().literal_prefix().map(str::to_owned);
        assert_eq!(p("host-1.*"), Some("host-1".into()));
        assert_eq!(p("host-(1|2).*"), Some("host-".into()));
        assert_eq!(p("ab?c"), Some("a".into()));
        assert_eq!(p("ab*"), Some("a".into()));
        assert_eq!(p("ab{2}"), Some("a".into()));
        assert_eq!(p("a|b"), None);
        assert_eq!(p("(?i)abc"), None);
        assert_eq!(p(".*x"), None);
        assert_eq!(p("[ab]c"), None);
        assert_eq!(Matcher::new(MatchOp::NotRegex, "l", "abc").unwrap().literal_prefix(), None);
    }

    #[test]
    fn literal_alternation_detected() {
        let m = Matcher::new(MatchOp::Regex, "mode", "idle|user").unwrap();
        assert_eq!(m.literal_alternatives(), Some(vec!["idle", "user"]));
        let m = Matcher::new(MatchOp::Regex, "mode", "id.e").unwrap();
        assert_eq!(m.literal_alternatives(), None);
    }
}
