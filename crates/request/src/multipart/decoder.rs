//! The multipart state machine: body bytes in, [`Event`]s out.

use bytes::{Buf, Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue};
use memchr::memmem::Finder;

use super::{MultipartError, MultipartLimits, PartHeaders, validate_boundary};

/// The most spaces and tabs ("transport padding", RFC 2046 §5.1.1) read
/// between a boundary and its line break. A longer run means the line is
/// not a delimiter but part data; the bound keeps the look-ahead small.
const MAX_TRANSPORT_PADDING: usize = 64;

/// What the decoder has found in the body, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A part begins; its headers.
    PartStart(PartHeaders),
    /// Body bytes of the current part: a part's body is the concatenation of
    /// its `Data` events, possibly none, possibly many.
    Data(Bytes),
    /// The current part's body is complete.
    PartEnd,
    /// The final boundary was read and the body is over. Nothing follows.
    End,
}

/// The line break a body uses, fixed by the line that ends its first
/// boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineBreak {
    CrLf,
    Lf,
    Cr,
}

impl LineBreak {
    fn as_bytes(self) -> &'static [u8] {
        match self {
            LineBreak::CrLf => b"\r\n",
            LineBreak::Lf => b"\n",
            LineBreak::Cr => b"\r",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the first boundary.
    Preamble,
    /// Reading the header block of a part.
    Headers,
    /// Reading the body of a part.
    Data,
    /// After the final boundary, until `finish`.
    Epilogue,
    /// `End` or an error was returned.
    Done,
}

/// What follows a boundary candidate.
enum Tail {
    /// Too few bytes to tell.
    NeedMore,
    /// Not a delimiter: the bytes are data (or preamble).
    NotDelimiter,
    /// A delimiter opening another part; its line is this many bytes past
    /// the boundary and ends with this line break.
    Open(usize, LineBreak),
    /// The close delimiter (`--boundary--`); two bytes past the boundary.
    Close,
}

/// One step of the state machine.
enum Step {
    Event(Event),
    NeedMore,
    Again,
}

/// A sans-IO `multipart/form-data` decoder (RFC 7578, RFC 2046 §5.1).
///
/// Feed it body bytes with [`feed`](Self::feed) in chunks of any size, call
/// [`finish`](Self::finish) when the body is over, and pull
/// [`Event`]s with [`next_event`](Self::next_event) until [`Event::End`].
/// It holds at most one chunk plus a boundary's length of part data (part
/// headers up to `max_part_header_bytes`), and examines each byte a bounded
/// number of times, however the body is split. See the
/// [module docs](super) for what it accepts.
#[derive(Debug)]
pub struct MultipartDecoder {
    limits: MultipartLimits,
    /// Finds `--boundary`, the start of the first delimiter.
    dash_boundary: Finder<'static>,
    /// Finds line break + `--boundary`, every later delimiter; set once the
    /// first boundary line tells which line break the body uses.
    delimiter: Option<(LineBreak, Finder<'static>)>,
    state: State,
    buf: BytesMut,
    /// Bytes of `buf` before this offset cannot start a delimiter.
    scan: usize,
    finished: bool,
    error: Option<MultipartError>,
    /// Preamble bytes already dropped, and whether the last one ended a line.
    preamble_dropped: u64,
    after_line_break: bool,
    /// The header block being read: its length so far and its fields.
    header_bytes: u64,
    header_fields: Vec<(HeaderName, Vec<u8>)>,
    parts: u64,
    /// The field name of the current part when it is not a file, for the
    /// `max_field_bytes` limit, and the bytes of its body so far.
    field: Option<String>,
    part_bytes: u64,
    epilogue_bytes: u64,
    epilogue_line_break_read: bool,
}

impl MultipartDecoder {
    /// A decoder for a body whose `Content-Type` has this boundary (without
    /// the leading `--`; see [`boundary`](super::boundary)). Fails when the
    /// boundary breaks RFC 2046 (see [`validate_boundary`]).
    pub fn new(boundary: &str, limits: MultipartLimits) -> Result<Self, MultipartError> {
        validate_boundary(boundary)?;
        let dash_boundary = [b"--", boundary.as_bytes()].concat();
        Ok(MultipartDecoder {
            limits,
            dash_boundary: Finder::new(&dash_boundary).into_owned(),
            delimiter: None,
            state: State::Preamble,
            buf: BytesMut::new(),
            scan: 0,
            finished: false,
            error: None,
            preamble_dropped: 0,
            after_line_break: true,
            header_bytes: 0,
            header_fields: Vec::new(),
            parts: 0,
            field: None,
            part_bytes: 0,
            epilogue_bytes: 0,
            epilogue_line_break_read: false,
        })
    }

