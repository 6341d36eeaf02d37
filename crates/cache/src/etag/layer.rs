use tower_layer::Layer;

use super::ETag;
use crate::buffer::DEFAULT_MAX_BUFFERED;

/// Adds a hash `ETag` to 200 responses to GET and HEAD that have none, and
/// answers the request's preconditions and ranges against it; see the
/// [module documentation](super) for the rules.
///
/// | Option | Default |
/// |---|---|
/// | [`weak`](Self::weak) | `false`: strong tags, `"<22 base64url characters>"` |
/// | [`max_buffered`](Self::max_buffered) | 1 MiB ([`DEFAULT_MAX_BUFFERED`]) |
#[derive(Clone, Copy, Debug)]
pub struct ETagLayer {
    pub(crate) weak: bool,
    pub(crate) max_buffered: u64,
}

impl ETagLayer {
    /// Strong tags, bodies up to 1 MiB.
    pub fn new() -> Self {
        ETagLayer {
            weak: false,
            max_buffered: DEFAULT_MAX_BUFFERED,
        }
    }

    /// Sends weak tags (`W/"..."`): for content that is equivalent but not
    /// byte-identical across responses, and required when a compression
    /// layer sits *outside* this one (see the module documentation).
    /// Ranges are never served against a weak tag's `If-Range`.
    pub fn weak(mut self, weak: bool) -> Self {
        self.weak = weak;
        self
    }

    /// The largest body hashed, in bytes. A body that says it is larger
    /// passes through untouched; one of unknown length is read up to this
    /// much, and past it sent on, streaming, without a tag.
    pub fn max_buffered(mut self, bytes: u64) -> Self {
        self.max_buffered = bytes;
        self
    }
}

impl Default for ETagLayer {
    fn default() -> Self {
        ETagLayer::new()
    }
}

impl<S> Layer<S> for ETagLayer {
    type Service = ETag<S>;

    fn layer(&self, inner: S) -> ETag<S> {
        ETag {
            inner,
            config: *self,
        }
    }
}
