//! The client's cookie store: the storage model of RFC 6265 section 5.3
//! (domain, host-only flag, default path, expiry) and the retrieval rules
//! of section 5.4 (domain match, path match, `Secure` only over `https`).
//!
//! `SameSite`, the public suffix list and third-party rules are left out: a
//! test client talks to the one service under test.

use std::net::IpAddr;

use cookie::Cookie;
use cookie::time::OffsetDateTime;
use http::{HeaderMap, Uri};
use tackle_http::SetCookie;

use crate::uri::request_host;

/// One cookie as the jar keeps it, with the attributes that decide where
/// it is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCookie {
    name: String,
    value: String,
    domain: String,
    host_only: bool,
    path: String,
    secure: bool,
    http_only: bool,
    expires: Option<OffsetDateTime>,
}

impl StoredCookie {
    /// The cookie's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cookie's value, as the server set it.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The domain it is sent to: the `Domain` attribute (lowercase, without
    /// a leading dot) or, for a host-only cookie, the host that set it.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// Whether it is sent to its domain only, not to subdomains (no
    /// `Domain` attribute was given).
    pub fn is_host_only(&self) -> bool {
        self.host_only
    }

    /// The path prefix it is sent under: the `Path` attribute or the
    /// directory of the request path that set it.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether it is sent over `https` only.
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// Whether the server marked it `HttpOnly` (kept for inspection; the
    /// test client sends it either way).
    pub fn is_http_only(&self) -> bool {
        self.http_only
    }

    /// When it expires, from `Max-Age` (which wins) or `Expires`; `None`
    /// for a session cookie, kept until the jar is cleared.
    pub fn expires(&self) -> Option<OffsetDateTime> {
        self.expires
    }

    fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.expires.is_some_and(|at| at <= now)
    }

    fn matches(&self, host: &str, path: &str, secure: bool) -> bool {
        let domain_ok = if self.host_only {
            host == self.domain
        } else {
            domain_match(host, &self.domain)
        };
        domain_ok && path_match(path, &self.path) && (secure || !self.secure)
    }
}

/// The cookies a [`TestClient`](crate::TestClient) keeps across requests:
/// filled from each response's `Set-Cookie` lines and sent back in a
/// `Cookie` header to matching requests.
#[derive(Clone, Debug, Default)]
pub struct CookieJar {
    /// In creation order, which is the tie-break of the `Cookie` header.
    cookies: Vec<StoredCookie>,
}

impl CookieJar {
    /// An empty jar.
    pub fn new() -> Self {
        CookieJar::default()
    }

    /// The value of the first unexpired cookie named `name`, whatever its
    /// domain and path.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|c| c.name == name)
            .map(StoredCookie::value)
    }

    /// The unexpired cookies, in creation order.
    pub fn iter(&self) -> impl Iterator<Item = &StoredCookie> {
        let now = OffsetDateTime::now_utc();
        self.cookies.iter().filter(move |c| !c.is_expired(now))
    }

    /// How many unexpired cookies the jar holds.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether the jar holds no unexpired cookie.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every cookie.
    pub fn clear(&mut self) {
        self.cookies.clear();
    }

    /// Stores `name=value` as a session cookie for the default host
    /// (`localhost`) and path `/`, as if that host had set it.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let cookie = Cookie::build((name.into(), value.into())).path("/").build();
        self.store(&cookie, &Uri::from_static("http://localhost/"));
    }

    /// Stores every valid `Set-Cookie` line of a response to a request for
    /// `request_uri`; invalid lines are ignored, as browsers do.
    pub fn store_response(&mut self, request_uri: &Uri, headers: &HeaderMap) {
        for set_cookie in SetCookie::all_from_headers(headers).flatten() {
            self.store(set_cookie.cookie(), request_uri);
        }
    }

    /// Stores one cookie set by a response to `request_uri` (RFC 6265
    /// section 5.3): it replaces a cookie of the same name, domain and path,
    /// and a `Max-Age` of zero or an `Expires` in the past deletes that
    /// cookie instead. A `Domain` the request host does not match is
    /// rejected.
    pub fn store(&mut self, cookie: &Cookie<'_>, request_uri: &Uri) {
        let host = request_host(request_uri);
        let (domain, host_only) = match cookie.domain() {
            Some(domain) => {
                let domain = domain.to_ascii_lowercase();
                if !domain_match(&host, &domain) {
                    return;
                }
                (domain, false)
            }
            None => (host, true),
        };
        let path = match cookie.path() {
            Some(path) if path.starts_with('/') => path.to_owned(),
            _ => default_path(request_uri.path()),
        };
        let now = OffsetDateTime::now_utc();
        let expires = match cookie.max_age() {
            // An overflowing Max-Age is as good as forever.
            Some(max_age) => now.checked_add(max_age),
            None => cookie.expires_datetime(),
        };
        let stored = StoredCookie {
            name: cookie.name().to_owned(),
            value: cookie.value().to_owned(),
            domain,
            host_only,
            path,
            secure: cookie.secure().unwrap_or(false),
            http_only: cookie.http_only().unwrap_or(false),
            expires,
        };
        let same = |c: &StoredCookie| {
            c.name == stored.name && c.domain == stored.domain && c.path == stored.path
        };
        let expired = stored.is_expired(now);
        match self.cookies.iter().position(same) {
            Some(at) if expired => {
                self.cookies.remove(at);
            }
            Some(at) => self.cookies[at] = stored,
            None if expired => {}
            None => self.cookies.push(stored),
        }
        self.cookies.retain(|c| !c.is_expired(now));
    }

    /// The `Cookie` header value for a request to `uri` (RFC 6265 section
    /// 5.4): matching cookies, longer paths first, then oldest first;
    /// `None` when no cookie matches.
    pub fn header_for(&self, uri: &Uri) -> Option<String> {
        let host = request_host(uri);
        let path = if uri.path().is_empty() {
            "/"
        } else {
            uri.path()
        };
        let secure = uri.scheme_str() == Some("https");
        let mut matching: Vec<&StoredCookie> = self
            .iter()
            .filter(|c| c.matches(&host, path, secure))
            .collect();
        // Stable: equal path lengths keep creation order.
        matching.sort_by_key(|c| std::cmp::Reverse(c.path.len()));
        let mut header = String::new();
        for cookie in matching {
            if !header.is_empty() {
                header.push_str("; ");
            }
            header.push_str(&cookie.name);
            header.push('=');
            header.push_str(&cookie.value);
        }
        (!header.is_empty()).then_some(header)
    }
}

