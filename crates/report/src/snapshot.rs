//! Snapshots of the request and response a report is about, taken before
//! the request moves into the inner service.

use std::sync::Arc;

use http::{HeaderMap, Request, Response};
use tackle_request::{ConnectionInfo, MatchedRoute};

use crate::report::{RequestSnapshot, ResponseSnapshot};

/// The request's method, URI, version, headers, matched route (from
/// tackle-routing's `MatchedRoute`) and peer (from `ConnectionInfo`).
/// Secrets are kept here and removed when a report is rendered.
pub fn request_snapshot<B>(request: &Request<B>) -> RequestSnapshot {
    RequestSnapshot {
        method: request.method().to_string(),
        uri: request.uri().to_string(),
        version: format!("{:?}", request.version()),
        headers: lines(request.headers()),
        route: MatchedRoute::from_request(request).map(|r| r.as_str().to_owned()),
        peer: ConnectionInfo::from_request(request).and_then(ConnectionInfo::remote_addr),
        body_preview: None,
    }
}

/// What a report needs of a request, kept cheaply for every request (the
/// header map is cloned, not formatted) and turned into a
/// [`RequestSnapshot`] only when something failed. Taken once per request:
/// the first layer that needs it stores it in the request's extensions, the
/// next ones (a [`CatchPanic`](crate::CatchPanic) inside a mailer) find it.
#[derive(Clone, Debug)]
pub struct SharedSnapshot(pub Arc<RequestHead>);

/// A request's head, as received.
#[derive(Debug)]
pub struct RequestHead {
    method: http::Method,
    uri: http::Uri,
    version: http::Version,
    headers: HeaderMap,
    route: Option<String>,
    peer: Option<std::net::SocketAddr>,
}

impl RequestHead {
    /// The head of `request`.
    pub fn of<B>(request: &Request<B>) -> Self {
        RequestHead {
            method: request.method().clone(),
            uri: request.uri().clone(),
            version: request.version(),
            headers: request.headers().clone(),
            route: MatchedRoute::from_request(request).map(|r| r.as_str().to_owned()),
            peer: ConnectionInfo::from_request(request).and_then(ConnectionInfo::remote_addr),
        }
    }

    /// The method.
    pub fn method(&self) -> &http::Method {
        &self.method
    }

    /// The URI, as received.
    pub fn uri(&self) -> &http::Uri {
        &self.uri
    }

    /// The HTTP version.
    pub fn version(&self) -> http::Version {
        self.version
    }

    /// The headers, unscrubbed.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    /// A header's value, when it is text.
    pub fn header(&self, name: impl http::header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The head as a report shows it.
    pub fn snapshot(&self) -> RequestSnapshot {
        RequestSnapshot {
            method: self.method.to_string(),
            uri: self.uri.to_string(),
            version: format!("{:?}", self.version),
            headers: lines(&self.headers),
            route: self.route.clone(),
            peer: self.peer,
            body_preview: None,
        }
    }
}

/// The head of `request`: the one already in its extensions, or a new one
/// stored there.
pub fn shared_request_head<B>(request: &mut Request<B>) -> Arc<RequestHead> {
    if let Some(shared) = request.extensions().get::<SharedSnapshot>() {
        return Arc::clone(&shared.0);
    }
    let head = Arc::new(RequestHead::of(request));
    request
        .extensions_mut()
        .insert(SharedSnapshot(Arc::clone(&head)));
    head
}

/// The response's status and headers.
pub fn response_snapshot<B>(response: &Response<B>) -> ResponseSnapshot {
    ResponseSnapshot {
        status: response.status().as_u16(),
        headers: lines(response.headers()),
    }
}

fn lines(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}
