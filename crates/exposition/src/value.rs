//! Sample values and timestamps: parsing them as Go's `strconv` does, and
//! printing values as Prometheus does (`strconv.FormatFloat(v, 'g', -1, 64)`).

use std::fmt::{self, Write};
use std::num::IntErrorKind;

/// Parses a sample value: decimal or exponent notation, `NaN`, `Inf`, `+Inf`,
/// `-Inf` or `Infinity` in any case. Like Go's `ParseFloat`, a finite number
/// too large for an f64 is out of range, and NaN takes no sign.
pub(crate) fn parse_value(s: &str) -> Result<f64, &'static str> {
    let Ok(v) = s.parse::<f64>() else {
        return Err("not a number");
    };
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if v.is_nan() && unsigned.len() != s.len() {
        return Err("not a number");
    }
    if v.is_infinite() && !unsigned.starts_with(['i', 'I']) {
        return Err("out of range");
    }
    Ok(v)
}

/// Parses a timestamp: a whole number of milliseconds, possibly negative.
pub(crate) fn parse_timestamp(s: &str) -> Result<i64, &'static str> {
    s.parse::<i64>().map_err(|e| match e.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => "out of range",
        _ => "expected a whole number of milliseconds",
    })
}

/// Writes `v` the way Go's `strconv.FormatFloat(v, 'g', -1, 64)` does, with
/// Prometheus' spellings `+Inf`, `-Inf` and `NaN`: the shortest digits that
/// read back to the same f64, in exponent form (`1e+06`, `1.5e-07`) when the
/// decimal exponent is below -4 or at least 6, else plainly (`123456`, `0.001`).
pub(crate) fn write_value(out: &mut impl Write, v: f64) -> fmt::Result {
    if v.is_nan() {
        return out.write_str("NaN");
    }
    if v.is_infinite() {
        return out.write_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. "1.06856e6".
    let mut sci = StackStr::default();
    write!(sci, "{:e}", v.abs())?;
    let (mantissa, exp) = sci.as_str().split_once('e').ok_or(fmt::Error)?;
    let exp: i32 = exp.parse().map_err(|_| fmt::Error)?;
    let (lead, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));

    if v.is_sign_negative() {
        out.write_char('-')?;
    }
    if !(-4..6).contains(&exp) {
        out.write_str(lead)?;
        if !frac.is_empty() {
            out.write_char('.')?;
            out.write_str(frac)?;
        }
        let sign = if exp < 0 { '-' } else { '+' };
        return write!(out, "e{sign}{:02}", exp.unsigned_abs());
    }
    if exp < 0 {
        out.write_str("0.")?;
        for _ in 0..(-exp - 1) {
            out.write_char('0')?;
        }
        out.write_str(lead)?;
        return out.write_str(frac);
    }
    // 0 <= exp < 6: `exp` digits go before the point after `lead`.
    let int_digits = exp as usize;
    out.write_str(lead)?;
    if frac.len() <= int_digits {
        out.write_str(frac)?;
        for _ in frac.len()..int_digits {
            out.write_char('0')?;
        }
        return Ok(());
    }
    out.write_str(&frac[..int_digits])?;
    out.write_char('.')?;
    out.write_str(&frac[int_digits..])
}

/// A small stack buffer for formatting one float without allocating.
#[derive(Default)]
struct StackStr {
    buf: [u8; 32],
    len: usize,
}

impl StackStr {
    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so this cannot fail.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl Write for StackStr {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.buf.get_mut(self.len..end).ok_or(fmt::Error)?.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(v: f64) -> String {
        let mut s = String::new();
        write_value(&mut s, v).unwrap();
        s
    }

    #[test]
    fn values_print_as_go_does() {
        let cases = [
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-1.0, "-1"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (3.6754e-05, "3.6754e-05"),
            (28317.0, "28317"),
            (123456.0, "123456"),
            (100000.0, "100000"),
            (1e6, "1e+06"),
            (1068560.0, "1.06856e+06"),
            (1.7953581909165797e9, "1.7953581909165797e+09"),
            (1e21, "1e+21"),
            (123.456, "123.456"),
            (1.5e-7, "1.5e-07"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
        ];
        for (v, want) in cases {
            assert_eq!(show(v), want, "formatting {v:?}");
        }
    }

    #[test]
    fn values_parse_as_go_does() {
        assert_eq!(parse_value("1"), Ok(1.0));
        assert_eq!(parse_value("-1.5e3"), Ok(-1500.0));
        assert_eq!(parse_value("1E-2"), Ok(0.01));
        assert_eq!(parse_value(".5"), Ok(0.5));
        assert_eq!(parse_value("+Inf"), Ok(f64::INFINITY));
        assert_eq!(parse_value("inf"), Ok(f64::INFINITY));
        assert_eq!(parse_value("-INF"), Ok(f64::NEG_INFINITY));
        assert_eq!(parse_value("Infinity"), Ok(f64::INFINITY));
        assert!(parse_value("NaN").unwrap().is_nan());
        assert!(parse_value("nan").unwrap().is_nan());
        assert_eq!(parse_value("-NaN"), Err("not a number"));
        assert_eq!(parse_value("1e400"), Err("out of range"));
        assert_eq!(parse_value("1e-400"), Ok(0.0));
        assert_eq!(parse_value("0x10"), Err("not a number"));
        assert_eq!(parse_value("1_000"), Err("not a number"));
        assert_eq!(parse_value("abc"), Err("not a number"));
    }

    #[test]
    fn timestamps_are_whole_milliseconds() {
        assert_eq!(parse_timestamp("1795358192673"), Ok(1795358192673));
        assert_eq!(parse_timestamp("-5"), Ok(-5));
        assert_eq!(parse_timestamp("1.5"), Err("expected a whole number of milliseconds"));
        assert_eq!(parse_timestamp("99999999999999999999"), Err("out of range"));
    }
}
