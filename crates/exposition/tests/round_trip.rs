//! Property: whatever the encoder writes parses back to what was written,
//! line by line and through the streaming reader.

use std::ops::ControlFlow;

use proptest::prelude::*;
use vitals_exposition::{for_each_line, parse_line, Encoder, Line, MetricType};

fn metric_name() -> impl Strategy<Value = String> {
    prop_oneof!["[a-zA-Z_:][a-zA-Z0-9_:]{0,20}", any::<String>(), "[a-z.\\- \"\\\\]{0,8}"]
}

fn label_name() -> impl Strategy<Value = String> {
    prop_oneof!["[a-zA-Z_][a-zA-Z0-9_]{0,12}", any::<String>(), "[a-z.:\\- ]{1,6}"]
}

fn label_value() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a\"\\\\\n\r\t ]{0,10}"]
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        any::<u64>().prop_map(f64::from_bits),
        any::<i32>().prop_map(f64::from),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::NAN),
        Just(-0.0),
    ]
}

fn same_value(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

fn kind() -> impl Strategy<Value = MetricType> {
    proptest::sample::select(MetricType::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn samples_round_trip(
        name in metric_name(),
        labels in proptest::collection::vec((label_name(), label_value()), 0..5),
        value in value(),
        timestamp_ms in proptest::option::of(any::<i64>()),
    ) {
        let labels: Vec<(&str, &str)> = labels.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let mut page = String::new();
        let result = Encoder::new(&mut page).sample(&name, &labels, value, timestamp_ms);
        let name_ok = !name.is_empty() && !name.contains(['"', '\\', '\n']);
        let labels_ok = labels.iter().enumerate().all(|(i, (n, _))| {
            !n.is_empty() && !n.contains(['"', '\\', '\n']) && !labels[..i].iter().any(|(m, _)| m == n)
        });
        prop_assert_eq!(result.is_ok(), name_ok && labels_ok, "{:?}", result);
        if result.is_err() {
            prop_assert_eq!(page, "");
            return Ok(());
        }
        let line = page.strip_suffix('\n').expect("one line ending in a line break");
        prop_assert!(!line.contains('\n'));
        let parsed = parse_line(line);
        let Ok(Line::Sample(s)) = parsed else {
            return Err(TestCaseError::fail(format!("{line:?} parsed as {parsed:?}")));
        };
        prop_assert_eq!(s.name, name.as_str());
        let got: Vec<(&str, &str)> = s.labels.iter().map(|(n, v)| (*n, v.as_ref())).collect();
        prop_assert_eq!(got, labels);
        prop_assert!(same_value(s.value, value), "{} parsed as {}", value, s.value);
        prop_assert_eq!(s.timestamp_ms, timestamp_ms);
    }

    #[test]
    fn families_round_trip(
        name in metric_name(),
        help in any::<String>().prop_filter("a final CR is dropped by design", |h| !h.ends_with('\r')),
        kind in kind(),
        unit in proptest::option::of("[a-z_]{0,10}"),
    ) {
        let mut page = String::new();
        if Encoder::new(&mut page).family(&name, &help, kind, unit.as_deref()).is_err() {
            prop_assert!(name.is_empty() || name.contains(['"', '\\', '\n']));
            return Ok(());
        }
        let mut lines = Vec::new();
        for_each_line(page.as_bytes(), |_, line| {
            lines.push(format!("{:?}", line));
            ControlFlow::Continue(())
        }).unwrap();
        let mut want = Vec::new();
        if !help.is_empty() {
            want.push(format!("{:?}", Ok::<_, ()>(Line::Help { metric: &name, text: help.as_str().into() })));
        }
        want.push(format!("{:?}", Ok::<_, ()>(Line::Type { metric: &name, kind })));
        if let Some(unit) = &unit {
            want.push(format!("{:?}", Ok::<_, ()>(Line::Unit { metric: &name, unit })));
        }
        prop_assert_eq!(lines, want);
    }

    #[test]
    fn pages_stream_back(
        samples in proptest::collection::vec(
            ("[a-z_]{1,8}", proptest::collection::vec(("[a-z]{1,3}", label_value()), 0..3), value()),
            0..20,
        ),
        crlf in any::<bool>(),
    ) {
        let mut enc = Encoder::new(String::new());
        let mut written = Vec::new();
        for (name, labels, value) in &samples {
            let mut seen = Vec::new();
            let labels: Vec<(&str, &str)> = labels
                .iter()
                .filter(|(n, _)| { let new = !seen.contains(n); seen.push(n.clone()); new })
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            enc.sample(name, &labels, *value, None).unwrap();
            written.push((name.as_str(), labels, *value));
        }
        let mut page = enc.into_inner();
        if crlf {
            page = page.replace('\n', "\r\n");
        }
        let mut count = 0;
        for_each_line(page.as_bytes(), |number, line| {
            let Ok(Line::Sample(s)) = line else { panic!("line {number}: {line:?}") };
            let (name, labels, value) = &written[count];
            assert_eq!(number, count as u64 + 1);
            assert_eq!(s.name, *name);
            let got: Vec<(&str, &str)> = s.labels.iter().map(|(n, v)| (*n, v.as_ref())).collect();
            assert_eq!(&got, labels);
            assert!(same_value(s.value, *value));
            count += 1;
            ControlFlow::Continue(())
        }).unwrap();
        prop_assert_eq!(count, written.len());
    }
}

/// Lines assembled from the format's own punctuation and odd tokens, so that
/// many of them parse (the fuzz target does the same with arbitrary bytes).
fn line_ish() -> impl Strategy<Value = String> {
    let piece = proptest::sample::select(vec![
        "m", "a_b:c", "{", "}", "\"", "=", ",", " ", "\t", "\\", "\\n", "\\\"", "1", "-0", "1e5", "0.1", ".", "NaN", "+Inf", "-inf", "#",
        " # ", "x.y", "é", "\r", "123", "-9", "job", "le",
    ]);
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5000))]

    #[test]
    fn parsed_samples_render_and_parse_back(line in line_ish()) {
        if let Ok(Line::Sample(s)) = parse_line(&line) {
            let labels: Vec<(&str, &str)> = s.labels.iter().map(|(n, v)| (*n, v.as_ref())).collect();
            let mut out = String::new();
            Encoder::new(&mut out).sample(s.name, &labels, s.value, s.timestamp_ms).unwrap();
            let again = parse_line(out.strip_suffix('\n').unwrap());
            let Ok(Line::Sample(again)) = again else {
                return Err(TestCaseError::fail(format!("{out:?} parsed as {again:?}")));
            };
            prop_assert_eq!(again.name, s.name);
            prop_assert_eq!(&again.labels, &s.labels);
            prop_assert!(same_value(again.value, s.value));
            prop_assert_eq!(again.timestamp_ms, s.timestamp_ms);
        }
    }
}
