//! The `filefd` collector: `/proc/sys/fs/file-nr` as `node_filefd_allocated` and
//! `node_filefd_maximum`.

use std::path::Path;

use crate::host::read::{bad_file, number, read_value, Source};
use crate::{CollectError, Collector, Emitter, Metric};

const ALLOCATED: Metric = Metric::gauge("node_filefd_allocated", "File handles allocated by the kernel.", "");
const MAXIMUM: Metric = Metric::gauge("node_filefd_maximum", "Most file handles the kernel will allocate (fs.file-max).", "");

/// Reads `/proc/sys/fs/file-nr`.
pub struct FilefdCollector {
    path: Source,
    buf: String,
}

impl FilefdCollector {
    /// A collector reading `<proc_root>/sys/fs/file-nr`.
    pub fn new(proc_root: &Path) -> FilefdCollector {
        FilefdCollector { path: Source::new(proc_root.join("sys/fs/file-nr")), buf: String::new() }
    }
}

impl Collector for FilefdCollector {
    fn name(&self) -> &str {
        "filefd"
    }

    fn can_block(&self) -> bool {
        // Reads one procfs value.
        false
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        let text = read_value(&mut self.path, &mut self.buf)?;
        // "allocated  unused(always 0)  maximum"
        let mut fields = text.split_ascii_whitespace();
        let (Some(allocated), Some(_), Some(maximum)) = (fields.next().and_then(number), fields.next(), fields.next().and_then(number))
        else {
            return Err(bad_file(&self.path, format!("expected three numbers, got {text:?}")));
        };
        out.push(&ALLOCATED, &[], allocated)?;
        out.push(&MAXIMUM, &[], maximum)
    }
}
