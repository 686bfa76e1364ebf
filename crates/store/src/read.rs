//! The read path: select series by matchers over a time range, from raw data or a tier.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use roaring::RoaringBitmap;

use crate::block::Block;
use crate::error::StoreError;
use crate::matcher::Matcher;
use crate::model::{Labels, Sample};
use crate::rollup::{self, Aggregate};
use crate::store::{Inner, Mem, Store};

/// Raw samples of one series.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesSamples {
    /// The series.
    pub labels: Labels,
    /// Its samples in the requested range, in time order, one per timestamp.
    pub samples: Vec<Sample>,
}

/// Rollup points of one series.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesAggregates {
    /// The series.
    pub labels: Labels,
    /// Its points in the requested range, in time order.
    pub points: Vec<Aggregate>,
}

/// Priority of head data over any block when timestamps collide.
const HEAD_PRIORITY: u64 = u64::MAX;
const FROZEN_PRIORITY: u64 = u64::MAX - 1;

impl Store {
    /// Raw samples of every series matching all `matchers` within `[start, end]` (ms,
    /// inclusive). Series without samples in the range are left out. Where blocks overlap,
    /// the most recently written value for a timestamp wins.
    pub fn select(&self, matchers: &[Matcher], start: i64, end: i64) -> Result<Vec<SeriesSamples>, StoreError> {
        let (ids, labels) = selected(&self.inner.mem.read(), matchers);
        Ok(labels
            .into_iter()
            .zip(self.samples_by_id(&ids, start, end)?)
            .map(|(labels, samples)| SeriesSamples { labels, samples })
            .filter(|s| !s.samples.is_empty())
            .collect())
    }

    /// Raw samples within `[start, end]` of the given series (for reading a large selection
    /// in chunks, e.g. after [`Store::series`]). Unknown series and series without samples
    /// in the range are left out.
    pub fn select_series(&self, series: &[Labels], start: i64, end: i64) -> Result<Vec<SeriesSamples>, StoreError> {
        let found: Vec<(u32, Labels)> = {
            let mem = self.inner.mem.read();
            series.iter().filter_map(|l| mem.index.get(l).map(|id| (id, l.clone()))).collect()
        };
        let ids: Vec<u32> = found.iter().map(|f| f.0).collect();
        Ok(found
            .into_iter()
            .zip(self.samples_by_id(&ids, start, end)?)
            .map(|((_, labels), samples)| SeriesSamples { labels, samples })
            .filter(|s| !s.samples.is_empty())
            .collect())
    }

