//! Warnings and infos a query collects, worded as Prometheus words them.

/// Annotations of one query, without duplicates, in the order they were first raised.
#[derive(Debug, Default)]
pub(crate) struct Annotations {
    pub warnings: Vec<String>,
    pub infos: Vec<String>,
}

impl Annotations {
    /// Adds a warning (`text` without the "PromQL warning: " prefix).
    pub fn warn(&mut self, text: String) {
        push_unique(&mut self.warnings, format!("PromQL warning: {text}"));
    }

    /// Adds an info (`text` without the "PromQL info: " prefix).
    pub fn info(&mut self, text: String) {
        push_unique(&mut self.infos, format!("PromQL info: {text}"));
    }

    /// Adds another set's annotations.
    pub fn merge(&mut self, other: Annotations) {
        other.warnings.into_iter().for_each(|w| push_unique(&mut self.warnings, w));
        other.infos.into_iter().for_each(|i| push_unique(&mut self.infos, i));
    }
}

fn push_unique(list: &mut Vec<String>, s: String) {
    if !list.contains(&s) {
        list.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_and_deduplicated() {
        let mut a = Annotations::default();
        a.warn("x".into());
        a.warn("x".into());
        a.info("y".into());
        assert_eq!(a.warnings, vec!["PromQL warning: x"]);
        assert_eq!(a.infos, vec!["PromQL info: y"]);
    }
}
