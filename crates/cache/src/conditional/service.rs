use std::task::{Context, Poll};

use http::header::{IF_MATCH, IF_NONE_MATCH, IF_UNMODIFIED_SINCE};
use http::{Method, Request, Response, StatusCode};
use tackle_request::HttpError;
use tower_service::Service;

use super::layer::Config;
use super::{NoLookup, ResponseFuture, ValidatorLookup};
use crate::conditions::{RequestConditions, is_read};
use crate::respond;

/// The service [`ConditionalLayer`](super::ConditionalLayer) makes.
#[derive(Clone, Debug)]
pub struct Conditional<S, L = NoLookup> {
    pub(crate) inner: S,
    pub(crate) lookup: Option<L>,
    pub(crate) config: Config,
}

impl<S, L> Conditional<S, L> {
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

impl<S, L, ReqBody, ResBody> Service<Request<ReqBody>> for Conditional<S, L>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone,
    L: ValidatorLookup<ReqBody>,
    ResBody: http_body::Body,
{
    type Response = Response<crate::ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S, ReqBody, ResBody, L::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let method = request.method();
        if is_read(method) {
            let conditions = RequestConditions::capture(method, request.headers());
            return ResponseFuture::read(self.inner.call(request), conditions, self.config);
        }
        if !is_unsafe(method) {
            return ResponseFuture::bypass(self.inner.call(request));
        }
        let headers = request.headers();
        if self.config.require_precondition && !guards_against_lost_updates(headers) {
            let error = HttpError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "this request must be conditional: send If-Match with the ETag of the \
                 version it changes (or If-None-Match: * to create)",
            );
            return ResponseFuture::ready(respond::error(
                &error,
                headers.get(http::header::ACCEPT),
            ));
        }
        let conditional = headers.contains_key(IF_MATCH)
            || headers.contains_key(IF_NONE_MATCH)
            || headers.contains_key(IF_UNMODIFIED_SINCE);
        match &self.lookup {
            Some(lookup) if conditional => {
                let lookup = lookup.lookup(&request);
                // The service polled ready is the one that takes the request.
                let clone = self.inner.clone();
                let service = std::mem::replace(&mut self.inner, clone);
                ResponseFuture::lookup(lookup, request, service, self.config)
            }
            _ => ResponseFuture::bypass(self.inner.call(request)),
        }
    }
}

/// `If-Match`, `If-Unmodified-Since`, or `If-None-Match: *` (create only):
/// the preconditions that keep a write from overwriting a change unseen.
fn guards_against_lost_updates(headers: &http::HeaderMap) -> bool {
    headers.contains_key(IF_MATCH)
        || headers.contains_key(IF_UNMODIFIED_SINCE)
        || headers
            .get_all(IF_NONE_MATCH)
            .iter()
            .any(|value| value.as_bytes().trim_ascii() == b"*")
}

/// Methods that change state: everything but GET, HEAD, OPTIONS, TRACE
/// (RFC 9110 §9.2.1) and CONNECT, whose preconditions are ignored.
fn is_unsafe(method: &Method) -> bool {
    !method.is_safe() && *method != Method::CONNECT
}