    /// Adds the next bytes of the body. Bytes fed after [`finish`](Self::finish),
    /// after [`Event::End`] or after an error are ignored.
    pub fn feed(&mut self, chunk: &[u8]) {
        if !self.finished && self.state != State::Done {
            self.buf.extend_from_slice(chunk);
        }
    }

    /// Says the body is over: no more bytes will be fed.
    pub fn finish(&mut self) {
        self.finished = true;
    }

    /// The next event, or `Ok(None)` when the decoder needs more bytes (or
    /// has returned [`Event::End`]). Once it returns an error it returns the
    /// same error again.
    ///
    /// [`Event::End`] comes only after [`finish`](Self::finish), so that the
    /// epilogue is checked against its limit; a body ending without the
    /// final boundary is an error.
    pub fn next_event(&mut self) -> Result<Option<Event>, MultipartError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        loop {
            let step = match self.state {
                State::Preamble => self.preamble(),
                State::Headers => self.headers(),
                State::Data => self.data(),
                State::Epilogue => self.epilogue(),
                State::Done => Ok(Step::NeedMore),
            };
            match step {
                Ok(Step::Again) => continue,
                Ok(Step::NeedMore) => return Ok(None),
                Ok(Step::Event(event)) => {
                    if matches!(event, Event::End) {
                        self.state = State::Done;
                    }
                    return Ok(Some(event));
                }
                Err(error) => {
                    self.error = Some(error.clone());
                    self.state = State::Done;
                    self.buf = BytesMut::new();
                    return Err(error);
                }
            }
        }
    }

    /// Looks for the first boundary: `--boundary` at the start of the body
    /// or of a line, followed by `--` or by padding and a line break.
    fn preamble(&mut self) -> Result<Step, MultipartError> {
        let len = self.dash_boundary.needle().len();
        loop {
            let Some(found) = self.dash_boundary.find(&self.buf[self.scan..]) else {
                // Keep what could be the start of a boundary cut by the chunk.
                let keep = (len - 1).min(self.buf.len());
                self.drop_preamble(self.buf.len() - keep)?;
                if self.finished {
                    return Err(MultipartError::incomplete(
                        "multipart body ended before the first boundary",
                    ));
                }
                return Ok(Step::NeedMore);
            };
            let at = self.scan + found;
            let starts_line = match at.checked_sub(1) {
                None => self.after_line_break,
                Some(before) => matches!(self.buf.get(before), Some(b'\r' | b'\n')),
            };
            let tail = if starts_line {
                delimiter_tail(&self.buf[at + len..], None, self.finished)
            } else {
                Tail::NotDelimiter
            };
            match tail {
                Tail::NotDelimiter => self.scan = at + 1,
                Tail::NeedMore => {
                    self.drop_preamble(at)?;
                    return Ok(Step::NeedMore);
                }
                Tail::Close => {
                    self.drop_preamble(at)?;
                    self.buf.advance(len + 2);
                    self.state = State::Epilogue;
                    return Ok(Step::Again);
                }
                Tail::Open(line, line_break) => {
                    self.drop_preamble(at)?;
                    self.buf.advance(len + line);
                    let needle = [line_break.as_bytes(), self.dash_boundary.needle()].concat();
                    self.delimiter = Some((line_break, Finder::new(&needle).into_owned()));
                    self.start_headers();
                    return Ok(Step::Again);
                }
            }
        }
    }

    fn drop_preamble(&mut self, count: usize) -> Result<(), MultipartError> {
        if count > 0 {
            self.after_line_break = matches!(self.buf.get(count - 1), Some(b'\r' | b'\n'));
            self.buf.advance(count);
            self.preamble_dropped = self.preamble_dropped.saturating_add(count as u64);
        }
        self.scan = 0;
        let limit = self.limits.max_preamble_bytes;
        if self.preamble_dropped > limit {
            return Err(MultipartError::too_large(
                "multipart preamble is",
                "max_preamble_bytes",
                limit,
                "bytes",
            ));
        }
        Ok(())
    }

    fn start_headers(&mut self) {
        self.state = State::Headers;
        self.scan = 0;
        self.header_bytes = 0;
        self.header_fields.clear();
    }

