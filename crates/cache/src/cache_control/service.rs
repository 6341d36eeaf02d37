//! [`SetCacheControl`]: the service the layer wraps around another.

use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower_service::Service;

use super::future::ResponseFuture;
use super::layer::Config;

/// Sets caching headers on the inner service's responses, by the rules of
/// the [`CacheControlLayer`](super::CacheControlLayer) that built it.
///
/// The request path is read (not kept) when the request arrives, and only
/// if some rule has a path condition; the response's status and headers are
/// read when it comes back. The body passes through untouched.
#[derive(Clone, Debug)]
pub struct SetCacheControl<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S> SetCacheControl<S> {
    pub(crate) fn from_config(inner: S, config: Arc<Config>) -> Self {
        SetCacheControl { inner, config }
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

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for SetCacheControl<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let path = self.config.path_matches(request.uri().path());
        ResponseFuture::new(self.inner.call(request), Arc::clone(&self.config), path)
    }
}
