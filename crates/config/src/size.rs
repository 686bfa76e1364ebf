//! Byte sizes written like `64MiB`, `10GiB`, `512KB` or a plain number of bytes: parsing
//! and rendering back to the same short form.

use bytesize::ByteSize;
use serde::Serializer;

use crate::scalar::Kind;

/// The units [`format_size`] writes, largest first; `KB`, `MB`, ... are powers of 1000 and
/// `KiB`, `MiB`, ... powers of 1024, as [`parse_size`] reads them.
const UNITS: [(&str, u64); 12] = [
    ("EiB", 1 << 60),
    ("EB", 1_000_000_000_000_000_000),
    ("PiB", 1 << 50),
    ("PB", 1_000_000_000_000_000),
    ("TiB", 1 << 40),
    ("TB", 1_000_000_000_000),
    ("GiB", 1 << 30),
    ("GB", 1_000_000_000),
    ("MiB", 1 << 20),
    ("MB", 1_000_000),
    ("KiB", 1 << 10),
    ("KB", 1_000),
];

/// Parses a size in bytes: `64MiB`, `10GiB`, `512KB`, `1.5GB`, `0`, or a plain integer
/// (bytes).
///
/// `KB`, `MB`, `GB`, `TB` are powers of 1000, `KiB`, `MiB`, `GiB`, `TiB` powers of 1024;
/// case does not matter and a space may stand between number and unit. The error text is
/// meant for a person: it quotes the input and says what a valid size looks like.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    match trimmed.parse::<ByteSize>() {
        // bytesize saturates instead of failing when a size does not fit in 64 bits.
        Ok(size) if size.as_u64() == u64::MAX && trimmed != u64::MAX.to_string() => Err(format!("invalid size {text:?}: too large")),
        Ok(size) => Ok(size.as_u64()),
        Err(_) => Err(format!("invalid size {text:?}; write a number of bytes, or a number and a unit like 512KB, 64MiB or 10GiB")),
    }
}

/// Renders a size in the largest unit that divides it exactly (`64MiB`, `512KB`), or as a
/// plain number of bytes, so that [`parse_size`] reads the text back as the same size.
pub fn format_size(bytes: u64) -> String {
    match exact_unit(bytes) {
        Some((unit, length)) => format!("{}{unit}", bytes / length),
        None => bytes.to_string(),
    }
}

/// The largest unit that divides a non-zero size exactly.
fn exact_unit(bytes: u64) -> Option<(&'static str, u64)> {
    UNITS.into_iter().find(|(_, length)| bytes != 0 && bytes.is_multiple_of(*length))
}

/// Serialises a size as [`format_size`] writes it; a plain number of bytes as a YAML
/// number rather than a quoted string.
pub(crate) fn serialize<S: Serializer>(bytes: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    match exact_unit(*bytes) {
        Some(_) => serializer.serialize_str(&format_size(*bytes)),
        None => serializer.serialize_u64(*bytes),
    }
}

/// Reads a YAML scalar as a size in bytes.
pub(crate) struct AsSize;

impl Kind for AsSize {
    type Value = u64;
    const EXPECTING: &'static str = "a size like 512KB, 64MiB or 10GiB";

    fn parse(text: &str) -> Result<u64, String> {
        parse_size(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_binary_and_decimal_units_and_plain_bytes() {
        let cases = [
            ("64MiB", 64 << 20),
            ("10GiB", 10 << 30),
            ("512KB", 512_000),
            ("1.5GB", 1_500_000_000),
            ("64 mib", 64 << 20),
            ("0", 0),
            ("4096", 4_096),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_size(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn explains_what_is_wrong() {
        let expected = "invalid size \"10XB\"; write a number of bytes, or a number and a unit like 512KB, 64MiB or 10GiB";
        assert_eq!(parse_size("10XB").unwrap_err(), expected);
        assert!(parse_size("-5MiB").unwrap_err().starts_with("invalid size \"-5MiB\";"));
        assert!(parse_size("").unwrap_err().starts_with("invalid size \"\";"));
        assert_eq!(parse_size("99999999EiB").unwrap_err(), "invalid size \"99999999EiB\": too large");
    }

    #[test]
    fn writes_the_largest_exact_unit() {
        let cases = [(0, "0"), (64 << 20, "64MiB"), (10 << 30, "10GiB"), (512_000, "500KiB"), (1_000_000, "1MB"), (1_023, "1023")];
        for (bytes, expected) in cases {
            assert_eq!(format_size(bytes), expected);
            assert_eq!(parse_size(expected), Ok(bytes));
        }
    }
}