    fn line_break(&self) -> LineBreak {
        self.delimiter
            .as_ref()
            .map_or(LineBreak::CrLf, |(lb, _)| *lb)
    }

    /// Reads header lines until the blank line, one line at a time, so no
    /// byte is looked at twice however the block is split.
    fn headers(&mut self) -> Result<Step, MultipartError> {
        let cr_only = self.line_break() == LineBreak::Cr;
        loop {
            let Some(found) = memchr::memchr2(b'\r', b'\n', &self.buf[self.scan..]) else {
                self.scan = self.buf.len();
                return self.await_header_bytes();
            };
            let at = self.scan + found;
            let break_len = match (self.buf.get(at), self.buf.get(at + 1)) {
                (Some(b'\n'), _) => 1,
                (_, Some(b'\n')) => 2,
                (_, Some(_)) if cr_only => 1,
                (_, Some(_)) => {
                    // Fed in pieces, the bytes up to this CR would already
                    // have been held against the limit: check it first so
                    // the error does not depend on how the body was split.
                    self.header_bytes = self.header_bytes.saturating_add(at as u64 + 1);
                    self.check_header_bytes()?;
                    return Err(MultipartError::invalid(
                        "multipart part headers hold a CR that does not end a line",
                    ));
                }
                (_, None) => {
                    self.scan = at;
                    return self.await_header_bytes();
                }
            };
            let line_len = at + break_len;
            self.header_bytes = self.header_bytes.saturating_add(line_len as u64);
            self.check_header_bytes()?;
            let line = self.buf.split_to(line_len);
            self.scan = 0;
            let Some(line) = line.get(..at) else {
                return Err(MultipartError::invalid(
                    "multipart part header line is malformed",
                ));
            };
            if line.is_empty() {
                return self.start_part();
            }
            self.header_line(line)?;
        }
    }

    /// No complete line is buffered: every buffered byte belongs to the
    /// header block, so the limit can be checked before the line ends.
    fn await_header_bytes(&mut self) -> Result<Step, MultipartError> {
        let pending = self.header_bytes.saturating_add(self.buf.len() as u64);
        if pending > self.limits.max_part_header_bytes {
            self.header_bytes = pending;
            self.check_header_bytes()?;
        }
        if self.finished {
            return Err(MultipartError::incomplete(
                "multipart body ended without the final boundary",
            ));
        }
        Ok(Step::NeedMore)
    }

    fn check_header_bytes(&self) -> Result<(), MultipartError> {
        let limit = self.limits.max_part_header_bytes;
        if self.header_bytes > limit {
            return Err(MultipartError::too_large(
                "multipart part headers are",
                "max_part_header_bytes",
                limit,
                "bytes",
            ));
        }
        Ok(())
    }

    fn header_line(&mut self, line: &[u8]) -> Result<(), MultipartError> {
        if matches!(line.first(), Some(b' ' | b'\t')) {
            // obs-fold (RFC 9112 §5.2): the line continues the last field.
            let Some((_, value)) = self.header_fields.last_mut() else {
                return Err(MultipartError::invalid(
                    "multipart part headers start with a continuation line",
                ));
            };
            value.push(b' ');
            value.extend_from_slice(line.trim_ascii());
            return Ok(());
        }
        let Some(colon) = memchr::memchr(b':', line) else {
            return Err(MultipartError::invalid(
                "multipart part header line has no colon",
            ));
        };
        let (name, value) = line.split_at(colon);
        let name = HeaderName::from_bytes(name)
            .map_err(|_| MultipartError::invalid("multipart part header name is not a token"))?;
        let limit = self.limits.max_part_header_count;
        if self.header_fields.len() as u64 >= limit {
            return Err(MultipartError::too_large(
                "multipart part headers are",
                "max_part_header_count",
                limit,
                "fields",
            ));
        }
        let value = value.get(1..).unwrap_or_default().trim_ascii();
        self.header_fields.push((name, value.to_vec()));
        Ok(())
    }

    fn start_part(&mut self) -> Result<Step, MultipartError> {
        let limit = self.limits.max_form_parts;
        if self.parts >= limit {
            return Err(MultipartError::too_large(
                "multipart form is",
                "max_form_parts",
                limit,
                "parts",
            ));
        }
        let mut headers = HeaderMap::with_capacity(self.header_fields.len());
        for (name, value) in self.header_fields.drain(..) {
            let value = HeaderValue::from_bytes(&value).map_err(|_| {
                MultipartError::invalid("multipart part header value holds a control character")
            })?;
            headers.append(name, value);
        }
        let part = PartHeaders::from_headers(headers)?;
        self.parts += 1;
        self.field = (!part.is_file()).then(|| part.name().to_owned());
        self.part_bytes = 0;
        self.state = State::Data;
        self.scan = 0;
        Ok(Step::Event(Event::PartStart(part)))
    }

