//! Mounts: a service that takes a path prefix and everything under it.
//!
//! Mounts are kept apart from the route table, longest prefix first, so
//! that a mount beside routes with parameters at the same depth is not a
//! conflict (matchit allows no catch-all beside a parameter). A route wins
//! over a mount when its pattern begins with the mount's prefix: it is the
//! more specific of the two (`/api/health`, `/api/{version}/status` beside
//! a mount at `/api`). Any other route loses to a mount whose prefix
//! matches.

use std::sync::Arc;

use crate::pattern::Pattern;
use crate::route::Route;
use crate::router::Router;

/// A service mounted under a path prefix.
pub(crate) struct Mount<B> {
    /// The prefix in matching form, without a trailing `/` (`""` for `/`).
    pub(crate) prefix: Arc<str>,
    pub(crate) service: Mounted<B>,
}

impl<B> Clone for Mount<B> {
    fn clone(&self) -> Self {
        Mount {
            prefix: self.prefix.clone(),
            service: self.service.clone(),
        }
    }
}

/// A mounted tackle [`Router`] is called directly, so that its misses can
/// fall back to the parent's fallback; anything else is opaque.
pub(crate) enum Mounted<B> {
    Router(Router<B>),
    Service(Route<B>),
}

impl<B> Clone for Mounted<B> {
    fn clone(&self) -> Self {
        match self {
            Mounted::Router(router) => Mounted::Router(router.clone()),
            Mounted::Service(route) => Mounted::Service(route.clone()),
        }
    }
}

/// The mounts of a router, longest prefix first.
pub(crate) struct Mounts<B> {
    list: Vec<Mount<B>>,
}

impl<B> Clone for Mounts<B> {
    fn clone(&self) -> Self {
        Mounts {
            list: self.list.clone(),
        }
    }
}

impl<B> Default for Mounts<B> {
    fn default() -> Self {
        Mounts { list: Vec::new() }
    }
}

impl<B> Mounts<B> {
    /// Adds `mount`; an error when its prefix is taken.
    pub(crate) fn insert(&mut self, mount: Mount<B>) -> Result<(), String> {
        if self.list.iter().any(|m| m.prefix == mount.prefix) {
            let shown = if mount.prefix.is_empty() {
                "/"
            } else {
                &mount.prefix
            };
            return Err(format!("mount {shown:?} is registered twice"));
        }
        let at = self
            .list
            .partition_point(|m| m.prefix.len() >= mount.prefix.len());
        self.list.insert(at, mount);
        Ok(())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The mount with the longest prefix that `path` (in matching form) is
    /// under: the prefix itself or the prefix followed by `/`.
    pub(crate) fn find(&self, path: &str) -> Option<&Mount<B>> {
        self.list.iter().find(|m| {
            path.strip_prefix(&*m.prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Mount<B>> {
        self.list.iter_mut()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Mount<B>> {
        self.list.iter()
    }
}

/// Whether a route of `pattern` is more specific than a mount at `prefix`:
/// its literal beginning is the prefix, whole.
pub(crate) fn route_beats_mount(pattern: &Pattern, prefix: &str) -> bool {
    pattern
        .static_prefix()
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}
