//! Where a collected form keeps uploaded files: in memory or spooled to disk.

use std::path::{Path, PathBuf};

/// Default for [`FormOptions::spool_threshold`]: 512 KiB.
pub const DEFAULT_SPOOL_THRESHOLD: u64 = 512 * 1024;
/// Default for [`FormOptions::memory_budget`]: 8 MiB.
pub const DEFAULT_MEMORY_BUDGET: u64 = 8 * 1024 * 1024;

/// How a [`FormCollector`](super::FormCollector) stores uploaded files, set
/// with builder methods.
///
/// | option | default | meaning |
/// |---|---|---|
/// | `spool_threshold` | 524 288 (512 KiB) | a file larger than this is spooled to a temporary file |
/// | `memory_budget` | 8 388 608 (8 MiB) | the most bytes of uploaded files one form keeps in memory; later files are spooled |
/// | `spool_dir` | the OS temp dir ([`std::env::temp_dir`]) | where spooled files are created |
///
/// A file of exactly `spool_threshold` bytes stays in memory; one byte more
/// and it is spooled. A threshold of 0 spools every non-empty file. Form
/// fields (parts without a filename) always stay in memory: the decoder's
/// `max_field_bytes` bounds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormOptions {
    pub(crate) spool_threshold: u64,
    pub(crate) memory_budget: u64,
    pub(crate) spool_dir: Option<PathBuf>,
}

impl Default for FormOptions {
    fn default() -> Self {
        FormOptions {
            spool_threshold: DEFAULT_SPOOL_THRESHOLD,
            memory_budget: DEFAULT_MEMORY_BUDGET,
            spool_dir: None,
        }
    }
}

impl FormOptions {
    /// The defaults: see the table on [`FormOptions`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the largest file kept in memory, in bytes (default 512 KiB); a
    /// file one byte larger is written to a temporary file instead.
    pub fn spool_threshold(mut self, bytes: u64) -> Self {
        self.spool_threshold = bytes;
        self
    }

    /// Sets the most bytes of uploaded files one form keeps in memory
    /// together (default 8 MiB), so that many files just under the
    /// threshold cannot fill memory: a file that would take the total past
    /// the budget is spooled whatever its size.
    pub fn memory_budget(mut self, bytes: u64) -> Self {
        self.memory_budget = bytes;
        self
    }

    /// Sets the directory spooled files are created in (default the OS temp
    /// dir, [`std::env::temp_dir`]). It must exist; the files in it are
    /// created with owner-only permissions and deleted when dropped.
    pub fn spool_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.spool_dir = Some(dir.into());
        self
    }

    /// The directory spooled files are created in, if one was set; `None`
    /// means the OS temp dir.
    pub fn spool_dir_path(&self) -> Option<&Path> {
        self.spool_dir.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_builders() {
        let o = FormOptions::new();
        assert_eq!(o.spool_threshold, 512 * 1024);
        assert_eq!(o.memory_budget, 8 * 1024 * 1024);
        assert_eq!(o.spool_dir_path(), None);
        let o = FormOptions::new()
            .spool_threshold(1)
            .memory_budget(2)
            .spool_dir("/srv/uploads");
        assert_eq!(o.spool_threshold, 1);
        assert_eq!(o.memory_budget, 2);
        assert_eq!(o.spool_dir_path(), Some(Path::new("/srv/uploads")));
    }
}
