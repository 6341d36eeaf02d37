//! The limits body readers enforce, so that no client can make a handler
//! buffer or parse more than it allows.

use crate::form::{DEFAULT_MEMORY_BUDGET, DEFAULT_SPOOL_THRESHOLD, FormOptions};
use crate::http_error::HttpError;
use crate::multipart::{
    DEFAULT_MAX_EPILOGUE_BYTES, DEFAULT_MAX_FIELD_BYTES, DEFAULT_MAX_FORM_PARTS,
    DEFAULT_MAX_PART_HEADER_BYTES, DEFAULT_MAX_PART_HEADER_COUNT, DEFAULT_MAX_PREAMBLE_BYTES,
    MultipartLimits,
};

/// Default for [`BodyLimits::max_buffered_bytes`]: 2 MiB.
pub const DEFAULT_MAX_BUFFERED_BYTES: u64 = 2 * 1024 * 1024;

/// Limits on reading a request body, set with builder methods. The body
/// readers of [`Request`](crate::Request) take them from the request's
/// extensions (a layer or the application inserts them), else use the
/// defaults.
///
/// | limit | default | breached when |
/// |---|---|---|
/// | `max_content_length` | none | the body, read by any method, is longer |
/// | `max_buffered_bytes` | 2 097 152 (2 MiB) | a body read whole by `bytes()`, `text()` or `json()` is longer |
/// | `max_form_memory_size` | 500 000 | an urlencoded form body, or one multipart form field, is longer |
/// | `max_form_parts` | 1000 | an urlencoded form has more pairs, or a multipart form more parts |
/// | `multipart_limits` | [`MultipartLimits::default`] | the other multipart limits (part headers, preamble, epilogue) |
/// | `form_options` | [`FormOptions::default`] | where `form()` keeps uploaded files: memory up to 512 KiB each, 8 MiB in all, then temporary files |
///
/// A body exactly at a limit is accepted; one byte more is `413 Payload Too
/// Large` naming the limit that binds (the smaller one when two apply):
/// `request body is over max_content_length (1048576 bytes)`.
///
/// `max_content_length` has no default, as in Werkzeug: a body read by
/// `form()` or streamed by `multipart()` has its files spooled to disk and
/// is bounded only by it, so set it (or limit the body in the server) when
/// uploads are accepted. Cloning is cheap unless a spool directory is set.
///
/// ```
/// use tackle_request::body::BodyLimits;
///
/// let limits = BodyLimits::new().max_content_length(16 * 1024 * 1024).max_form_parts(100);
/// let request = http::Request::builder().extension(limits).body(()).unwrap();
/// # let _ = request;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyLimits {
    pub(crate) max_content_length: Option<u64>,
    pub(crate) max_buffered_bytes: u64,
    /// Holds `max_form_memory_size` (its `max_field_bytes`) and
    /// `max_form_parts`, which urlencoded forms obey too, so that the two
    /// kinds of form cannot drift apart.
    pub(crate) multipart: MultipartLimits,
    pub(crate) form: FormOptions,
}

impl BodyLimits {
    /// The defaults, for requests without limits in their extensions.
    pub(crate) const DEFAULT: &BodyLimits = &BodyLimits {
        max_content_length: None,
        max_buffered_bytes: DEFAULT_MAX_BUFFERED_BYTES,
        multipart: MultipartLimits {
            max_form_parts: DEFAULT_MAX_FORM_PARTS,
            max_part_header_count: DEFAULT_MAX_PART_HEADER_COUNT,
            max_part_header_bytes: DEFAULT_MAX_PART_HEADER_BYTES,
            max_preamble_bytes: DEFAULT_MAX_PREAMBLE_BYTES,
            max_epilogue_bytes: DEFAULT_MAX_EPILOGUE_BYTES,
            max_field_bytes: DEFAULT_MAX_FIELD_BYTES,
        },
        form: FormOptions {
            spool_threshold: DEFAULT_SPOOL_THRESHOLD,
            memory_budget: DEFAULT_MEMORY_BUDGET,
            spool_dir: None,
        },
    };

    /// The defaults: see the table on [`BodyLimits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the most bytes of body any reader accepts; `None` (the default)
    /// sets no limit beyond the others.
    pub fn max_content_length(mut self, bytes: impl Into<Option<u64>>) -> Self {
        self.max_content_length = bytes.into();
        self
    }

    /// Sets the most bytes `bytes()`, `text()` and `json()` hold in memory
    /// (default 2 MiB).
    pub fn max_buffered_bytes(mut self, bytes: u64) -> Self {
        self.max_buffered_bytes = bytes;
        self
    }

    /// Sets the most bytes of an urlencoded form body and of one multipart
    /// form field (default 500 000, Werkzeug's `max_form_memory_size`). It
    /// is the multipart limits' `max_field_bytes`.
    pub fn max_form_memory_size(mut self, bytes: u64) -> Self {
        self.multipart.max_field_bytes = bytes;
        self
    }

