//! Values carried in a request's [`http::Extensions`], so that a router, a
//! server and a handler can share per-request data without depending on one
//! another: the router fills [`PathParams`], [`MatchedRoute`],
//! [`MountPrefix`], [`OriginalUri`] and [`UrlBuilder`]; the server fills
//! [`ConnectionInfo`].
//!
//! Each type has `from_request` and `from_extensions` accessors that return
//! `None` when nothing filled it in.
//!
//! ```
//! use tackle_request::extensions::{MatchedRoute, PathParams};
//!
//! let mut request = http::Request::new(());
//! let params: PathParams = [("user", "42"), ("tab", "repos")].into_iter().collect();
//! request.extensions_mut().insert(params);
//! request.extensions_mut().insert(MatchedRoute::new("/users/{user}/{tab}"));
//!
//! let params = PathParams::from_request(&request).unwrap();
//! assert_eq!(params.get::<u32>("user"), Ok(42));
//! assert_eq!(params.get_str("tab"), Some("repos"));
//! assert_eq!(MatchedRoute::from_request(&request).unwrap().as_str(), "/users/{user}/{tab}");
//! ```

use std::error::Error;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;

use http::{Extensions, StatusCode, Uri};
use smallvec::SmallVec;

use crate::HttpError;

/// Adds `from_request` and `from_extensions` to an extension type.
macro_rules! extension_accessors {
    ($ty:ty, $what:literal) => {
        impl $ty {
            #[doc = concat!("The ", $what, " of `request`, if one was stored in its extensions.")]
            pub fn from_request<B>(request: &http::Request<B>) -> Option<&Self> {
                request.extensions().get::<Self>()
            }

            #[doc = concat!("The ", $what, " stored in `extensions`, if any.")]
            pub fn from_extensions(extensions: &Extensions) -> Option<&Self> {
                extensions.get::<Self>()
            }
        }
    };
}

/// The parameters a router captured from the path, in pattern order, as raw
/// (already percent-decoded) strings.
///
/// Names are unique in a route pattern; if a router pushes a name twice,
/// [`get_str`](Self::get_str) returns the first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathParams {
    /// The values one after another, always valid UTF-8. A router fills
    /// this for every request, so the usual few short values are kept
    /// inline rather than in allocations of their own.
    text: SmallVec<[u8; INLINE_TEXT]>,
    /// Each name with the end of its value in `text`.
    entries: SmallVec<[(Arc<str>, usize); INLINE_PARAMS]>,
}

/// How many parameters, and how many bytes of values, fit without an
/// allocation.
const INLINE_PARAMS: usize = 4;
const INLINE_TEXT: usize = 64;

extension_accessors!(PathParams, "path parameters");

impl PathParams {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// No parameters, with room for `params` of them whose values take
    /// `text_bytes` bytes in all.
    pub fn with_capacity(params: usize, text_bytes: usize) -> Self {
        PathParams {
            text: SmallVec::with_capacity(text_bytes),
            entries: SmallVec::with_capacity(params),
        }
    }

    /// Appends a parameter, as a router does for each capture.
    pub fn push(&mut self, name: impl Into<Arc<str>>, value: impl AsRef<str>) {
        self.text.extend_from_slice(value.as_ref().as_bytes());
        self.entries.push((name.into(), self.text.len()));
    }

    /// The raw value of the parameter `name`.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The parameter `name` parsed as a `T`: an error names the parameter
    /// when it is missing (the handler and route disagree) or does not parse.
    pub fn get<T: FromStr>(&self, name: &str) -> Result<T, PathParamError> {
        let value = self
            .get_str(name)
            .ok_or_else(|| PathParamError::new(name, false))?;
        value.parse().map_err(|_| PathParamError::new(name, true))
    }

    /// The parameters as `(name, value)` pairs, in pattern order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.entries.iter().enumerate().map(|(i, (name, end))| {
            let start = i
                .checked_sub(1)
                .map_or(0, |previous| self.entries[previous].1);
            // Each value was pushed whole from a `&str`, so the slice is
            // valid UTF-8 and the check never fails.
            let value = self.text.get(start..*end).unwrap_or_default();
            (&**name, std::str::from_utf8(value).unwrap_or_default())
        })
    }

    /// The number of parameters.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<N: Into<Arc<str>>, V: AsRef<str>> FromIterator<(N, V)> for PathParams {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut params = PathParams::new();
        for (name, value) in iter {
            params.push(name, value);
        }
        params
    }
}