    /// Hands out part data up to the next delimiter, holding back only a
    /// tail that could be the start of one.
    fn data(&mut self) -> Result<Step, MultipartError> {
        loop {
            let Some((line_break, finder)) = &self.delimiter else {
                return Err(MultipartError::invalid(
                    "multipart decoder lost its delimiter",
                ));
            };
            let (line_break, needle_len) = (*line_break, finder.needle().len());
            let Some(found) = finder.find(&self.buf[self.scan..]) else {
                if self.finished {
                    return Err(MultipartError::incomplete(
                        "multipart body ended without the final boundary",
                    ));
                }
                let safe = self.safe_data_len(needle_len);
                self.scan = 0;
                return if safe > 0 {
                    self.emit(safe)
                } else {
                    Ok(Step::NeedMore)
                };
            };
            let at = self.scan + found;
            let tail = self.buf.get(at + needle_len..).unwrap_or_default();
            match delimiter_tail(tail, Some(line_break), self.finished) {
                Tail::NotDelimiter => {
                    self.scan = at + 1;
                    continue;
                }
                _ if at > 0 => {
                    self.scan = 0;
                    return self.emit(at);
                }
                Tail::NeedMore => return Ok(Step::NeedMore),
                Tail::Close => {
                    self.buf.advance(needle_len + 2);
                    self.state = State::Epilogue;
                    return Ok(Step::Event(Event::PartEnd));
                }
                Tail::Open(line, _) => {
                    self.buf.advance(needle_len + line);
                    self.start_headers();
                    return Ok(Step::Event(Event::PartEnd));
                }
            }
        }
    }

    /// How many buffered bytes cannot begin a delimiter, given that no whole
    /// delimiter is buffered: all but a tail that is a prefix of one.
    fn safe_data_len(&self, needle_len: usize) -> usize {
        let Some((_, finder)) = &self.delimiter else {
            return 0;
        };
        let needle = finder.needle();
        let from = self.scan.max(self.buf.len().saturating_sub(needle_len - 1));
        let Some(first) = needle.first() else {
            return self.buf.len();
        };
        // The needle starts with a line break and the boundary holds none,
        // so a prefix match other than the right one fails within two bytes.
        for candidate in memchr::memchr_iter(*first, &self.buf[from..]) {
            let start = from + candidate;
            if needle.starts_with(&self.buf[start..]) {
                return start;
            }
        }
        self.buf.len()
    }

    fn emit(&mut self, len: usize) -> Result<Step, MultipartError> {
        self.part_bytes = self.part_bytes.saturating_add(len as u64);
        if let Some(name) = &self.field {
            let limit = self.limits.max_field_bytes;
            if self.part_bytes > limit {
                return Err(MultipartError::too_large(
                    format!("multipart form field {name:?} is"),
                    "max_form_memory_size",
                    limit,
                    "bytes",
                ));
            }
        }
        Ok(Step::Event(Event::Data(self.buf.split_to(len).freeze())))
    }

