//! Label set edits used by operators and functions.

use vitals_store::{Labels, METRIC_NAME_LABEL};

/// The labels without the metric name.
pub(crate) fn drop_metric_name(l: &Labels) -> Labels {
    if l.metric_name().is_none() {
        return l.clone();
    }
    Labels::from_pairs(l.iter().filter(|x| x.name != METRIC_NAME_LABEL).map(|x| (x.name.as_str(), x.value.as_str())))
}

/// The labels with `name` set to `value` (removed when `value` is empty).
pub(crate) fn set_label(l: &Labels, name: &str, value: &str) -> Labels {
    Labels::from_pairs(
        l.iter().filter(|x| x.name != name).map(|x| (x.name.as_str(), x.value.as_str())).chain(std::iter::once((name, value))),
    )
}

/// Only the labels named in `names`.
pub(crate) fn keep_labels(l: &Labels, names: &[String]) -> Labels {
    Labels::from_pairs(l.iter().filter(|x| names.contains(&x.name)).map(|x| (x.name.as_str(), x.value.as_str())))
}

/// The labels except those named in `names`.
pub(crate) fn remove_labels(l: &Labels, names: &[String]) -> Labels {
    Labels::from_pairs(l.iter().filter(|x| !names.contains(&x.name)).map(|x| (x.name.as_str(), x.value.as_str())))
}

/// The matching signature of a series: with `on`, only the listed labels; otherwise all
/// labels except the listed ones and the metric name.
pub(crate) fn signature(l: &Labels, on: bool, names: &[String]) -> Labels {
    if on {
        keep_labels(l, names)
    } else {
        Labels::from_pairs(
            l.iter().filter(|x| x.name != METRIC_NAME_LABEL && !names.contains(&x.name)).map(|x| (x.name.as_str(), x.value.as_str())),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits() {
        let l = Labels::from_pairs([("__name__", "m"), ("a", "1"), ("b", "2")]);
        assert_eq!(drop_metric_name(&l).to_string(), r#"{a="1",b="2"}"#);
        assert_eq!(set_label(&l, "a", "").to_string(), r#"m{b="2"}"#);
        assert_eq!(keep_labels(&l, &["b".into()]).to_string(), r#"{b="2"}"#);
        assert_eq!(signature(&l, false, &["a".into()]).to_string(), r#"{b="2"}"#);
    }
}