    /// Merged raw samples within `[start, end]` of each series id, in the order given.
    pub(crate) fn samples_by_id(&self, ids: &[u32], start: i64, end: i64) -> Result<Vec<Vec<Sample>>, StoreError> {
        let inner = &*self.inner;
        let mut runs: Vec<Vec<(u64, Vec<Sample>)>> = {
            let mem = inner.mem.read();
            ids.iter()
                .map(|&id| {
                    let mut r = Vec::new();
                    if let Some(f) = &mem.frozen {
                        push_run(&mut r, FROZEN_PRIORITY, f.range(id, start, end).to_vec());
                    }
                    push_run(&mut r, HEAD_PRIORITY, mem.head.range(id, start, end).to_vec());
                    r
                })
                .collect()
        };
        let blocks = overlapping(inner, 0, start, end);
        // Decoding dominates reads of many series: split the series over the cores.
        let samples: u64 = blocks.iter().map(|b| b.samples_estimate(ids.len(), start, end)).sum();
        let threads = if samples > PARALLEL_MIN_SAMPLES { cores().min(ids.len().div_ceil(PARALLEL_MIN_SERIES)) } else { 1 };
        let cached = samples <= CACHED_MAX_SAMPLES;
        let per = ids.len().div_ceil(threads).max(1);
        if threads == 1 {
            read_raw_blocks(&blocks, ids, &mut runs, start, end, cached)?;
        } else {
            std::thread::scope(|scope| {
                let workers: Vec<_> = ids
                    .chunks(per)
                    .zip(runs.chunks_mut(per))
                    .map(|(ids, runs)| scope.spawn(|| read_raw_blocks(&blocks, ids, runs, start, end, cached)))
                    .collect();
                workers.into_iter().try_for_each(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            })?;
        }
        Ok(runs.into_iter().map(merge_runs).collect())
    }

    /// Rollup points at `resolution_ms` (one of the configured tiers) for every series
    /// matching `matchers`, for buckets starting within `[start, end]`. Windows not yet
    /// rolled up (recent data, or data that arrived late) are aggregated from raw samples on
    /// the fly, so the answer is the same whether or not compaction has run.
    pub fn select_tier(&self, resolution_ms: i64, matchers: &[Matcher], start: i64, end: i64) -> Result<Vec<SeriesAggregates>, StoreError> {
        let inner = &*self.inner;
        let bd = inner.opts.block_duration_ms;
        let start = start.div_euclid(resolution_ms).saturating_mul(resolution_ms);
        let window_of = |t: i64| t.div_euclid(bd).saturating_mul(bd);
        // Windows whose raw data is not (or no longer entirely) reflected in tier blocks.
        let mut unrolled: BTreeSet<i64> =
            overlapping(inner, 0, start, end).iter().filter(|b| b.meta.level == 0).map(|b| b.meta.window_start).collect();
        {
            let mem = inner.mem.read();
            let heads = [Some(&mem.head), mem.frozen.as_deref()];
            for h in heads.into_iter().flatten() {
                h.windows(start, end, bd, &mut unrolled);
            }
        }
        // Raw data is read only for those windows (runs of adjacent ones read together).
        let mut raw: HashMap<Labels, Vec<Aggregate>> = HashMap::new();
        let mut spans: Vec<(i64, i64)> = Vec::new();
        for &w in &unrolled {
            match spans.last_mut() {
                Some(last) if last.1 == w => last.1 = w.saturating_add(bd),
                _ => spans.push((w, w.saturating_add(bd))),
            }
        }
        for (ws, we) in spans {
            for s in self.select(matchers, start.max(ws), end.min(we.saturating_sub(1)))? {
                raw.entry(s.labels).or_default().extend(rollup::aggregate(&s.samples, resolution_ms));
            }
        }
        let (ids, labels) = selected(&inner.mem.read(), matchers);
        let mut runs: Vec<Vec<(u64, Vec<Aggregate>)>> = vec![Vec::new(); ids.len()];
        for b in overlapping(inner, resolution_ms, start, end) {
            let mut cur = b.cursor();
            for (i, id) in ids.iter().enumerate() {
                let Some(local) = b.local(*id) else { continue };
                let Some((lo, hi)) = cur.range(local, start, end)? else { continue };
                let ts = cur.timestamps(local)?[lo..hi].to_vec();
                let cols = (0..crate::block::TIER_COLUMNS).map(|c| cur.column(local, c, lo, hi)).collect::<Result<Vec<_>, _>>()?;
                let points: Vec<Aggregate> =
                    rollup::from_columns(&ts, &cols).into_iter().filter(|a| !unrolled.contains(&window_of(a.t))).collect();
                if !points.is_empty() {
                    runs[i].push((b.meta.seq, points));
                }
            }
        }
        let mut out = Vec::new();
        for (labels, r) in labels.into_iter().zip(runs) {
            let mut points = merge_by_time(r, |a| a.t);
            if let Some(extra) = raw.get(&labels) {
                points.extend_from_slice(extra);
                points.sort_by_key(|a| a.t);
            }
            if !points.is_empty() {
                out.push(SeriesAggregates { labels, points });
            }
        }
        Ok(out)
    }

    /// The coarsest resolution (ms; 0 = raw samples) that serves a query from `start` at
    /// `step_ms` without changing its result: a tier whose buckets are no
    /// wider than the step. Raw data is preferred while raw retention still covers `start`.
    pub fn pick_resolution(&self, start: i64, step_ms: i64) -> i64 {
        let opts = &self.inner.opts;
        let reference = self.inner.max_t.load(std::sync::atomic::Ordering::Relaxed);
        let covers = |retention: i64| retention == 0 || start >= reference.saturating_sub(retention);
        let fitting = opts.tiers.iter().filter(|t| t.resolution_ms <= step_ms && covers(t.retention_ms)).map(|t| t.resolution_ms).max();
        match fitting {
            Some(r) => r,
            None if covers(opts.retention_ms) => 0,
            None => opts.tiers.iter().find(|t| covers(t.retention_ms)).map_or(0, |t| t.resolution_ms),
        }
    }

    /// Series matching any of the matcher sets (all series when `sets` is empty) that have
    /// data within `[start, end]`, sorted.
    pub fn series(&self, sets: &[Vec<Matcher>], start: i64, end: i64) -> Vec<Labels> {
        let ids = self.ids_in_range(sets, start, end);
        let mem = self.inner.mem.read();
        let mut out: Vec<Labels> = ids.iter().map(|id| mem.index.series[id as usize].labels.clone()).collect();
        out.sort();
        out
    }

    /// Label names used by the selected series (as [`Store::series`]), sorted.
    pub fn label_names(&self, sets: &[Vec<Matcher>], start: i64, end: i64) -> Vec<String> {
        let ids = self.ids_in_range(sets, start, end);
        self.inner.mem.read().index.label_names(&ids)
    }

    /// Values of label `name` among the selected series (as [`Store::series`]), sorted.
    pub fn label_values(&self, name: &str, sets: &[Vec<Matcher>], start: i64, end: i64) -> Vec<String> {
        let ids = self.ids_in_range(sets, start, end);
        self.inner.mem.read().index.label_values(name, &ids)
    }

    fn ids_in_range(&self, sets: &[Vec<Matcher>], start: i64, end: i64) -> RoaringBitmap {
        let inner = &*self.inner;
        let mut present = RoaringBitmap::new();
        let candidates = {
            let mem = inner.mem.read();
            let mut c = RoaringBitmap::new();
            if sets.is_empty() {
                c = mem.index.select(&[]);
            }
            for set in sets {
                c |= mem.index.select(set);
            }
            let heads = [Some(&mem.head), mem.frozen.as_deref()];
            for h in heads.into_iter().flatten() {
                for id in c.iter() {
                    if !h.range(id, start, end).is_empty() {
                        present.insert(id);
                    }
                }
            }
            c
        };
        let blocks = inner.blocks.read().iter().filter(|b| b.meta.min_t <= end && b.meta.max_t >= start).cloned().collect::<Vec<_>>();
        for b in blocks {
            present.extend(b.ids().filter(|id| candidates.contains(*id)));
        }
        present
    }
}

/// Ids and labels of the series matching `matchers`.
fn selected(mem: &Mem, matchers: &[Matcher]) -> (Vec<u32>, Vec<Labels>) {
    let ids: Vec<u32> = mem.index.select(matchers).iter().collect();
    let labels = ids.iter().map(|id| mem.index.series[*id as usize].labels.clone()).collect();
    (ids, labels)
}

/// Below this many series per thread, reading in parallel costs more than it saves.
const PARALLEL_MIN_SERIES: usize = 64;

/// Below this many samples to read from blocks (a fraction of a millisecond of decoding),
/// starting threads costs more than it saves.
const PARALLEL_MIN_SAMPLES: u64 = 100_000;

/// Reads of more samples than this (a quarter of the cache of decoded columns) are long
/// scans: they decode without the cache, so as not to push out what dashboards re-read.
const CACHED_MAX_SAMPLES: u64 = 500_000;

/// The cores available to this process, asked once: `available_parallelism` reads cgroup
/// files on every call (tens of microseconds), more than a small query takes.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Adds the samples of `ids` within `[start, end]` from raw `blocks` to their runs; with
/// `cached`, through the cache of decoded columns.
fn read_raw_blocks(
    blocks: &[Arc<Block>],
    ids: &[u32],
    runs: &mut [Vec<(u64, Vec<Sample>)>],
    start: i64,
    end: i64,
    cached: bool,
) -> Result<(), StoreError> {
    for b in blocks {
        let mut cur = if cached { b.cached_cursor() } else { b.cursor() };
        for (i, id) in ids.iter().enumerate() {
            let Some(local) = b.local(*id) else { continue };
            let Some((lo, hi)) = cur.range(local, start, end)? else { continue };
            let mut run = Vec::new();
            cur.samples_into(local, lo, hi, &mut run)?;
            push_run(&mut runs[i], b.meta.seq, run);
        }
    }
    Ok(())
}

/// Blocks of one tier (0 = raw) overlapping `[start, end]`, oldest write first.
fn overlapping(inner: &Inner, resolution_ms: i64, start: i64, end: i64) -> Vec<Arc<Block>> {
    let mut v: Vec<Arc<Block>> = inner
        .blocks
        .read()
        .iter()
        .filter(|b| b.meta.resolution_ms == resolution_ms && b.meta.min_t <= end && b.meta.max_t >= start)
        .cloned()
        .collect();
    v.sort_by_key(|b| b.meta.seq);
    v
}

fn push_run(runs: &mut Vec<(u64, Vec<Sample>)>, prio: u64, run: Vec<Sample>) {
    if !run.is_empty() {
        runs.push((prio, run));
    }
}

/// Merges time-sorted runs; where timestamps collide the run with the higher priority wins.
fn merge_runs(runs: Vec<(u64, Vec<Sample>)>) -> Vec<Sample> {
    merge_by_time(runs, |s| s.t)
}

fn merge_by_time<T: Copy>(mut runs: Vec<(u64, Vec<T>)>, key: impl Fn(&T) -> i64) -> Vec<T> {
    if runs.len() <= 1 {
        return runs.pop().map(|r| r.1).unwrap_or_default();
    }
    // Fast path: runs that follow each other in time concatenate without sorting.
    runs.sort_by_key(|(p, r)| (r.first().map(&key), *p));
    if runs.windows(2).all(|w| w[0].1.last().map(&key) < w[1].1.first().map(&key)) {
        let total: usize = runs.iter().map(|r| r.1.len()).sum();
        let mut it = runs.into_iter();
        let mut out = it.next().map(|r| r.1).unwrap_or_default();
        out.reserve(total - out.len());
        it.for_each(|r| out.extend(r.1));
        return out;
    }
    let mut all: Vec<(i64, u64, T)> = runs
        .into_iter()
        .flat_map(|(p, r)| {
            let key = &key;
            r.into_iter().map(move |x| (key(&x), p, x))
        })
        .collect();
    all.sort_by_key(|(t, p, _)| (*t, *p));
    let mut out: Vec<T> = Vec::with_capacity(all.len());
    let mut last_t = None;
    for (t, _, x) in all {
        if last_t == Some(t) {
            // Same timestamp, higher priority: replace.
            if let Some(slot) = out.last_mut() {
                *slot = x;
            }
        } else {
            out.push(x);
            last_t = Some(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_prefers_higher_priority_on_collision() {
        let s = |t, v| Sample { t, v };
        let merged = merge_runs(vec![(1, vec![s(1, 1.0), s(3, 1.0)]), (2, vec![s(2, 2.0), s(3, 2.0)])]);
        assert_eq!(merged, vec![s(1, 1.0), s(2, 2.0), s(3, 2.0)]);
        let merged = merge_runs(vec![(2, vec![s(5, 2.0)]), (1, vec![s(1, 1.0)])]);
        assert_eq!(merged, vec![s(1, 1.0), s(5, 2.0)]);
    }
}
