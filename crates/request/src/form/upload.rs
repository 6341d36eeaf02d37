//! An uploaded file: a multipart part with a filename, in memory or spooled
//! to a temporary file.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use bytes::{Buf, Bytes};
use http::HeaderMap;
use tempfile::{NamedTempFile, TempPath};

use crate::multipart::PartHeaders;

/// A file sent in a `multipart/form-data` body (RFC 7578 §4.2: a part with a
/// `filename`). Small files are held in memory; larger ones live in a
/// temporary file that is deleted when the `UploadedFile` is dropped (see
/// [`FormOptions`](super::FormOptions)).
///
/// Reading a spooled file ([`bytes`](Self::bytes), [`reader`](Self::reader),
/// [`save_to`](Self::save_to)) is blocking file I/O: in async code, call it
/// from a blocking-friendly context (`tokio::task::spawn_blocking`).
pub struct UploadedFile {
    part: PartHeaders,
    size: u64,
    storage: Storage,
}

enum Storage {
    Memory(Bytes),
    /// The path only: the handle is closed once the part is written, so a
    /// form of many spooled files holds no file descriptors (a client could
    /// otherwise exhaust them with one request of many small file parts).
    Spooled(TempPath),
}

impl UploadedFile {
    pub(crate) fn in_memory(part: PartHeaders, bytes: Bytes) -> Self {
        UploadedFile {
            part,
            size: bytes.len() as u64,
            storage: Storage::Memory(bytes),
        }
    }

    pub(crate) fn spooled(part: PartHeaders, size: u64, file: NamedTempFile) -> Self {
        UploadedFile {
            part,
            size,
            storage: Storage::Spooled(file.into_temp_path()),
        }
    }

    /// The filename the client sent (cut to its last segment for old
    /// Internet Explorer paths), possibly empty when a file input was left
    /// blank. Never use it as a path without `tackle_http::secure_filename`.
    pub fn filename(&self) -> Option<&str> {
        self.part.filename()
    }

    /// The part's `Content-Type` as sent, or `None` when it sent none.
    pub fn content_type(&self) -> Option<&str> {
        self.part.content_type()
    }

    /// Every header of the part (names lowercase).
    pub fn headers(&self) -> &HeaderMap {
        self.part.headers()
    }

    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Whether the file was written to a temporary file rather than kept in
    /// memory.
    pub fn is_spooled(&self) -> bool {
        matches!(self.storage, Storage::Spooled(_))
    }

    /// The temporary file's path while the file is spooled; it is deleted
    /// when this `UploadedFile` is dropped.
    pub fn path(&self) -> Option<&Path> {
        match &self.storage {
            Storage::Memory(_) => None,
            Storage::Spooled(path) => Some(&**path),
        }
    }

    /// The whole file: a cheap clone when in memory, read back from disk
    /// (blocking) when spooled.
    pub fn bytes(&self) -> io::Result<Bytes> {
        match &self.storage {
            Storage::Memory(bytes) => Ok(bytes.clone()),
            Storage::Spooled(path) => {
                let mut data = Vec::with_capacity(usize::try_from(self.size).unwrap_or(0));
                File::open(path)?.read_to_end(&mut data)?;
                Ok(Bytes::from(data))
            }
        }
    }

    /// A reader over the file from its first byte; each call starts afresh.
    /// Reading a spooled file is blocking I/O.
    pub fn reader(&self) -> io::Result<UploadReader> {
        Ok(UploadReader(match &self.storage {
            Storage::Memory(bytes) => ReaderKind::Memory(bytes.clone().reader()),
            Storage::Spooled(path) => ReaderKind::File(File::open(path)?),
        }))
    }

    /// Stores the file at `path`, replacing any file there (blocking I/O).
    ///
    /// A spooled file is moved there (renamed, so no bytes are copied, and it
    /// keeps the temporary file's owner-only permissions); when the rename
    /// cannot be done, as across file systems, it is copied instead and the
    /// temporary file deleted. A file in memory is written to a new file.
    /// The `UploadedFile` is consumed: take it out of
    /// [`FormData::files`](super::FormData) with `remove`.
    pub fn save_to(self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref();
        match self.storage {
            Storage::Memory(bytes) => std::fs::write(path, &bytes),
            Storage::Spooled(temp) => match temp.persist(path) {
                Ok(()) => Ok(()),
                Err(e) => {
                    // The temporary file is deleted when `e.path` drops.
                    let mut source = File::open(&e.path)?;
                    let mut target = File::create(path)?;
                    io::copy(&mut source, &mut target)?;
                    target.sync_all()
                }
            },
        }
    }
}

impl fmt::Debug for UploadedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadedFile")
            .field("filename", &self.filename())
            .field("content_type", &self.content_type())
            .field("size", &self.size)
            .field("spooled", &self.path())
            .finish()
    }
}

/// Reads an [`UploadedFile`] from its first byte, from memory or from its
/// temporary file.
pub struct UploadReader(ReaderKind);

enum ReaderKind {
    Memory(bytes::buf::Reader<Bytes>),
    File(File),
}

impl Read for UploadReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.0 {
            ReaderKind::Memory(r) => r.read(buf),
            ReaderKind::File(f) => f.read(buf),
        }
    }
}

impl fmt::Debug for UploadReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.0 {
            ReaderKind::Memory(_) => "memory",
            ReaderKind::File(_) => "file",
        };
        f.debug_tuple("UploadReader").field(&kind).finish()
    }
}
