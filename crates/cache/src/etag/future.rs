use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::header::{CONTENT_ENCODING, ETAG};
use http::response::Parts;
use http::{HeaderMap, HeaderValue, Response, StatusCode};
use tackle_http::{LastModified, Outcome, TypedHeader, Validators};

use super::{ETagLayer, tag};
use crate::ResponseBody;
use crate::buffer::{Buffered, Buffering};
use crate::conditions::RequestConditions;
use crate::respond;

pin_project_lite::pin_project! {
    /// The response future of [`ETag`](super::ETag).
    pub struct ResponseFuture<F, B: http_body::Body> {
        #[pin]
        inner: F,
        state: State<B>,
        config: ETagLayer,
    }
}

// Built once per request and never moved once hashing starts: boxing the
// large variant would cost an allocation for nothing.
#[allow(clippy::large_enum_variant)]
enum State<B: http_body::Body> {
    /// Not a GET or HEAD: the response passes through.
    Bypass,
    /// Waiting for the inner response to a GET or HEAD.
    Waiting {
        head: bool,
        conditions: Option<RequestConditions>,
    },
    /// Reading the body to hash it.
    Hashing {
        parts: Parts,
        buffering: Buffering<B>,
        head: bool,
        conditions: Option<RequestConditions>,
    },
    Done,
}

impl<F, B: http_body::Body> ResponseFuture<F, B> {
    pub(super) fn new(
        inner: F,
        read: Option<(bool, Option<RequestConditions>)>,
        config: ETagLayer,
    ) -> Self {
        let state = match read {
            Some((head, conditions)) => State::Waiting { head, conditions },
            None => State::Bypass,
        };
        ResponseFuture {
            inner,
            state,
            config,
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: http_body::Body,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match std::mem::replace(this.state, State::Done) {
                State::Bypass | State::Done => {
                    let response = ready!(this.inner.as_mut().poll(cx))?;
                    return Poll::Ready(Ok(response.map(ResponseBody::inner)));
                }
                State::Waiting { head, conditions } => {
                    let response = match this.inner.as_mut().poll(cx) {
                        Poll::Ready(result) => result?,
                        Poll::Pending => {
                            *this.state = State::Waiting { head, conditions };
                            return Poll::Pending;
                        }
                    };
                    let (mut parts, body) = response.into_parts();
                    if parts.status != StatusCode::OK || parts.headers.contains_key(ETAG) {
                        weaken_if_encoded(&mut parts.headers);
                        return Poll::Ready(Ok(Response::from_parts(
                            parts,
                            ResponseBody::inner(body),
                        )));
                    }
                    if head && body.size_hint().exact() == Some(0) {
                        return Poll::Ready(Ok(Response::from_parts(
                            parts,
                            ResponseBody::inner(body),
                        )));
                    }
                    match Buffering::new(body, this.config.max_buffered) {
                        Ok(buffering) => {
                            *this.state = State::Hashing {
                                parts,
                                buffering,
                                head,
                                conditions,
                            }
                        }
                        Err(body) => {
                            return Poll::Ready(Ok(Response::from_parts(
                                parts,
                                ResponseBody::inner(body),
                            )));
                        }
                    }
                }
                State::Hashing {
                    mut parts,
                    mut buffering,
                    head,
                    conditions,
                } => {
                    let content = match buffering.poll(cx) {
                        Poll::Pending => {
                            *this.state = State::Hashing {
                                parts,
                                buffering,
                                head,
                                conditions,
                            };
                            return Poll::Pending;
                        }
                        Poll::Ready(Buffered::Streaming(body)) => {
                            return Poll::Ready(Ok(Response::from_parts(parts, body)));
                        }
                        Poll::Ready(Buffered::Complete(content)) => content,
                    };
                    if head && content.len == 0 {
                        // A HEAD answered without its content (or with none
                        // to send): nothing to hash, and the hash of no bytes
                        // would differ from the GET's tag.
                        return Poll::Ready(Ok(Response::from_parts(parts, ResponseBody::empty())));
                    }
                    let etag = tag::header_value(tag::hash(&content.chunks), this.config.weak);
                    let outcome = match &conditions {
                        Some(conditions) => {
                            let current = Validators {
                                etag: tag::entity_tag(&etag),
                                last_modified: LastModified::from_headers(&parts.headers)
                                    .and_then(Result::ok)
                                    .map(|date| date.0),
                            };
                            conditions
                                .preconditions()
                                .evaluate(&current, Some(content.len))
                        }
                        None => Outcome::Full,
                    };
                    parts.headers.insert(ETAG, etag);
                    let response = if head && outcome == Outcome::Full {
                        respond::head(parts, content.len)
                    } else {
                        respond::respond(outcome, parts, content, conditions.as_ref(), true)
                    };
                    return Poll::Ready(Ok(response));
                }
            }
        }
    }
}

/// A strong tag on content that some layer inside this one encoded (as
/// tower-http's compression does, keeping the tag it found) would claim the
/// encoded bytes equal the unencoded ones: weaken it (RFC 9110 §8.8.1).
fn weaken_if_encoded(headers: &mut HeaderMap) {
    let encoded = headers
        .get(CONTENT_ENCODING)
        .is_some_and(|coding| !coding.as_bytes().eq_ignore_ascii_case(b"identity"));
    if !encoded {
        return;
    }
    let Some(value) = headers.get(ETAG) else {
        return;
    };
    if value.as_bytes().starts_with(b"W/") {
        return;
    }
    let mut weak = Vec::with_capacity(value.len() + 2);
    weak.extend_from_slice(b"W/");
    weak.extend_from_slice(value.as_bytes());
    if let Ok(weak) = HeaderValue::from_bytes(&weak) {
        headers.insert(ETAG, weak);
    }
}
