//! The route table: matchit finds the shape of a path, then the routes of
//! that shape are tried in priority order until one's converters accept the
//! captured values.
//!
//! When every route of the matched shape rejects the path, the other routes
//! that also match it are tried, most literal text first (then fewest
//! parameters, then the pattern text), so that `/users/{id:int}` rejecting
//! `/users/me.json` lets `/{*path}` have it. That slow path is taken only
//! after a converter said no, or after matchit found nothing in a table
//! where a parameter shares its segment with text (`/{name}.png` beside
//! `/{dir}/{file}`), since matchit does not always backtrack out of such a
//! segment.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use matchit::Params;
use tackle_request::PathParams;

use crate::converter::Converters;
use crate::method_router::MethodRouter;
use crate::path;
use crate::pattern::Pattern;

/// What a route leads to.
pub(crate) enum Target<B> {
    /// Services by method.
    Methods(MethodRouter<B>),
    /// In a host table: the router for the host, by index.
    Host(usize),
}

impl<B> Clone for Target<B> {
    fn clone(&self) -> Self {
        match self {
            Target::Methods(methods) => Target::Methods(methods.clone()),
            Target::Host(index) => Target::Host(*index),
        }
    }
}

/// One route: its pattern and target.
pub(crate) struct Endpoint<B> {
    pub(crate) pattern: Pattern,
    /// The route as its author wrote it, for error messages.
    label: Arc<str>,
    pub(crate) target: Target<B>,
}

impl<B> Clone for Endpoint<B> {
    fn clone(&self) -> Self {
        Endpoint {
            pattern: self.pattern.clone(),
            label: self.label.clone(),
            target: self.target.clone(),
        }
    }
}

/// The routes of one matchit shape, best first, and a matcher for that
/// shape alone (for the slow path).
struct Shape {
    endpoints: Vec<usize>,
    alone: matchit::Router<()>,
}

pub(crate) struct Table<B> {
    /// What an entry is called in errors: `route` or `host`.
    kind: &'static str,
    matcher: matchit::Router<usize>,
    shapes: Vec<Shape>,
    shape_ids: HashMap<String, usize>,
    endpoints: Vec<Endpoint<B>>,
    /// Every endpoint, most literal text first: the slow-path order.
    scan_order: OnceLock<Vec<usize>>,
    /// Some route has a parameter sharing its segment with text, so a
    /// matchit miss is checked on the slow path.
    scan_misses: bool,
}

impl<B> Clone for Table<B> {
    fn clone(&self) -> Self {
        Table {
            kind: self.kind,
            matcher: self.matcher.clone(),
            shapes: self
                .shapes
                .iter()
                .map(|s| Shape {
                    endpoints: s.endpoints.clone(),
                    alone: s.alone.clone(),
                })
                .collect(),
            shape_ids: self.shape_ids.clone(),
            endpoints: self.endpoints.clone(),
            scan_order: OnceLock::new(),
            scan_misses: self.scan_misses,
        }
    }
}

impl<B> Table<B> {
    /// An empty table whose entries errors call `kind`.
    pub(crate) fn new(kind: &'static str) -> Self {
        Table {
            kind,
            matcher: matchit::Router::new(),
            shapes: Vec::new(),
            shape_ids: HashMap::new(),
            endpoints: Vec::new(),
            scan_order: OnceLock::new(),
            scan_misses: false,
        }
    }
}

/// A route that accepted a path, with the values it captured (borrowed
/// from the path, still percent-encoded).
pub(crate) struct Found<'t, 'p, B> {
    pub(crate) endpoint: &'t Endpoint<B>,
    pub(crate) captured: Params<'t, 'p>,
}

impl<B> Found<'_, '_, B> {
    /// The captured values, decoded, under their names.
    pub(crate) fn path_params(&self) -> PathParams {
        let names = self.endpoint.pattern.params();
        let mut params = PathParams::new();
        for (param, (_, raw)) in names.iter().zip(self.captured.iter()) {
            params.push(param.name.clone(), path::decode_param(raw));
        }
        params
    }
}

