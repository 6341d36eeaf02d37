//! [`ProxyFix`]: the service that applies the trusted proxy headers.

use std::task::{Context, Poll};

use tower_service::Service;

use super::ProxyFixLayer;

/// Rewrites each request from the headers of trusted proxies (see the
/// [module docs](super) and [`ProxyFixLayer`] for what and how many), then
/// calls the inner service. Generic over bodies; readiness is the inner
/// service's, and its future is returned as is.
#[derive(Clone, Copy, Debug)]
pub struct ProxyFix<S> {
    inner: S,
    config: ProxyFixLayer,
}

impl<S> ProxyFix<S> {
    /// Wraps `inner` with the default trust (one proxy, `X-Forwarded-For`
    /// and `X-Forwarded-Proto`).
    pub fn new(inner: S) -> Self {
        Self::with_layer(inner, ProxyFixLayer::default())
    }

    /// Wraps `inner` with the trust configured in `config`.
    pub fn with_layer(inner: S, config: ProxyFixLayer) -> Self {
        ProxyFix { inner, config }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B> Service<http::Request<B>> for ProxyFix<S>
where
    S: Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> S::Future {
        self.config.apply(&mut request);
        self.inner.call(request)
    }
}
