//! The engine behind [`StaticFiles`](crate::StaticFiles) and
//! [`SharedData`](crate::SharedData): from a request path to a response,
//! from the hot cache or an embedded bundle at once, or after one job on
//! tokio's blocking pool.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use smallvec::SmallVec;
use tokio::task::JoinHandle;

use crate::body::FileBody;
use crate::bundle::{Bundle, EmbeddedFile};
use crate::hot_cache::{Entry, HotCache};
use crate::listing::{self, ListingEntry};
use crate::lookup::{self, Found};
use crate::options::Options;
use crate::resource::{self, Representation, Resource};
use crate::respond;

/// Where files come from.
#[derive(Debug)]
pub(crate) enum Root {
    /// A directory, by its canonical path (`None` when it does not exist:
    /// then nothing is found).
    Dir(Option<PathBuf>),
    /// Files compiled in, prepared once.
    Bundle(&'static Bundle, HashMap<&'static str, Resource>),
}

/// A configured source of files.
#[derive(Debug)]
pub(crate) struct Engine {
    pub(crate) root: Root,
    pub(crate) options: Options,
    cache: HotCache,
}

/// The parts of a request the engine reads.
pub(crate) struct Head<'a> {
    pub(crate) method: &'a Method,
    pub(crate) headers: &'a HeaderMap,
    /// The path to resolve, as received (percent-encoded), from `/`.
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    /// What the client's URL has before `path` (mount prefixes), for
    /// redirects and listings.
    pub(crate) base: &'a str,
}

/// What the engine answers.
pub(crate) enum Served {
    Response(Response<FileBody>),
    /// No file here (or one served as if absent).
    Missing,
}

/// How an answer comes.
pub(crate) enum Start {
    Done(Served),
    /// Not GET or HEAD.
    NotAllowed,
    Pending(Pending),
}

impl Engine {
    pub(crate) fn new(root: Root, options: Options) -> Self {
        let cache = HotCache::new(options.hot);
        Engine {
            root,
            options,
            cache,
        }
    }

    pub(crate) fn directory(root: &Path, options: Options) -> Self {
        Engine::new(Root::Dir(std::fs::canonicalize(root).ok()), options)
    }

    pub(crate) fn bundle(bundle: &'static Bundle, options: Options) -> Self {
        let modified = bundle.modified();
        let prepared = bundle
            .files()
            .iter()
            .map(|file| (file.path, embedded(file, modified, &options)))
            .collect();
        Engine::new(Root::Bundle(bundle, prepared), options)
    }

    pub(crate) fn start(self: &Arc<Self>, head: Head<'_>) -> Start {
        if *head.method != Method::GET && *head.method != Method::HEAD {
            return Start::NotAllowed;
        }
        if head.path.is_empty() {
            // A mount's own prefix (`/static`): the directory without its slash.
            return Start::Done(Served::Response(add_slash(&Snapshot::of(&head))));
        }
        let Some(relative) = relative(head.path) else {
            return Start::Done(Served::Missing);
        };
        // Kept by the decoded path, so that spellings of one file
        // (`/%61.txt`, `/a.txt`) share an entry rather than crowd out others.
        let stale = match self.cache.get(&relative) {
            Some((entry, true)) => {
                let response =
                    respond::respond(&entry.resource, head.method, head.headers, &self.options);
                return Start::Done(Served::Response(response));
            }
            Some((entry, false)) => Some(entry),
            None => None,
        };
        if !relative.is_empty() && self.options.disallow.is_disallowed(&relative) {
            return Start::Done(Served::Missing);
        }
        match &self.root {
            Root::Dir(None) => Start::Done(Served::Missing),
            Root::Bundle(bundle, prepared) => {
                match find_in_bundle(bundle, prepared, &self.options, &relative) {
                    Ok(resource) => Start::Done(Served::Response(respond::respond(
                        resource,
                        head.method,
                        head.headers,
                        &self.options,
                    ))),
                    Err(found) => Start::Done(self.finish(found, &Snapshot::of(&head))),
                }
            }
            Root::Dir(Some(root)) => {
                let engine = Arc::clone(self);
                let root = root.clone();
                let key = relative.clone();
                let read = *head.method != Method::HEAD;
                let job = tokio::task::spawn_blocking(move || match stale {
                    Some(entry)
                        if lookup::unchanged(&entry.resource, engine.options.precompressed) =>
                    {
                        Job::Unchanged(entry)
                    }
                    _ => Job::Found(lookup::find(&engine.options, &root, &relative, read)),
                });
                let mut snapshot = Snapshot::of(&head);
                snapshot.key = key;
                Start::Pending(Pending {
                    job,
                    engine: Arc::clone(self),
                    snapshot: Some(snapshot),
                })
            }
        }
    }