/// A path parameter that was missing or did not parse as the type asked for.
///
/// As a response ([`From<PathParamError> for HttpError`](HttpError)) an
/// unparsable value is `404 Not Found`, as a failed route converter is in
/// Werkzeug; a missing one is `500`, as it means the handler asks for a
/// parameter its route does not capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathParamError {
    name: String,
    invalid: bool,
}

impl PathParamError {
    fn new(name: &str, invalid: bool) -> Self {
        PathParamError {
            name: name.to_owned(),
            invalid,
        }
    }

    /// The parameter's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the route captured no parameter of this name.
    pub fn is_missing(&self) -> bool {
        !self.invalid
    }

    /// Whether the value was captured but did not parse.
    pub fn is_invalid(&self) -> bool {
        self.invalid
    }
}

impl fmt::Display for PathParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.invalid {
            write!(f, "path parameter {:?} is not valid", self.name)
        } else {
            write!(f, "path parameter {:?} is missing", self.name)
        }
    }
}

impl Error for PathParamError {}

impl From<PathParamError> for HttpError {
    fn from(error: PathParamError) -> Self {
        if error.invalid {
            HttpError::not_found()
        } else {
            // The message names a server bug, not client input: keep it out
            // of the response.
            HttpError::from_status(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// The pattern of the route that matched, e.g. `/users/{id}`: a label for
/// logs and metrics that does not grow with the number of distinct URLs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MatchedRoute(Arc<str>);

extension_accessors!(MatchedRoute, "matched route");

impl MatchedRoute {
    /// The route whose pattern is `pattern`.
    pub fn new(pattern: impl Into<Arc<str>>) -> Self {
        MatchedRoute(pattern.into())
    }

    /// The route pattern.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MatchedRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The request URI as the client sent it, before a router mount removed a
/// prefix from the path. The first mount stores it; nested mounts keep it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginalUri(pub Uri);

extension_accessors!(OriginalUri, "original URI");

impl OriginalUri {
    /// The URI as received.
    pub fn uri(&self) -> &Uri {
        &self.0
    }
}

/// The path prefix that router mounts removed from the request path, e.g.
/// `/api` (Werkzeug's `script_root`). Nested mounts store the whole prefix
/// removed so far (`/api/v1`). It starts with `/` and has no trailing `/`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MountPrefix(Arc<str>);

extension_accessors!(MountPrefix, "mount prefix");

impl MountPrefix {
    /// The prefix `prefix`, as it appears in the raw (percent-encoded) path.
    pub fn new(prefix: impl Into<Arc<str>>) -> Self {
        MountPrefix(prefix.into())
    }

    /// The prefix text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MountPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The function a [`UrlBuilder`] wraps: route name and parameters to a path.
type BuildFn = dyn Fn(&str, &[(&str, &str)]) -> Result<String, BuildUrlError> + Send + Sync;

/// A handle to the router's URL building (Werkzeug's `url_for`): the path of
/// a named route with its parameters filled in. Cloning is cheap.
#[derive(Clone)]
pub struct UrlBuilder(Arc<BuildFn>);

extension_accessors!(UrlBuilder, "URL builder");

impl UrlBuilder {
    /// A builder that calls `build` with the route name and parameters.
    pub fn new<F>(build: F) -> Self
    where
        F: Fn(&str, &[(&str, &str)]) -> Result<String, BuildUrlError> + Send + Sync + 'static,
    {
        UrlBuilder(Arc::new(build))
    }

    /// The URL of the route named `name` with `params` filled in, as the
    /// router builds it (usually a path with the mount prefix).
    pub fn url_for(&self, name: &str, params: &[(&str, &str)]) -> Result<String, BuildUrlError> {
        (self.0)(name, params)
    }
}

impl fmt::Debug for UrlBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UrlBuilder(..)")
    }
}

/// Why a [`UrlBuilder`] could not build a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildUrlError {
    kind: BuildUrlErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum BuildUrlErrorKind {
    UnknownRoute {
        route: String,
        suggestion: Option<String>,
    },
    NoBuilder,
    MissingParam {
        route: String,
        param: String,
    },
    InvalidParam {
        route: String,
        param: String,
    },
}

impl BuildUrlError {
    /// No route has the name `route`.
    pub fn unknown_route(route: &str) -> Self {
        Self::from_kind(BuildUrlErrorKind::UnknownRoute {
            route: route.to_owned(),
            suggestion: None,
        })
    }

    /// This error with `suggestion`, the known route name closest to the
    /// unknown one, said in the message; `None` leaves it as it is. Only
    /// unknown-route errors take a suggestion.
    pub fn with_suggestion(mut self, suggestion: Option<&str>) -> Self {
        if let (
            BuildUrlErrorKind::UnknownRoute {
                suggestion: slot, ..
            },
            Some(name),
        ) = (&mut self.kind, suggestion)
        {
            *slot = Some(name.to_owned());
        }
        self
    }

    /// For an unknown route, the closest known name, if one was suggested.
    pub fn suggestion(&self) -> Option<&str> {
        match &self.kind {
            BuildUrlErrorKind::UnknownRoute { suggestion, .. } => suggestion.as_deref(),
            _ => None,
        }
    }

    /// The request carries no [`UrlBuilder`]: no router routed it.
    pub fn no_builder() -> Self {
        Self::from_kind(BuildUrlErrorKind::NoBuilder)
    }

    /// The route `route` needs the parameter `param`, which was not given.
    pub fn missing_param(route: &str, param: &str) -> Self {
        Self::from_kind(BuildUrlErrorKind::MissingParam {
            route: route.to_owned(),
            param: param.to_owned(),
        })
    }

    /// The value given for `param` does not fit the route's converter.
    pub fn invalid_param(route: &str, param: &str) -> Self {
        Self::from_kind(BuildUrlErrorKind::InvalidParam {
            route: route.to_owned(),
            param: param.to_owned(),
        })
    }

    fn from_kind(kind: BuildUrlErrorKind) -> Self {
        BuildUrlError { kind }
    }

    /// Whether no route has the name asked for.
    pub fn is_unknown_route(&self) -> bool {
        matches!(self.kind, BuildUrlErrorKind::UnknownRoute { .. })
    }

    /// Whether a parameter the route needs was not given.
    pub fn is_missing_param(&self) -> bool {
        matches!(self.kind, BuildUrlErrorKind::MissingParam { .. })
    }

    /// Whether a parameter value does not fit the route.
    pub fn is_invalid_param(&self) -> bool {
        matches!(self.kind, BuildUrlErrorKind::InvalidParam { .. })
    }
}

impl fmt::Display for BuildUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            BuildUrlErrorKind::UnknownRoute { route, suggestion } => {
                write!(f, "no route named {route:?}")?;
                match suggestion {
                    Some(name) => write!(f, " (did you mean {name:?}?)"),
                    None => Ok(()),
                }
            }
            BuildUrlErrorKind::NoBuilder => {
                f.write_str("the request has no URL builder (was it routed by a router?)")
            }
            BuildUrlErrorKind::MissingParam { route, param } => {
                write!(f, "route {route:?} needs parameter {param:?}")
            }
            BuildUrlErrorKind::InvalidParam { route, param } => {
                write!(f, "parameter {param:?} is not valid for route {route:?}")
            }
        }
    }
}

impl Error for BuildUrlError {}

impl From<BuildUrlError> for HttpError {
    /// A URL the application cannot build is a server bug: `500`, with the
    /// details kept out of the response.
    fn from(_: BuildUrlError) -> Self {
        HttpError::internal_server_error()
    }
}

/// What the server knows about the connection a request came on: the peer's
/// address and whether it is TLS. Servers set it; [`crate::request::Request`]
/// reads it for `remote_addr()`, `scheme()` and `is_secure()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConnectionInfo {
    remote_addr: Option<SocketAddr>,
    secure: bool,
}

