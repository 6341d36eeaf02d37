//! The response future and body of [`SessionService`](crate::SessionService).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::header::SET_COOKIE;
use http::{HeaderValue, Response};
use tackle_request::HttpError;

use crate::dyn_store::BoxFuture;
use crate::error::SessionError;
use crate::session::Session;

type Commit = BoxFuture<'static, Result<Option<HeaderValue>, SessionError>>;

pin_project_lite::pin_project! {
    /// The response future of [`SessionService`](crate::SessionService).
    pub struct ResponseFuture<F, B> {
        #[pin]
        inner: F,
        session: Option<Session>,
        accept: Option<HeaderValue>,
        commit: Option<(Response<B>, Commit)>,
    }
}

impl<F, B> ResponseFuture<F, B> {
    pub(crate) fn new(inner: F, session: Session, accept: Option<HeaderValue>) -> Self {
        ResponseFuture {
            inner,
            session: Some(session),
            accept,
            commit: None,
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if this.commit.is_none() {
            let response = ready!(this.inner.poll(cx))?;
            let Some(session) = this.session.take() else {
                return Poll::Ready(Ok(response.map(ResponseBody::inner)));
            };
            if !session.needs_commit() {
                // Never used, or only read: nothing to write, no Set-Cookie.
                return Poll::Ready(Ok(response.map(ResponseBody::inner)));
            }
            *this.commit = Some((response, Box::pin(session.commit())));
        }
        let Some((_, commit)) = this.commit.as_mut() else {
            return Poll::Pending;
        };
        let outcome = ready!(commit.as_mut().poll(cx));
        let Some((mut response, _)) = this.commit.take() else {
            return Poll::Pending;
        };
        match outcome {
            Ok(Some(cookie)) => {
                response.headers_mut().append(SET_COOKIE, cookie);
                Poll::Ready(Ok(response.map(ResponseBody::inner)))
            }
            Ok(None) => Poll::Ready(Ok(response.map(ResponseBody::inner))),
            Err(error) => {
                tracing::warn!("session not saved: {error}");
                let (parts, body) = HttpError::from(error)
                    .render(this.accept.as_ref())
                    .into_parts();
                Poll::Ready(Ok(Response::from_parts(parts, ResponseBody::own(body))))
            }
        }
    }
}

/// The response body of [`SessionService`](crate::SessionService): the
/// inner body, or the `503` page when the session could not be saved.
pub type ResponseBody<B> = tackle_request::response::LayerBody<B>;
