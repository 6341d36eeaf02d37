//! The spool directory: mails that could not be sent, kept as `.eml` files.
//!
//! Each mail is two files: `<time>-<id>.eml`, the raw message exactly as it would have gone over
//! SMTP (open it in any mail client), and `<time>-<id>.json`, its envelope `{"from", "to",
//! "subject"}`, so the worker can resend it without parsing headers. The `.eml` is written last
//! (through a temporary name and a rename), so every visible `.eml` has its envelope beside it.
//! A mail the server refused permanently is kept as `<time>-<id>.rejected.eml`: a record for a
//! person, never resent.
//!
//! The directory is bounded ([`SpoolTransport::max_files`], 1000 by default): beyond it the oldest
//! mails are removed, and a warning is logged once.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::mail::Composed;
use crate::transport::{MailTransport, SendError, SendFuture};

const EML: &str = ".eml";
const JSON: &str = ".json";
const REJECTED: &str = ".rejected";

/// Writes each mail to `<dir>/<time>-<id>.eml` (plus a `.json` envelope) instead of sending it.
///
/// The development default, and the worker's fallback when SMTP fails. Cheap to clone: clones share
/// the directory and its bound.
#[derive(Clone, Debug)]
pub struct SpoolTransport {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    max_files: usize,
    warned_full: AtomicBool,
    seq: AtomicU64,
}

impl SpoolTransport {
    /// The default bound on the number of spooled mails.
    pub const DEFAULT_MAX_FILES: usize = 1000;

    /// A spool in `dir` (created on the first write), bounded to 1000 mails.
    pub fn new(dir: impl Into<PathBuf>) -> SpoolTransport {
        SpoolTransport {
            inner: Arc::new(Inner {
                dir: dir.into(),
                max_files: SpoolTransport::DEFAULT_MAX_FILES,
                warned_full: AtomicBool::new(false),
                seq: AtomicU64::new(0),
            }),
        }
    }

    /// Keeps at most `max_files` mails (at least 1); beyond it the oldest are removed.
    pub fn max_files(self, max_files: usize) -> SpoolTransport {
        SpoolTransport {
            inner: Arc::new(Inner {
                dir: self.inner.dir.clone(),
                max_files: max_files.max(1),
                warned_full: AtomicBool::new(false),
                seq: AtomicU64::new(self.inner.seq.load(Ordering::Relaxed)),
            }),
        }
    }

    /// The spool directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Writes `mail` to the spool; returns the `.eml` path.
    pub async fn store(&self, mail: &Composed) -> io::Result<PathBuf> {
        let envelope = serde_json::json!({
            "from": mail.from,
            "to": mail.to,
            "subject": mail.subject,
        })
        .to_string();
        let bytes = mail.bytes.clone();
        let this = self.clone();
        blocking(move || this.store_sync(&envelope, &bytes)).await
    }

    /// The spooled mails waiting to be resent (not the rejected ones), oldest first.
    pub async fn pending(&self) -> io::Result<Vec<PathBuf>> {
        let this = self.clone();
        blocking(move || {
            Ok(this
                .list_sync()?
                .into_iter()
                .filter(|p| !is_rejected(p))
                .collect())
        })
        .await
    }

    /// Reads a spooled mail back (its `.eml` bytes and `.json` envelope).
    pub async fn load(&self, eml: &Path) -> io::Result<Composed> {
        let eml = eml.to_owned();
        blocking(move || load_sync(&eml)).await
    }

    /// Removes a spooled mail (after it was resent).
    pub(crate) async fn remove(&self, eml: &Path) -> io::Result<()> {
        let eml = eml.to_owned();
        blocking(move || remove_sync(&eml)).await
    }

    /// Keeps a mail the server refused for good, under a name that is never resent.
    pub(crate) async fn mark_rejected(&self, eml: &Path) -> io::Result<PathBuf> {
        let eml = eml.to_owned();
        blocking(move || {
            let stem = stem(&eml).ok_or_else(|| io::Error::other("not a spooled mail"))?;
            let new_eml = eml.with_file_name(format!("{stem}{REJECTED}{EML}"));
            let new_json = eml.with_file_name(format!("{stem}{REJECTED}{JSON}"));
            fs::rename(sidecar(&eml), new_json)?;
            fs::rename(&eml, &new_eml)?;
            Ok(new_eml)
        })
        .await
    }

    /// Stores a mail the server refused for good (see [`mark_rejected`](Self::mark_rejected)).
    pub(crate) async fn store_rejected(&self, mail: &Composed) -> io::Result<PathBuf> {
        let path = self.store(mail).await?;
        self.mark_rejected(&path).await
    }

    fn store_sync(&self, envelope: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        let dir = &self.inner.dir;
        fs::create_dir_all(dir)?;
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let seq = self.inner.seq.fetch_add(1, Ordering::Relaxed);
        // Zero-padded time first, so names sort oldest first.
        let stem = format!("{millis:013}-{:x}-{seq:06}", std::process::id());
        let eml = dir.join(format!("{stem}{EML}"));
        let tmp = dir.join(format!("{stem}{EML}.tmp"));
        fs::write(dir.join(format!("{stem}{JSON}")), envelope)?;
        fs::write(&tmp, bytes)?;
        fs::rename(&tmp, &eml)?;
        self.enforce_bound()?;
        Ok(eml)
    }

