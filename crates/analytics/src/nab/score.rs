//! NAB's scoring of one detector's scores: each scorable row's worth if detected, the sweep
//! over thresholds, and normalisation.

use super::Profile;

/// Where a scorable row lies and what detecting it is worth, before profile weights.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Worth {
    /// Inside window `id` (numbered within the file): the scaled sigmoid of its position,
    /// divided by that of the window's first row, so 1 at the start, near 0 at the end.
    Window { id: usize, worth: f64 },
    /// Outside every window: minus 1 before the first window, after a window a sigmoid from
    /// near 0 just after it to -1 far from it.
    Outside { worth: f64 },
}

/// One data file's labels laid on its rows: what detecting each row after the
/// probationary period is worth.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    rows: Vec<(usize, Worth)>,
    windows: usize,
}

/// NAB's probationary period: the first 15 % of a file's rows, at most 750, are not scored.
pub fn probation_period(len: usize) -> usize {
    (len * 15 / 100).min(750)
}

/// NAB's scaled sigmoid: from 1 well before 0 through 0 at 0 to -1 from 3 on.
fn scaled_sigmoid(position: f64) -> f64 {
    if position >= 3.0 {
        -1.0
    } else {
        2.0 / (1.0 + (5.0 * position).exp()) - 1.0
    }
}

impl Labelled {
    /// Lays `windows` ((start, end) in ms, inclusive, in time order) on rows stamped
    /// `timestamps` (ascending).
    pub fn new(timestamps: &[i64], windows: &[(i64, i64)]) -> Labelled {
        let bounds: Vec<(usize, usize)> = windows
            .iter()
            .filter_map(|&(a, b)| {
                let first = timestamps.partition_point(|&t| t < a);
                let after = timestamps.partition_point(|&t| t <= b);
                (after > first).then(|| (first, after - 1))
            })
            .collect();
        let max_tp = scaled_sigmoid(-1.0);
        let probation = probation_period(timestamps.len());
        let mut rows = Vec::with_capacity(timestamps.len().saturating_sub(probation));
        let mut next = 0;
        for i in probation..timestamps.len() {
            while next < bounds.len() && bounds[next].1 < i {
                next += 1;
            }
            let worth = match bounds.get(next) {
                Some(&(l, r)) if l <= i => {
                    let width = (r - l + 1) as f64;
                    Worth::Window { id: next, worth: scaled_sigmoid(-((r - i + 1) as f64) / width) / max_tp }
                }
                _ if next == 0 => Worth::Outside { worth: -1.0 },
                _ => {
                    let (l, r) = bounds[next - 1];
                    // A window of one row has no width to scale by: NAB divides by zero, -1.
                    let past = if r > l { (i - r) as f64 / (r - l) as f64 } else { f64::INFINITY };
                    Worth::Outside { worth: scaled_sigmoid(past) }
                }
            };
            rows.push((i, worth));
        }
        // Windows wholly in the probationary period are not scored (NAB drops them too):
        // number the others densely.
        let mut dense = vec![None; bounds.len()];
        let mut windows = 0;
        for (_, worth) in &mut rows {
            if let Worth::Window { id, .. } = worth {
                *id = *dense[*id].get_or_insert_with(|| {
                    windows += 1;
                    windows - 1
                });
            }
        }
        Labelled { rows, windows }
    }

    /// How many windows the file has (with at least one scorable row).
    pub fn windows(&self) -> usize {
        self.windows
    }
}

/// The raw score of `files` (labels with one score per row) under `profile` when rows
/// scoring at least `threshold` are detections: per window its earliest detection's worth
/// times tpWeight, or -fnWeight without one; plus each detection outside windows, times fpWeight.
pub fn raw_score(files: &[(&Labelled, &[f64])], profile: &Profile, threshold: f64) -> f64 {
    let mut total = 0.0;
    for (labels, scores) in files {
        let mut best = vec![None::<f64>; labels.windows];
        for &(i, worth) in &labels.rows {
            if !scores.get(i).is_some_and(|&s| s >= threshold) {
                continue;
            }
            match worth {
                Worth::Window { id, worth } => best[id] = Some(best[id].map_or(worth, |b: f64| b.max(worth))),
                Worth::Outside { worth } => total += worth * profile.fp,
            }
        }
        total += best.iter().map(|b| b.map_or(-profile.fn_weight, |w| w * profile.tp)).sum::<f64>();
    }
    total
}

