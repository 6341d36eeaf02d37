//! [`StaticFiles`]: the service for one directory or embedded bundle.

use std::convert::Infallible;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::header::ACCEPT;
use http::{HeaderMap, HeaderValue, Method, Request, Response};
use tackle_request::{HttpError, MountPrefix, OriginalUri};
use tower_service::Service;

use crate::body::FileBody;
use crate::bundle::Bundle;
use crate::cache_policy::CachePolicy;
use crate::disallow::{Disallow, DisallowError};
use crate::options::Options;
use crate::respond;
use crate::serve::{Engine, Head, Pending, Served, Start};

/// Serves the files of one directory (or of a [`Bundle`] compiled into the
/// binary) for GET and HEAD; see the [crate documentation](crate) for what
/// it does and its defaults.
///
/// The request path is the file's path under the root: mount the service
/// with a router (which strips its prefix and records it as
/// [`MountPrefix`]) or use [`SharedData`](crate::SharedData). Cloning is
/// one reference count; builder methods start a new hot cache.
#[derive(Clone, Debug)]
pub struct StaticFiles {
    engine: Arc<Engine>,
    source: SourceSpec,
}

#[derive(Clone, Debug)]
enum SourceSpec {
    Dir(PathBuf),
    Bundle(&'static Bundle),
}

impl StaticFiles {
    /// The files under `root`. A root that does not exist serves nothing
    /// (404), rather than failing here.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        StaticFiles::build(SourceSpec::Dir(root.into()), Options::default())
    }

    /// The files of an embedded bundle (see [`crate::bundle`]).
    pub fn bundle(bundle: &'static Bundle) -> Self {
        StaticFiles::build(SourceSpec::Bundle(bundle), Options::default())
    }

    fn build(source: SourceSpec, options: Options) -> Self {
        let engine = match &source {
            SourceSpec::Dir(root) => Engine::directory(root, options),
            SourceSpec::Bundle(bundle) => Engine::bundle(bundle, options),
        };
        StaticFiles {
            engine: Arc::new(engine),
            source,
        }
    }

    fn with(self, change: impl FnOnce(&mut Options)) -> Self {
        let mut options = self.engine.options.clone();
        change(&mut options);
        StaticFiles::build(self.source, options)
    }

    pub(crate) fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// The file served for a directory (default `index.html`); `None` for
    /// none.
    pub fn index_file(self, name: Option<&str>) -> Self {
        let name = name.map(str::to_owned);
        self.with(|o| o.index = name)
    }

    /// Serves paths matching `pattern` as if absent (404); see [`Disallow`]
    /// for the patterns. Dotfiles (`.*`) are disallowed by default.
    ///
    /// # Panics
    ///
    /// When the pattern is invalid; [`try_disallow`](Self::try_disallow)
    /// returns the error instead.
    pub fn disallow(self, pattern: &str) -> Self {
        match self.try_disallow(pattern) {
            Ok(files) => files,
            Err(error) => panic!("StaticFiles::disallow: {error}"),
        }
    }

    /// [`disallow`](Self::disallow), returning an invalid pattern's error.
    pub fn try_disallow(self, pattern: &str) -> Result<Self, DisallowError> {
        let mut disallow = self.engine.options.disallow.clone();
        disallow.try_add(pattern)?;
        Ok(self.with(|o| o.disallow = disallow))
    }

    /// Replaces the disallowed patterns, e.g. with [`Disallow::none`] to
    /// serve dotfiles too.
    pub fn disallowed(self, disallow: Disallow) -> Self {
        self.with(|o| o.disallow = disallow)
    }

    /// Follows symbolic links that stay inside the root (default `false`:
    /// a path through any symbolic link is 404). A link leading out of the
    /// root is 404 either way.
    pub fn follow_symlinks(self, follow: bool) -> Self {
        self.with(|o| o.follow_symlinks = follow)
    }

    /// Lists a directory without index file as an HTML page (default
    /// `false`: 404).
    pub fn listing(self, list: bool) -> Self {
        self.with(|o| o.listing = list)
    }

    /// Serves `x.br`, `x.zst` or `x.gz` beside `x` to clients that accept
    /// that coding (default `true`).
    pub fn precompressed(self, serve: bool) -> Self {
        self.with(|o| o.precompressed = serve)
    }