    fn enforce_bound(&self) -> io::Result<()> {
        let all = self.list_sync()?;
        let excess = all.len().saturating_sub(self.inner.max_files);
        if excess == 0 {
            return Ok(());
        }
        if !self.inner.warned_full.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                dir = %self.inner.dir.display(),
                max_files = self.inner.max_files,
                "error mail spool is full: removing the oldest spooled mails"
            );
        }
        for old in &all[..excess] {
            remove_sync(old)?;
        }
        Ok(())
    }

    /// Every spooled `.eml` (pending and rejected), oldest first.
    fn list_sync(&self) -> io::Result<Vec<PathBuf>> {
        let entries = match fs::read_dir(&self.inner.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut files = Vec::new();
        for entry in entries {
            let path = entry?.path();
            if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(EML))
            {
                files.push(path);
            }
        }
        files.sort();
        Ok(files)
    }
}

impl MailTransport for SpoolTransport {
    fn send<'a>(&'a self, mail: &'a Composed) -> SendFuture<'a> {
        Box::pin(async move {
            self.store(mail)
                .await
                .map(drop)
                .map_err(|e| SendError::transient(format!("cannot write to the mail spool: {e}")))
        })
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| io::Error::other(format!("spool task failed: {e}")))?
}

fn stem(eml: &Path) -> Option<&str> {
    eml.file_name()?.to_str()?.strip_suffix(EML)
}

fn is_rejected(eml: &Path) -> bool {
    stem(eml).is_some_and(|s| s.ends_with(REJECTED))
}

fn sidecar(eml: &Path) -> PathBuf {
    match stem(eml) {
        Some(stem) => eml.with_file_name(format!("{stem}{JSON}")),
        None => eml.with_extension("json"),
    }
}

fn load_sync(eml: &Path) -> io::Result<Composed> {
    let bytes = fs::read(eml)?;
    let envelope: serde_json::Value = serde_json::from_slice(&fs::read(sidecar(eml))?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let invalid = || io::Error::new(io::ErrorKind::InvalidData, "malformed spool envelope");
    let from = envelope["from"].as_str().ok_or_else(invalid)?.to_owned();
    let to = envelope["to"]
        .as_array()
        .ok_or_else(invalid)?
        .iter()
        .map(|v| v.as_str().map(str::to_owned).ok_or_else(invalid))
        .collect::<io::Result<Vec<_>>>()?;
    let subject = envelope["subject"].as_str().unwrap_or_default().to_owned();
    Ok(Composed {
        from,
        to,
        bytes,
        subject,
    })
}

fn remove_sync(eml: &Path) -> io::Result<()> {
    fs::remove_file(eml)?;
    match fs::remove_file(sidecar(eml)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(n: usize) -> Composed {
        Composed {
            from: "Errors <errors@example.com>".into(),
            to: vec!["ops@example.com".into(), "dev@example.com".into()],
            bytes: format!("Subject: mail {n}\r\n\r\nbody {n}\r\n").into_bytes(),
            subject: format!("mail {n}"),
        }
    }

    #[tokio::test]
    async fn round_trips_the_message_and_envelope() {
        let dir = tempfile::tempdir().unwrap();
        let spool = SpoolTransport::new(dir.path().join("spool"));
        let path = spool.store(&mail(1)).await.unwrap();
        assert!(path.to_str().unwrap().ends_with(".eml"));
        assert_eq!(fs::read(&path).unwrap(), mail(1).bytes);
        let back = spool.load(&path).await.unwrap();
        assert_eq!(back.from, "Errors <errors@example.com>");
        assert_eq!(back.to, mail(1).to);
        assert_eq!(back.bytes, mail(1).bytes);
        assert_eq!(back.subject, "mail 1");
        assert_eq!(spool.pending().await.unwrap(), vec![path.clone()]);
        spool.remove(&path).await.unwrap();
        assert!(spool.pending().await.unwrap().is_empty());
        assert_eq!(fs::read_dir(spool.dir()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn is_bounded_and_drops_the_oldest() {
        let dir = tempfile::tempdir().unwrap();
        let spool = SpoolTransport::new(dir.path()).max_files(3);
        for n in 0..5 {
            spool.send(&mail(n)).await.unwrap();
        }
        let pending = spool.pending().await.unwrap();
        assert_eq!(pending.len(), 3);
        let subjects: Vec<String> = {
            let mut v = Vec::new();
            for p in &pending {
                v.push(spool.load(p).await.unwrap().subject);
            }
            v
        };
        assert_eq!(subjects, ["mail 2", "mail 3", "mail 4"]);
        // Sidecars of removed mails are gone too.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 6);
    }

    #[tokio::test]
    async fn rejected_mails_are_kept_but_not_pending() {
        let dir = tempfile::tempdir().unwrap();
        let spool = SpoolTransport::new(dir.path());
        let rejected = spool.store_rejected(&mail(1)).await.unwrap();
        assert!(rejected.to_str().unwrap().ends_with(".rejected.eml"));
        assert!(spool.pending().await.unwrap().is_empty());
        assert_eq!(spool.load(&rejected).await.unwrap().subject, "mail 1");
    }

    #[tokio::test]
    async fn an_unwritable_spool_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain-file");
        fs::write(&file, b"x").unwrap();
        let spool = SpoolTransport::new(file.join("spool"));
        assert!(spool.send(&mail(1)).await.is_err());
    }
}
