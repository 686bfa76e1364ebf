//! Element-wise functions whose float semantics differ between Go and Rust's standard library:
//! `clamp*` (Go's `math.Min`/`math.Max` propagate NaN, Rust's `f64::min`/`max` ignore it),
//! `round` (Prometheus rounds half up via `floor(x + 0.5)`, Rust's `round` half away from
//! zero), `sgn`, `deg` and `rad` (the order of the multiplication changes the last bit).

/// Go's `math.Min`: −Inf if either is −Inf, else NaN if either is NaN, else the smaller (−0 below
/// +0).
pub(crate) fn go_min(x: f64, y: f64) -> f64 {
    if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && x == y {
        return if x.is_sign_negative() { x } else { y };
    }
    if x < y {
        x
    } else {
        y
    }
}

/// Go's `math.Max`: +Inf if either is +Inf, else NaN if either is NaN, else the larger (+0 above
/// −0).
pub(crate) fn go_max(x: f64, y: f64) -> f64 {
    if x == f64::INFINITY || y == f64::INFINITY {
        return f64::INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && x == y {
        return if x.is_sign_negative() { y } else { x };
    }
    if x > y {
        x
    } else {
        y
    }
}

/// `clamp(v, min, max)`: `v` limited to `[min, max]`, or `None` (no output for any sample) when
/// `max < min`. `clamp_min` is `clamp(v, min, +Inf)`, `clamp_max` is `clamp(v, -Inf, max)`. A NaN
/// bound makes every result NaN, as in Prometheus.
pub(crate) fn clamp(v: f64, min: f64, max: f64) -> Option<f64> {
    if max < min {
        return None;
    }
    Some(go_max(min, go_min(max, v)))
}

/// `round(v, to_nearest)`: `v` rounded to the nearest multiple of `to_nearest` (1 for plain
/// `round`), ties rounding up (towards +Inf). Computed through the inverse of `to_nearest`, as
/// Prometheus does because it gives fewer representation errors.
pub(crate) fn round(v: f64, to_nearest: f64) -> f64 {
    let inverse = 1.0 / to_nearest;
    (v * inverse + 0.5).floor() / inverse
}

/// `sgn(v)`: −1, 1, or `v` itself for ±0 and NaN.
pub(crate) fn sgn(v: f64) -> f64 {
    if v < 0.0 {
        -1.0
    } else if v > 0.0 {
        1.0
    } else {
        v
    }
}

/// `deg(v)`: radians to degrees, as `v · 180 / π`.
pub(crate) fn deg(v: f64) -> f64 {
    v * 180.0 / std::f64::consts::PI
}

/// `rad(v)`: degrees to radians, as `v · π / 180`.
pub(crate) fn rad(v: f64) -> f64 {
    v * std::f64::consts::PI / 180.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAN: f64 = f64::NAN;

    #[test]
    fn clamp_matches_functions_test() {
        let values = [-50.0, 0.0, 100.0];
        let clamp_all = |min, max| values.map(|v| clamp(v, min, max));
        assert_eq!(clamp_all(f64::NEG_INFINITY, 75.0), [Some(-50.0), Some(0.0), Some(75.0)]);
        assert_eq!(clamp_all(-25.0, f64::INFINITY), [Some(-25.0), Some(0.0), Some(100.0)]);
        assert_eq!(clamp_all(-25.0, 75.0), [Some(-25.0), Some(0.0), Some(75.0)]);
        assert_eq!(clamp_all(5.0, -5.0), [None, None, None]);
        for v in values {
            assert!(clamp(v, 0.0, NAN).unwrap().is_nan());
            assert!(clamp(v, NAN, 0.0).unwrap().is_nan());
        }
        assert_eq!(clamp(1.0, 2.0, 5.0), Some(2.0));
        assert_eq!(clamp(3.0, f64::NEG_INFINITY, 2.0), Some(2.0));
    }

    #[test]
    fn go_min_max_special_cases() {
        assert_eq!(go_min(NAN, f64::NEG_INFINITY), f64::NEG_INFINITY);
        assert_eq!(go_max(NAN, f64::INFINITY), f64::INFINITY);
        assert!(go_min(1.0, NAN).is_nan());
        assert!(go_max(NAN, 1.0).is_nan());
        assert!(go_min(0.0, -0.0).is_sign_negative());
        assert!(go_max(-0.0, 0.0).is_sign_positive());
        assert!(clamp(NAN, f64::NEG_INFINITY, 1.0).unwrap().is_nan());
    }

    #[test]
    fn round_matches_functions_and_aggregators_tests() {
        let cases = [
            (2.5, 3.0),
            (2.0, 2.0),
            (-2.5, -2.0),
            (-2.0, -2.0),
            (0.0, 0.0),
            (f64::INFINITY, f64::INFINITY),
            (f64::NEG_INFINITY, f64::NEG_INFINITY),
        ];
        for (v, want) in cases {
            assert_eq!(round(v, 1.0), want, "{v}");
        }
        assert!(round(NAN, 1.0).is_nan());
        assert_eq!(round(-(5.2 + 0.0005 * 100.0), 0.1), -5.2);
        assert_eq!(round(-(5.2 + 0.0005 * 200.0), 0.1), -5.3);
        assert_eq!(round(0.025 * 100.0, 5.0), 5.0);
        assert_eq!(round(0.045 * 200.0, 5.0), 10.0);
    }

    #[test]
    fn sgn_keeps_zero_and_nan() {
        assert_eq!(sgn(f64::NEG_INFINITY), -1.0);
        assert_eq!(sgn(f64::INFINITY), 1.0);
        assert_eq!(sgn(-50.0), -1.0);
        assert_eq!(sgn(100.0), 1.0);
        assert_eq!(sgn(0.0), 0.0);
        assert!(sgn(-0.0).is_sign_negative());
        assert!(sgn(NAN).is_nan());
    }

    #[test]
    fn deg_and_rad_round_trip_common_angles() {
        assert_eq!(deg(std::f64::consts::PI), 180.0);
        assert_eq!(rad(180.0), std::f64::consts::PI);
        assert_eq!(deg(0.0), 0.0);
        assert!(deg(NAN).is_nan());
    }
}
