//! The input of `vitals import`: a file or standard input, plain or gzip, read through a
//! progress bar.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use anyhow::Context;
use flate2::read::MultiGzDecoder;
use indicatif::{ProgressBar, ProgressStyle};

/// The first bytes of a gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Where the exposition comes from.
pub enum Source {
    /// A file, which can be read more than once.
    File {
        /// Its path.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
    },
    /// Standard input copied to an unnamed temporary file (gone once closed), so that it
    /// can be read twice without holding it in memory.
    Spooled {
        /// The temporary file.
        file: File,
        /// Its size in bytes.
        size: u64,
    },
    /// Standard input, read as it comes (once).
    Stdin,
}

impl Source {
    /// Opens `path` (`-` for standard input). `twice` copies standard input to a temporary
    /// file so that it can be checked before it is imported.
    pub fn open(path: &Path, twice: bool) -> anyhow::Result<Source> {
        if path == Path::new("-") {
            if !twice {
                return Ok(Source::Stdin);
            }
            let mut file = tempfile::tempfile().context("creating a temporary file to hold standard input")?;
            let size = io::copy(&mut io::stdin().lock(), &mut file).context("copying standard input to a temporary file")?;
            return Ok(Source::Spooled { file, size });
        }
        let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            anyhow::bail!("cannot read {}: it is a directory", path.display());
        }
        Ok(Source::File { path: path.to_path_buf(), size: meta.len() })
    }

    /// How it is named in messages.
    pub fn name(&self) -> String {
        match self {
            Source::File { path, .. } => path.display().to_string(),
            Source::Spooled { .. } | Source::Stdin => "standard input".to_owned(),
        }
    }

    /// A progress bar over the raw (possibly compressed) bytes, drawn on standard error
    /// when it is a terminal.
    pub fn progress(&self, what: &'static str) -> ProgressBar {
        let len = match self {
            Source::File { size, .. } | Source::Spooled { size, .. } => Some(*size),
            Source::Stdin => None,
        };
        let (pb, template) = match len {
            Some(len) => (ProgressBar::new(len), "{msg} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)"),
            None => (ProgressBar::new_spinner(), "{spinner} {msg} {bytes} ({bytes_per_sec})"),
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            pb.set_style(style.progress_chars("=> "));
        }
        pb.set_message(what);
        pb
    }

    /// A reader of the text from the start, decompressing gzip (recognised by its magic
    /// bytes; several members are read one after the other).
    pub fn reader<'a>(&'a self, progress: &ProgressBar) -> anyhow::Result<Box<dyn BufRead + 'a>> {
        let raw: Box<dyn Read + 'a> = match self {
            Source::File { path, .. } => Box::new(File::open(path).with_context(|| format!("cannot open {}", path.display()))?),
            Source::Spooled { file, .. } => {
                let mut file = file;
                file.rewind().context("rewinding the temporary copy of standard input")?;
                Box::new(file)
            }
            Source::Stdin => Box::new(io::stdin().lock()),
        };
        let mut buffered = BufReader::with_capacity(1 << 20, progress.wrap_read(raw));
        let head = buffered.fill_buf().with_context(|| format!("reading {}", self.name()))?;
        if head.starts_with(&GZIP_MAGIC) {
            return Ok(Box::new(BufReader::with_capacity(1 << 20, MultiGzDecoder::new(buffered))));
        }
        Ok(Box::new(buffered))
    }
}
