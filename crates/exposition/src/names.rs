//! Which metric and label names can be written bare, and which need quoting.

/// True for `[a-zA-Z_:][a-zA-Z0-9_:]*`, a metric name that needs no quotes.
pub(crate) fn is_bare_metric_name(name: &str) -> bool {
    bare_len(name.as_bytes(), true) == name.len() && !name.is_empty()
}

/// True for `[a-zA-Z_][a-zA-Z0-9_]*`, a label name that needs no quotes.
pub(crate) fn is_bare_label_name(name: &str) -> bool {
    bare_len(name.as_bytes(), false) == name.len() && !name.is_empty()
}

/// True for a name that can be written as a quoted string (`"my.metric"`):
/// non-empty, with nothing that would need an escape.
pub(crate) fn is_quotable_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['"', '\\', '\n'])
}

/// Length of the longest bare name at the start of `bytes`; `colon` says
/// whether ':' is allowed (it is in metric names, not in label names).
pub(crate) fn bare_len(bytes: &[u8], colon: bool) -> usize {
    let allowed = |b: u8, first: bool| b.is_ascii_alphabetic() || b == b'_' || (colon && b == b':') || (!first && b.is_ascii_digit());
    match bytes.first() {
        Some(&b) if allowed(b, true) => 1 + bytes[1..].iter().take_while(|&&b| allowed(b, false)).count(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_names() {
        assert!(is_bare_metric_name("node_cpu:rate5m"));
        assert!(is_bare_metric_name("_x1"));
        assert!(!is_bare_metric_name("1x"));
        assert!(!is_bare_metric_name("my.metric"));
        assert!(!is_bare_metric_name(""));
        assert!(is_bare_label_name("job"));
        assert!(!is_bare_label_name("a:b"));
        assert!(!is_bare_label_name(""));
    }

    #[test]
    fn quotable_names() {
        assert!(is_quotable_name("my.metric ünïcode"));
        assert!(!is_quotable_name(""));
        assert!(!is_quotable_name("a\"b"));
        assert!(!is_quotable_name("a\\b"));
        assert!(!is_quotable_name("a\nb"));
    }
}