/// RFC 6265 section 5.1.3: the host is the domain, or a subdomain of it
/// when the host is a name rather than an IP address.
fn domain_match(host: &str, domain: &str) -> bool {
    if host == domain {
        return true;
    }
    host.strip_suffix(domain)
        .is_some_and(|prefix| prefix.ends_with('.'))
        && host.parse::<IpAddr>().is_err()
        && !domain.is_empty()
}

/// RFC 6265 section 5.1.4: the cookie path is the request path or a
/// directory prefix of it.
fn path_match(request_path: &str, cookie_path: &str) -> bool {
    match request_path.strip_prefix(cookie_path) {
        Some(rest) => rest.is_empty() || cookie_path.ends_with('/') || rest.starts_with('/'),
        None => false,
    }
}

/// RFC 6265 section 5.1.4: the directory of the request path, the path a
/// cookie without `Path` gets.
fn default_path(request_path: &str) -> String {
    match request_path.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(at) => request_path[..at].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uri::DEFAULT_HOST;

    #[test]
    fn domain_matching() {
        let cases: &[(&str, &str, bool)] = &[
            ("example.com", "example.com", true),
            ("www.example.com", "example.com", true),
            ("wwwexample.com", "example.com", false),
            ("example.com", "www.example.com", false),
            ("127.0.0.1", "0.0.1", false),
            ("localhost", "localhost", true),
        ];
        for &(host, domain, expected) in cases {
            assert_eq!(domain_match(host, domain), expected, "{host} {domain}");
        }
    }

    #[test]
    fn path_matching() {
        let cases: &[(&str, &str, bool)] = &[
            ("/", "/", true),
            ("/a", "/", true),
            ("/a/b", "/a", true),
            ("/a/b", "/a/", true),
            ("/ab", "/a", false),
            ("/a", "/a/b", false),
            ("/a", "/a", true),
        ];
        for &(request, cookie, expected) in cases {
            assert_eq!(path_match(request, cookie), expected, "{request} {cookie}");
        }
    }

    #[test]
    fn default_paths() {
        let cases: &[(&str, &str)] = &[
            ("", "/"),
            ("/", "/"),
            ("/login", "/"),
            ("/account/login", "/account"),
            ("/a/b/", "/a/b"),
        ];
        for &(request, expected) in cases {
            assert_eq!(default_path(request), expected, "{request}");
        }
    }

    #[test]
    fn set_uses_the_default_host() {
        let mut jar = CookieJar::new();
        jar.set("lang", "en");
        let stored = jar.iter().next().unwrap();
        assert_eq!(stored.domain(), DEFAULT_HOST);
        assert_eq!(stored.path(), "/");
        assert!(stored.is_host_only());
    }
}