    /// The answer for what was found.
    fn finish(&self, found: Found, request: &Snapshot) -> Served {
        match found {
            Found::File(resource) => {
                if let Root::Dir(_) = self.root {
                    self.cache.insert(&request.key, &resource);
                }
                Served::Response(respond::respond(
                    &resource,
                    &request.method,
                    &request.headers,
                    &self.options,
                ))
            }
            Found::AddSlash => Served::Response(add_slash(request)),
            Found::Listing(entries) => Served::Response(listing(request, entries)),
            Found::Missing => {
                self.cache.remove(&request.key);
                Served::Missing
            }
        }
    }
}

/// The decoded path relative to the root (`/`-separated, no leading `/`,
/// a trailing `/` kept), or `None` when `safe_join` refuses it.
fn relative(path: &str) -> Option<String> {
    let joined = tackle_http::safe_join_url_path(Path::new(""), path).ok()?;
    let mut text = joined.to_str()?.to_owned();
    if cfg!(windows) {
        text = text.replace('\\', "/");
    }
    if path.ends_with('/') && !text.is_empty() && !text.ends_with('/') {
        text.push('/');
    }
    Some(text)
}

/// What a finished request still needs from the request.
struct Snapshot {
    method: Method,
    headers: HeaderMap,
    /// The hot cache's key: the decoded relative path.
    key: String,
    /// The client's path (base included) and query.
    path: String,
    query: Option<String>,
    /// Whether a mount prefix was known (else the service may sit under a
    /// prefix nobody told it about, as with axum's `nest_service`).
    has_base: bool,
    is_root: bool,
}

impl Snapshot {
    fn of(head: &Head<'_>) -> Self {
        Snapshot {
            method: head.method.clone(),
            headers: head.headers.clone(),
            key: head.path.to_owned(),
            path: format!("{}{}", head.base.trim_end_matches('/'), head.path),
            query: head.query.map(str::to_owned),
            has_base: !head.base.is_empty(),
            is_root: head.path == "/" || head.path.is_empty(),
        }
    }
}

