//! tackle-cache's `CacheControlLayer` rules on client-sent paths and
//! content types: path globs, fingerprint detection and media ranges, alone
//! and through the layer.
//!
//! Input: `pattern \n path \n content-type \n media-range` (missing parts
//! are empty). Checks: nothing panics; a glob agrees with a memoized
//! reference matcher on short inputs; file-name globs and fingerprint
//! detection depend on the last segment only; content-type matching ignores
//! case; the layer sets `Cache-Control` exactly when `Rule::matches` says so.
#![no_main]

use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use http::{HeaderValue, Request, Response, StatusCode, header};
use libfuzzer_sys::fuzz_target;
use tackle_cache::{CacheControlLayer, Policy, Rule};
use tower_layer::Layer;
use tower_service::Service;

/// A handler answering every request with one prepared response.
#[derive(Clone)]
struct Fixed(Response<()>);

impl Service<Request<()>> for Fixed {
    type Response = Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<Response<()>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        ready(Ok(self.0.clone()))
    }
}

/// Glob semantics, written the slow and obvious way: memoized recursion
/// over (pattern index, path index). `/**/` is `/` or `/.../`, and repeats
/// of `**/` after it add nothing; three or more stars are `**`.
struct Reference<'a> {
    pattern: &'a [char],
    path: &'a [char],
    memo: Vec<Option<bool>>,
}

impl Reference<'_> {
    fn run(pattern: &str, path: &str) -> bool {
        let mut p: Vec<char> = Vec::new();
        for c in pattern.chars() {
            if !(c == '*' && p.ends_with(&['*', '*'])) {
                p.push(c);
            }
        }
        let s: Vec<char> = path.chars().collect();
        let memo = vec![None; (p.len() + 1) * (s.len() + 1)];
        Reference { pattern: &p, path: &s, memo }.at(0, 0)
    }

    fn at(&mut self, i: usize, j: usize) -> bool {
        let key = i * (self.path.len() + 1) + j;
        if let Some(known) = self.memo[key] {
            return known;
        }
        let result = self.compute(i, j);
        self.memo[key] = Some(result);
        result
    }

    fn compute(&mut self, i: usize, j: usize) -> bool {
        let (p, s) = (self.pattern, self.path);
        let rest = &p[i..];
        if rest.is_empty() {
            return j == s.len();
        }
        if rest.starts_with(&['/', '*', '*', '/']) {
            let mut next = i + 4;
            while p[next..].starts_with(&['*', '*', '/']) {
                next += 3;
            }
            if s.get(j) != Some(&'/') {
                return false;
            }
            return self.at(next, j + 1)
                || (j + 1..s.len()).any(|k| s[k] == '/' && self.at(next, k + 1));
        }
        if rest.starts_with(&['*', '*']) {
            return (j..=s.len()).any(|k| self.at(i + 2, k));
        }
        match rest[0] {
            '*' => (j..=s.len())
                .take_while(|&k| k == j || s[k - 1] != '/')
                .any(|k| self.at(i + 1, k)),
            '?' => s.get(j).is_some_and(|&c| c != '/') && self.at(i + 1, j + 1),
            c => s.get(j) == Some(&c) && self.at(i + 1, j + 1),
        }
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn with_content_type(status: StatusCode, content_type: Option<&HeaderValue>) -> Response<()> {
    let mut response = Response::new(());
    *response.status_mut() = status;
    if let Some(value) = content_type {
        response.headers_mut().insert(header::CONTENT_TYPE, value.clone());
    }
    response
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.splitn(4, '\n');
    let pattern = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("");
    let content_type = parts.next().unwrap_or("");
    let range = parts.next().unwrap_or("");
    let status = StatusCode::from_u16(100 + u16::from(data.len() as u8) % 500).unwrap_or(StatusCode::OK);
    let content_type = HeaderValue::from_str(content_type).ok();
    let response = with_content_type(status, content_type.as_ref());

    let glob = Rule::try_path(pattern).ok();
    if let Some(rule) = &glob {
        let matched = rule.matches(path, &response);
        if pattern.chars().count() <= 24 && path.chars().count() <= 48 {
            let subject = if pattern.starts_with('/') { path } else { last_segment(path) };
            assert_eq!(matched, Reference::run(pattern, subject), "{pattern:?} vs {path:?}");
        }
        if !pattern.starts_with('/') {
            let moved = format!("/elsewhere/{}", last_segment(path));
            assert_eq!(matched, rule.matches(&moved, &response), "{pattern:?} vs {path:?}");
        }
    }

    let fingerprinted = Rule::fingerprinted().matches(path, &response);
    let moved = format!("/x/y/{}", last_segment(path));
    assert_eq!(fingerprinted, Rule::fingerprinted().matches(&moved, &response), "{path:?}");
    if fingerprinted {
        // A hash is at least 8 characters, and never the extension.
        let name = last_segment(path);
        assert!(name.len() >= 8, "{path:?}");
        if let Some((stem, _)) = name.rsplit_once('.') {
            assert!(stem.len() >= 8, "{path:?}");
        }
    }

    let media = Rule::try_content_type(range).ok();
    if let (Some(rule), Some(value)) = (&media, &content_type) {
        let matched = rule.matches(path, &response);
        if let Ok(upper) = HeaderValue::from_bytes(&value.as_bytes().to_ascii_uppercase()) {
            let shouted = with_content_type(status, Some(&upper));
            assert_eq!(matched, rule.matches(path, &shouted), "{range:?} vs {value:?}");
        }
    }

    // Through the layer: the first matching rule sets its marker.
    let Ok(request) = Request::get(path).body(()) else { return };
    let uri_path = request.uri().path().to_string();
    let mut rules: Vec<Rule> = Vec::new();
    rules.extend(glob);
    rules.push(Rule::fingerprinted());
    rules.extend(media);
    let mut layer = CacheControlLayer::new();
    for (i, rule) in rules.iter().enumerate() {
        layer = layer.rule(rule.clone(), Policy::parse(&format!("max-age={i}")).unwrap());
    }
    let want = rules
        .iter()
        .position(|rule| rule.matches(&uri_path, &response))
        .map(|i| format!("max-age={i}"));
    let mut service = layer.layer(Fixed(response));
    let mut future = pin!(service.call(request));
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(Ok(answered)) = future.as_mut().poll(&mut cx) else {
        panic!("a ready handler gave a pending or failed layer");
    };
    let got = answered.headers().get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap().to_string());
    assert_eq!(got, want, "{path:?}");
});