/// What a detector did at one threshold, as NAB's results count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Detections {
    /// Windows with at least one detection.
    pub found: usize,
    /// Windows without one.
    pub missed: usize,
    /// Detections outside every window (after the probationary period).
    pub false_positives: usize,
}

/// The windows found and missed, and the false detections, of `files` when rows scoring at
/// least `threshold` are detections.
pub fn detections(files: &[(&Labelled, &[f64])], threshold: f64) -> Detections {
    let mut out = Detections::default();
    for (labels, scores) in files {
        let mut hit = vec![false; labels.windows];
        for &(i, worth) in &labels.rows {
            if !scores.get(i).is_some_and(|&s| s >= threshold) {
                continue;
            }
            match worth {
                Worth::Window { id, .. } => hit[id] = true,
                Worth::Outside { .. } => out.false_positives += 1,
            }
        }
        let found = hit.iter().filter(|&&h| h).count();
        out.found += found;
        out.missed += hit.len() - found;
    }
    out
}

/// The threshold that maximises the raw score of `files` under `profile`, and that score:
/// NAB's sweep over every distinct score, from above the highest (nothing detected) down.
/// Of equal totals the highest threshold wins.
pub fn optimise(files: &[(&Labelled, &[f64])], profile: &Profile) -> (f64, f64) {
    let mut points = Vec::new();
    let mut offset = 0;
    for (labels, scores) in files {
        for &(i, worth) in &labels.rows {
            let Some(&s) = scores.get(i) else { continue };
            if s.is_nan() {
                continue;
            }
            let worth = match worth {
                Worth::Window { id, worth } => Worth::Window { id: id + offset, worth },
                outside => outside,
            };
            points.push((s, worth));
        }
        offset += labels.windows;
    }
    points.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut best_in: Vec<Option<f64>> = vec![None; offset];
    let mut total = -profile.fn_weight * offset as f64;
    let mut best = (1.1, total);
    let mut k = 0;
    while k < points.len() {
        let threshold = points[k].0;
        while k < points.len() && points[k].0 == threshold {
            match points[k].1 {
                Worth::Window { id, worth } => match best_in[id] {
                    None => {
                        total += profile.fn_weight + worth * profile.tp;
                        best_in[id] = Some(worth);
                    }
                    Some(b) if worth > b => {
                        total += (worth - b) * profile.tp;
                        best_in[id] = Some(worth);
                    }
                    Some(_) => {}
                },
                Worth::Outside { worth } => total += worth * profile.fp,
            }
            k += 1;
        }
        if total > best.1 {
            best = (threshold, total);
        }
    }
    best
}

