//! The series registry and its inverted index (postings per label pair).
//!
//! Series get dense process-local ids; postings are roaring bitmaps, so the four matcher
//! kinds become unions, intersections and differences of bitmaps.

use std::collections::{BTreeMap, HashMap};

use std::ops::Bound;

use roaring::{MultiOps, RoaringBitmap};

use crate::matcher::{MatchOp, Matcher};
use crate::model::Labels;

/// Per-series state kept in memory.
pub(crate) struct SeriesEntry {
    /// The series' labels.
    pub labels: Labels,
    /// Newest timestamp ever accepted (for the out-of-order window); `i64::MIN` if none.
    pub max_t: i64,
    /// Newest timestamp of the series in blocks; `i64::MIN` if none. A sample at or before it
    /// may repeat one already written out, so appends look there before storing it again.
    pub flushed_max_t: i64,
    /// Whether the current WAL segment chain has a series record for it.
    pub logged: bool,
}

/// All known series and the postings over their labels.
#[derive(Default)]
pub(crate) struct Index {
    pub series: Vec<SeriesEntry>,
    by_labels: HashMap<Labels, u32>,
    postings: HashMap<String, BTreeMap<String, RoaringBitmap>>,
    all: RoaringBitmap,
}

impl Index {
    /// The id of a series, if known.
    pub fn get(&self, labels: &Labels) -> Option<u32> {
        self.by_labels.get(labels).copied()
    }

    /// The id of a series, registering it if new.
    pub fn get_or_insert(&mut self, labels: &Labels) -> u32 {
        if let Some(id) = self.by_labels.get(labels) {
            return *id;
        }
        let id = self.series.len() as u32;
        for l in labels.iter() {
            self.postings.entry(l.name.clone()).or_default().entry(l.value.clone()).or_default().insert(id);
        }
        self.all.insert(id);
        self.by_labels.insert(labels.clone(), id);
        self.series.push(SeriesEntry { labels: labels.clone(), max_t: i64::MIN, flushed_max_t: i64::MIN, logged: false });
        id
    }

    /// Ids of the series that satisfy every matcher (no matchers: all series).
    pub fn select(&self, matchers: &[Matcher]) -> RoaringBitmap {
        // Matchers that cannot match an empty value narrow by union of postings; run those
        // first so the others only subtract from a small set.
        let (narrowing, widening): (Vec<&Matcher>, Vec<&Matcher>) = matchers.iter().partition(|m| !m.matches(""));
        let mut result: Option<RoaringBitmap> = None;
        for m in narrowing {
            let set = self.matching_postings(m, true);
            result = Some(match result {
                None => set,
                Some(r) => r & set,
            });
            if result.as_ref().is_some_and(|r| r.is_empty()) {
                return RoaringBitmap::new();
            }
        }
        let mut result = result.unwrap_or_else(|| self.all.clone());
        for m in widening {
            // The label is absent or matches: drop series whose present value fails.
            result -= self.matching_postings(m, false);
        }
        result
    }

    /// Union of the postings whose value satisfies the matcher (`want = true`) or fails it.
    fn matching_postings(&self, m: &Matcher, want: bool) -> RoaringBitmap {
        let Some(values) = self.postings.get(&m.name) else {
            return RoaringBitmap::new();
        };
        let lists: Vec<&RoaringBitmap> = match (m.op, want) {
            (MatchOp::Equal, true) | (MatchOp::NotEqual, false) => values.get(&m.value).into_iter().collect(),
            _ => {
                if let (true, Some(lits)) = (want, m.literal_alternatives()) {
                    lits.into_iter().filter_map(|lit| values.get(lit)).collect()
                } else if let (true, Some(prefix)) = (want, m.literal_prefix()) {
                    // Only values in the prefix's range can match; test just those.
                    values
                        .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
                        .take_while(|(v, _)| v.starts_with(prefix))
                        .filter(|(v, _)| m.matches(v))
                        .map(|(_, p)| p)
                        .collect()
                } else {
                    values.iter().filter(|(v, _)| m.matches(v) == want).map(|(_, p)| p).collect()
                }
            }
        };
        // One multi-way union: folding with `|=` would copy the growing result per list.
        lists.union()
    }

    /// Label names in use among `ids`, sorted.
    pub fn label_names(&self, ids: &RoaringBitmap) -> Vec<String> {
        self.postings
            .iter()
            .filter(|(_, values)| values.values().any(|p| !p.is_disjoint(ids)))
            .map(|(n, _)| n.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// Values of label `name` among `ids`, sorted.
    pub fn label_values(&self, name: &str, ids: &RoaringBitmap) -> Vec<String> {
        self.postings
            .get(name)
            .map(|values| values.iter().filter(|(_, p)| !p.is_disjoint(ids)).map(|(v, _)| v.clone()).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx() -> Index {
        let mut i = Index::default();
        for (cpu, mode) in [("0", "idle"), ("0", "user"), ("1", "idle"), ("1", "user")] {
            i.get_or_insert(&Labels::from_pairs([("__name__", "node_cpu_seconds_total"), ("cpu", cpu), ("mode", mode)]));
        }
        i.get_or_insert(&Labels::from_pairs([("__name__", "up"), ("job", "node")]));
        i
    }

    fn sel(i: &Index, ms: &[(MatchOp, &str, &str)]) -> Vec<u32> {
        let ms: Vec<Matcher> = ms.iter().map(|(op, n, v)| Matcher::new(*op, *n, *v).unwrap()).collect();
        i.select(&ms).iter().collect()
    }

    #[test]
    fn all_four_matcher_kinds() {
        let i = idx();
        let name = (MatchOp::Equal, "__name__", "node_cpu_seconds_total");
        assert_eq!(sel(&i, &[name, (MatchOp::Equal, "mode", "idle")]), vec![0, 2]);
        assert_eq!(sel(&i, &[name, (MatchOp::NotEqual, "mode", "idle")]), vec![1, 3]);
        assert_eq!(sel(&i, &[name, (MatchOp::Regex, "cpu", "1|2")]), vec![2, 3]);
        assert_eq!(sel(&i, &[name, (MatchOp::NotRegex, "mode", "i.*")]), vec![1, 3]);
        // A missing label equals "": `job!="node"` matches series without job.
        assert_eq!(sel(&i, &[(MatchOp::NotEqual, "job", "node")]), vec![0, 1, 2, 3]);
        assert_eq!(sel(&i, &[(MatchOp::Equal, "job", "")]), vec![0, 1, 2, 3]);
        assert_eq!(sel(&i, &[(MatchOp::Regex, "job", ".+")]), vec![4]);
        assert_eq!(sel(&i, &[(MatchOp::Regex, "__name__", "up|nothing")]), vec![4]);
        assert_eq!(sel(&i, &[(MatchOp::Regex, "__name__", "node_cpu.*_total")]), vec![0, 1, 2, 3]);
        assert_eq!(sel(&i, &[(MatchOp::Regex, "__name__", "node_cpux?.*")]), vec![0, 1, 2, 3]);
    }

    #[test]
    fn names_and_values_follow_the_selection() {
        let i = idx();
        let cpu: RoaringBitmap = [0u32, 1].into_iter().collect();
        assert_eq!(i.label_names(&cpu), vec!["__name__", "cpu", "mode"]);
        assert_eq!(i.label_values("mode", &cpu), vec!["idle", "user"]);
        assert_eq!(i.label_values("cpu", &cpu), vec!["0"]);
    }
}