extension_accessors!(ConnectionInfo, "connection information");

impl ConnectionInfo {
    /// A plain (not TLS) connection from `remote_addr`.
    pub fn new(remote_addr: SocketAddr) -> Self {
        ConnectionInfo {
            remote_addr: Some(remote_addr),
            secure: false,
        }
    }

    /// This connection marked as TLS (`true`) or plain (`false`).
    pub fn with_secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// The peer's address, when known (not for Unix sockets).
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote_addr
    }

    /// Whether the connection is TLS.
    pub fn is_secure(&self) -> bool {
        self.secure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_with<T: Clone + Send + Sync + 'static>(value: T) -> http::Request<()> {
        let mut request = http::Request::new(());
        request.extensions_mut().insert(value);
        request
    }

    #[test]
    fn path_params_get_and_iterate_in_order() {
        let params: PathParams = [("id", "42"), ("slug", "hello world"), ("neg", "-3")]
            .into_iter()
            .collect();
        let cases: &[(&str, Option<&str>)] = &[
            ("id", Some("42")),
            ("slug", Some("hello world")),
            ("neg", Some("-3")),
            ("missing", None),
            ("ID", None),
        ];
        for &(name, expected) in cases {
            assert_eq!(params.get_str(name), expected, "{name}");
        }
        assert_eq!(
            params.iter().collect::<Vec<_>>(),
            [("id", "42"), ("slug", "hello world"), ("neg", "-3")]
        );
        assert_eq!(params.len(), 3);
        assert!(!params.is_empty());
        assert!(PathParams::new().is_empty());
    }

    #[test]
    fn path_params_typed() {
        let params: PathParams = [("id", "42"), ("neg", "-3"), ("word", "abc")]
            .into_iter()
            .collect();
        assert_eq!(params.get::<u32>("id"), Ok(42));
        assert_eq!(params.get::<i8>("neg"), Ok(-3));
        assert_eq!(params.get::<String>("word"), Ok("abc".to_owned()));

        let invalid = params.get::<u32>("neg").unwrap_err();
        assert!(invalid.is_invalid() && !invalid.is_missing());
        assert_eq!(invalid.name(), "neg");
        assert_eq!(invalid.to_string(), "path parameter \"neg\" is not valid");
        assert_eq!(HttpError::from(invalid).status(), StatusCode::NOT_FOUND);

        let missing = params.get::<u32>("nope").unwrap_err();
        assert!(missing.is_missing());
        assert_eq!(missing.to_string(), "path parameter \"nope\" is missing");
        assert_eq!(
            HttpError::from(missing).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn path_params_first_of_duplicate_name() {
        let params: PathParams = [("a", "1"), ("a", "2")].into_iter().collect();
        assert_eq!(params.get_str("a"), Some("1"));
    }

    #[test]
    fn accessors_read_extensions() {
        let request = request_with(MatchedRoute::new("/users/{id}"));
        assert_eq!(
            MatchedRoute::from_request(&request).map(MatchedRoute::as_str),
            Some("/users/{id}")
        );
        assert_eq!(
            MatchedRoute::from_request(&request).unwrap().to_string(),
            "/users/{id}"
        );
        assert!(PathParams::from_request(&request).is_none());
        assert!(MountPrefix::from_extensions(request.extensions()).is_none());

        let request = request_with(MountPrefix::new("/api"));
        assert_eq!(
            MountPrefix::from_request(&request).unwrap().as_str(),
            "/api"
        );
        assert_eq!(
            MountPrefix::from_request(&request).unwrap().to_string(),
            "/api"
        );

        let uri: Uri = "/api/users?x=1".parse().unwrap();
        let request = request_with(OriginalUri(uri.clone()));
        assert_eq!(OriginalUri::from_request(&request).unwrap().uri(), &uri);

        let addr: SocketAddr = "[::1]:5000".parse().unwrap();
        let request = request_with(ConnectionInfo::new(addr).with_secure(true));
        let info = ConnectionInfo::from_extensions(request.extensions()).unwrap();
        assert_eq!(info.remote_addr(), Some(addr));
        assert!(info.is_secure());
        assert_eq!(ConnectionInfo::default().remote_addr(), None);
    }

    #[test]
    fn url_builder_calls_the_router() {
        let builder = UrlBuilder::new(|name, params| match name {
            "user" => {
                let id = params
                    .iter()
                    .find(|(k, _)| *k == "id")
                    .map(|(_, v)| *v)
                    .ok_or_else(|| BuildUrlError::missing_param("user", "id"))?;
                if id.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(format!("/users/{id}"))
                } else {
                    Err(BuildUrlError::invalid_param("user", "id"))
                }
            }
            _ => Err(BuildUrlError::unknown_route(name)),
        });
        let request = request_with(builder);
        let builder = UrlBuilder::from_request(&request).unwrap().clone();
        assert_eq!(builder.url_for("user", &[("id", "7")]).unwrap(), "/users/7");

        let missing = builder.url_for("user", &[]).unwrap_err();
        assert!(missing.is_missing_param());
        assert_eq!(missing.to_string(), "route \"user\" needs parameter \"id\"");

        let invalid = builder.url_for("user", &[("id", "x")]).unwrap_err();
        assert!(invalid.is_invalid_param());
        assert_eq!(
            invalid.to_string(),
            "parameter \"id\" is not valid for route \"user\""
        );

        let unknown = builder.url_for("nope", &[]).unwrap_err();
        assert!(unknown.is_unknown_route() && !unknown.is_missing_param());
        assert_eq!(unknown.to_string(), "no route named \"nope\"");
        assert_eq!(unknown.suggestion(), None);
        let suggested = unknown.with_suggestion(Some("note"));
        assert_eq!(suggested.suggestion(), Some("note"));
        assert_eq!(
            suggested.to_string(),
            "no route named \"nope\" (did you mean \"note\"?)"
        );
        let missing = BuildUrlError::missing_param("a", "b").with_suggestion(Some("c"));
        assert_eq!(missing.suggestion(), None);
        assert_eq!(format!("{builder:?}"), "UrlBuilder(..)");
    }
}