    /// Drops what follows the final boundary, up to `max_epilogue_bytes`
    /// after its line break, and ends at `finish`.
    fn epilogue(&mut self) -> Result<Step, MultipartError> {
        if !self.epilogue_line_break_read {
            if self.buf.len() < 2 && !self.finished {
                return Ok(Step::NeedMore);
            }
            let line_break = if self.buf.starts_with(b"\r\n") {
                2
            } else {
                usize::from(matches!(self.buf.first(), Some(b'\r' | b'\n')))
            };
            self.buf.advance(line_break);
            self.epilogue_line_break_read = true;
        }
        self.epilogue_bytes = self.epilogue_bytes.saturating_add(self.buf.len() as u64);
        self.buf.clear();
        let limit = self.limits.max_epilogue_bytes;
        if self.epilogue_bytes > limit {
            return Err(MultipartError::too_large(
                "multipart epilogue is",
                "max_epilogue_bytes",
                limit,
                "bytes",
            ));
        }
        if self.finished {
            Ok(Step::Event(Event::End))
        } else {
            Ok(Step::NeedMore)
        }
    }
}

/// Reads what follows a boundary: `--` closes the body; otherwise up to
/// [`MAX_TRANSPORT_PADDING`] spaces and tabs and then the line break (the
/// body's, or for the first boundary any of CRLF, LF, CR) open a part.
fn delimiter_tail(rest: &[u8], line_break: Option<LineBreak>, finished: bool) -> Tail {
    let need_more = if finished {
        Tail::NotDelimiter
    } else {
        Tail::NeedMore
    };
    if rest.starts_with(b"--") {
        return Tail::Close;
    }
    if rest == b"-" {
        return need_more;
    }
    let padding = rest
        .iter()
        .take(MAX_TRANSPORT_PADDING + 1)
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    if padding > MAX_TRANSPORT_PADDING {
        return Tail::NotDelimiter;
    }
    let after = rest.get(padding..).unwrap_or_default();
    match (line_break, after) {
        (_, []) => need_more,
        (Some(LineBreak::CrLf) | None, [b'\r', b'\n', ..]) => {
            Tail::Open(padding + 2, LineBreak::CrLf)
        }
        (Some(LineBreak::CrLf) | None, [b'\r']) if !finished => Tail::NeedMore,
        (Some(LineBreak::Lf) | None, [b'\n', ..]) => Tail::Open(padding + 1, LineBreak::Lf),
        (Some(LineBreak::Cr) | None, [b'\r', ..]) => Tail::Open(padding + 1, LineBreak::Cr),
        _ => Tail::NotDelimiter,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parts as `name=data` joined by `|`, or the error message.
    fn summary(body: &[u8], chunk: usize) -> String {
        let mut decoder = MultipartDecoder::new("b", MultipartLimits::default()).unwrap();
        let mut out: Vec<String> = Vec::new();
        let mut chunks = body.chunks(chunk.max(1));
        loop {
            match decoder.next_event() {
                Err(e) => return e.to_string(),
                Ok(Some(Event::PartStart(p))) => {
                    let file = p.filename().map(|f| format!("[{f}]")).unwrap_or_default();
                    out.push(format!("{}{file}=", p.name()));
                }
                Ok(Some(Event::Data(d))) => {
                    out.last_mut()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&d));
                }
                Ok(Some(Event::PartEnd)) => {}
                Ok(Some(Event::End)) => return out.join("|"),
                Ok(None) => match chunks.next() {
                    Some(c) => decoder.feed(c),
                    None => decoder.finish(),
                },
            }
        }
    }

    const NO_FINAL: &str = "multipart body ended without the final boundary";
    const NO_FIRST: &str = "multipart body ended before the first boundary";

