//! Reading YAML scalars through this crate's own parsers, so that a bad value is reported
//! in our words and at the value's line and column.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// One kind of value written as a YAML scalar (a duration, a size, an address, ...).
pub(crate) trait Kind {
    /// What the text stands for.
    type Value;
    /// Completes "expected ..." when the YAML holds a list or mapping instead of a scalar.
    const EXPECTING: &'static str;
    /// Reads the value, or says in a sentence what is wrong with the text.
    fn parse(text: &str) -> Result<Self::Value, String>;
}

/// A value read from a YAML scalar by the parser of kind `K`.
pub(crate) struct Parsed<K: Kind>(pub K::Value);

impl<'de, K: Kind> Deserialize<'de> for Parsed<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ScalarVisitor::<K>(PhantomData))
    }
}

struct ScalarVisitor<K>(PhantomData<K>);

impl<K: Kind> Visitor<'_> for ScalarVisitor<K> {
    type Value = Parsed<K>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(K::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Parsed<K>, E> {
        K::parse(text).map(Parsed).map_err(E::custom)
    }
}

/// Reads a YAML scalar as a whole number, such as a count of samples.
pub(crate) struct AsCount;

impl Kind for AsCount {
    type Value = u64;
    const EXPECTING: &'static str = "a whole number";

    fn parse(text: &str) -> Result<u64, String> {
        text.trim().parse().map_err(|_| format!("invalid number {text:?}; expected a whole number like 2000000"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_reads_whole_numbers_only() {
        assert_eq!(AsCount::parse("2000000"), Ok(2_000_000));
        assert_eq!(AsCount::parse("2e6").unwrap_err(), "invalid number \"2e6\"; expected a whole number like 2000000");
    }
}
