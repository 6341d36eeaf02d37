//! Collecting decoder events into fields and uploaded files.

use std::io::{self, BufWriter, Write};

use bytes::Bytes;
use tackle_http::MultiMap;
use tempfile::NamedTempFile;

use super::buffer::PartBuffer;
use super::{FormError, FormOptions, UploadedFile};
use crate::multipart::{
    self, Event, MultipartDecoder, MultipartError, MultipartLimits, PartHeaders,
};

/// A collected `multipart/form-data` body: its text fields and its uploaded
/// files, each by field name in the order sent.
#[derive(Debug, Default)]
pub struct FormData {
    /// Parts without a filename, as text (invalid UTF-8 replaced by U+FFFD).
    pub fields: MultiMap<String>,
    /// Parts with a filename.
    pub files: MultiMap<UploadedFile>,
}

/// Builds a [`FormData`] from the events of a
/// [`MultipartDecoder`](crate::multipart::MultipartDecoder), one at a time,
/// with no I/O of its own but the spooling of large files.
///
/// A part without a filename becomes a field: its bytes read as UTF-8, an
/// invalid sequence replaced by U+FFFD as Werkzeug does (RFC 7578 §5.1:
/// browsers send the form's charset, UTF-8 today; a field is text, and a
/// bad byte should not make the whole form fail). A part with a filename,
/// even an empty one, becomes an [`UploadedFile`], in memory up to
/// [`FormOptions::spool_threshold`] and the [`FormOptions::memory_budget`],
/// else in a temporary file.
///
/// Spooling is blocking file I/O done inside [`push`](Self::push): an async
/// server calls it on a blocking-friendly path.
///
/// ```
/// use tackle_request::form::{FormCollector, FormOptions};
/// use tackle_request::multipart::{Event, MultipartDecoder, MultipartLimits};
///
/// let mut decoder = MultipartDecoder::new("b", MultipartLimits::default()).unwrap();
/// decoder.feed(b"--b\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nrust\r\n--b--\r\n");
/// decoder.finish();
/// let mut collector = FormCollector::new(FormOptions::default());
/// while let Some(event) = decoder.next_event().unwrap() {
///     collector.push(event).unwrap();
/// }
/// let form = collector.finish();
/// assert_eq!(form.fields.get("q").map(String::as_str), Some("rust"));
/// ```
#[derive(Debug)]
pub struct FormCollector {
    options: FormOptions,
    form: FormData,
    part: Option<OpenPart>,
    /// Bytes of uploaded files kept in memory so far, finished or not.
    files_in_memory: u64,
}

#[derive(Debug)]
enum OpenPart {
    Field {
        name: String,
        value: PartBuffer,
    },
    File {
        name: String,
        part: PartHeaders,
        body: FileBody,
    },
}

#[derive(Debug)]
enum FileBody {
    Memory(PartBuffer),
    Spooled {
        file: BufWriter<NamedTempFile>,
        size: u64,
    },
}

impl FormCollector {
    /// A collector storing uploads as `options` say.
    pub fn new(options: FormOptions) -> Self {
        FormCollector {
            options,
            form: FormData::default(),
            part: None,
            files_in_memory: 0,
        }
    }

    /// Takes the decoder's next event. Fails when a temporary file cannot be
    /// created or written, or when the events are out of order (`Data` or
    /// `PartEnd` outside a part, `PartStart` inside one), which a
    /// [`MultipartDecoder`] never does.
    pub fn push(&mut self, event: Event) -> io::Result<()> {
        match event {
            Event::PartStart(part) => self.start(part),
            Event::Data(data) => self.data(data),
            Event::PartEnd => self.end(),
            Event::End => match self.part {
                None => Ok(()),
                Some(_) => Err(out_of_order("End inside a part")),
            },
        }
    }

    /// The form collected: every part ended so far (a part still open, as
    /// when the body was cut short, is dropped).
    pub fn finish(self) -> FormData {
        self.form
    }

    fn start(&mut self, part: PartHeaders) -> io::Result<()> {
        if self.part.is_some() {
            return Err(out_of_order("PartStart inside a part"));
        }
        let name = part.name().to_owned();
        self.part = Some(if part.is_file() {
            OpenPart::File {
                name,
                part,
                body: FileBody::Memory(PartBuffer::default()),
            }
        } else {
            OpenPart::Field {
                name,
                value: PartBuffer::default(),
            }
        });
        Ok(())
    }