impl<B: Send + 'static> Table<B> {
    /// Adds a route, merging it with an earlier registration of the same
    /// pattern; an error names both routes of a conflict.
    /// `label` is the route as written, when `source` was derived from it.
    /// Answers the compiled pattern.
    pub(crate) fn insert(
        &mut self,
        source: &str,
        label: &str,
        target: Target<B>,
        converters: &Converters,
    ) -> Result<Pattern, String> {
        let kind = self.kind;
        let pattern =
            Pattern::parse(source, converters).map_err(|why| format!("{kind} {label:?}: {why}"))?;
        let label: Arc<str> = Arc::from(label);
        self.scan_misses |= pattern.has_partial_segment();
        if let Some(&shape_id) = self.shape_ids.get(pattern.shape()) {
            let compiled = pattern.clone();
            self.insert_into_shape(shape_id, pattern, label, target)?;
            return Ok(compiled);
        }
        if let Err(error) = self.matcher.insert(pattern.shape(), self.shapes.len()) {
            self.matcher = self
                .rebuilt_with(pattern.shape())
                .ok_or_else(|| self.conflict(&label, error))?;
        }
        let mut alone = matchit::Router::new();
        alone
            .insert(pattern.shape(), ())
            .map_err(|error| format!("{kind} {label:?}: {error}"))?;
        self.shape_ids
            .insert(pattern.shape().to_owned(), self.shapes.len());
        self.shapes.push(Shape {
            endpoints: vec![self.endpoints.len()],
            alone,
        });
        self.endpoints.push(Endpoint {
            pattern: pattern.clone(),
            label,
            target,
        });
        self.scan_order = OnceLock::new();
        Ok(pattern)
    }

    fn insert_into_shape(
        &mut self,
        shape_id: usize,
        pattern: Pattern,
        label: Arc<str>,
        target: Target<B>,
    ) -> Result<(), String> {
        let kind = self.kind;
        for &id in &self.shapes[shape_id].endpoints {
            let existing = &mut self.endpoints[id];
            if !existing.pattern.same_converters(&pattern) {
                continue;
            }
            let same_source = existing.pattern.source() == pattern.source();
            return match (&mut existing.target, target) {
                (Target::Methods(methods), Target::Methods(more)) if same_source => methods
                    .merge(more)
                    .map_err(|what| format!("{kind} {label:?} is registered twice with {what}")),
                _ => Err(format!(
                    "{kind} {label:?} conflicts with {kind} {:?}",
                    existing.label
                )),
            };
        }
        let id = self.endpoints.len();
        self.endpoints.push(Endpoint {
            pattern,
            label,
            target,
        });
        let endpoints = &self.endpoints;
        let shape = &mut self.shapes[shape_id];
        shape.endpoints.push(id);
        shape
            .endpoints
            .sort_by(|&a, &b| endpoints[a].pattern.priority(&endpoints[b].pattern));
        self.scan_order = OnceLock::new();
        Ok(())
    }

    /// The matcher rebuilt with `shape` inserted first, when that order
    /// works. matchit accepts some pairs of routes in one order only (a
    /// parameter with a prefix, `/img-{x}.png`, before a plain parameter
    /// at the same depth, `/{y}/b`, is refused; the other way round is
    /// not), and whether a route table is valid must not depend on the
    /// order its routes were added in.
    fn rebuilt_with(&self, shape: &str) -> Option<matchit::Router<usize>> {
        let mut matcher = matchit::Router::new();
        matcher.insert(shape, self.shapes.len()).ok()?;
        let mut by_id: Vec<(&String, &usize)> = self.shape_ids.iter().collect();
        by_id.sort_by_key(|(_, id)| **id);
        for (existing, id) in by_id {
            matcher.insert(existing.as_str(), *id).ok()?;
        }
        Some(matcher)
    }

    /// A matchit error, with the conflicting shape named by its route.
    fn conflict(&self, label: &str, error: matchit::InsertError) -> String {
        let kind = self.kind;
        match error {
            matchit::InsertError::Conflict { with } => {
                let other = self
                    .shape_ids
                    .get(&with)
                    .and_then(|&id| self.shapes[id].endpoints.first())
                    .map_or(with.as_str(), |&id| &*self.endpoints[id].label);
                format!("{kind} {label:?} conflicts with {kind} {other:?}")
            }
            other => format!("{kind} {label:?}: {other}"),
        }
    }

    /// Applies `f` to every endpoint (route layers).
    pub(crate) fn endpoints_mut(&mut self) -> impl Iterator<Item = &mut Endpoint<B>> {
        self.endpoints.iter_mut()
    }
}

impl<B> Table<B> {
    /// Every endpoint.
    pub(crate) fn endpoints(&self) -> &[Endpoint<B>] {
        &self.endpoints
    }

    /// The route for `path` (in matching form) and its parameters.
    pub(crate) fn find<'t, 'p>(&'t self, path: &'p str) -> Option<Found<'t, 'p, B>> {
        let Ok(matched) = self.matcher.at(path) else {
            return if self.scan_misses {
                self.scan(path, usize::MAX)
            } else {
                None
            };
        };
        let shape = &self.shapes[*matched.value];
        for &id in &shape.endpoints {
            let endpoint = &self.endpoints[id];
            if accepts(&endpoint.pattern, &matched.params) {
                return Some(Found {
                    endpoint,
                    captured: matched.params,
                });
            }
        }
        self.scan(path, *matched.value)
    }

    /// The slow path: every other route that matches `path`, in scan order.
    fn scan<'t, 'p>(&'t self, path: &'p str, rejected_shape: usize) -> Option<Found<'t, 'p, B>> {
        let order = self.scan_order.get_or_init(|| self.make_scan_order());
        order.iter().find_map(|&id| {
            let endpoint = &self.endpoints[id];
            let shape_id = self.shape_ids[endpoint.pattern.shape()];
            if shape_id == rejected_shape {
                return None;
            }
            let matched = self.shapes[shape_id].alone.at(path).ok()?;
            accepts(&endpoint.pattern, &matched.params).then_some(Found {
                endpoint,
                captured: matched.params,
            })
        })
    }

    fn make_scan_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.endpoints.len()).collect();
        order.sort_by_cached_key(|&id| {
            let pattern = &self.endpoints[id].pattern;
            (
                Reverse(pattern.literal_len()),
                pattern.params().len(),
                pattern.source().clone(),
            )
        });
        order
    }
}

/// Whether every converter of `pattern` accepts its (decoded) value.
fn accepts(pattern: &Pattern, captured: &Params<'_, '_>) -> bool {
    pattern.accepts_anything()
        || pattern
            .params()
            .iter()
            .zip(captured.iter())
            .all(|(param, (_, raw))| {
                param.accepts_any || param.converter.accepts(&path::decode_param(raw))
            })
}
