//! The limits a [`MultipartDecoder`](super::MultipartDecoder) enforces, so
//! that no client can make it hold unbounded memory or do unbounded work.

/// Default for [`MultipartLimits::max_form_parts`]: 1000 parts.
pub const DEFAULT_MAX_FORM_PARTS: u64 = 1000;
/// Default for [`MultipartLimits::max_part_header_count`]: 32 header fields.
pub const DEFAULT_MAX_PART_HEADER_COUNT: u64 = 32;
/// Default for [`MultipartLimits::max_part_header_bytes`]: 8 KiB.
pub const DEFAULT_MAX_PART_HEADER_BYTES: u64 = 8 * 1024;
/// Default for [`MultipartLimits::max_preamble_bytes`]: 8 KiB.
pub const DEFAULT_MAX_PREAMBLE_BYTES: u64 = 8 * 1024;
/// Default for [`MultipartLimits::max_epilogue_bytes`]: 8 KiB.
pub const DEFAULT_MAX_EPILOGUE_BYTES: u64 = 8 * 1024;
/// Default for [`MultipartLimits::max_field_bytes`]: 500 000 bytes, as
/// Werkzeug's `max_form_memory_size`.
pub const DEFAULT_MAX_FIELD_BYTES: u64 = 500_000;

/// Limits on a `multipart/form-data` body, set with builder methods.
///
/// | limit | default | breached when |
/// |---|---|---|
/// | `max_form_parts` | 1000 | the body has more parts |
/// | `max_part_header_count` | 32 | one part has more header fields |
/// | `max_part_header_bytes` | 8192 | one part's header block (line breaks and the closing blank line included) is longer |
/// | `max_preamble_bytes` | 8192 | more bytes come before the first boundary |
/// | `max_epilogue_bytes` | 8192 | more bytes follow the final boundary line |
/// | `max_field_bytes` | 500 000 | a part without a filename has a longer body (reported as `max_form_memory_size`) |
///
/// A value equal to the limit is accepted; one more is an error that names
/// the limit and its value. File parts have no size limit here: the body
/// size limit of the server, or of the code that stores uploads, bounds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultipartLimits {
    pub(crate) max_form_parts: u64,
    pub(crate) max_part_header_count: u64,
    pub(crate) max_part_header_bytes: u64,
    pub(crate) max_preamble_bytes: u64,
    pub(crate) max_epilogue_bytes: u64,
    pub(crate) max_field_bytes: u64,
}

impl Default for MultipartLimits {
    fn default() -> Self {
        MultipartLimits {
            max_form_parts: DEFAULT_MAX_FORM_PARTS,
            max_part_header_count: DEFAULT_MAX_PART_HEADER_COUNT,
            max_part_header_bytes: DEFAULT_MAX_PART_HEADER_BYTES,
            max_preamble_bytes: DEFAULT_MAX_PREAMBLE_BYTES,
            max_epilogue_bytes: DEFAULT_MAX_EPILOGUE_BYTES,
            max_field_bytes: DEFAULT_MAX_FIELD_BYTES,
        }
    }
}

impl MultipartLimits {
    /// The defaults: see the table on [`MultipartLimits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the most parts a body may hold (default 1000).
    pub fn max_form_parts(mut self, parts: u64) -> Self {
        self.max_form_parts = parts;
        self
    }

    /// Sets the most header fields one part may have (default 32); an
    /// obs-fold continuation line does not count as a field.
    pub fn max_part_header_count(mut self, count: u64) -> Self {
        self.max_part_header_count = count;
        self
    }

    /// Sets the most bytes of one part's header block, line breaks and the
    /// closing blank line included (default 8 KiB).
    pub fn max_part_header_bytes(mut self, bytes: u64) -> Self {
        self.max_part_header_bytes = bytes;
        self
    }

    /// Sets the most bytes before the first boundary (default 8 KiB). Zero
    /// makes the decoder strict: the body must start with the boundary.
    pub fn max_preamble_bytes(mut self, bytes: u64) -> Self {
        self.max_preamble_bytes = bytes;
        self
    }

    /// Sets the most bytes after the line break that ends the final
    /// boundary (default 8 KiB).
    pub fn max_epilogue_bytes(mut self, bytes: u64) -> Self {
        self.max_epilogue_bytes = bytes;
        self
    }

    /// Sets the most body bytes of one part without a filename, a form
    /// field kept in memory (default 500 000, Werkzeug's
    /// `max_form_memory_size`, the name errors report it under).
    pub fn max_field_bytes(mut self, bytes: u64) -> Self {
        self.max_field_bytes = bytes;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(l: &MultipartLimits) -> [u64; 6] {
        [
            l.max_form_parts,
            l.max_part_header_count,
            l.max_part_header_bytes,
            l.max_preamble_bytes,
            l.max_epilogue_bytes,
            l.max_field_bytes,
        ]
    }

    #[test]
    fn defaults_and_builders() {
        assert_eq!(
            all(&MultipartLimits::new()),
            [1000, 32, 8192, 8192, 8192, 500_000]
        );
        let l = MultipartLimits::new()
            .max_form_parts(1)
            .max_part_header_count(2)
            .max_part_header_bytes(3)
            .max_preamble_bytes(4)
            .max_epilogue_bytes(5)
            .max_field_bytes(6);
        assert_eq!(all(&l), [1, 2, 3, 4, 5, 6]);
    }
}
