//! `match[]` selectors: PromQL series selectors parsed by `promql-parser` and turned into
//! the store's matchers.

use promql_parser::label::{MatchOp as PromOp, Matcher as PromMatcher};
use promql_parser::parser::{self, Expr};
use vitals_store::{MatchOp, Matcher, METRIC_NAME_LABEL};

/// Parses one selector such as `up{job=~"node|vitals"}` into matcher sets: one set, or one
/// per alternative of `{a="1" or b="2"}`. Like Prometheus, refuses a selector that would
/// match every series: each set needs a matcher that does not match the empty string.
pub(crate) fn parse_selector(text: &str) -> Result<Vec<Vec<Matcher>>, String> {
    let expr = parser::parse(text).map_err(|e| format!("cannot parse {text:?}: {e}"))?;
    let Expr::VectorSelector(vs) = expr else {
        return Err(format!("{text:?} is not a series selector; write one like up or up{{job=\"node\"}}"));
    };
    if vs.offset.is_some() || vs.at.is_some() {
        return Err(format!("{text:?}: offset and @ modifiers are not allowed in a series selector"));
    }
    let groups: Vec<Vec<PromMatcher>> = if vs.matchers.or_matchers.is_empty() {
        vec![vs.matchers.matchers]
    } else {
        vs.matchers.or_matchers.into_iter().map(|g| vs.matchers.matchers.iter().cloned().chain(g).collect()).collect()
    };
    let mut sets = Vec::with_capacity(groups.len());
    for group in groups {
        let mut set = Vec::with_capacity(group.len() + 1);
        if let Some(name) = &vs.name {
            set.push(Matcher::equal(METRIC_NAME_LABEL, name.as_str()));
        }
        for m in group {
            let op = match m.op {
                PromOp::Equal => MatchOp::Equal,
                PromOp::NotEqual => MatchOp::NotEqual,
                PromOp::Re(_) => MatchOp::Regex,
                PromOp::NotRe(_) => MatchOp::NotRegex,
            };
            set.push(
                Matcher::new(op, m.name.as_str(), m.value.as_str())
                    .map_err(|e| format!("{text:?}: invalid regular expression {:?}: {e}", m.value))?,
            );
        }
        if set.iter().all(|m| m.matches("")) {
            return Err(format!("{text:?} would match every series: give a metric name or a matcher that does not match the empty string"));
        }
        sets.push(set);
    }
    Ok(sets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> Vec<Vec<String>> {
        parse_selector(text).unwrap().iter().map(|s| s.iter().map(ToString::to_string).collect()).collect()
    }

    #[test]
    fn all_four_kinds_and_the_name() {
        assert_eq!(
            shown(r#"up{a="1",b!="2",c=~"x|y",d!~"z.*"}"#),
            [[r#"__name__="up""#, r#"a="1""#, r#"b!="2""#, r#"c=~"x|y""#, r#"d!~"z.*""#]]
        );
        assert_eq!(shown(r#"{__name__=~"vitals_.*"}"#), [[r#"__name__=~"vitals_.*""#]]);
    }

    #[test]
    fn or_gives_one_set_per_alternative() {
        assert_eq!(shown(r#"{job="a" or job="b"}"#), [[r#"job="a""#], [r#"job="b""#]]);
    }

    #[test]
    fn selectors_matching_everything_are_refused() {
        for text in [r#"{job=~".*"}"#, r#"{job=""}"#, r#"{job!="x"}"#] {
            let err = parse_selector(text).unwrap_err();
            assert!(err.contains("match every series") || err.contains("non-empty matcher"), "{text}: {err}");
        }
    }

    #[test]
    fn expressions_and_garbage_are_refused() {
        assert!(parse_selector("sum(up)").unwrap_err().contains("is not a series selector"));
        assert!(parse_selector("up[5m]").unwrap_err().contains("is not a series selector"));
        assert!(parse_selector("up offset 5m").unwrap_err().contains("offset"));
        assert!(parse_selector(r#"up{job="x""#).unwrap_err().starts_with("cannot parse"));
        assert!(parse_selector("").unwrap_err().starts_with("cannot parse"));
    }
}