    /// Sets the most pairs of an urlencoded form and parts of a multipart
    /// one (default 1000, Werkzeug's `max_form_parts`). It is the multipart
    /// limits' `max_form_parts`.
    pub fn max_form_parts(mut self, parts: u64) -> Self {
        self.multipart.max_form_parts = parts;
        self
    }

    /// Replaces the multipart limits, `max_form_memory_size` and
    /// `max_form_parts` included (they are its `max_field_bytes` and
    /// `max_form_parts`).
    pub fn multipart_limits(mut self, limits: MultipartLimits) -> Self {
        self.multipart = limits;
        self
    }

    /// Sets where `form()` keeps uploaded files.
    pub fn form_options(mut self, options: FormOptions) -> Self {
        self.form = options;
        self
    }

    /// The limit on a body read whole into memory: the smaller of
    /// `max_content_length` and `max_buffered_bytes`.
    pub(crate) fn buffered(&self) -> Option<Limit> {
        let buffered = Limit::body("max_buffered_bytes", self.max_buffered_bytes);
        tightest(self.content_length(), Some(buffered))
    }

    /// The limit on an urlencoded form body.
    pub(crate) fn urlencoded(&self) -> Option<Limit> {
        let form = Limit {
            subject: "urlencoded form body",
            name: "max_form_memory_size",
            value: self.multipart.max_field_bytes,
        };
        tightest(self.content_length(), Some(form))
    }

    /// The limit on a body streamed through the multipart decoder, whose own
    /// limits bound the rest.
    pub(crate) fn content_length(&self) -> Option<Limit> {
        self.max_content_length
            .map(|value| Limit::body("max_content_length", value))
    }
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits::DEFAULT.clone()
    }
}

/// One byte limit on a body, with the words its 413 error uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limit {
    pub(crate) subject: &'static str,
    pub(crate) name: &'static str,
    pub(crate) value: u64,
}

impl Limit {
    fn body(name: &'static str, value: u64) -> Self {
        Limit {
            subject: "request body",
            name,
            value,
        }
    }

    /// `413 Payload Too Large: request body is over max_content_length (N bytes)`.
    pub(crate) fn error(self) -> HttpError {
        HttpError::payload_too_large_for(self.subject, self.name, self.value, "bytes")
    }
}

/// The limit that binds first; `a` on a tie, so that `max_content_length`,
/// the limit a server operator sets, is the one named.
fn tightest(a: Option<Limit>, b: Option<Limit>) -> Option<Limit> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.value < a.value { b } else { a }),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_builders() {
        let l = BodyLimits::new();
        assert_eq!(l.max_content_length, None);
        assert_eq!(l.max_buffered_bytes, 2 * 1024 * 1024);
        assert_eq!(l.multipart, MultipartLimits::default());
        assert_eq!(l.form, FormOptions::default());
        let l = BodyLimits::new()
            .max_content_length(10)
            .max_buffered_bytes(20)
            .max_form_memory_size(30)
            .max_form_parts(40)
            .form_options(FormOptions::new().spool_threshold(0));
        assert_eq!(l.max_content_length, Some(10));
        assert_eq!(l.max_buffered_bytes, 20);
        assert_eq!(l.multipart.max_field_bytes, 30);
        assert_eq!(l.multipart.max_form_parts, 40);
        assert_eq!(l.form.spool_threshold, 0);
        let l = l.multipart_limits(MultipartLimits::new().max_field_bytes(5));
        assert_eq!(l.multipart.max_field_bytes, 5);
        assert_eq!(l.multipart.max_form_parts, 1000);
    }

    #[test]
    fn the_tightest_limit_binds() {
        // (max_content_length, max_buffered_bytes) -> (named limit, value)
        let cases: &[(Option<u64>, u64, (&str, u64))] = &[
            (None, 100, ("max_buffered_bytes", 100)),
            (Some(50), 100, ("max_content_length", 50)),
            (Some(100), 100, ("max_content_length", 100)),
            (Some(101), 100, ("max_buffered_bytes", 100)),
        ];
        for &(content_length, buffered, (name, value)) in cases {
            let limits = BodyLimits::new()
                .max_content_length(content_length)
                .max_buffered_bytes(buffered);
            let limit = limits.buffered().unwrap();
            assert_eq!(
                (limit.name, limit.value),
                (name, value),
                "{content_length:?} {buffered}"
            );
        }
        let limit = BodyLimits::new().urlencoded().unwrap();
        assert_eq!(
            limit.error().to_string(),
            "413 Payload Too Large: urlencoded form body is over max_form_memory_size (500000 bytes)"
        );
        assert_eq!(BodyLimits::new().content_length(), None);
    }
}
