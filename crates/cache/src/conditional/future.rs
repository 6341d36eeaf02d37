use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::header::{ACCEPT_RANGES, CONTENT_RANGE};
use http::response::Parts;
use http::{HeaderValue, Request, Response, StatusCode};
use tackle_http::{Outcome, Validators};
use tower_service::Service;

use super::layer::Config;
use crate::ResponseBody;
use crate::buffer::{Buffered, Buffering, Collected};
use crate::conditions::RequestConditions;
use crate::respond;

pin_project_lite::pin_project! {
    /// The response future of [`Conditional`](super::Conditional).
    pub struct ResponseFuture<S, ReqBody, ResBody, Lookup>
    where
        S: Service<Request<ReqBody>>,
        ResBody: http_body::Body,
    {
        #[pin]
        stage: Stage<S, ReqBody, Lookup>,
        after: After<ResBody>,
        config: Config,
    }
}

pin_project_lite::pin_project! {
    #[project = StageProj]
    enum Stage<S, ReqBody, Lookup>
    where
        S: Service<Request<ReqBody>>,
    {
        /// An unsafe request waiting for the current validators.
        Lookup {
            #[pin]
            lookup: Lookup,
            call: Option<(S, Request<ReqBody>)>,
        },
        /// Waiting for the inner service.
        Called { #[pin] future: S::Future },
        /// Answered without the inner service.
        Answered,
    }
}

/// What to do with the inner response.
enum After<B: http_body::Body> {
    /// Pass it through.
    Nothing,
    /// A GET or HEAD: evaluate its conditions on a 200.
    Evaluate(Option<RequestConditions>),
    /// Cutting ranges from it once read.
    Buffering {
        parts: Parts,
        buffering: Buffering<B>,
        conditions: RequestConditions,
    },
    /// The answer given without the inner service, until it is taken.
    Ready(Option<Response<ResponseBody<B>>>),
}

impl<S, ReqBody, ResBody, Lookup> ResponseFuture<S, ReqBody, ResBody, Lookup>
where
    S: Service<Request<ReqBody>>,
    ResBody: http_body::Body,
{
    pub(super) fn bypass(future: S::Future) -> Self {
        Self::called(future, After::Nothing, Config::default_for_bypass())
    }

    pub(super) fn read(
        future: S::Future,
        conditions: Option<RequestConditions>,
        config: Config,
    ) -> Self {
        Self::called(future, After::Evaluate(conditions), config)
    }

    pub(super) fn ready(response: Response<ResponseBody<ResBody>>) -> Self {
        ResponseFuture {
            stage: Stage::Answered,
            after: After::Ready(Some(response)),
            config: Config::default_for_bypass(),
        }
    }

    pub(super) fn lookup(
        lookup: Lookup,
        request: Request<ReqBody>,
        service: S,
        config: Config,
    ) -> Self {
        ResponseFuture {
            stage: Stage::Lookup {
                lookup,
                call: Some((service, request)),
            },
            after: After::Nothing,
            config,
        }
    }

    fn called(future: S::Future, after: After<ResBody>, config: Config) -> Self {
        ResponseFuture {
            stage: Stage::Called { future },
            after,
            config,
        }
    }
}

impl<S, ReqBody, ResBody, Lookup> Future for ResponseFuture<S, ReqBody, ResBody, Lookup>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: http_body::Body,
    Lookup: Future<Output = Option<Validators>>,
{
    type Output = Result<Response<ResponseBody<ResBody>>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            if let After::Ready(response) = this.after {
                if let Some(response) = response.take() {
                    return Poll::Ready(Ok(response));
                }
            }
            if let After::Buffering { buffering, .. } = this.after {
                let buffered = ready!(buffering.poll(cx));
                if let After::Buffering {
                    parts, conditions, ..
                } = std::mem::replace(this.after, After::Nothing)
                {
                    return Poll::Ready(Ok(cut(parts, buffered, &conditions, this.config)));
                }
            }
            match this.stage.as_mut().project() {
                StageProj::Lookup { lookup, call } => {
                    let current = ready!(lookup.poll(cx));
                    let Some((mut service, request)) = call.take() else {
                        return Poll::Pending;
                    };
                    let preconditions =
                        tackle_http::Preconditions::new(request.method(), request.headers());
                    let outcome = match &current {
                        Some(current) => preconditions.evaluate(current, None),
                        None => preconditions.evaluate_missing(),
                    };
                    if outcome == Outcome::PreconditionFailed {
                        let accept = request.headers().get(http::header::ACCEPT);
                        *this.after = After::Ready(Some(respond::error(
                            &tackle_request::HttpError::precondition_failed(),
                            accept,
                        )));
                        this.stage.set(Stage::Answered);
                        continue;
                    }
                    let future = service.call(request);
                    this.stage.set(Stage::Called { future });
                }
                StageProj::Called { future } => {
                    let response = ready!(future.poll(cx))?;
                    this.stage.set(Stage::Answered);
                    let conditions = match std::mem::replace(this.after, After::Nothing) {
                        After::Evaluate(conditions) => conditions,
                        _ => None,
                    };
                    match evaluate(response, conditions, this.config) {
                        Evaluated::Done(response) => return Poll::Ready(Ok(response)),
                        Evaluated::Buffer(after) => *this.after = after,
                    }
                }
                StageProj::Answered => return Poll::Pending,
            }
        }
    }
}

