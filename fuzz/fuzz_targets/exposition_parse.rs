//! Feeds arbitrary bytes through `for_each_line`; every sample that parses
//! must render with `Encoder` and parse back to the same sample.

#![no_main]

use std::ops::ControlFlow;

use libfuzzer_sys::fuzz_target;
use vitals_exposition::{for_each_line, parse_line, Encoder, Line};

fuzz_target!(|data: &[u8]| {
    for_each_line(data, |number, line| {
        let Ok(Line::Sample(sample)) = line else {
            return ControlFlow::Continue(());
        };
        let labels: Vec<(&str, &str)> = sample.labels.iter().map(|(name, value)| (*name, value.as_ref())).collect();
        let mut out = String::new();
        Encoder::new(&mut out)
            .sample(sample.name, &labels, sample.value, sample.timestamp_ms)
            .unwrap_or_else(|e| panic!("line {number}: parsed sample does not render: {e}"));
        let rendered = out.strip_suffix('\n').expect("rendered line ends in a line break");
        let Ok(Line::Sample(again)) = parse_line(rendered) else {
            panic!("line {number}: {rendered:?} does not parse back");
        };
        assert_eq!(again.name, sample.name);
        assert_eq!(again.labels, sample.labels);
        assert!(
            again.value.to_bits() == sample.value.to_bits() || (again.value.is_nan() && sample.value.is_nan()),
            "line {number}: value {} came back as {}",
            sample.value,
            again.value
        );
        assert_eq!(again.timestamp_ms, sample.timestamp_ms);
        ControlFlow::Continue(())
    })
    .expect("reading from a byte slice cannot fail");
});
