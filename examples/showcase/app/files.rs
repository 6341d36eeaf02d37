//! The upload store: each file under the data directory as `<id>.bin`, its
//! metadata beside it as `<id>.json`.
//!
//! Ids are 128 random bits from the OS, written as 32 lowercase hex digits:
//! a download link cannot be guessed from another, and the
//! [`FileIdConverter`] lets the router refuse anything else before a handler
//! (or the file system) sees it. The client's file name is only ever data
//! (shown escaped, sent back in `Content-Disposition`), never part of a
//! path. The metadata is written to a temporary name and renamed, so a
//! listing never reads half of it.
//!
//! File-system work runs on tokio's blocking pool.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tackle::request::form::UploadedFile;
use tackle::routing::Converter;

/// An uploaded file's metadata.
#[derive(Clone, Debug)]
pub struct StoredFile {
    /// 32 lowercase hex digits.
    pub id: String,
    /// The name the client sent (possibly empty, possibly anything).
    pub filename: String,
    /// In bytes.
    pub size: u64,
    /// The note typed with it.
    pub note: String,
    /// Who uploaded it.
    pub owner: String,
    /// Microseconds since the Unix epoch: the listing's order.
    pub uploaded_us: u64,
}

impl StoredFile {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "filename": self.filename,
            "size": self.size,
            "note": self.note,
            "owner": self.owner,
            "uploaded_us": self.uploaded_us,
        })
    }

    fn from_json(value: &Value) -> Option<StoredFile> {
        let text = |key: &str| value.get(key)?.as_str().map(str::to_owned);
        Some(StoredFile {
            id: text("id").filter(|id| is_file_id(id))?,
            filename: text("filename")?,
            size: value.get("size")?.as_u64()?,
            note: text("note")?,
            owner: text("owner")?,
            uploaded_us: value.get("uploaded_us")?.as_u64()?,
        })
    }
}

/// The store: a directory of uploads. Cloning is cheap.
#[derive(Clone, Debug)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    /// The store in `dir`, created if missing.
    pub fn open(dir: PathBuf) -> io::Result<FileStore> {
        std::fs::create_dir_all(&dir)?;
        Ok(FileStore { dir })
    }

    /// Keeps `upload` with its note, under a new id.
    pub async fn save(
        &self,
        upload: UploadedFile,
        note: String,
        owner: String,
    ) -> io::Result<StoredFile> {
        let file = StoredFile {
            id: new_id()?,
            filename: upload.filename().unwrap_or_default().to_owned(),
            size: upload.size(),
            note,
            owner,
            uploaded_us: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |t| t.as_micros() as u64),
        };
        let dir = self.dir.clone();
        let saved = file.clone();
        blocking(move || {
            // A spooled upload is moved (or copied across file systems);
            // one in memory is written out.
            upload.save_to(content_path(&dir, &saved.id))?;
            let json = serde_json::to_vec_pretty(&saved.to_json()).map_err(io::Error::other)?;
            let partial = dir.join(format!("{}.json.part", saved.id));
            std::fs::write(&partial, json)?;
            std::fs::rename(partial, metadata_path(&dir, &saved.id))
        })
        .await?;
        Ok(file)
    }

    /// Every file, newest first. Unreadable metadata is skipped (and
    /// logged), not an error: one bad file should not hide the others.
    pub async fn list(&self) -> io::Result<Vec<StoredFile>> {
        let dir = self.dir.clone();
        blocking(move || {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(&dir)? {
                let path = entry?.path();
                if path.extension().is_none_or(|e| e != "json") {
                    continue;
                }
                match read_metadata(&path) {
                    Some(file) => files.push(file),
                    None => tracing::warn!(path = %path.display(), "unreadable upload metadata"),
                }
            }
            files.sort_by(|a, b| b.uploaded_us.cmp(&a.uploaded_us).then(a.id.cmp(&b.id)));
            Ok(files)
        })
        .await
    }

    /// The file with `id` and the path of its content, if there is one.
    pub async fn get(&self, id: &str) -> io::Result<Option<(StoredFile, PathBuf)>> {
        if !is_file_id(id) {
            return Ok(None);
        }
        let dir = self.dir.clone();
        let id = id.to_owned();
        blocking(move || {
            Ok(read_metadata(&metadata_path(&dir, &id))
                .filter(|file| file.id == id)
                .map(|file| (file, content_path(&dir, &id))))
        })
        .await
    }
}

fn content_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.bin"))
}

fn metadata_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.json"))
}

fn read_metadata(path: &Path) -> Option<StoredFile> {
    let bytes = std::fs::read(path).ok()?;
    StoredFile::from_json(&serde_json::from_slice(&bytes).ok()?)
}

/// 128 bits from the OS's random generator, as hex.
fn new_id() -> io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `id` has the form of an id: 32 lowercase hex digits.
fn is_file_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Runs `f` on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(io::Error::other)?
}

/// The `{id:fileid}` converter: a segment matches only when it has the form
/// of an id, so `/files/../download` or `/files/x/download` is a plain 404
/// from the router.
#[derive(Clone, Copy, Debug)]
pub struct FileIdConverter;

impl Converter for FileIdConverter {
    type Value = String;

    fn parse(&self, segment: &str) -> Option<String> {
        is_file_id(segment).then(|| segment.to_owned())
    }

    fn format(&self, value: &String) -> String {
        value.clone()
    }
}
