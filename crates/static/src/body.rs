//! [`FileBody`]: the body of a static response: nothing, bytes in memory,
//! or parts of a file read in chunks on tokio's blocking pool, with the
//! text between `multipart/byteranges` parts.

use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::task::JoinHandle;

/// A piece of a response body.
#[derive(Debug)]
pub(crate) enum Segment {
    Bytes(Bytes),
    /// `len` bytes of the file from `offset`.
    File {
        offset: u64,
        len: u64,
    },
}

/// The body of a response from [`StaticFiles`](crate::StaticFiles): empty,
/// in memory, or read from a file in chunks of bounded size (never more
/// than one chunk in memory at a time), each read on tokio's blocking pool.
pub struct FileBody {
    segments: VecDeque<Segment>,
    remaining: u64,
    file: FileState,
    chunk_size: usize,
}

/// Where the file segments come from.
#[derive(Debug)]
pub(crate) enum Source {
    Path(PathBuf),
}

enum FileState {
    /// No file needed, or not opened yet.
    Closed(Option<PathBuf>),
    Idle(File),
    Reading(JoinHandle<io::Result<(File, Bytes)>>),
    Failed,
}

impl FileBody {
    /// No content.
    pub(crate) fn empty() -> Self {
        FileBody::from_segments(VecDeque::new(), None, 0)
    }

    /// Content in memory.
    pub(crate) fn bytes(bytes: Bytes) -> Self {
        let mut segments = VecDeque::with_capacity(1);
        if !bytes.is_empty() {
            segments.push_back(Segment::Bytes(bytes));
        }
        FileBody::from_segments(segments, None, 0)
    }

    /// Segments, the file ones read from `file` (a path opened when first
    /// needed, or a file already open).
    pub(crate) fn from_segments(
        segments: VecDeque<Segment>,
        file: Option<Source>,
        chunk_size: usize,
    ) -> Self {
        let remaining = segments
            .iter()
            .map(|s| match s {
                Segment::Bytes(b) => b.len() as u64,
                Segment::File { len, .. } => *len,
            })
            .sum();
        FileBody {
            segments,
            remaining,
            file: match file {
                Some(Source::Path(path)) => FileState::Closed(Some(path)),
                None => FileState::Closed(None),
            },
            chunk_size: chunk_size.max(1),
        }
    }
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        loop {
            let (offset, len) = match this.segments.front_mut() {
                None => return Poll::Ready(None),
                Some(Segment::Bytes(_)) => {
                    let Some(Segment::Bytes(bytes)) = this.segments.pop_front() else {
                        continue;
                    };
                    this.remaining -= bytes.len() as u64;
                    return Poll::Ready(Some(Ok(Frame::data(bytes))));
                }
                Some(Segment::File { len: 0, .. }) => {
                    this.segments.pop_front();
                    continue;
                }
                Some(Segment::File { offset, len }) => (*offset, *len),
            };
            match std::mem::replace(&mut this.file, FileState::Failed) {
                FileState::Failed => return Poll::Ready(None),
                FileState::Closed(path) => {
                    let Some(path) = path else {
                        return Poll::Ready(Some(Err(io::Error::other("no file to read"))));
                    };
                    let want = len.min(this.chunk_size as u64) as usize;
                    this.file = FileState::Reading(tokio::task::spawn_blocking(move || {
                        read_chunk(File::open(path)?, offset, want)
                    }));
                }
                FileState::Idle(file) => {
                    let want = len.min(this.chunk_size as u64) as usize;
                    this.file = FileState::Reading(tokio::task::spawn_blocking(move || {
                        read_chunk(file, offset, want)
                    }));
                }
                FileState::Reading(mut handle) => {
                    let result = match Pin::new(&mut handle).poll(cx) {
                        Poll::Pending => {
                            this.file = FileState::Reading(handle);
                            return Poll::Pending;
                        }
                        Poll::Ready(result) => result,
                    };
                    let (file, chunk) = match result {
                        Ok(Ok(read)) => read,
                        Ok(Err(error)) => return Poll::Ready(Some(Err(error))),
                        Err(join) => return Poll::Ready(Some(Err(io::Error::other(join)))),
                    };
                    if chunk.is_empty() {
                        // The file shrank under us: end with an error rather
                        // than send less than Content-Length promised.
                        return Poll::Ready(Some(Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "file shorter than its length when opened",
                        ))));
                    }
                    let read = chunk.len() as u64;
                    if let Some(Segment::File { offset, len }) = this.segments.front_mut() {
                        *offset += read;
                        *len -= read.min(*len);
                    }
                    this.remaining -= read.min(this.remaining);
                    this.file = FileState::Idle(file);
                    return Poll::Ready(Some(Ok(Frame::data(chunk))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
            && self
                .segments
                .iter()
                .all(|s| matches!(s, Segment::File { len: 0, .. }))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

use std::future::Future as _;

/// Reads up to `want` bytes at `offset` (blocking), into a buffer that is
/// not zeroed first.
fn read_chunk(mut file: File, offset: u64, want: usize) -> io::Result<(File, Bytes)> {
    file.seek(SeekFrom::Start(offset))?;
    let mut buffer = Vec::with_capacity(want);
    (&mut file).take(want as u64).read_to_end(&mut buffer)?;
    Ok((file, Bytes::from(buffer)))
}

impl fmt::Debug for FileBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileBody")
            .field("segments", &self.segments.len())
            .field("remaining", &self.remaining)
            .finish()
    }
}
