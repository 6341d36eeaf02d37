use std::task::{Context, Poll};

use http::{Request, Response};
use tower_service::Service;

use super::{ETagLayer, ResponseFuture};
use crate::conditions::{RequestConditions, is_read};

/// The service [`ETagLayer`] makes.
#[derive(Clone, Debug)]
pub struct ETag<S> {
    pub(crate) inner: S,
    pub(crate) config: ETagLayer,
}

impl<S> ETag<S> {
    /// Wraps `inner` with the defaults of [`ETagLayer::new`].
    pub fn new(inner: S) -> Self {
        ETag {
            inner,
            config: ETagLayer::new(),
        }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The wrapped service, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for ETag<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: http_body::Body,
{
    type Response = Response<crate::ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let method = request.method();
        let read = is_read(method).then(|| {
            (
                *method == http::Method::HEAD,
                RequestConditions::capture(method, request.headers()),
            )
        });
        ResponseFuture::new(self.inner.call(request), read, self.config)
    }
}
