//! Every kernel on every short combination of awkward values: nothing panics, and the results
//! keep the relations Prometheus' would.

use super::{aggregate, date, histogram, kahan, natsort, over_time, quantile, rate, regression, smoothing};

const AWKWARD: [f64; 10] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, 1.0, -1.0, 1e308, -1e308, 5e-324];

/// All sequences of up to 3 awkward values.
fn sequences() -> Vec<Vec<f64>> {
    let mut all = vec![vec![]];
    for len in 1..=3u32 {
        for mut n in 0..AWKWARD.len().pow(len) {
            let mut seq = Vec::new();
            for _ in 0..len {
                seq.push(AWKWARD[n % AWKWARD.len()]);
                n /= AWKWARD.len();
            }
            all.push(seq);
        }
    }
    all
}

#[test]
fn no_kernel_panics_and_orders_hold() {
    for values in sequences() {
        let points: Vec<(i64, f64)> = values.iter().enumerate().map(|(i, &v)| (i as i64 * 15_000, v)).collect();
        let _ = rate::extrapolated_rate(&points, -60_000, 60_000, true, true);
        let _ = rate::instant_value(&points, true);
        let _ = regression::deriv(&points);
        let _ = regression::predict_linear(&points, 60_000, 600.0);
        let _ = smoothing::double_exponential_smoothing(&values, 0.5, 0.5);
        let _ = over_time::avg_over_time(&values);
        let _ = over_time::stddev_over_time(&values);
        let _ = over_time::mad_over_time(&values);
        let _ = over_time::ts_of_max_over_time(&points);
        let (min, max) = (over_time::min_over_time(&values), over_time::max_over_time(&values));
        assert!(min.is_nan() || max.is_nan() || min <= max, "{values:?}");
        // Bounds hold where the arithmetic neither overflows nor underflows (subnormal halves
        // round to 0, huge sums to Inf, in Prometheus too).
        let finite = values.iter().all(|v| *v == 0.0 || (1e-300..=1e300).contains(&v.abs()));
        for q in [0.0, 0.3, 0.5, 1.0] {
            let v = quantile::quantile(q, &mut values.clone());
            if finite && !values.is_empty() {
                assert!(min <= v && v <= max, "q={q} {values:?} gave {v}");
            }
        }
        let mut mean = aggregate::MeanAcc::new();
        let mut var = aggregate::VarianceAcc::new();
        let mut sum = kahan::KahanSum::new();
        for &v in &values {
            mean.push(v);
            var.push(v);
            sum.push(v);
        }
        if finite && !values.is_empty() {
            let m = mean.value();
            assert!(min <= m && m <= max, "mean {m} of {values:?}");
            // (Huge values overflow Welford's sums to ±Inf, in Prometheus too.)
            if values.iter().all(|v| v.abs() <= 1.0) {
                assert!(var.variance() >= 0.0, "{values:?}");
            }
        }
        for t in &values {
            let _ = date::date_part(date::DatePart::DaysInMonth, *t);
        }
        let mut buckets: Vec<histogram::Bucket> =
            values.iter().zip([1.0, f64::INFINITY, 0.5]).map(|(&count, upper_bound)| histogram::Bucket { upper_bound, count }).collect();
        let _ = histogram::bucket_quantile(0.9, &mut buckets.clone());
        let _ = histogram::bucket_fraction(0.0, 1.0, &mut buckets);
    }
}

#[test]
fn natural_order_is_total_on_tricky_strings() {
    use std::cmp::Ordering;
    let words =
        ["", "0", "00", "01", "1", "1a", "a", "a1", "a01", "a1b", "-1", "é", "99999999999999999999", "100000000000000000000", "2", "10"];
    for a in words {
        for b in words {
            let ab = natsort::natural_cmp(a, b);
            assert_eq!(ab, natsort::natural_cmp(b, a).reverse(), "{a:?} {b:?}");
            assert_eq!(ab == Ordering::Equal, a == b, "{a:?} {b:?}");
            for c in words {
                if ab == Ordering::Less && natsort::natural_cmp(b, c) == Ordering::Less {
                    assert_eq!(natsort::natural_cmp(a, c), Ordering::Less, "{a:?} {b:?} {c:?}");
                }
            }
        }
    }
}
