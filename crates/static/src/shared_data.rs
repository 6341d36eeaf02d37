//! [`SharedData`]: static files mounted at URL prefixes in front of any
//! service, as Werkzeug's `SharedDataMiddleware` does.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body::{Frame, SizeHint};
use tackle_request::{BoxError, HttpError, MountPrefix};
use tower_layer::Layer;
use tower_service::Service;

use crate::body::FileBody;
use crate::respond;
use crate::serve::{Head, Pending, Served, Start};
use crate::service::StaticFiles;

/// Mounts [`StaticFiles`] (directories or bundles) at URL prefixes in
/// front of an inner service. A GET or HEAD under a prefix is answered
/// with the file, when there is one; everything else (other methods, other
/// paths, files that are missing or disallowed) reaches the inner service
/// unchanged. Mounts are tried in the order they were added, so a
/// directory can shadow a bundle at the same prefix.
///
/// ```
/// use tackle_static::{SharedData, StaticFiles};
///
/// let layer = SharedData::new()
///     .mount("/static", StaticFiles::new("./static"))
///     .mount("/", StaticFiles::new("./public"));
/// # let _ = layer;
/// ```
#[derive(Clone, Debug, Default)]
pub struct SharedData {
    mounts: Arc<Vec<(String, StaticFiles)>>,
}

impl SharedData {
    /// No mounts yet.
    pub fn new() -> Self {
        SharedData::default()
    }

    /// Serves `files` under `prefix` (`/static`: `/static/app.js` is
    /// `app.js` in `files`); `/` serves at the root. A trailing `/` is
    /// ignored.
    pub fn mount(self, prefix: &str, files: StaticFiles) -> Self {
        let mut mounts = Arc::unwrap_or_clone(self.mounts);
        let prefix = prefix.trim_end_matches('/');
        let prefix = if prefix.starts_with('/') || prefix.is_empty() {
            prefix.to_owned()
        } else {
            format!("/{prefix}")
        };
        mounts.push((prefix, files));
        SharedData {
            mounts: Arc::new(mounts),
        }
    }
}

impl<S> Layer<S> for SharedData {
    type Service = SharedDataService<S>;

    fn layer(&self, inner: S) -> SharedDataService<S> {
        SharedDataService {
            inner,
            mounts: Arc::clone(&self.mounts),
        }
    }
}

/// The service [`SharedData`] makes.
#[derive(Clone, Debug)]
pub struct SharedDataService<S> {
    inner: S,
    mounts: Arc<Vec<(String, StaticFiles)>>,
}

/// What trying the mounts came to.
enum Tried {
    /// A file, or [`Served::Missing`] when no mount has one.
    Done(Served),
    /// A mount is looking on disk; the ones after it come next.
    Pending(Pending),
}

/// Tries the mounts from `next` on.
fn try_mounts<B>(
    mounts: &[(String, StaticFiles)],
    next: &mut usize,
    request: &Request<B>,
) -> Tried {
    if *request.method() != Method::GET && *request.method() != Method::HEAD {
        *next = mounts.len();
        return Tried::Done(Served::Missing);
    }
    let path = request.uri().path();
    let outer = MountPrefix::from_request(request).map_or("", MountPrefix::as_str);
    while let Some((prefix, files)) = mounts.get(*next) {
        *next += 1;
        let Some(rest) = path.strip_prefix(prefix.as_str()) else {
            continue;
        };
        if !(rest.is_empty() || rest.starts_with('/')) {
            continue;
        }
        let base = format!("{}{prefix}", outer.trim_end_matches('/'));
        let head = Head {
            method: request.method(),
            headers: request.headers(),
            path: rest,
            query: request.uri().query(),
            base: &base,
        };
        match files.engine().start(head) {
            Start::Done(Served::Response(response)) => {
                return Tried::Done(Served::Response(response));
            }
            Start::Done(Served::Missing) | Start::NotAllowed => {}
            Start::Pending(pending) => return Tried::Pending(pending),
        }
    }
    Tried::Done(Served::Missing)
}

