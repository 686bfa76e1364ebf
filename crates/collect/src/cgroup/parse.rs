//! Parsers for the cgroup v2 interface files: flat keyed (`cpu.stat`, `memory.stat`,
//! `memory.events`), single values (`memory.current`, `memory.max`), pressure (`*.pressure`)
//! and nested keyed (`io.stat`). They borrow the text and report what was wrong, with the
//! line number.

/// Calls `f(key, value)` for each `key value` line of a flat keyed file.
pub(crate) fn flat_keyed<'a>(text: &'a str, mut f: impl FnMut(&'a str, u64)) -> Result<(), String> {
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = line.split_ascii_whitespace();
        let (Some(key), Some(raw), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("line {}: {line:?} is not \"key value\"", i + 1));
        };
        let value = raw.parse().map_err(|_| format!("line {}: {key} is {raw:?}, not a whole number", i + 1))?;
        f(key, value);
    }
    Ok(())
}

/// A single-value file: a whole number, or `None` for `max` (no limit).
pub(crate) fn single(text: &str) -> Result<Option<u64>, String> {
    match text.trim() {
        "max" => Ok(None),
        raw => raw.parse().map(Some).map_err(|_| format!("{raw:?} is neither a whole number nor \"max\"")),
    }
}

/// The `total=` values, in microseconds, of a pressure file's `some` and `full` lines
/// (`full` is absent from `cpu.pressure` on older kernels).
pub(crate) fn pressure(text: &str) -> Result<(Option<u64>, Option<u64>), String> {
    let (mut some, mut full) = (None, None);
    for (i, line) in text.lines().enumerate() {
        let mut fields = line.split_ascii_whitespace();
        let slot = match fields.next() {
            Some("some") => &mut some,
            Some("full") => &mut full,
            None => continue,
            Some(other) => return Err(format!("line {}: starts with {other:?}, not \"some\" or \"full\"", i + 1)),
        };
        let raw = fields.find_map(|f| f.strip_prefix("total=")).ok_or_else(|| format!("line {}: no total=", i + 1))?;
        *slot = Some(raw.parse().map_err(|_| format!("line {}: total={raw:?} is not a whole number", i + 1))?);
    }
    Ok((some, full))
}

/// One device's line of `io.stat`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IoLine {
    /// Device major number.
    pub major: u32,
    /// Device minor number.
    pub minor: u32,
    /// Bytes read.
    pub rbytes: u64,
    /// Bytes written.
    pub wbytes: u64,
    /// Read operations.
    pub rios: u64,
    /// Write operations.
    pub wios: u64,
}

/// Calls `f` for each device line of `io.stat` (`8:0 rbytes=1 wbytes=2 rios=3 wios=4 ...`);
/// keys it does not know are skipped.
pub(crate) fn io_stat(text: &str, mut f: impl FnMut(IoLine)) -> Result<(), String> {
    for (i, line) in text.lines().enumerate() {
        let mut fields = line.split_ascii_whitespace();
        let Some(device) = fields.next() else { continue };
        let bad_device = || format!("line {}: device {device:?} is not major:minor", i + 1);
        let (major, minor) = device.split_once(':').ok_or_else(bad_device)?;
        let mut io = IoLine {
            major: major.parse().map_err(|_| bad_device())?,
            minor: minor.parse().map_err(|_| bad_device())?,
            ..IoLine::default()
        };
        for field in fields {
            let (key, raw) = field.split_once('=').ok_or_else(|| format!("line {}: {field:?} is not key=value", i + 1))?;
            let slot = match key {
                "rbytes" => &mut io.rbytes,
                "wbytes" => &mut io.wbytes,
                "rios" => &mut io.rios,
                "wios" => &mut io.wios,
                _ => continue,
            };
            *slot = raw.parse().map_err(|_| format!("line {}: {key}={raw:?} is not a whole number", i + 1))?;
        }
        f(io);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_keyed_files_give_every_pair() {
        let mut got = Vec::new();
        flat_keyed("usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n", |k, v| got.push((k, v))).unwrap();
        assert_eq!(got, [("usage_usec", 1_500_000), ("user_usec", 1_000_000), ("system_usec", 500_000)]);
        assert_eq!(flat_keyed("a 1\nb two\n", |_, _| {}).unwrap_err(), "line 2: b is \"two\", not a whole number");
        assert_eq!(flat_keyed("a 1 2\n", |_, _| {}).unwrap_err(), "line 1: \"a 1 2\" is not \"key value\"");
    }

    #[test]
    fn single_values_and_max() {
        assert_eq!(single("123456\n"), Ok(Some(123456)));
        assert_eq!(single("max\n"), Ok(None));
        assert_eq!(single("-1\n").unwrap_err(), "\"-1\" is neither a whole number nor \"max\"");
    }

    #[test]
    fn pressure_totals() {
        let text = "some avg10=0.76 avg60=0.54 avg300=0.42 total=72661136\nfull avg10=0.42 avg60=0.37 avg300=0.34 total=58659663\n";
        assert_eq!(pressure(text), Ok((Some(72661136), Some(58659663))));
        assert_eq!(pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n"), Ok((Some(5), None)));
        assert_eq!(pressure("some avg10=0.00\n").unwrap_err(), "line 1: no total=");
        assert_eq!(pressure("half total=1\n").unwrap_err(), "line 1: starts with \"half\", not \"some\" or \"full\"");
    }

    #[test]
    fn io_stat_lines() {
        let mut got = Vec::new();
        io_stat("254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n8:16 rbytes=1 wbytes=0 rios=1 wios=0\n", |l| got.push(l))
            .unwrap();
        assert_eq!(got[0], IoLine { major: 254, minor: 0, rbytes: 4096, wbytes: 8192, rios: 1, wios: 2 });
        assert_eq!(got[1], IoLine { major: 8, minor: 16, rbytes: 1, wbytes: 0, rios: 1, wios: 0 });
        assert_eq!(io_stat("vda rbytes=1\n", |_| {}).unwrap_err(), "line 1: device \"vda\" is not major:minor");
        assert_eq!(io_stat("8:0 rbytes=x\n", |_| {}).unwrap_err(), "line 1: rbytes=\"x\" is not a whole number");
        assert_eq!(io_stat("8:0 rbytes\n", |_| {}).unwrap_err(), "line 1: \"rbytes\" is not key=value");
    }
}
