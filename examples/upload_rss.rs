//! Streams a 1 GiB `multipart/form-data` upload through `Request::form()` and
//! checks that memory stays flat: the body is generated lazily in 64 KiB
//! chunks (never held whole, in memory or on disk), the file part is spooled
//! to a temporary file by the form collector, and the spooled copy is read
//! back and compared by checksum with what was sent.
//!
//! Run it in release and look at the peak resident set size:
//!
//! ```text
//! cargo build --release --example upload_rss
//! /usr/bin/time -v target/release/examples/upload_rss
//! ```
//!
//! It needs 1 GiB free in the temporary directory (`TMPDIR`); the spooled
//! file is deleted when the form is dropped, and the example checks that it
//! is gone. The exit status is non-zero when anything does not match.

use std::convert::Infallible;
use std::io::Read;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use bytes::Bytes;
use tackle_request::body::BodyLimits;
use tackle_request::{Body, Request};

const BOUNDARY: &str = "tackle-upload-rss-7Hq2vX";
const FILE_SIZE: u64 = 1 << 30;
const CHUNK_SIZE: usize = 64 * 1024;
const TITLE: &str = "Quarterly archive";
const NOTE: &str = "line one\r\nline two";

/// The bytes before the file's content: two text fields and the file part's
/// headers.
fn head() -> String {
    format!(
        "--{BOUNDARY}\r\n\
         Content-Disposition: form-data; name=\"title\"\r\n\r\n\
         {TITLE}\r\n\
         --{BOUNDARY}\r\n\
         Content-Disposition: form-data; name=\"note\"\r\n\r\n\
         {NOTE}\r\n\
         --{BOUNDARY}\r\n\
         Content-Disposition: form-data; name=\"upload\"; filename=\"archive.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
}

/// The bytes after the file's content: its delimiter and the close delimiter.
fn tail() -> String {
    format!("\r\n--{BOUNDARY}--\r\n")
}

/// A 64-bit checksum over a byte stream, independent of how the stream is
/// split into chunks, so that the sender's chunks and the reader's buffers
/// need not line up. It mixes a word at a time to keep up with the decoder.
struct Checksum {
    state: u64,
    pending: [u8; 8],
    pending_len: usize,
    len: u64,
}

impl Checksum {
    fn new() -> Self {
        Checksum {
            state: 0x243F_6A88_85A3_08D3,
            pending: [0; 8],
            pending_len: 0,
            len: 0,
        }
    }

    fn mix(&mut self, word: u64) {
        self.state = (self.state.rotate_left(23) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn update(&mut self, mut data: &[u8]) {
        self.len += data.len() as u64;
        if self.pending_len > 0 {
            let take = (8 - self.pending_len).min(data.len());
            self.pending[self.pending_len..self.pending_len + take].copy_from_slice(&data[..take]);
            self.pending_len += take;
            data = &data[take..];
            if self.pending_len < 8 {
                return;
            }
            self.mix(u64::from_le_bytes(self.pending));
            self.pending_len = 0;
        }
        let mut words = data.chunks_exact(8);
        for word in &mut words {
            self.mix(u64::from_le_bytes(word.try_into().expect("8 bytes")));
        }
        let rest = words.remainder();
        self.pending[..rest.len()].copy_from_slice(rest);
        self.pending_len = rest.len();
    }

    fn finish(mut self) -> u64 {
        let mut last = [0; 8];
        last[..self.pending_len].copy_from_slice(&self.pending[..self.pending_len]);
        self.mix(u64::from_le_bytes(last));
        self.mix(self.len);
        self.state
    }
}

/// Produces the body lazily, one chunk per `next()`: the head, then the
/// file's content in 64 KiB chunks, then the tail. The content is
/// pseudo-random (so about one byte in 128 is a CR or an LF), and every
/// chunk carries a delimiter look-alike (`\r\n--` and most of the boundary)
/// that the decoder must not mistake for the end of the part. The checksum
/// of the content is published when the last content chunk is made.
struct UploadBody {
    stage: Stage,
    sent: u64,
    rng: u64,
    checksum: Option<Checksum>,
    published: Arc<OnceLock<u64>>,
}

enum Stage {
    Head,
    Content,
    Tail,
    Done,
}

impl UploadBody {
    fn new(published: Arc<OnceLock<u64>>) -> Self {
        UploadBody {
            stage: Stage::Head,
            sent: 0,
            rng: 0x2545_F491_4F6C_DD1D,
            checksum: Some(Checksum::new()),
            published,
        }
    }

    /// xorshift64*: fast, and not periodic at any length this example uses.
    fn next_word(&mut self) -> u64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn content_chunk(&mut self) -> Bytes {
        let len = usize::try_from((FILE_SIZE - self.sent).min(CHUNK_SIZE as u64))
            .expect("a chunk fits in memory");
        let mut chunk = vec![0; len];
        for word in chunk.chunks_mut(8) {
            let bytes = self.next_word().to_le_bytes();
            word.copy_from_slice(&bytes[..word.len()]);
        }
        let look_alike = format!("\r\n--{}X", &BOUNDARY[..BOUNDARY.len() - 1]);
        let at = 1000 + usize::try_from(self.sent % 4096).expect("small");
        if let Some(window) = chunk.get_mut(at..at + look_alike.len()) {
            window.copy_from_slice(look_alike.as_bytes());
        }
        self.sent += len as u64;
        let checksum = self.checksum.as_mut().expect("content is not finished");
        checksum.update(&chunk);
        if self.sent == FILE_SIZE {
            let checksum = self.checksum.take().expect("content is not finished");
            let _ = self.published.set(checksum.finish());
        }
        Bytes::from(chunk)
    }
}

impl Iterator for UploadBody {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        match self.stage {
            Stage::Head => {
                self.stage = Stage::Content;
                Some(Bytes::from(head()))
            }
            Stage::Content => {
                let chunk = self.content_chunk();
                if self.sent == FILE_SIZE {
                    self.stage = Stage::Tail;
                }
                Some(chunk)
            }
            Stage::Tail => {
                self.stage = Stage::Done;
                Some(Bytes::from(tail()))
            }
            Stage::Done => None,
        }
    }
}

/// The peak resident set size so far, from `/proc/self/status` (Linux).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line["VmHWM:".len()..].trim().to_owned())
}

fn mib_per_s(bytes: u64, seconds: f64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / seconds
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let published = Arc::new(OnceLock::new());
    let generator = UploadBody::new(Arc::clone(&published));
    let body = Body::from_stream(futures_util::stream::iter(
        generator.map(Ok::<_, Infallible>),
    ));
    let content_length = head().len() as u64 + FILE_SIZE + tail().len() as u64;
    let http_request = http::Request::post("/upload")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("content-length", content_length)
        // No limit on the body's length; the file is spooled to the
        // temporary directory past the default 512 KiB threshold.
        .extension(BodyLimits::new().max_content_length(None))
        .body(body)
        .expect("a valid request");
    let mut request = Request::new(http_request);

    println!("uploading {content_length} bytes (a {FILE_SIZE}-byte file) through form()");
    let started = Instant::now();
    let form = match request.form().await {
        Ok(form) => form,
        Err(error) => {
            eprintln!("form() failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let upload_time = started.elapsed().as_secs_f64();
    println!(
        "form():   {upload_time:.2} s, {:.0} MiB/s",
        mib_per_s(content_length, upload_time)
    );

    let mut ok = true;
    let mut check = |what: &str, good: bool| {
        println!("{} {what}", if good { "ok  " } else { "FAIL" });
        ok &= good;
    };
    check(
        "title field",
        form.fields.get("title").map(String::as_str) == Some(TITLE),
    );
    check(
        "note field",
        form.fields.get("note").map(String::as_str) == Some(NOTE),
    );
    let Some(file) = form.files.get("upload") else {
        check("upload file present", false);
        return ExitCode::FAILURE;
    };
    check("file name", file.filename() == Some("archive.bin"));
    check(
        &format!("file size {}", file.size()),
        file.size() == FILE_SIZE,
    );
    check("file spooled to disk", file.is_spooled());
    let spool_path = file.path().map(|p| p.to_path_buf());

    let started = Instant::now();
    let mut read_back = Checksum::new();
    let mut buffer = vec![0; CHUNK_SIZE];
    let mut reader = match file.reader() {
        Ok(reader) => reader,
        Err(error) => {
            eprintln!("could not open the spooled file: {error}");
            return ExitCode::FAILURE;
        }
    };
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => read_back.update(&buffer[..n]),
            Err(error) => {
                eprintln!("could not read the spooled file: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    drop(reader);
    let read_time = started.elapsed().as_secs_f64();
    println!(
        "read back: {read_time:.2} s, {:.0} MiB/s",
        mib_per_s(FILE_SIZE, read_time)
    );
    let sent = published.get().copied();
    let received = read_back.finish();
    println!("checksum sent {sent:016x?}, read back {received:016x}");
    check("checksum", sent == Some(received));

    drop(form);
    if let Some(path) = spool_path {
        check("spooled file deleted on drop", !path.exists());
    }
    if let Some(peak) = peak_rss() {
        println!("peak RSS (VmHWM): {peak}");
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
