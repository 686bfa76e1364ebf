use super::*;

/// A reproducible stream of standard normal numbers (a linear congruential generator and
/// Box-Muller), so that the tests need no random-number crate.
struct Normal(u64);

impl Normal {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn next(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

#[test]
fn a_noisy_ramp_is_continued_and_its_future_is_inside_the_interval() {
    let mut noise = Normal(7);
    let truth = |i: usize| 100.0 + 0.5 * i as f64;
    let grid: Vec<f64> = (0..200).map(|i| truth(i) + noise.next()).collect();
    let f = forecast(&grid, 60.0, 50).unwrap();
    assert!(matches!(f.model, ModelKind::Linear | ModelKind::Ets), "{f:?}");
    assert_eq!(f.points.len(), 50);
    for (h, p) in f.points.iter().enumerate() {
        let t = truth(200 + h);
        assert!((p.mean - t).abs() < 3.0, "step {h}: mean {} truth {t}", p.mean);
        assert!(p.lo95 < t && t < p.hi95, "step {h}: {p:?} truth {t}");
        assert!(p.lo95 <= p.lo80 && p.lo80 <= p.mean && p.mean <= p.hi80 && p.hi80 <= p.hi95, "{p:?}");
    }
}

#[test]
fn a_daily_season_is_found_and_followed() {
    // Five-minute steps over four days: a daily wave of amplitude 10 plus a little noise.
    let mut noise = Normal(3);
    let wave = |i: usize| 50.0 + 10.0 * (i as f64 * std::f64::consts::TAU / 288.0).sin();
    let grid: Vec<f64> = (0..288 * 4).map(|i| wave(i) + 0.5 * noise.next()).collect();
    let f = forecast(&grid, 300.0, 288).unwrap();
    assert_eq!(f.model, ModelKind::Mstl, "{f:?}");
    assert!(f.periods.contains(&288), "{:?}", f.periods);
    let mae = f.points.iter().enumerate().map(|(h, p)| (p.mean - wave(288 * 4 + h)).abs()).sum::<f64>() / 288.0;
    assert!(mae < 1.5, "mean absolute error {mae} against a wave of amplitude 10");
}

#[test]
fn a_constant_series_forecasts_itself_with_no_spread() {
    let f = forecast(&[4.0; 30], 10.0, 5).unwrap();
    assert_eq!(f.model, ModelKind::Constant);
    assert_eq!(f.points, vec![Point { mean: 4.0, lo80: 4.0, hi80: 4.0, lo95: 4.0, hi95: 4.0 }; 5]);
}

#[test]
fn values_near_the_largest_float_are_forecast_or_refused_never_an_infinite_constant() {
    // A ramp at 1e307: its sum overflows, its moments computed on scaled values do not.
    let ramp: Vec<f64> = (0..60).map(|i| 1e307 + f64::from(i) * 1e304).collect();
    let f = forecast(&ramp, 60.0, 5).unwrap();
    assert_eq!(f.model, ModelKind::Linear);
    assert!((f.points[0].mean / 1.06e307 - 1.0).abs() < 1e-3, "{:?}", f.points[0]);
    assert!(f.points.iter().all(Point::is_finite), "{:?}", f.points);
    // Noise of ±1e308: the intervals cannot be written as floats, so no forecast.
    let mut noise = Normal(7);
    let swings: Vec<f64> = (0..60).map(|_| 1e308 * noise.next().clamp(-1.7, 1.7)).collect();
    let err = forecast(&swings, 60.0, 5).unwrap_err().to_string();
    assert!(err.contains("overflows a 64-bit float"), "{err}");
}

#[test]
fn trailing_gaps_move_the_forecast_to_the_end_of_the_grid() {
    let mut grid: Vec<f64> = (0..40).map(f64::from).collect();
    grid.extend([f64::NAN; 5]);
    let f = forecast(&grid, 1.0, 3).unwrap();
    assert_eq!(f.points.len(), 3);
    // The grid ends at index 44; its next point, 45, continues the line 0, 1, 2, ...
    assert!((f.points[0].mean - 45.0).abs() < 0.5, "{:?}", f.points[0]);
}

#[test]
fn bad_input_is_refused_with_the_reason() {
    assert_eq!(forecast(&[1.0; 30], 1.0, 0).unwrap_err(), AnalyticsError::Invalid("the horizon must be at least one step".to_owned()));
    assert!(matches!(forecast(&[1.0; 3], 1.0, 2), Err(AnalyticsError::TooShort { got: 3, .. })));
    assert!(matches!(forecast(&[1.0; 30], f64::NAN, 2), Err(AnalyticsError::Invalid(m)) if m.contains("step")));
}

#[test]
fn intervals_cover_about_as_often_as_they_claim() {
    // Forty series of a level that wanders (AR(1), phi 0.8) around a slow trend: the share
    // of future values inside the 80 % and 95 % intervals must be near 80 % and 95 %.
    let (mut in80, mut in95, mut total) = (0usize, 0usize, 0usize);
    for seed in 0..40 {
        let mut noise = Normal(seed);
        let mut level = 0.0;
        let series: Vec<f64> = (0..240)
            .map(|i| {
                level = 0.8 * level + noise.next();
                10.0 + 0.02 * f64::from(i) + level
            })
            .collect();
        let f = forecast(&series[..200], 60.0, 40).unwrap();
        for (p, v) in f.points.iter().zip(&series[200..]) {
            in80 += usize::from(p.lo80 <= *v && *v <= p.hi80);
            in95 += usize::from(p.lo95 <= *v && *v <= p.hi95);
            total += 1;
        }
    }
    let (c80, c95) = (in80 as f64 / total as f64, in95 as f64 / total as f64);
    assert!((0.7..=0.95).contains(&c80), "80 % interval covered {c80}");
    assert!((0.88..=1.0).contains(&c95), "95 % interval covered {c95}");
}

mod properties {
    use proptest::prelude::*;

    use super::super::forecast;

    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => -1e3..1e3f64,
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(0.0),
            1 => -1e15..1e15f64,
            1 => -1e-9..1e-9f64,
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Any grid gives a forecast or an error, never a panic, and a forecast's points are
        /// finite, as many as asked and nested: lo95 <= lo80 <= mean <= hi80 <= hi95.
        #[test]
        fn any_grid_gives_nested_intervals_or_an_error(
            grid in prop::collection::vec(value(), 0..120),
            step in prop_oneof![Just(1.0), Just(300.0), Just(3600.0)],
            horizon in 1usize..30,
        ) {
            if let Ok(f) = forecast(&grid, step, horizon) {
                prop_assert_eq!(f.points.len(), horizon);
                for p in &f.points {
                    prop_assert!(p.lo95 <= p.lo80 && p.lo80 <= p.mean && p.mean <= p.hi80 && p.hi80 <= p.hi95, "{:?}", p);
                }
            }
        }
    }
}
