use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::*;

/// `len` points of N(level, 1) noise, the level moving to `to` at each `(index, to)`.
fn series(seed: u64, len: usize, base: f64, steps: &[(usize, f64)]) -> (Vec<i64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let noise = Normal::new(0.0, 1.0).unwrap();
    let values = (0..len)
        .map(|i| {
            let level = steps.iter().rfind(|(at, _)| i >= *at).map_or(base, |(_, to)| *to);
            level + noise.sample(&mut rng)
        })
        .collect();
    ((0..len as i64).map(|i| 1_700_000_000_000 + i * 60_000).collect(), values)
}

#[test]
fn finds_a_step_with_its_means_and_time() {
    let (times, values) = series(1, 300, 100.0, &[(180, 110.0)]);
    let found = change_points(&times, &values, ChangePointOptions::default()).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let cp = &found[0];
    assert_eq!(cp.index, 180);
    assert_eq!(cp.time, 1_700_000_000_000 + 180 * 60_000);
    assert!(cp.p_value < 1e-50, "{}", cp.p_value);
    assert!((cp.mean_before - 100.0).abs() < 0.3 && (cp.mean_after - 110.0).abs() < 0.3, "{cp:?}");
    assert!((cp.relative_change.unwrap() - 0.1).abs() < 0.005);
    assert_eq!(cp.direction, Direction::Up);
}

#[test]
fn finds_several_steps_in_a_long_series_with_and_without_windows() {
    let steps = [(400, 3.0), (1000, 1.0), (1700, -2.0)];
    let (times, values) = series(2, 2400, 0.0, &steps);
    for window in [Some(200), Some(50), None] {
        let found = change_points(&times, &values, ChangePointOptions { window, ..ChangePointOptions::default() }).unwrap();
        let at: Vec<usize> = found.iter().map(|c| c.index).collect();
        assert_eq!(at.len(), 3, "window {window:?}: {found:?}");
        for (cp, (want, _)) in found.iter().zip(steps) {
            assert!(cp.index.abs_diff(want) <= 2, "window {window:?}: {at:?}");
        }
        assert_eq!(found.iter().map(|c| c.direction).collect::<Vec<_>>(), [Direction::Up, Direction::Down, Direction::Down]);
    }
}

#[test]
fn noise_alone_has_no_change_points() {
    for seed in 0..20 {
        let (times, values) = series(100 + seed, 500, 50.0, &[]);
        let found = change_points(&times, &values, ChangePointOptions::default()).unwrap();
        assert!(found.is_empty(), "seed {seed}: {found:?}");
    }
    let flat = vec![7.0; 100];
    let times: Vec<i64> = (0..100).collect();
    assert!(change_points(&times, &flat, ChangePointOptions::default()).unwrap().is_empty());
}

#[test]
fn min_change_drops_small_relative_changes() {
    let (times, values) = series(3, 300, 1000.0, &[(150, 1010.0)]);
    assert_eq!(change_points(&times, &values, ChangePointOptions::default()).unwrap().len(), 1);
    let opts = ChangePointOptions { min_change: 0.02, ..ChangePointOptions::default() };
    assert!(change_points(&times, &values, opts).unwrap().is_empty());
}

#[test]
fn bad_input_and_options_are_refused_with_reasons() {
    let err = change_points(&[1, 2, 3], &[1.0, f64::NAN, 2.0], ChangePointOptions::default()).unwrap_err();
    assert_eq!(err.to_string(), "point 1 (time 2) has the value NaN; give finite values");
    let err = change_points(&[1, 3, 2], &[1.0, 1.0, 2.0], ChangePointOptions::default()).unwrap_err();
    assert_eq!(err.to_string(), "point 2 (time 2) is not after the one before it; give times in increasing order");
    let err = change_points(&[1], &[1.0, 2.0], ChangePointOptions::default()).unwrap_err();
    assert_eq!(err.to_string(), "1 times but 2 values");
    let err = ChangePointDetector::new(ChangePointOptions { p_value: 0.0, ..ChangePointOptions::default() }).unwrap_err();
    assert_eq!(err.to_string(), "p_value must be between 0 and 1 (exclusive), got 0");
    let err = ChangePointDetector::new(ChangePointOptions { window: Some(6), ..ChangePointOptions::default() }).unwrap_err();
    assert_eq!(err.to_string(), "window must hold at least two segments of min_size (5) points, got 6");
    let err = ChangePointDetector::new(ChangePointOptions { min_size: 1, ..ChangePointOptions::default() }).unwrap_err();
    assert_eq!(err.to_string(), "min_size must be from 2 to 1000000, got 1");
}

#[test]
fn a_huge_min_size_is_refused_and_never_overflows() {
    let (times, values) = series(3, 40, 10.0, &[(20, 5.0)]);
    for window in [None, Some(5), Some(usize::MAX)] {
        let options = ChangePointOptions { min_size: 1 << 63, window, ..ChangePointOptions::default() };
        let err = change_points(&times, &values, options).unwrap_err();
        assert_eq!(err.to_string(), "min_size must be from 2 to 1000000, got 9223372036854775808");
    }
    // The largest accepted size on a short series finds nothing, without overflowing.
    let options = ChangePointOptions { min_size: MAX_MIN_SIZE, window: None, ..ChangePointOptions::default() };
    assert!(change_points(&times, &values, options).unwrap().is_empty());
    assert_eq!(energy::best_split(&values, usize::MAX), None);
}

#[test]
fn a_refused_append_leaves_the_detector_as_it_was() {
    let (times, values) = series(4, 100, 0.0, &[(50, 5.0)]);
    let mut d = ChangePointDetector::new(ChangePointOptions::default()).unwrap();
    d.extend(&times, &values).unwrap();
    let before = d.change_points().to_vec();
    assert!(d.push(times[99], 1.0).is_err());
    assert_eq!((d.len(), d.change_points()), (100, before.as_slice()));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// Appending in any chunks gives exactly what one run over the whole series gives.
    #[test]
    fn appending_gives_the_same_as_a_full_run(
        seed in 0u64..1000,
        len in 20usize..700,
        steps in proptest::collection::vec((0usize..700, -6.0f64..6.0), 0..5),
        chunks in proptest::collection::vec(1usize..60, 1..40),
        window in proptest::option::of(16usize..120),
    ) {
        let steps: Vec<(usize, f64)> = { let mut s = steps; s.sort_by_key(|x| x.0); s };
        let (times, values) = series(seed, len, 10.0, &steps);
        let options = ChangePointOptions { window, ..ChangePointOptions::default() };
        let full = change_points(&times, &values, options).unwrap();
        let mut d = ChangePointDetector::new(options).unwrap();
        let mut at = 0;
        for c in chunks.iter().cycle() {
            if at >= len { break; }
            let end = (at + c).min(len);
            d.extend(&times[at..end], &values[at..end]).unwrap();
            at = end;
        }
        proptest::prop_assert_eq!(d.change_points(), full.as_slice());
    }
}
