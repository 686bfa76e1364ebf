//! Splitting the input into lines, at most [`MAX_LINE_BYTES`] of each kept in memory.
//!
//! [`vitals_exposition::for_each_line`] reads a whole line whatever its length; an input
//! without newlines would be buffered entirely. This reader stops keeping a line once it is
//! over the limit, skips the rest of it and reports it as a [`LineProblem`].

use std::io::{self, BufRead};
use std::ops::ControlFlow;

use crate::ingest::LineProblem;

/// The longest line accepted, in bytes (without its line ending): 1 MiB.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Calls `f` with the 1-based number and the text (without `\n`) of each line of `reader`,
/// until the input ends or `f` breaks. A line over [`MAX_LINE_BYTES`] or not valid UTF-8
/// is handed over as a [`LineProblem`]; only read failures are errors.
pub(crate) fn read_lines<R: BufRead>(
    mut reader: R,
    mut f: impl FnMut(u64, Result<&str, LineProblem>) -> ControlFlow<()>,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(512);
    let mut number = 0u64;
    loop {
        buf.clear();
        let Some(complete) = read_line(&mut reader, &mut buf)? else { return Ok(()) };
        number += 1;
        let text = if complete {
            let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
            std::str::from_utf8(line).map_err(|e| invalid_utf8(number, line, e))
        } else {
            Err(LineProblem {
                line: number,
                column: None,
                message: format!(
                    "longer than the limit of {} MiB ({MAX_LINE_BYTES} bytes); split it or leave it out",
                    MAX_LINE_BYTES >> 20
                ),
            })
        };
        if f(number, text).is_break() {
            return Ok(());
        }
    }
}

/// Reads one line, through its `\n`, into `buf`: `None` at the end of the input, else
/// whether the line was kept whole (`false`: it was over the limit, and `buf` holds none of
/// it).
fn read_line<R: BufRead>(reader: &mut R, buf: &mut Vec<u8>) -> io::Result<Option<bool>> {
    let mut read_any = false;
    let mut kept = true;
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(read_any.then_some(kept));
        }
        read_any = true;
        let newline = available.iter().position(|&b| b == b'\n');
        let chunk = newline.map_or(available, |i| &available[..=i]);
        if kept {
            let content = buf.len() + chunk.len() - usize::from(newline.is_some());
            if content > MAX_LINE_BYTES {
                kept = false;
                *buf = Vec::new();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let used = chunk.len();
        reader.consume(used);
        if newline.is_some() {
            return Ok(Some(kept));
        }
    }
}

/// The problem of a line that is not UTF-8, at the column (in characters) of the first bad
/// byte, as [`vitals_exposition::for_each_line`] words it.
fn invalid_utf8(number: u64, line: &[u8], e: std::str::Utf8Error) -> LineProblem {
    let good = e.valid_up_to();
    let valid_chars = std::str::from_utf8(&line[..good]).map_or(good, |s| s.chars().count());
    LineProblem { line: number, column: Some(valid_chars + 1), message: format!("invalid UTF-8 (byte 0x{:02x})", line[good]) }
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Read};

    use super::*;

    fn collect(input: impl BufRead) -> Vec<(u64, Result<String, String>)> {
        let mut out = Vec::new();
        read_lines(input, |n, text| {
            out.push((n, text.map(str::to_owned).map_err(|p| p.to_string())));
            ControlFlow::Continue(())
        })
        .unwrap();
        out
    }

    #[test]
    fn lines_crlf_a_missing_final_newline_and_invalid_utf8() {
        let got = collect(&b"up 1\r\n\nb\xc3\xa4d{x=\"\xff\"} 1\nlast 2"[..]);
        assert_eq!(
            got,
            [
                (1, Ok("up 1\r".to_owned())),
                (2, Ok(String::new())),
                (3, Err("line 3, column 8: invalid UTF-8 (byte 0xff)".to_owned())),
                (4, Ok("last 2".to_owned()))
            ]
        );
    }

    /// Input that counts how much of it was read, for checking that a long line is
    /// skipped in small steps rather than read whole.
    struct Endless {
        left: u64,
    }
    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
            buf[..n].fill(b'x');
            self.left -= n as u64;
            Ok(n)
        }
    }

    #[test]
    fn a_line_over_the_limit_is_a_problem_and_the_next_lines_are_read() {
        let long = Endless { left: 3 * MAX_LINE_BYTES as u64 };
        let input = BufReader::with_capacity(64 << 10, long.chain(&b"\nup 1\n"[..]));
        let got = collect(input);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], (1, Err("line 1: longer than the limit of 1 MiB (1048576 bytes); split it or leave it out".to_owned())));
        assert_eq!(got[1], (2, Ok("up 1".to_owned())));
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_kept() {
        let mut input = vec![b'x'; MAX_LINE_BYTES];
        input.extend_from_slice(b"\n");
        let got = collect(BufReader::with_capacity(1000, &input[..]));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1.as_ref().map(String::len), Ok(MAX_LINE_BYTES));
    }
}
