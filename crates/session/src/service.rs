//! [`SessionService`]: the service a [`SessionLayer`](crate::SessionLayer)
//! makes.

use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower_service::Service;

use crate::future::{ResponseBody, ResponseFuture};
use crate::session::{Backend, Session};

/// Puts a [`Session`] in the request's extensions, then writes its changes.
#[derive(Clone)]
pub struct SessionService<S> {
    inner: S,
    backend: Arc<Backend>,
}

impl<S> SessionService<S> {
    pub(crate) fn new(inner: S, backend: Arc<Backend>) -> Self {
        SessionService { inner, backend }
    }
}

impl<S: std::fmt::Debug> std::fmt::Debug for SessionService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for SessionService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let session = Session::new(Arc::clone(&self.backend), request.headers());
        let accept = request.headers().get(http::header::ACCEPT).cloned();
        request.extensions_mut().insert(session.clone());
        ResponseFuture::new(self.inner.call(request), session, accept)
    }
}
