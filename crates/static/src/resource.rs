//! What is served for one path: a file's representations (the file itself
//! and its precompressed siblings), each with its validators, and where its
//! bytes are.

use std::fs::{File, Metadata};
use std::path::PathBuf;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::HeaderValue;
use smallvec::SmallVec;
use tackle_http::{EntityTag, HttpDate, Validators};
use xxhash_rust::xxh3::xxh3_128;

/// The content codings of precompressed siblings, in the order offered to
/// the client (the smallest first where it is equally wanted).
pub(crate) const CODINGS: [(&str, &str); 3] = [("br", ".br"), ("zstd", ".zst"), ("gzip", ".gz")];

/// Where a representation's bytes are.
#[derive(Clone, Debug)]
pub(crate) enum Content {
    /// In memory: an embedded file or a small file kept in the hot cache.
    Memory(Bytes),
    /// On disk at the representation's path, read when sent.
    Disk,
}

/// One representation: the file or a precompressed sibling.
#[derive(Clone, Debug)]
pub(crate) struct Representation {
    /// `None` for the file itself, else the content coding (`gzip`, ...).
    pub(crate) coding: Option<&'static str>,
    pub(crate) len: u64,
    pub(crate) etag: HeaderValue,
    pub(crate) validators: Validators,
    pub(crate) last_modified: Option<HeaderValue>,
    pub(crate) content: Content,
    /// The file on disk and what identifies it, to notice it changed;
    /// `None` for embedded content, which never does.
    pub(crate) file: Option<(PathBuf, FileIdentity)>,
}

/// Length, modification time and inode: what changes when a file does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct FileIdentity {
    len: u64,
    modified: Option<(u64, u32)>,
    inode: u64,
}

impl FileIdentity {
    pub(crate) fn of(metadata: &Metadata) -> Self {
        let modified = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map(|d| (d.as_secs(), d.subsec_nanos()));
        FileIdentity {
            len: metadata.len(),
            modified,
            inode: inode(metadata),
        }
    }

    /// A strong entity tag from the identity: the hash of length, mtime
    /// (nanoseconds) and inode, so that it changes with any of them without
    /// showing the inode to clients.
    fn entity_tag(&self) -> String {
        let mut fields = [0u8; 8 + 8 + 4 + 8];
        fields[..8].copy_from_slice(&self.len.to_le_bytes());
        let (secs, nanos) = self.modified.unwrap_or((0, 0));
        fields[8..16].copy_from_slice(&secs.to_le_bytes());
        fields[16..20].copy_from_slice(&nanos.to_le_bytes());
        fields[20..].copy_from_slice(&self.inode.to_le_bytes());
        URL_SAFE_NO_PAD.encode(xxh3_128(&fields).to_be_bytes())
    }
}

#[cfg(unix)]
fn inode(metadata: &Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(metadata)
}

#[cfg(not(unix))]
fn inode(_: &Metadata) -> u64 {
    0
}

impl Representation {
    /// A file on disk, read into memory when `content` is given.
    pub(crate) fn from_disk(
        coding: Option<&'static str>,
        path: PathBuf,
        metadata: &Metadata,
        content: Option<Bytes>,
    ) -> Self {
        let identity = FileIdentity::of(metadata);
        let tag = identity.entity_tag();
        let modified = metadata.modified().ok();
        let len = content.as_ref().map_or(metadata.len(), |c| c.len() as u64);
        let content = match content {
            Some(bytes) => Content::Memory(bytes),
            None => Content::Disk,
        };
        Representation::new(coding, len, tag, modified, content, Some((path, identity)))
    }

    /// Content compiled into the binary, with its precomputed tag (quoted).
    pub(crate) fn embedded(
        coding: Option<&'static str>,
        content: &'static [u8],
        quoted_tag: &str,
        modified: Option<SystemTime>,
    ) -> Self {
        let tag = quoted_tag.trim_matches('"').to_owned();
        Representation::new(
            coding,
            content.len() as u64,
            tag,
            modified,
            Content::Memory(Bytes::from_static(content)),
            None,
        )
    }

    fn new(
        coding: Option<&'static str>,
        len: u64,
        tag: String,
        modified: Option<SystemTime>,
        content: Content,
        file: Option<(PathBuf, FileIdentity)>,
    ) -> Self {
        let etag = HeaderValue::try_from(format!("\"{tag}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("\"\""));
        let date = modified.map(HttpDate::from);
        Representation {
            coding,
            len,
            etag,
            validators: Validators {
                etag: EntityTag::strong(tag).ok(),
                last_modified: date,
            },
            last_modified: date.and_then(|d| HeaderValue::try_from(d.to_string()).ok()),
            content,
            file,
        }
    }

    /// Bytes held in memory (what the hot cache counts).
    pub(crate) fn memory_len(&self) -> u64 {
        match self.content {
            Content::Memory(_) => self.len,
            Content::Disk => 0,
        }
    }
}

/// A file as served: its representations and the headers they share.
#[derive(Clone, Debug)]
pub(crate) struct Resource {
    /// The file itself first, then its precompressed siblings.
    pub(crate) representations: SmallVec<[Representation; 2]>,
    pub(crate) content_type: HeaderValue,
    pub(crate) cache_control: HeaderValue,
    /// The file name, for `Content-Disposition`.
    pub(crate) name: String,
}

impl Resource {
    /// The representation for a request with this `Accept-Encoding`: the
    /// sibling the client prefers, else the file itself.
    pub(crate) fn choose(&self, accept_encoding: Option<&HeaderValue>) -> &Representation {
        let identity = &self.representations[0];
        let (Some(value), true) = (accept_encoding, self.representations.len() > 1) else {
            return identity;
        };
        let Ok(accept) = value
            .to_str()
            .map_err(drop)
            .and_then(|v| v.parse::<tackle_http::AcceptEncoding>().map_err(drop))
        else {
            return identity;
        };
        let offers = self
            .representations
            .iter()
            .map(|r| r.coding.unwrap_or("identity"));
        match accept.best_match(offers) {
            Some(best) => self
                .representations
                .iter()
                .find(|r| r.coding.unwrap_or("identity") == best)
                .unwrap_or(identity),
            None => identity,
        }
    }

    /// Whether the response depends on `Accept-Encoding`.
    pub(crate) fn varies(&self) -> bool {
        self.representations.len() > 1
    }

    pub(crate) fn memory_len(&self) -> u64 {
        self.representations
            .iter()
            .map(Representation::memory_len)
            .sum()
    }
}

/// `Content-Type` for a file name: `mime_guess`'s answer, with
/// `charset=utf-8` for text and the text-like application types.
pub(crate) fn content_type(name: &str) -> HeaderValue {
    let mime = mime_guess::from_path(name).first_or_octet_stream();
    let textual = mime.type_() == mime::TEXT
        || matches!(
            mime.essence_str(),
            "application/javascript" | "application/json" | "application/xml" | "image/svg+xml"
        );
    let text = if textual && mime.get_param(mime::CHARSET).is_none() {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.to_string()
    };
    HeaderValue::try_from(text)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

/// Opens `path` and reads it whole when it is at most `max` bytes.
pub(crate) fn read_small(path: &std::path::Path, metadata: &Metadata, max: u64) -> Option<Bytes> {
    if metadata.len() > max {
        return None;
    }
    let mut file = File::open(path).ok()?;
    let mut content = Vec::with_capacity(metadata.len() as usize);
    std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, max + 1), &mut content).ok()?;
    (content.len() as u64 <= max).then(|| Bytes::from(content))
}
