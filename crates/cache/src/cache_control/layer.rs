//! [`CacheControlLayer`]: the rules and the options.

use std::sync::Arc;

use http::{Response, StatusCode};
use smallvec::SmallVec;
use tackle_http::CacheControl;
use tower_layer::Layer;

use super::{Policy, Rule, SetCacheControl};

/// Sets `Cache-Control` (and optionally `Expires` and `Vary`) on responses,
/// by the first of an ordered list of rules that matches.
///
/// Cheap to clone: the configuration sits behind an [`Arc`].
///
/// | option | default |
/// |---|---|
/// | rules | none ([`new`](Self::new)): every response passes untouched |
/// | [`override_existing`](Self::override_existing) | `false`: a handler's own `Cache-Control` (and `Expires`) is kept |
///
/// Rules are tried in the order they were added; the first whose
/// conditions all hold chooses the [`Policy`], and a response no rule
/// matches is left alone. The body is never touched, and the response body
/// type stays the inner service's.
///
/// [`recommended`](Self::recommended) starts from these rules:
///
/// | # | rule | policy |
/// |---|---|---|
/// | 1 | 5xx ([`Rule::server_error`]) | `no-store` |
/// | 2 | fingerprinted asset and 2xx ([`Rule::fingerprinted`], [`Rule::success`]) | `public, max-age=31536000, immutable` |
/// | 3 | fingerprinted asset and 304 | `public, max-age=31536000, immutable` |
/// | 4 | `text/html` ([`Rule::content_type`]) | `private, no-cache` |
///
/// The fingerprinted rules are limited to 2xx and 304 (which must repeat
/// the `Cache-Control` a 200 would carry) so that a 404 for an asset that
/// is not deployed yet is never cached for a year.
#[derive(Clone, Debug, Default)]
pub struct CacheControlLayer {
    config: Arc<Config>,
}

/// What the layer and every service it builds share.
#[derive(Clone, Debug, Default)]
pub(crate) struct Config {
    rules: Vec<(Rule, Policy)>,
    override_existing: bool,
    /// Whether any rule looks at the request path: otherwise the path is not
    /// read at all.
    any_path_rule: bool,
}

/// Which rules' path conditions held for one request, one bit per rule
/// (64 rules inline, no allocation).
#[derive(Debug)]
pub(crate) struct PathMatches {
    bits: SmallVec<[u64; 1]>,
}

impl CacheControlLayer {
    /// A layer with no rules: responses pass untouched until rules are
    /// added.
    pub fn new() -> Self {
        Self::default()
    }

    /// A layer with the recommended rules (see the table above); add more
    /// with [`rule`](Self::rule): they are tried after these.
    pub fn recommended() -> Self {
        Self::new()
            .rule(Rule::server_error(), Policy::no_store())
            .rule(
                Rule::fingerprinted().and(Rule::success()),
                Policy::immutable(),
            )
            .rule(
                Rule::fingerprinted().and(Rule::status(StatusCode::NOT_MODIFIED)),
                Policy::immutable(),
            )
            .rule(
                Rule::content_type("text/html"),
                Policy::new(CacheControl::new().with_private().with_no_cache()),
            )
    }

    /// Adds a rule, tried after those already added.
    pub fn rule(mut self, rule: Rule, policy: Policy) -> Self {
        let config = Arc::make_mut(&mut self.config);
        config.any_path_rule |= rule.has_path_condition();
        config.rules.push((rule, policy));
        self
    }

    /// Whether a policy replaces the `Cache-Control` a handler already set
    /// (and its `Expires`, when the policy sets one with
    /// [`Policy::with_expires`]). Default `false`: a response that has a
    /// `Cache-Control` keeps it and its `Expires`, and the matching policy
    /// only merges its `Vary` names.
    pub fn override_existing(mut self, override_existing: bool) -> Self {
        Arc::make_mut(&mut self.config).override_existing = override_existing;
        self
    }
}

impl<S> Layer<S> for CacheControlLayer {
    type Service = SetCacheControl<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SetCacheControl::from_config(inner, Arc::clone(&self.config))
    }
}

impl Config {
    /// Checks the rules' path conditions against a request path.
    pub(crate) fn path_matches(&self, path: &str) -> PathMatches {
        let mut bits = SmallVec::new();
        if self.any_path_rule {
            bits.resize(self.rules.len().div_ceil(64), 0);
            for (i, (rule, _)) in self.rules.iter().enumerate() {
                if rule.matches_request(path) {
                    bits[i / 64] |= 1 << (i % 64);
                }
            }
        }
        PathMatches { bits }
    }

    /// Applies the first matching rule's policy to the response.
    pub(crate) fn apply<B>(&self, path: &PathMatches, response: &mut Response<B>) {
        let status = response.status();
        let matched = self.rules.iter().enumerate().find(|(i, (rule, _))| {
            path.holds(*i, self.any_path_rule) && rule.matches_response(status, response.headers())
        });
        if let Some((_, (_, policy))) = matched {
            policy.apply(response.headers_mut(), self.override_existing);
        }
    }
}

impl PathMatches {
    fn holds(&self, rule: usize, checked: bool) -> bool {
        !checked
            || self
                .bits
                .get(rule / 64)
                .is_some_and(|word| word & (1 << (rule % 64)) != 0)
    }
}
