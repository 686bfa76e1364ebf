//! Reading /proc and /sys files into a reused buffer, and the small parsers every host
//! collector shares.

use std::fs::File;
use std::ops::Deref;
use std::path::{Path, PathBuf};

use crate::services::{read_whole, At};
use crate::CollectError;

/// A file read every cycle, kept open: each read starts again at offset 0 (`pread`), which
/// procfs and sysfs answer with fresh content. Opening is the larger part of reading a small
/// `/proc` file (the path walk; `/proc/net/*` goes through the `self` symlink), so this
/// halves the cost of most host collectors. A read that fails on the kept file (a sysfs
/// device removed) opens the path again once before giving up.
#[derive(Debug)]
pub(crate) struct Source {
    path: PathBuf,
    file: Option<File>,
}

impl Source {
    /// The file at `path`, opened at its first read.
    pub(crate) fn new(path: PathBuf) -> Source {
        Source { path, file: None }
    }

    /// Reads the whole file into the start of `bytes`; returns the length.
    fn read(&mut self, bytes: &mut Vec<u8>) -> std::io::Result<usize> {
        if let Some(file) = &self.file {
            match read_whole(&mut At(file, 0), bytes, false) {
                Ok(len) => return Ok(len),
                Err(_) => self.file = None,
            }
        }
        let file = File::open(&self.path)?;
        let len = read_whole(&mut At(&file, 0), bytes, false)?;
        self.file = Some(file);
        Ok(len)
    }
}

impl Deref for Source {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

/// Reads the whole of `source` into `buf` (cleared first). Reusing one buffer per
/// collector keeps steady-state collection free of allocations; reading with
/// [`read_whole`] rather than `read_to_string` saves the two system calls it spends on the
/// file's size and position, which procfs files do not have.
pub(crate) fn read_into(source: &mut Source, buf: &mut String) -> Result<(), CollectError> {
    let mut bytes = std::mem::take(buf).into_bytes();
    let result = source.read(&mut bytes);
    into_text(result, bytes, buf).map_err(|e| CollectError::Read { path: source.path.clone(), source: e })
}

/// Reads the whole file at `path`, read once rather than every cycle, into `buf`.
pub(crate) fn read_path_into(path: &Path, buf: &mut String) -> Result<(), CollectError> {
    let mut bytes = std::mem::take(buf).into_bytes();
    let result = File::open(path).and_then(|mut f| read_whole(&mut f, &mut bytes, false));
    into_text(result, bytes, buf).map_err(|e| CollectError::Read { path: path.to_path_buf(), source: e })
}

/// Puts the `len` bytes read into `buf` as text, keeping the buffer's memory either way.
fn into_text(read: std::io::Result<usize>, mut bytes: Vec<u8>, buf: &mut String) -> std::io::Result<()> {
    let len = *read.as_ref().unwrap_or(&0);
    bytes.truncate(len);
    let (text, problem) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let mut bytes = e.into_bytes();
            bytes.clear();
            (String::from_utf8(bytes).unwrap_or_default(), Some(std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text")))
        }
    };
    *buf = text;
    read.and(problem.map_or(Ok(()), Err))
}

/// The first line of a small file (a sysfs or sysctl value), trimmed.
pub(crate) fn read_value<'b>(source: &mut Source, buf: &'b mut String) -> Result<&'b str, CollectError> {
    read_into(source, buf)?;
    Ok(buf.lines().next().unwrap_or("").trim())
}

/// The first line of the file at `path`, read once rather than every cycle, trimmed.
pub(crate) fn read_path_value<'b>(path: &Path, buf: &'b mut String) -> Result<&'b str, CollectError> {
    read_path_into(path, buf)?;
    Ok(buf.lines().next().unwrap_or("").trim())
}

/// A whole number read as a float, as exporters report them.
pub(crate) fn number(text: &str) -> Option<f64> {
    text.parse::<u64>().map(|n| n as f64).ok().or_else(|| text.parse::<f64>().ok())
}

/// A parse problem: "`path`: line `n`: `what`".
pub(crate) fn bad_line(path: &Path, line: usize, what: impl std::fmt::Display) -> CollectError {
    CollectError::Parse { path: path.to_path_buf(), what: format!("line {line}: {what}") }
}

/// The file's content did not match what was expected.
pub(crate) fn bad_file(path: &Path, what: impl Into<String>) -> CollectError {
    CollectError::Parse { path: path.to_path_buf(), what: what.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_whole_or_decimal() {
        assert_eq!(number("18446744073709551615"), Some(18446744073709551615.0));
        assert_eq!(number("0.25"), Some(0.25));
        assert_eq!(number("x"), None);
    }

    #[test]
    fn a_missing_file_names_its_path() {
        let mut buf = String::new();
        let err = read_into(&mut Source::new(PathBuf::from("/nonexistent/vitals")), &mut buf).unwrap_err();
        assert!(err.to_string().starts_with("reading /nonexistent/vitals: "), "{err}");
    }
}