impl<S, B, ResBody> Service<Request<B>> for SharedDataService<S>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone,
    ResBody: http_body::Body<Data = Bytes>,
    ResBody::Error: Into<BoxError>,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let mut next = 0;
        let state = match try_mounts(&self.mounts, &mut next, &request) {
            Tried::Done(Served::Response(response)) => State::Ready {
                response: Some(response),
            },
            Tried::Done(Served::Missing) => State::Inner {
                future: self.inner.call(request),
            },
            Tried::Pending(pending) => {
                // The service polled ready goes with the request.
                let clone = self.inner.clone();
                State::Pending {
                    pending,
                    waiting: Some((std::mem::replace(&mut self.inner, clone), request)),
                    next,
                    mounts: Arc::clone(&self.mounts),
                }
            }
        };
        ResponseFuture { state }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`SharedDataService`].
    pub struct ResponseFuture<S, B>
    where
        S: Service<Request<B>>,
    {
        #[pin]
        state: State<S, B>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<S, B>
    where
        S: Service<Request<B>>,
    {
        Ready { response: Option<Response<FileBody>> },
        Pending {
            pending: Pending,
            waiting: Option<(S, Request<B>)>,
            next: usize,
            mounts: Arc<Vec<(String, StaticFiles)>>,
        },
        Inner { #[pin] future: S::Future },
    }
}

impl<S, B, ResBody> Future for ResponseFuture<S, B>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
{
    type Output = Result<Response<ResponseBody<ResBody>>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProj::Ready { response } => {
                    let response = match response.take() {
                        Some(response) => response,
                        None => respond::error(&HttpError::not_found(), &http::HeaderMap::new()),
                    };
                    return Poll::Ready(Ok(response.map(ResponseBody::file)));
                }
                StateProj::Pending {
                    pending,
                    waiting,
                    next,
                    mounts,
                } => {
                    let served = std::task::ready!(Pin::new(pending).poll(cx));
                    if let Served::Response(response) = served {
                        state.set(State::Ready {
                            response: Some(response),
                        });
                        continue;
                    }
                    let Some((mut service, request)) = waiting.take() else {
                        return Poll::Pending;
                    };
                    let mounts = Arc::clone(mounts);
                    let mut next = *next;
                    match try_mounts(&mounts, &mut next, &request) {
                        Tried::Done(Served::Response(response)) => state.set(State::Ready {
                            response: Some(response),
                        }),
                        Tried::Done(Served::Missing) => state.set(State::Inner {
                            future: service.call(request),
                        }),
                        Tried::Pending(pending) => state.set(State::Pending {
                            pending,
                            waiting: Some((service, request)),
                            next,
                            mounts,
                        }),
                    }
                }
                StateProj::Inner { future } => {
                    let response = std::task::ready!(future.poll(cx))?;
                    return Poll::Ready(Ok(response.map(ResponseBody::inner)));
                }
            }
        }
    }
}

pin_project_lite::pin_project! {
    /// The body of a [`SharedDataService`] response: a file, or the inner
    /// service's body.
    pub struct ResponseBody<B> {
        #[pin]
        kind: Kind<B>,
    }
}

pin_project_lite::pin_project! {
    #[project = KindProj]
    enum Kind<B> {
        File { #[pin] body: FileBody },
        Inner { #[pin] body: B },
    }
}

impl<B> ResponseBody<B> {
    fn file(body: FileBody) -> Self {
        ResponseBody {
            kind: Kind::File { body },
        }
    }

    fn inner(body: B) -> Self {
        ResponseBody {
            kind: Kind::Inner { body },
        }
    }
}

impl<B> http_body::Body for ResponseBody<B>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.project().kind.project() {
            KindProj::File { body } => body.poll_frame(cx).map_err(Into::into),
            KindProj::Inner { body } => body.poll_frame(cx).map_err(Into::into),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::File { body } => body.is_end_stream(),
            Kind::Inner { body } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::File { body } => body.size_hint(),
            Kind::Inner { body } => body.size_hint(),
        }
    }
}

impl<B> std::fmt::Debug for ResponseBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::File { body } => f.debug_tuple("ResponseBody::File").field(body).finish(),
            Kind::Inner { .. } => f.write_str("ResponseBody::Inner"),
        }
    }
}
