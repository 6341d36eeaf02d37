//! [`send_file`]: one file as the response of a handler, with everything
//! [`StaticFiles`](crate::StaticFiles) does for it: validators, 304 and
//! 412, ranges, precompressed siblings, `Cache-Control`, and optionally a
//! download name.

use std::path::PathBuf;

use http::{Request, Response};
use tackle_request::HttpError;

use crate::body::FileBody;
use crate::cache_policy::CachePolicy;
use crate::lookup;
use crate::options::Options;
use crate::respond;

/// Sends the file at `path` (a path the application chose, not one taken
/// from the request) as the response to `request`, or a 404 when it is not
/// a regular file. A GET or HEAD gets the file (or 304, 206, 412, 416 as
/// its headers ask); other methods get the file too, whole, since a
/// handler chose to answer them with it.
///
/// For a download name or another cache policy use [`SendFile`].
///
/// ```no_run
/// # async fn handler(request: http::Request<()>) -> http::Response<tackle_static::FileBody> {
/// tackle_static::send_file(&request, "reports/2026.pdf").await
/// # }
/// ```
pub async fn send_file<B>(request: &Request<B>, path: impl Into<PathBuf>) -> Response<FileBody> {
    SendFile::new(path).send(request).await
}

/// [`send_file`] with options.
///
/// ```no_run
/// use tackle_static::SendFile;
/// # async fn handler(request: http::Request<()>) -> http::Response<tackle_static::FileBody> {
/// SendFile::new("/srv/uploads/7f3a.bin").download_as("Quarterly report.pdf").send(&request).await
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SendFile {
    path: PathBuf,
    name: Option<String>,
    options: Options,
}

impl SendFile {
    /// The file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let mut options = Options::default();
        // One file sent once: nothing to keep in memory.
        options.hot.max_file = 0;
        SendFile {
            path: path.into(),
            name: None,
            options,
        }
    }

    /// Sends it as a download named `name` (`Content-Disposition:
    /// attachment`, with `filename*` when the name is not ASCII); the
    /// content type still comes from the file's own name.
    pub fn download_as(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self.options.attachment = true;
        self
    }

    /// The `Cache-Control` policy (default [`CachePolicy::new`]).
    pub fn cache_policy(mut self, policy: CachePolicy) -> Self {
        self.options.policy = policy;
        self
    }

    /// Whether to send `x.br`, `x.zst` or `x.gz` beside the file to clients
    /// that accept it (default `true`).
    pub fn precompressed(mut self, serve: bool) -> Self {
        self.options.precompressed = serve;
        self
    }

    /// The response to `request`.
    pub async fn send<B>(self, request: &Request<B>) -> Response<FileBody> {
        let SendFile {
            path,
            name,
            options,
        } = self;
        let job_options = options.clone();
        let found =
            tokio::task::spawn_blocking(move || lookup::trusted_file(&job_options, &path)).await;
        let Ok(Some(mut resource)) = found else {
            return respond::error(&HttpError::not_found(), request.headers());
        };
        if let Some(name) = name {
            resource.name = name;
        }
        let method = if request.method() == http::Method::HEAD {
            http::Method::HEAD
        } else {
            http::Method::GET
        };
        respond::respond(&resource, &method, request.headers(), &options)
    }
}
