use tower_layer::Layer;

use super::{Conditional, NoLookup};
use crate::buffer::DEFAULT_MAX_BUFFERED;

/// Answers conditional and range requests for responses that carry their
/// own `ETag` or `Last-Modified`, and checks the preconditions of unsafe
/// requests before the handler runs; see the [module documentation](super).
///
/// | Option | Default |
/// |---|---|
/// | [`validators`](Self::validators) | none: unsafe requests are not checked |
/// | [`require_precondition`](Self::require_precondition) | `false` |
/// | [`max_buffered`](Self::max_buffered) | 1 MiB ([`DEFAULT_MAX_BUFFERED`]): the largest body ranges are cut from |
/// | [`accept_ranges`](Self::accept_ranges) | `true`: `Accept-Ranges: bytes` on bodies ranges can be cut from |
#[derive(Clone, Debug)]
pub struct ConditionalLayer<L = NoLookup> {
    pub(crate) lookup: Option<L>,
    pub(crate) config: Config,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    pub(crate) require_precondition: bool,
    pub(crate) max_buffered: u64,
    pub(crate) accept_ranges: bool,
}

impl Config {
    /// Settings that change nothing, for futures that pass responses through.
    pub(crate) fn default_for_bypass() -> Self {
        Config {
            require_precondition: false,
            max_buffered: DEFAULT_MAX_BUFFERED,
            accept_ranges: false,
        }
    }
}

impl ConditionalLayer {
    /// The defaults in the table above.
    pub fn new() -> Self {
        ConditionalLayer {
            lookup: None,
            config: Config {
                accept_ranges: true,
                ..Config::default_for_bypass()
            },
        }
    }
}

impl Default for ConditionalLayer {
    fn default() -> Self {
        ConditionalLayer::new()
    }
}

impl<L> ConditionalLayer<L> {
    /// Looks up the current validators of the target of an unsafe request
    /// that carries `If-Match`, `If-None-Match` or `If-Unmodified-Since`,
    /// and answers 412 without calling the inner service when a condition
    /// fails: optimistic concurrency, so that a client cannot overwrite a
    /// change it has not seen. The lookup answers `None` when the resource
    /// does not exist (then `If-Match` fails and `If-None-Match: *`
    /// passes).
    ///
    /// The inner service must be `Clone`: the request waits for the lookup
    /// with a clone of it.
    pub fn validators<F>(self, lookup: F) -> ConditionalLayer<F> {
        ConditionalLayer {
            lookup: Some(lookup),
            config: self.config,
        }
    }

    /// Answers `428 Precondition Required` (RFC 6585) to an unsafe request
    /// without `If-Match`, `If-Unmodified-Since` or `If-None-Match: *` (a
    /// create that must not overwrite), so that every client takes part in
    /// optimistic concurrency.
    pub fn require_precondition(mut self, require: bool) -> Self {
        self.config.require_precondition = require;
        self
    }

    /// The largest body a `Range` request is answered from, in bytes; a
    /// larger one is sent whole (200), streaming.
    pub fn max_buffered(mut self, bytes: u64) -> Self {
        self.config.max_buffered = bytes;
        self
    }

    /// Whether to add `Accept-Ranges: bytes` to 200 responses to GET and
    /// HEAD whose length is known and within
    /// [`max_buffered`](Self::max_buffered).
    pub fn accept_ranges(mut self, advertise: bool) -> Self {
        self.config.accept_ranges = advertise;
        self
    }
}

impl<S, L: Clone> Layer<S> for ConditionalLayer<L> {
    type Service = Conditional<S, L>;

    fn layer(&self, inner: S) -> Conditional<S, L> {
        Conditional {
            inner,
            lookup: self.lookup.clone(),
            config: self.config,
        }
    }
}