    #[test]
    fn bodies() {
        let cases: &[(&str, &str)] = &[
            // Line breaks: CRLF, LF-only, CR-only; the first boundary decides.
            (
                "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--\r\n",
                "a=x",
            ),
            (
                "--b\nContent-Disposition: form-data; name=a\n\nx\n--b--\n",
                "a=x",
            ),
            (
                "--b\rContent-Disposition: form-data; name=a\r\rx\r--b--\r",
                "a=x",
            ),
            (
                "--b\nContent-Disposition: form-data; name=a\n\nx\r\n--b--",
                "a=x\r",
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=a\n\nx\r\n--b--",
                "a=x",
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\n--b--\r\n",
                NO_FINAL,
            ),
            // Several parts, empty bodies, no trailing line break.
            (
                "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b\r\nContent-Disposition: form-data; name=b; filename=f.txt\r\n\r\n\r\n--b--",
                "a=1|b[f.txt]=",
            ),
            ("--b--", ""),
            ("--b--\r\n", ""),
            ("--b--\r\nepilogue\r\n--b\r\n", ""),
            // Preamble, bounded; the boundary must start a line.
            (
                "\r\n\r\n--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--",
                "a=x",
            ),
            (
                "preamble\r\n--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--",
                "a=x",
            ),
            ("x--b\r\n", NO_FIRST),
            ("", NO_FIRST),
            ("--b", NO_FIRST),
            ("--bX\r\n--b--", ""),
            // Transport padding after the boundary.
            (
                "--b \t\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b  \r\n\r\n",
                "multipart part has no Content-Disposition header",
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b \r\nContent-Disposition: form-data; name=c\r\n\r\ny\r\n--b--",
                "a=x|c=y",
            ),
            // Look-alikes are data.
            (
                "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n--b\r\n--bX\r\n--b -\r\n\n--b\r\n--b--",
                "a=--b\r\n--bX\r\n--b -\r\n\n--b",
            ),
            // Headers: case, obs-fold, unquoted names, filename*, IE paths.
            (
                "--b\r\ncontent-disposition: form-data;\r\n name=\"a\"\r\n\r\nx\r\n--b--",
                "a=x",
            ),
            (
                "--b\r\nCONTENT-DISPOSITION: form-data; name=a; filename=\"C:\\x\\y.txt\"\r\n\r\n\r\n--b--",
                "a[y.txt]=",
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=a; filename=\"e.txt\"; filename*=UTF-8''%E2%82%AC.txt\r\n\r\n\r\n--b--",
                "a[€.txt]=",
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=a; filename=\"ü.txt\"\r\n\r\n\r\n--b--",
                "a[ü.txt]=",
            ),
            // Strict refusals.
            (
                "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx",
                NO_FINAL,
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b",
                NO_FINAL,
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=a\r\n",
                NO_FINAL,
            ),
            (
                "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
                "multipart part has no Content-Disposition header",
            ),
            (
                "--b\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b--",
                "multipart part's Content-Disposition is not form-data",
            ),
            (
                "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
                "multipart part's Content-Disposition has no name",
            ),
            (
                "--b\r\nContent-Disposition form-data\r\n\r\n",
                "multipart part header line has no colon",
            ),
            (
                "--b\r\nContent Disposition: form-data\r\n\r\n",
                "multipart part header name is not a token",
            ),
            (
                "--b\r\n: form-data\r\n\r\n",
                "multipart part header name is not a token",
            ),
            (
                "--b\r\n name=a\r\n\r\n",
                "multipart part headers start with a continuation line",
            ),
            (
                "--b\r\nContent-Disposition: form-data; n\rame=a\r\n\r\n",
                "multipart part headers hold a CR that does not end a line",
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=a\r\nX: \x01\r\n\r\n",
                "multipart part header value holds a control character",
            ),
        ];
        for (body, expected) in cases {
            for chunk in [usize::MAX, 1, 2, 3] {
                assert_eq!(
                    summary(body.as_bytes(), chunk),
                    *expected,
                    "{body:?} in chunks of {chunk}"
                );
            }
        }
    }

    #[test]
    fn data_is_handed_out_before_the_part_ends() {
        let mut d = MultipartDecoder::new("b", MultipartLimits::default()).unwrap();
        d.feed(b"--b\r\nContent-Disposition: form-data; name=f; filename=x\r\n\r\nhello\r\n--");
        assert!(matches!(d.next_event(), Ok(Some(Event::PartStart(_)))));
        assert_eq!(
            d.next_event(),
            Ok(Some(Event::Data(Bytes::from_static(b"hello"))))
        );
        assert_eq!(d.next_event(), Ok(None), "\\r\\n-- may begin a delimiter");
        d.feed(b"x");
        assert_eq!(
            d.next_event(),
            Ok(Some(Event::Data(Bytes::from_static(b"\r\n--x"))))
        );
        d.feed(b"yz\r");
        assert_eq!(
            d.next_event(),
            Ok(Some(Event::Data(Bytes::from_static(b"yz"))))
        );
        assert_eq!(d.next_event(), Ok(None));
        d.feed(b"\n--b--");
        assert_eq!(d.next_event(), Ok(Some(Event::PartEnd)));
        assert_eq!(d.next_event(), Ok(None), "End waits for finish");
        d.finish();
        assert_eq!(d.next_event(), Ok(Some(Event::End)));
        assert_eq!(d.next_event(), Ok(None));
    }

    #[test]
    fn errors_repeat_and_later_bytes_are_ignored() {
        let mut d = MultipartDecoder::new("b", MultipartLimits::default()).unwrap();
        d.feed(b"--b\r\nbad\r\n");
        let e = d.next_event().unwrap_err();
        d.feed(b"\r\n--b--");
        assert_eq!(d.next_event(), Err(e));
    }

    #[test]
    fn boundaries_are_validated() {
        assert!(
            MultipartDecoder::new("", MultipartLimits::default())
                .unwrap_err()
                .is_boundary()
        );
        assert!(MultipartDecoder::new("a\r\n", MultipartLimits::default()).is_err());
        assert!(MultipartDecoder::new(&"a".repeat(70), MultipartLimits::default()).is_ok());
    }
}