/// 308 to the same path with a slash, keeping the query: absolute under a
/// known mount prefix, else relative to the last segment (`docs/`), which
/// resolves right under any prefix the service was not told about.
fn add_slash(request: &Snapshot) -> Response<FileBody> {
    let last = request.path.rsplit('/').next().unwrap_or("");
    let mut location = if request.has_base || last.is_empty() {
        format!("{}/", request.path)
    } else {
        format!("{last}/")
    };
    if let Some(query) = &request.query {
        location.push('?');
        location.push_str(query);
    }
    let mut response = Response::new(FileBody::empty());
    *response.status_mut() = StatusCode::PERMANENT_REDIRECT;
    if let Ok(value) = HeaderValue::try_from(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

fn listing(request: &Snapshot, entries: Vec<ListingEntry>) -> Response<FileBody> {
    let page = listing::render(&request.path, request.is_root, entries);
    let mut response = Response::new(FileBody::empty());
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // The page needs nothing but its own inline style.
    headers.insert(
        http::header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    headers.insert(CONTENT_LENGTH, HeaderValue::from(page.len()));
    if request.method != Method::HEAD {
        *response.body_mut() = FileBody::bytes(Bytes::from(page));
    }
    response
}

/// What the blocking job found.
enum Job {
    Found(Found),
    Unchanged(Arc<Entry>),
}

/// An answer waiting for the blocking pool.
pub(crate) struct Pending {
    job: JoinHandle<Job>,
    engine: Arc<Engine>,
    snapshot: Option<Snapshot>,
}

impl Future for Pending {
    type Output = Served;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Served> {
        let job = match Pin::new(&mut self.job).poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Ok(job)) => job,
            // The job panicked or was cancelled: nothing to serve.
            Poll::Ready(Err(_)) => Job::Found(Found::Missing),
        };
        let Some(request) = self.snapshot.take() else {
            return Poll::Ready(Served::Missing);
        };
        let served = match job {
            Job::Unchanged(entry) => {
                self.engine.cache.checked(&entry);
                Served::Response(respond::respond(
                    &entry.resource,
                    &request.method,
                    &request.headers,
                    &self.engine.options,
                ))
            }
            Job::Found(found) => self.engine.finish(found, &request),
        };
        Poll::Ready(served)
    }
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").finish_non_exhaustive()
    }
}

/// An embedded file as a resource.
fn embedded(
    file: &'static EmbeddedFile,
    modified: Option<std::time::SystemTime>,
    options: &Options,
) -> Resource {
    let mut representations: SmallVec<[Representation; 2]> = SmallVec::new();
    representations.push(Representation::embedded(
        None,
        file.content,
        file.etag,
        modified,
    ));
    if options.precompressed {
        for variant in file.variants {
            let coding = resource::CODINGS
                .iter()
                .map(|(coding, _)| *coding)
                .find(|c| *c == variant.coding);
            if let Some(coding) = coding {
                representations.push(Representation::embedded(
                    Some(coding),
                    variant.content,
                    variant.etag,
                    modified,
                ));
            }
        }
    }
    let name = file.path.rsplit('/').next().unwrap_or(file.path).to_owned();
    Resource {
        representations,
        content_type: HeaderValue::try_from(file.content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
        cache_control: options.policy.for_name(&name),
        name,
    }
}

/// Looks `relative` up in a bundle, as [`lookup::find`] does on disk: a
/// file, or what else was found.
fn find_in_bundle<'a>(
    bundle: &Bundle,
    prepared: &'a HashMap<&'static str, Resource>,
    options: &Options,
    relative: &str,
) -> Result<&'a Resource, Found> {
    let wants_dir = relative.is_empty() || relative.ends_with('/');
    let trimmed = relative.trim_end_matches('/');
    if let Some(resource) = prepared.get(trimmed) {
        return if wants_dir {
            Err(Found::Missing)
        } else {
            Ok(resource)
        };
    }
    if !bundle.is_dir(trimmed) {
        return Err(Found::Missing);
    }
    if !wants_dir {
        return Err(Found::AddSlash);
    }
    if let Some(index) = &options.index {
        let index_path = if trimmed.is_empty() {
            index.clone()
        } else {
            format!("{trimmed}/{index}")
        };
        if let Some(resource) = prepared.get(index_path.as_str()) {
            return Ok(resource);
        }
    }
    if options.listing {
        let dir = if trimmed.is_empty() {
            String::new()
        } else {
            format!("{trimmed}/")
        };
        let entries = bundle
            .list(trimmed)
            .into_iter()
            .filter(|(name, _, _)| !options.disallow.is_disallowed(&format!("{dir}{name}")))
            .map(|(name, is_dir, size)| ListingEntry {
                name,
                is_dir,
                size,
                modified: bundle.modified(),
            })
            .collect();
        return Err(Found::Listing(entries));
    }
    Err(Found::Missing)
}