    /// The `Cache-Control` policy (default [`CachePolicy::new`]: `no-cache`,
    /// a year and `immutable` for fingerprinted names).
    pub fn cache_policy(self, policy: CachePolicy) -> Self {
        self.with(|o| o.policy = policy)
    }

    /// The hot cache: files up to `max_file` bytes are kept in memory, up to
    /// `max_total` bytes in all (defaults 1 MiB and 64 MiB); 0 turns it off.
    pub fn hot_cache(self, max_file: u64, max_total: u64) -> Self {
        self.with(|o| {
            o.hot.max_file = max_file;
            o.hot.max_total = max_total;
        })
    }

    /// How long a kept file is served before its metadata is checked again
    /// (default 1 s).
    pub fn revalidate_after(self, after: Duration) -> Self {
        self.with(|o| o.hot.revalidate_after = after)
    }

    /// The size of one read from a file not kept in memory (default
    /// 256 KiB): the most memory a response body holds at once.
    pub fn chunk_size(self, bytes: usize) -> Self {
        self.with(|o| o.chunk_size = bytes.max(1))
    }

    /// Sends files as downloads: `Content-Disposition: attachment` with the
    /// file name (`filename*` for names that are not ASCII). Default
    /// `false`.
    pub fn attachment(self, attachment: bool) -> Self {
        self.with(|o| o.attachment = attachment)
    }

    /// The most ranges one request may ask for (default 16); past it the
    /// whole file is sent (200).
    pub fn max_ranges(self, ranges: usize) -> Self {
        self.with(|o| o.max_ranges = ranges)
    }
}

impl<B> Service<Request<B>> for StaticFiles {
    type Response = Response<FileBody>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> ResponseFuture {
        let base = MountPrefix::from_request(&request).map_or("", MountPrefix::as_str);
        let mut path = request.uri().path();
        // A router hands the mount's own prefix (`/files`) on as `/`; the
        // original URI tells it apart from `/files/`, which lists or indexes.
        if path == "/"
            && !base.is_empty()
            && OriginalUri::from_request(&request).is_some_and(|o| !o.0.path().ends_with('/'))
        {
            path = "";
        }
        let head = Head {
            method: request.method(),
            headers: request.headers(),
            path,
            query: request.uri().query(),
            base,
        };
        let headers = request.headers();
        match self.engine.start(head) {
            Start::Done(served) => ResponseFuture::ready(answer(served, headers)),
            Start::NotAllowed => ResponseFuture::ready(method_not_allowed(headers)),
            Start::Pending(pending) => ResponseFuture {
                state: State::Pending {
                    pending,
                    accept: headers.get(ACCEPT).cloned(),
                },
            },
        }
    }
}

/// The response for what the engine served: a 404 rendered by `Accept`
/// for a missing file.
fn answer(served: Served, headers: &HeaderMap) -> Response<FileBody> {
    match served {
        Served::Response(response) => response,
        Served::Missing => respond::error(&HttpError::not_found(), headers),
    }
}

fn method_not_allowed(headers: &HeaderMap) -> Response<FileBody> {
    respond::error(
        &HttpError::method_not_allowed([Method::GET, Method::HEAD]),
        headers,
    )
}

/// The response future of [`StaticFiles`].
#[derive(Debug)]
pub struct ResponseFuture {
    state: State,
}

#[derive(Debug)]
enum State {
    Ready(Option<Response<FileBody>>),
    Pending {
        pending: Pending,
        accept: Option<HeaderValue>,
    },
}

impl ResponseFuture {
    fn ready(response: Response<FileBody>) -> Self {
        ResponseFuture {
            state: State::Ready(Some(response)),
        }
    }
}

impl Future for ResponseFuture {
    type Output = Result<Response<FileBody>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.state {
            State::Ready(response) => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                None => Poll::Pending,
            },
            State::Pending { pending, accept } => {
                let served = std::task::ready!(Pin::new(pending).poll(cx));
                let mut headers = HeaderMap::new();
                if let Some(accept) = accept.take() {
                    headers.insert(ACCEPT, accept);
                }
                Poll::Ready(Ok(answer(served, &headers)))
            }
        }
    }
}