/// NAB's normalised score of `raw` over a corpus with `windows` windows: 100 × (raw − null)
/// / (perfect − null), where the null detector misses every window and the perfect one
/// detects each at its start. `None` without windows (nothing to normalise by).
pub fn normalise(raw: f64, windows: usize, profile: &Profile) -> Option<f64> {
    let null = -profile.fn_weight * windows as f64;
    let perfect = profile.tp * windows as f64;
    (windows > 0).then(|| 100.0 * (raw - null) / (perfect - null))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard() -> Profile {
        Profile { name: "standard".into(), tp: 1.0, fp: 0.11, fn_weight: 1.0 }
    }

    /// 100 rows one minute apart (probation 15 rows), one window over rows 40..=49.
    fn file() -> (Vec<i64>, Labelled) {
        let ts: Vec<i64> = (0..100).map(|i| i * 60_000).collect();
        let labels = Labelled::new(&ts, &[(40 * 60_000, 49 * 60_000)]);
        (ts, labels)
    }

    fn normalised(labels: &Labelled, scores: &[f64], p: &Profile) -> f64 {
        let (_, raw) = optimise(&[(labels, scores)], p);
        normalise(raw, labels.windows(), p).unwrap()
    }

    #[test]
    fn perfect_scores_100_and_null_0() {
        let (_, labels) = file();
        let mut perfect = vec![0.0; 100];
        perfect[40] = 1.0;
        assert!((normalised(&labels, &perfect, &standard()) - 100.0).abs() < 1e-9);
        assert!((normalised(&labels, &[0.5; 100], &standard()) - 0.0).abs() < 1e-9);
    }

    #[test]
    fn a_late_detection_is_worth_the_sigmoid_of_its_position() {
        let (_, labels) = file();
        let mut late = vec![0.0; 100];
        late[45] = 1.0; // position -(49 - 45 + 1)/10 = -0.5
        let worth = (2.0 / (1.0 + (-2.5f64).exp()) - 1.0) / (2.0 / (1.0 + (-5.0f64).exp()) - 1.0);
        let (threshold, raw) = optimise(&[(&labels, &late)], &standard());
        assert_eq!(threshold, 1.0);
        assert!((raw - worth).abs() < 1e-12);
        // By hand: 0.8483 / 0.9866 = 0.8598; normalised 100 × (0.8598 + 1) / 2.
        assert!((normalise(raw, 1, &standard()).unwrap() - 92.99).abs() < 0.01);
    }

    #[test]
    fn false_positives_cost_their_weight_and_only_the_first_detection_counts() {
        let (_, labels) = file();
        let mut scores = vec![0.0; 100];
        scores[20] = 0.9; // before the window: -0.11
        scores[40] = 0.9; // the window's start: +1
        scores[41] = 0.9; // same window again: nothing more
        scores[10] = 0.9; // probationary: not scored
        assert!((raw_score(&[(&labels, &scores)], &standard(), 0.9) - (1.0 - 0.11)).abs() < 1e-12);
        // Just after the window a false positive costs little: past = (50 - 49) / 9.
        let mut after = vec![0.0; 100];
        after[50] = 0.9;
        let expected = -1.0 + 0.11 * (2.0 / (1.0 + (5.0f64 / 9.0).exp()) - 1.0);
        assert!((raw_score(&[(&labels, &after)], &standard(), 0.9) - expected).abs() < 1e-12);
        // The sweep would rather not detect it at all: nothing detected scores -1.
        assert_eq!(optimise(&[(&labels, &after)], &standard()), (1.1, -1.0));
    }

    #[test]
    fn detections_count_windows_found_and_missed_and_false_ones() {
        let (_, labels) = file();
        let mut scores = vec![0.0; 100];
        scores[10] = 0.9; // probationary: not counted
        scores[20] = 0.9; // before the window: false
        scores[41] = 0.9; // in the window, twice: one window found
        scores[45] = 0.95;
        scores[70] = 0.95; // after it: false
        assert_eq!(detections(&[(&labels, &scores)], 0.9), Detections { found: 1, missed: 0, false_positives: 2 });
        assert_eq!(
            detections(&[(&labels, &scores), (&labels, &[0.0; 100])], 0.95),
            Detections { found: 2 - 1, missed: 1, false_positives: 1 }
        );
    }

    #[test]
    fn the_threshold_is_chosen_over_all_files_together() {
        let (_, labels) = file();
        let mut a = vec![0.0; 100];
        a[40] = 0.8;
        let mut b = vec![0.0; 100];
        b[40] = 0.6;
        b[30] = 0.7; // a false positive above b's true one
        let p = standard();
        let (threshold, raw) = optimise(&[(&labels, &a), (&labels, &b)], &p);
        // At 0.6 both windows are found for one false positive: 2 - 0.11.
        assert_eq!(threshold, 0.6);
        assert!((raw - 1.89).abs() < 1e-12);
        assert!((raw_score(&[(&labels, &a), (&labels, &b)], &p, threshold) - raw).abs() < 1e-12);
    }

    #[test]
    fn a_window_within_the_probationary_period_is_not_scored() {
        let ts: Vec<i64> = (0..100).collect();
        let labels = Labelled::new(&ts, &[(2, 8), (40, 49)]);
        assert_eq!(labels.windows(), 1);
        let mut scores = vec![0.0; 100];
        scores[40] = 1.0;
        assert_eq!(optimise(&[(&labels, &scores)], &standard()), (1.0, 1.0));
    }

    #[test]
    fn probation_is_15_percent_up_to_750() {
        assert_eq!(probation_period(100), 15);
        assert_eq!(probation_period(4032), 604);
        assert_eq!(probation_period(10_000), 750);
    }
}
