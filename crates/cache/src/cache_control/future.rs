//! The response future of [`SetCacheControl`](super::SetCacheControl).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use http::Response;
use pin_project_lite::pin_project;

use super::layer::{Config, PathMatches};

pin_project! {
    /// The response future of [`SetCacheControl`](super::SetCacheControl):
    /// the inner service's future, whose response gets the caching headers
    /// of the first matching rule.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        config: Arc<Config>,
        path: PathMatches,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(inner: F, config: Arc<Config>, path: PathMatches) -> Self {
        ResponseFuture {
            inner,
            config,
            path,
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        this.config.apply(this.path, &mut response);
        Poll::Ready(Ok(response))
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
