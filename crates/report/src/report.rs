//! [`ErrorReport`]: everything known about one failure, captured when it
//! happened and rendered later (text, Markdown, JSON, the debugger's page).

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;

use crate::frames::Frames;

/// What failed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ReportKind {
    /// A panic in a handler or a layer.
    Panic,
    /// The service answered `Err`.
    ServiceError,
    /// The service answered a 5xx response.
    ServerError,
}

impl ReportKind {
    /// `PANIC`, `ERROR` or `5XX`: the word mail subjects and pages use.
    pub fn label(&self) -> &'static str {
        match self {
            ReportKind::Panic => "PANIC",
            ReportKind::ServiceError => "ERROR",
            ReportKind::ServerError => "5XX",
        }
    }
}

/// A report's id: 128 random bits as 32 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportId([u8; 16]);

impl ReportId {
    /// A new random id.
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        // A report id only has to be unique, not secret: on the (never seen)
        // failure of the OS source, fall back to time and a counter.
        if getrandom::fill(&mut bytes).is_err() {
            use std::sync::atomic::{AtomicU64, Ordering};
            static COUNTER: AtomicU64 = AtomicU64::new(0);
            let nanos = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            bytes[..8].copy_from_slice(&nanos.to_le_bytes());
            bytes[8..].copy_from_slice(&COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
        }
        ReportId(bytes)
    }

    /// Reads the 32-hex-digit form.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != 32 {
            return None;
        }
        let mut bytes = [0u8; 16];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(ReportId(bytes))
    }
}

impl fmt::Display for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReportId({self})")
    }
}

/// Where in the source something happened.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Location {
    /// The file, as the compiler names it.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One span that was open where the failure happened, innermost first in a
/// report, with its recorded fields.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SpanRecord {
    /// The span's name.
    pub name: String,
    /// Its target (usually the module path).
    pub target: String,
    /// Its fields, as recorded (`Debug` formatting of each value).
    pub fields: Vec<(String, String)>,
}

/// One log event of the failing request.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EventRecord {
    /// When.
    pub time: SystemTime,
    /// `ERROR`, `WARN`, `INFO`, `DEBUG` or `TRACE`.
    pub level: String,
    /// Its target.
    pub target: String,
    /// Its `message` field.
    pub message: String,
    /// Its other fields.
    pub fields: Vec<(String, String)>,
}

/// The request that failed, as received (scrubbed only when rendered).
#[derive(Clone, Debug, Default)]
pub struct RequestSnapshot {
    /// Its method.
    pub method: String,
    /// Its URI as received.
    pub uri: String,
    /// `HTTP/1.1`, `HTTP/2.0`, ...
    pub version: String,
    /// Every header line, in order.
    pub headers: Vec<(String, String)>,
    /// The route pattern that matched, when a router said.
    pub route: Option<String>,
    /// The client's address, when the server said.
    pub peer: Option<SocketAddr>,
    /// The start of the body, only when body previews are enabled.
    pub body_preview: Option<Bytes>,
}

/// The response that was sent for a 5xx.
#[derive(Clone, Debug, Default)]
pub struct ResponseSnapshot {
    /// Its status code.
    pub status: u16,
    /// Every header line, in order.
    pub headers: Vec<(String, String)>,
}

/// The application a report comes from.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct AppInfo {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// Everything known about one failure.
///
/// Built by the capturing layers ([`CatchPanicLayer`](crate::CatchPanicLayer))
/// or by hand ([`ErrorReport::from_error`], [`ErrorReport::new`]), and
/// rendered by [`render`](crate::render) after the [`Scrubber`](crate::Scrubber)
/// has removed secrets. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ErrorReport {
    /// Its id.
    pub id: ReportId,
    /// What failed.
    pub kind: ReportKind,
    /// The panic message or the error's `Display`.
    pub message: String,
    /// Where (the panic's location).
    pub location: Option<Location>,
    /// The error's `source()` chain, outermost first, after the message.
    pub causes: Vec<String>,
    /// The stack where it happened, resolved only when rendered.
    pub frames: Option<Frames>,
    /// The spans open where it happened, innermost first.
    pub spans: Vec<SpanRecord>,
    /// The failing request's recent log events, oldest first.
    pub events: Vec<EventRecord>,
    /// The request.
    pub request: Option<RequestSnapshot>,
    /// The response, for a 5xx.
    pub response: Option<ResponseSnapshot>,
    /// When.
    pub time: SystemTime,
    /// The machine's host name.
    pub host: String,
    /// The process id.
    pub pid: u32,
    /// The application, when it said.
    pub app: Option<AppInfo>,
    /// Anything else the application wants shown, as (name, value).
    pub extra: Vec<(String, String)>,
    /// The error itself, when there was one: for layers and handlers that
    /// want to downcast it.
    pub error: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl ErrorReport {
    /// A report of `kind` with `message`, stamped now, with nothing else.
    pub fn new(kind: ReportKind, message: impl Into<String>) -> Self {
        ErrorReport {
            id: ReportId::random(),
            kind,
            message: message.into(),
            location: None,
            causes: Vec::new(),
            frames: None,
            spans: Vec::new(),
            events: Vec::new(),
            request: None,
            response: None,
            time: SystemTime::now(),
            host: crate::host::host_name(),
            pid: std::process::id(),
            app: None,
            extra: Vec::new(),
            error: None,
        }
    }

    /// A report of a service error: its `Display`, its `source()` chain, the
    /// stack and spans here (where the error is being reported).
    pub fn from_error<E>(error: E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let mut report = ErrorReport::new(ReportKind::ServiceError, error.to_string());
        let mut source = error.source();
        while let Some(cause) = source {
            report.causes.push(cause.to_string());
            source = cause.source();
        }
        report.frames = Some(Frames::capture());
        report.spans = crate::spans::current_spans();
        report.events = crate::spans::current_events();
        report.error = Some(Arc::new(error));
        report
    }

    /// The same report with the request's snapshot.
    pub fn with_request(mut self, request: RequestSnapshot) -> Self {
        self.request = Some(request);
        self
    }

    /// The same report with the application's name and version.
    pub fn with_app(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.app = Some(AppInfo {
            name: name.into(),
            version: version.into(),
        });
        self
    }

    /// The grouping key: the same bug gives the same fingerprint wherever
    /// and whenever it happens (see [`fingerprint`](crate::fingerprint)).
    pub fn fingerprint(&self) -> String {
        crate::fingerprint::fingerprint(self)
    }
}
