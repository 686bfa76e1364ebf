//! Streaming a whole exposition through [`parse_line`], one reused buffer.

use std::io::{self, BufRead};
use std::ops::ControlFlow;

use crate::{parse_line, Line, LineError};

/// Reads `reader` line by line (`\n` or `\r\n` endings) and calls `f` with the
/// 1-based line number and the parse result of each line, until the input
/// ends or `f` returns [`ControlFlow::Break`].
///
/// One line buffer is reused throughout, so the borrowed [`Line`] lives only
/// for the call. A line that is not valid UTF-8 is handed to `f` as a
/// [`LineError`] at the first bad byte; only read failures are `io::Error`s.
pub fn for_each_line<R: BufRead>(mut reader: R, mut f: impl FnMut(u64, Result<Line<'_>, LineError>) -> ControlFlow<()>) -> io::Result<()> {
    let mut buf = Vec::with_capacity(512);
    let mut number = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        number += 1;
        let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let result = match std::str::from_utf8(line) {
            Ok(text) => parse_line(text),
            Err(e) => Err(invalid_utf8(line, e)),
        };
        if f(number, result).is_break() {
            return Ok(());
        }
    }
}

fn invalid_utf8(line: &[u8], e: std::str::Utf8Error) -> LineError {
    let good = e.valid_up_to();
    let valid_chars = std::str::from_utf8(&line[..good]).map_or(good, |s| s.chars().count());
    LineError { column: valid_chars + 1, message: format!("invalid UTF-8 (byte 0x{:02x})", line[good]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &[u8]) -> Vec<(u64, Result<String, String>)> {
        let mut out = Vec::new();
        for_each_line(input, |n, r| {
            out.push((n, r.map(|l| format!("{l:?}")).map_err(|e| e.to_string())));
            ControlFlow::Continue(())
        })
        .unwrap();
        out
    }

    #[test]
    fn numbers_lines_and_handles_crlf_and_missing_final_newline() {
        let got = collect(b"# EOF\r\n\r\nup 1");
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], (1, Ok("Eof".to_string())));
        assert_eq!(got[1], (2, Ok("Empty".to_string())));
        assert_eq!(got[2].0, 3);
        assert!(got[2].1.as_ref().unwrap().contains("name: \"up\""));
    }

    #[test]
    fn invalid_utf8_is_a_line_error_not_an_io_error() {
        let got = collect(b"up 1\nb\xc3\xa4d{x=\"\xff\"} 1\nup 2\n");
        assert_eq!(got.len(), 3);
        assert_eq!(got[1], (2, Err("column 8: invalid UTF-8 (byte 0xff)".to_string())));
        assert!(got[2].1.is_ok());
    }

    #[test]
    fn break_stops_reading() {
        let mut seen = 0;
        for_each_line(&b"a 1\nb 2\nc 3\n"[..], |n, _| {
            seen = n;
            if n == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
        assert_eq!(seen, 2);
    }

    #[test]
    fn read_errors_are_io_errors() {
        struct Failing;
        impl io::Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        let err = for_each_line(io::BufReader::new(Failing), |_, _| ControlFlow::Continue(())).unwrap_err();
        assert_eq!(err.to_string(), "disk on fire");
    }
}