enum Evaluated<B: http_body::Body> {
    Done(Response<ResponseBody<B>>),
    Buffer(After<B>),
}

/// The answer to a GET or HEAD from the inner response and the request's
/// conditions, or the buffering needed to cut ranges.
fn evaluate<B: http_body::Body>(
    response: Response<B>,
    conditions: Option<RequestConditions>,
    config: &Config,
) -> Evaluated<B> {
    let (mut parts, body) = response.into_parts();
    if parts.status != StatusCode::OK {
        return Evaluated::Done(Response::from_parts(parts, ResponseBody::inner(body)));
    }
    // A HEAD's body may have been left out: its header tells the length.
    let length = respond::declared_length(&parts.headers).or_else(|| body.size_hint().exact());
    if config.accept_ranges
        && !parts.headers.contains_key(ACCEPT_RANGES)
        && length.is_some_and(|len| len <= config.max_buffered)
    {
        parts
            .headers
            .insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    }
    let Some(conditions) = conditions else {
        return Evaluated::Done(Response::from_parts(parts, ResponseBody::inner(body)));
    };
    let current = Validators::from_headers(&parts.headers);
    match conditions.preconditions().evaluate(&current, None) {
        Outcome::Full => {}
        Outcome::NotModified => {
            return Evaluated::Done(respond::not_modified(parts, length));
        }
        outcome => {
            return Evaluated::Done(respond::respond(
                outcome,
                parts,
                Collected::default(),
                Some(&conditions),
                false,
            ));
        }
    }
    if !conditions.wants_range() || parts.headers.contains_key(CONTENT_RANGE) {
        return Evaluated::Done(Response::from_parts(parts, ResponseBody::inner(body)));
    }
    match Buffering::new(body, config.max_buffered) {
        Ok(buffering) => Evaluated::Buffer(After::Buffering {
            parts,
            buffering,
            conditions,
        }),
        Err(body) => Evaluated::Done(Response::from_parts(parts, ResponseBody::inner(body))),
    }
}

/// Ranges cut from a body read whole, or the body as it came when it was
/// too large (or failed).
fn cut<B: http_body::Body>(
    parts: Parts,
    buffered: Buffered<B>,
    conditions: &RequestConditions,
    config: &Config,
) -> Response<ResponseBody<B>> {
    match buffered {
        Buffered::Streaming(body) => Response::from_parts(parts, body),
        Buffered::Complete(content) => {
            let current = Validators::from_headers(&parts.headers);
            let outcome = conditions
                .preconditions()
                .evaluate(&current, Some(content.len));
            respond::respond(
                outcome,
                parts,
                content,
                Some(conditions),
                config.accept_ranges,
            )
        }
    }
}