    fn data(&mut self, data: Bytes) -> io::Result<()> {
        match &mut self.part {
            None => Err(out_of_order("Data outside a part")),
            Some(OpenPart::Field { value, .. }) => {
                value.push(data);
                Ok(())
            }
            Some(OpenPart::File { body, .. }) => match body {
                FileBody::Memory(buffer) => {
                    let len = data.len() as u64;
                    let size = (buffer.len() as u64).saturating_add(len);
                    let total = self.files_in_memory.saturating_add(len);
                    if size <= self.options.spool_threshold && total <= self.options.memory_budget {
                        self.files_in_memory = total;
                        buffer.push(data);
                        return Ok(());
                    }
                    let held = std::mem::take(buffer);
                    self.files_in_memory = self.files_in_memory.saturating_sub(held.len() as u64);
                    let mut file = BufWriter::new(temp_file(&self.options)?);
                    file.write_all(&held.into_bytes())?;
                    file.write_all(&data)?;
                    *body = FileBody::Spooled { file, size };
                    Ok(())
                }
                FileBody::Spooled { file, size } => {
                    file.write_all(&data)?;
                    *size = size.saturating_add(data.len() as u64);
                    Ok(())
                }
            },
        }
    }

    fn end(&mut self) -> io::Result<()> {
        match self.part.take() {
            None => Err(out_of_order("PartEnd outside a part")),
            Some(OpenPart::Field { name, value }) => {
                let value = value.into_bytes();
                let text = match std::str::from_utf8(&value) {
                    Ok(text) => text.to_owned(),
                    Err(_) => String::from_utf8_lossy(&value).into_owned(),
                };
                self.form.fields.append(name, text);
                Ok(())
            }
            Some(OpenPart::File { name, part, body }) => {
                let file = match body {
                    // A copy, so a small file does not keep alive the whole
                    // body chunk it was cut from (which would escape
                    // `memory_budget`).
                    FileBody::Memory(buffer) => {
                        UploadedFile::in_memory(part, Bytes::copy_from_slice(&buffer.into_bytes()))
                    }
                    FileBody::Spooled { file, size } => {
                        let file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
                        UploadedFile::spooled(part, size, file)
                    }
                };
                self.form.files.append(name, file);
                Ok(())
            }
        }
    }
}

fn temp_file(options: &FormOptions) -> io::Result<NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("tackle-upload-");
    match &options.spool_dir {
        Some(dir) => builder.tempfile_in(dir),
        None => builder.tempfile(),
    }
}

fn out_of_order(what: &'static str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("multipart events out of order: {what}"),
    )
}

/// Decodes a whole `multipart/form-data` body held in memory and collects
/// it: the boundary comes from `content_type`, `limits` bound the decoder
/// and `options` say where uploads go. For tests and small bodies; a server
/// streaming a request feeds a [`MultipartDecoder`] and a [`FormCollector`]
/// chunk by chunk instead. Spooling is blocking file I/O.
///
/// ```
/// use tackle_request::form::{collect_form, FormOptions};
/// use tackle_request::multipart::MultipartLimits;
///
/// let body = b"--b\r\n\
///     Content-Disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\n\
///     Content-Type: text/plain\r\n\r\n\
///     hello\r\n--b--\r\n";
/// let form = collect_form(
///     body,
///     "multipart/form-data; boundary=b",
///     MultipartLimits::default(),
///     FormOptions::default(),
/// )
/// .unwrap();
/// let doc = form.files.get("doc").unwrap();
/// assert_eq!(doc.filename(), Some("a.txt"));
/// assert_eq!(doc.bytes().unwrap(), "hello");
/// ```
pub fn collect_form(
    body: &[u8],
    content_type: &str,
    limits: MultipartLimits,
    options: FormOptions,
) -> Result<FormData, FormError> {
    let boundary = multipart::boundary(content_type)?;
    let mut decoder = MultipartDecoder::new(&boundary, limits)?;
    decoder.feed(body);
    decoder.finish();
    let mut collector = FormCollector::new(options);
    loop {
        match decoder.next_event()? {
            Some(Event::End) => return Ok(collector.finish()),
            Some(event) => collector.push(event)?,
            // The decoder reports a body without its final boundary as an
            // error once finished; this only guards that promise.
            None => {
                return Err(MultipartError::incomplete(
                    "multipart body ended without the final boundary",
                )
                .into());
            }
        }
    }
}
