//! Host matching: `api.example.com` or `{tenant}.example.com` chooses a
//! router before the path is looked at (Werkzeug's `host_matching`).
//!
//! A host pattern is matched label by label, right to left: it is turned
//! into a path of its labels in reverse (`{tenant}.example.com` becomes
//! `/com/example/{tenant}`) and matched with the same machinery, converters
//! included. The request's host is the validated `Host` (or the target's
//! authority), lowercased, without its port: patterns name hosts, not
//! ports, so one router serves `localhost:8000` and `localhost:8443` alike.

use http::Request;
use tackle_http::{Host, TypedHeader};
use tackle_request::PathParams;

use crate::converter::Converters;
use crate::router::Router;
use crate::table::Target;

/// Host patterns and their routers.
pub(crate) struct Hosts<B> {
    table: crate::table::Table<B>,
    routers: Vec<Router<B>>,
}

impl<B> Clone for Hosts<B> {
    fn clone(&self) -> Self {
        Hosts {
            table: self.table.clone(),
            routers: self.routers.clone(),
        }
    }
}

impl<B> Default for Hosts<B> {
    fn default() -> Self {
        Hosts {
            table: crate::table::Table::new("host"),
            routers: Vec::new(),
        }
    }
}

impl<B: Send + 'static> Hosts<B> {
    /// Adds `router` for hosts matching `pattern`.
    pub(crate) fn insert(
        &mut self,
        pattern: &str,
        router: Router<B>,
        converters: &Converters,
    ) -> Result<(), String> {
        let host_pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
        let path = host_path(&host_pattern);
        let index = self.routers.len();
        self.table
            .insert(&path, pattern, Target::Host(index), converters)?;
        self.routers.push(router);
        Ok(())
    }
}

impl<B> Hosts<B> {
    pub(crate) fn is_empty(&self) -> bool {
        self.routers.is_empty()
    }

    /// The routers (for names and route layers).
    pub(crate) fn routers_mut(&mut self) -> impl Iterator<Item = &mut Router<B>> {
        self.routers.iter_mut()
    }

    pub(crate) fn routers(&self) -> &[Router<B>] {
        &self.routers
    }

    /// The router for the request's host, and the host's parameters.
    pub(crate) fn find<Body>(&self, request: &Request<Body>) -> Option<(&Router<B>, PathParams)> {
        let host = request_host(request)?;
        let path = host_path(host.hostname());
        let found = self.table.find(&path)?;
        match found.endpoint.target {
            Target::Host(index) => Some((&self.routers[index], found.path_params())),
            _ => None,
        }
    }
}

/// The host the request names: the target's authority (absolute form, or
/// HTTP/2's `:authority`), else the `Host` header; `None` when invalid.
fn request_host<Body>(request: &Request<Body>) -> Option<Host> {
    match request.uri().authority() {
        Some(authority) => Host::new(authority.host(), None).ok(),
        None => Host::from_headers(request.headers())?.ok(),
    }
}

/// `a.b.c` as the path `/c/b/a`; dots inside `{...}` (converter arguments)
/// do not split labels.
fn host_path(host: &str) -> String {
    let mut labels = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in host.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                labels.push(&host[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    labels.push(&host[start..]);
    let mut path = String::with_capacity(host.len() + 1);
    for label in labels.iter().rev() {
        path.push('/');
        path.push_str(label);
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_become_reversed_paths() {
        let cases: &[(&str, &str)] = &[
            ("example.com", "/com/example"),
            ("{tenant}.example.com", "/com/example/{tenant}"),
            ("{v:any(a.b,c)}.example.com", "/com/example/{v:any(a.b,c)}"),
            ("localhost", "/localhost"),
            ("[::1]", "/[::1]"),
        ];
        for &(host, path) in cases {
            assert_eq!(host_path(host), path, "{host}");
        }
    }

    #[test]
    fn the_request_host_is_validated_and_portless() {
        let request = |uri: &str, host: Option<&str>| {
            let mut builder = Request::builder().uri(uri);
            if let Some(host) = host {
                builder = builder.header("host", host);
            }
            builder.body(()).unwrap()
        };
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            ("/", Some("Example.COM:8080"), Some("example.com")),
            ("/", Some("example.com."), Some("example.com")),
            (
                "http://api.example.com/x",
                Some("other.com"),
                Some("api.example.com"),
            ),
            ("/", None, None),
            ("/", Some("bad host"), None),
        ];
        for &(uri, host, expected) in cases {
            let found = request_host(&request(uri, host));
            assert_eq!(
                found.as_ref().map(Host::hostname),
                expected,
                "{uri} {host:?}"
            );
        }
    }
}
