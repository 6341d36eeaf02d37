//! [`Router`]: the route table as a `tower::Service`.

use std::any::Any;
use std::borrow::Cow;
use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{ALLOW, LOCATION};
use http::uri::PathAndQuery;
use http::{Extensions, HeaderValue, Method, Request, Response, StatusCode, Uri};
use tackle_request::extensions::{MatchedRoute, MountPrefix, OriginalUri, PathParams, UrlBuilder};
use tackle_request::{Body, HttpError};
use tower_layer::Layer;
use tower_service::Service;

use crate::converter::{Converter, ConverterArgs, Converters};
use crate::error::RouteError;
use crate::future::RouterFuture;
use crate::host::Hosts;
use crate::method_router::{MethodRouter, Selected, allow_value, any};
use crate::mount::{Mount, Mounted, Mounts, route_beats_mount};
use crate::path;
use crate::pattern::Param;
use crate::route::{Finish, Route, RouteService};
use crate::slash::SlashPolicy;
use crate::table::{Endpoint, Table, Target};
use crate::url_for::{BuildError, Names};

/// A route table as a `tower::Service<http::Request<B>>`: paths with typed
/// converters, services by method, mounts, host routers, a fallback and
/// URL building. See the [crate documentation](crate) for the rules.
///
/// Cloning is cheap (one reference count), so a server may clone it per
/// connection or per request. The builder methods that add routes panic on
/// a mistake in the table (a conflict names both routes); their `try_`
/// forms return a [`RouteError`] instead.
pub struct Router<B> {
    inner: Arc<Inner<B>>,
}

struct Inner<B> {
    table: Table<B>,
    mounts: Mounts<B>,
    names: Arc<Names>,
    /// A builder for `names` with no prefix, cloned into requests.
    url_builder: UrlBuilder,
    hosts: Hosts<B>,
    fallback: Option<Route<B>>,
    method_not_allowed: Option<Route<B>>,
    slash_policy: SlashPolicy,
    merge_slashes: bool,
    converters: Converters,
}

impl<B> Clone for Router<B> {
    fn clone(&self) -> Self {
        Router {
            inner: self.inner.clone(),
        }
    }
}

impl<B> Clone for Inner<B> {
    fn clone(&self) -> Self {
        Inner {
            table: self.table.clone(),
            mounts: self.mounts.clone(),
            names: self.names.clone(),
            url_builder: self.url_builder.clone(),
            hosts: self.hosts.clone(),
            fallback: self.fallback.clone(),
            method_not_allowed: self.method_not_allowed.clone(),
            slash_policy: self.slash_policy,
            merge_slashes: self.merge_slashes,
            converters: self.converters.clone(),
        }
    }
}

impl<B> fmt::Debug for Router<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let routes: Vec<&str> = self
            .inner
            .table
            .endpoints()
            .iter()
            .map(|e| &**e.pattern.source())
            .collect();
        f.debug_struct("Router")
            .field("routes", &routes)
            .field(
                "mounts",
                &self
                    .inner
                    .mounts
                    .iter()
                    .map(|m| &*m.prefix)
                    .collect::<Vec<_>>(),
            )
            .field("hosts", &self.inner.hosts.routers().len())
            .field("fallback", &self.inner.fallback.is_some())
            .field("slash_policy", &self.inner.slash_policy)
            .field("merge_slashes", &self.inner.merge_slashes)
            .field("converters", &self.inner.converters)
            .finish()
    }
}

impl<B: Send + 'static> Default for Router<B> {
    fn default() -> Self {
        Self::new()
    }
}

/// How a router was reached: called as a service, or mounted in a parent
/// router that already gave the request its URL builder.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Root,
    Nested,
}

/// A request handled, or handed back because nothing here matched it.
enum Outcome<B> {
    Done(RouterFuture),
    Miss(Request<B>),
}

fn url_builder_of(names: &Arc<Names>) -> UrlBuilder {
    let names = names.clone();
    UrlBuilder::new(move |name, params| names.build("", name, params))
}

impl<B: Send + 'static> Router<B> {
    /// An empty router: every path is `404` until routes are added.
    ///
    /// Defaults: [`SlashPolicy::Redirect`], repeated slashes merged (by a
    /// `308` redirect), no fallback (unmatched paths are `404 Not Found`),
    /// `405 Method Not Allowed` with `Allow` for a path routed for other
    /// methods, `OPTIONS` answered with `204` and `Allow`.
    pub fn new() -> Self {
        let names = Arc::new(Names::default());
        Router {
            inner: Arc::new(Inner {
                table: Table::new("route"),
                mounts: Mounts::default(),
                url_builder: url_builder_of(&names),
                names,
                hosts: Hosts::default(),
                fallback: None,
                method_not_allowed: None,
                slash_policy: SlashPolicy::default(),
                merge_slashes: true,
                converters: Converters::default(),
            }),
        }
    }

    fn inner_mut(&mut self) -> &mut Inner<B> {
        Arc::make_mut(&mut self.inner)
    }

    /// Routes `pattern` to `methods`: `.route("/users/{id:int}", get(show).put(update))`.
    /// Registering one pattern twice merges the methods.
    ///
    /// # Panics
    ///
    /// With the [`RouteError`] of [`try_route`](Self::try_route).
    pub fn route(self, pattern: &str, methods: MethodRouter<B>) -> Self {
        self.try_route(pattern, methods)
            .unwrap_or_else(|e| panic!("tackle-routing: {e}"))
    }

    /// Routes `pattern` to `methods`, or says why it cannot: the pattern is
    /// invalid, it conflicts with a route (both are named), a method is
    /// routed twice, or the route's name is taken.
    pub fn try_route(
        mut self,
        pattern: &str,
        methods: MethodRouter<B>,
    ) -> Result<Self, RouteError> {
        let inner = self.inner_mut();
        let name = methods.name.clone();
        let compiled = inner
            .table
            .insert(
                pattern,
                pattern,
                Target::Methods(methods),
                &inner.converters,
            )
            .map_err(RouteError::new)?;
        if let Some(mount) = inner
            .mounts
            .iter()
            .find(|m| shadows_mount(&compiled, &m.prefix))
        {
            return Err(RouteError::new(format!(
                "route {pattern:?} conflicts with mount {:?}",
                mount_label(&mount.prefix)
            )));
        }
        if let Some(name) = name {
            Arc::make_mut(&mut inner.names)
                .insert(&name, "", &compiled)
                .map_err(RouteError::new)?;
            inner.url_builder = url_builder_of(&inner.names);
        }
        Ok(self)
    }

    /// Routes every method of `pattern` to `service`, as `route(pattern, any(service))`.
    pub fn route_service<S>(self, pattern: &str, service: S) -> Self
    where
        S: RouteService<B>,
    {
        self.route(pattern, any(service))
    }

    /// Mounts `service` at `prefix`: requests for `prefix` and below go to
    /// it with the prefix removed from the path (`/api/users` is `/users`
    /// there, `/api` and `/api/` are `/`), the URI as sent kept in
    /// [`OriginalUri`] and the prefix in [`MountPrefix`]. See the crate
    /// documentation for how a mounted router's misses fall back.
    ///
    /// # Panics
    ///
    /// With the [`RouteError`] of [`try_mount`](Self::try_mount).
    pub fn mount<S>(self, prefix: &str, service: S) -> Self
    where
        S: RouteService<B>,
    {
        self.try_mount(prefix, service)
            .unwrap_or_else(|e| panic!("tackle-routing: {e}"))
    }

    /// Mounts `service` at `prefix`, or says why not: the prefix is not a
    /// plain path (parameters are not allowed in a prefix), another mount
    /// has it, or a mounted router's route name is taken.
    pub fn try_mount<S>(mut self, prefix: &str, service: S) -> Result<Self, RouteError>
    where
        S: RouteService<B>,
    {
        if !prefix.starts_with('/') || prefix.contains(['{', '}', '?', '#']) {
            return Err(RouteError::new(format!(
                "mount {prefix:?}: a prefix is a path starting with '/', without parameters"
            )));
        }
        let normal = path::normalize_static(prefix);
        let normal = normal.trim_end_matches('/');
        let mut slot = Some(service);
        let service = match (&mut slot as &mut dyn Any)
            .downcast_mut::<Option<Router<B>>>()
            .and_then(Option::take)
        {
            Some(router) => Mounted::Router(router),
            None => match slot {
                Some(service) => Mounted::Service(Route::new(service)),
                None => return Err(RouteError::new("mount: the service was taken")),
            },
        };
        let inner = self.inner_mut();
        if let Mounted::Router(router) = &service {
            Arc::make_mut(&mut inner.names)
                .import(normal, &router.inner.names)
                .map_err(RouteError::new)?;
            inner.url_builder = url_builder_of(&inner.names);
        }
        if let Some(route) = inner
            .table
            .endpoints()
            .iter()
            .find(|e| shadows_mount(&e.pattern, normal))
        {
            return Err(RouteError::new(format!(
                "mount {:?} conflicts with route {:?}",
                mount_label(normal),
                route.pattern.source()
            )));
        }
        inner
            .mounts
            .insert(Mount {
                prefix: Arc::from(normal),
                service,
            })
            .map_err(RouteError::new)?;
        Ok(self)
    }

    /// Routes requests whose host matches `pattern` to `router`, before any
    /// path is looked at: `api.example.com`, or `{tenant}.example.com` whose
    /// parameters come first in [`PathParams`]. Patterns name hosts without
    /// ports. Requests for other hosts use this router's own routes.
    ///
    /// # Panics
    ///
    /// With the [`RouteError`] of [`try_host`](Self::try_host).
    pub fn host(self, pattern: &str, router: Router<B>) -> Self {
        self.try_host(pattern, router)
            .unwrap_or_else(|e| panic!("tackle-routing: {e}"))
    }

    /// Adds a host router, or says why not (an invalid or conflicting
    /// pattern).
    pub fn try_host(mut self, pattern: &str, router: Router<B>) -> Result<Self, RouteError> {
        let inner = self.inner_mut();
        inner
            .hosts
            .insert(pattern, router, &inner.converters)
            .map_err(RouteError::new)?;
        Ok(self)
    }

    /// Answers requests no route matches with `service` (static files, a
    /// custom 404 page) instead of `404 Not Found`.
    pub fn fallback<S>(mut self, service: S) -> Self
    where
        S: RouteService<B>,
    {
        self.inner_mut().fallback = Some(Route::new(service));
        self
    }

    /// Answers requests whose path is routed, but not for their method,
    /// with `service` instead of the default `405`. The route's parameters
    /// are in the request, and the response gets an `Allow` header unless
    /// the service sets one.
    pub fn method_not_allowed_fallback<S>(mut self, service: S) -> Self
    where
        S: RouteService<B>,
    {
        self.inner_mut().method_not_allowed = Some(Route::new(service));
        self
    }

    /// What a path differing from a route by its trailing slash gets
    /// (default [`SlashPolicy::Redirect`]).
    pub fn slash_policy(mut self, policy: SlashPolicy) -> Self {
        self.inner_mut().slash_policy = policy;
        self
    }

    /// Whether a path with repeated slashes (`//a///b`) that matches a route
    /// once they are merged is redirected (`308`) to the merged path
    /// (default `true`).
    pub fn merge_slashes(mut self, merge: bool) -> Self {
        self.inner_mut().merge_slashes = merge;
        self
    }

    /// Registers the converter `name` for the routes added after this call;
    /// `factory` builds it from the arguments written in the pattern
    /// (`{x:name(a,b=1)}`) or says why they are wrong.
    pub fn converter<C, F>(mut self, name: &str, factory: F) -> Self
    where
        C: Converter,
        F: Fn(&ConverterArgs) -> Result<C, String> + Send + Sync + 'static,
    {
        self.inner_mut()
            .converters
            .insert(name, move |args| factory(args).map(|c| Arc::new(c) as _));
        self
    }

    /// Wraps every route added so far (their services, mounted services and
    /// the routes of mounted and host routers) in `layer`; the router's own
    /// answers (`404`, `405`, redirects, automatic `OPTIONS`) and the
    /// fallback do not go through it. To wrap everything, wrap the router:
    /// `ServiceBuilder::new().layer(...).service(router)`.
    pub fn route_layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<Route<B>> + Clone,
        L::Service: RouteService<B>,
    {
        let inner = self.inner_mut();
        for endpoint in inner.table.endpoints_mut() {
            if let Target::Methods(methods) = &mut endpoint.target {
                methods.map_routes(&mut |route| route.layer(&layer));
            }
        }
        for mount in inner.mounts.iter_mut() {
            match &mut mount.service {
                Mounted::Service(route) => *route = route.clone().layer(&layer),
                Mounted::Router(router) => *router = router.clone().route_layer(layer.clone()),
            }
        }
        for router in inner.hosts.routers_mut() {
            *router = router.clone().route_layer(layer.clone());
        }
        self
    }

    /// The path of the route named `name` with `params` filled in:
    /// `url_for("user.show", &[("id", "42")])` is `/users/42`. Values go
    /// through the route's converters (`007` is `7` for an `int`) and are
    /// percent-encoded; parameters the route does not take become the query
    /// string. Names of mounted routers are found with their prefix.
    pub fn url_for(&self, name: &str, params: &[(&str, &str)]) -> Result<String, BuildError> {
        self.inner.names.build("", name, params)
    }

    /// The route `path` matches, as a request for it would be routed
    /// (escapes normalized, converters checked, parameters decoded), without
    /// calling anything; host routers, mounted routers' routes and the
    /// slash policy, mounts and host routers are not consulted.
    ///
    /// ```
    /// use tackle_routing::{Router, get};
    /// # let ok = tower::service_fn(|_: http::Request<()>| async {
    /// #     Ok::<_, std::convert::Infallible>(http::Response::new(tackle_request::Body::empty()))
    /// # });
    /// let router = Router::new().route("/users/{id:int}", get(ok));
    /// let found = router.at("/users/4%32").unwrap();
    /// assert_eq!(found.route(), "/users/{id:int}");
    /// assert_eq!(found.get("id").as_deref(), Some("42"));
    /// assert_eq!(found.to_path_params().get::<i64>("id"), Ok(42));
    /// assert!(router.at("/users/x").is_none());
    /// ```
    pub fn at<'r, 'p>(&'r self, path: &'p str) -> Option<RouteMatch<'r, 'p>> {
        let found = match path::normalize_escapes(path) {
            Cow::Borrowed(path) => self.inner.table.find(path)?,
            // Rare: the captures cannot borrow a path made here.
            Cow::Owned(normal) => {
                let found = self.inner.table.find(&normal)?;
                return Some(RouteMatch {
                    route: found.endpoint.pattern.source(),
                    captures: Captures::Owned(found.path_params()),
                });
            }
        };
        Some(RouteMatch {
            route: found.endpoint.pattern.source(),
            captures: Captures::Borrowed(found.endpoint.pattern.params(), found.captured),
        })
    }

    /// A [`UrlBuilder`] for this router's names, as handlers find it in
    /// their request's extensions.
    pub fn url_builder(&self) -> UrlBuilder {
        self.inner.url_builder.clone()
    }
}

impl<B: Send + 'static> Inner<B> {
    /// Routes `request`, falling back to this router's fallback; hands it
    /// back when nothing here takes it.
    fn handle(&self, request: Request<B>, mode: Mode) -> Outcome<B> {
        match self.dispatch(request, mode) {
            Outcome::Miss(mut request) => match &self.fallback {
                Some(fallback) => {
                    if mode == Mode::Root {
                        self.add_url_builder(request.extensions_mut());
                    }
                    Outcome::Done(RouterFuture::route(
                        fallback.call_with(request, Finish::AsIs),
                    ))
                }
                None => Outcome::Miss(request),
            },
            done => done,
        }
    }

    fn dispatch(&self, mut request: Request<B>, mode: Mode) -> Outcome<B> {
        if !self.hosts.is_empty()
            && let Some((router, host_params)) = self.hosts.find(&request)
        {
            append_params(request.extensions_mut(), host_params);
            return router.inner.handle(request, Mode::Root);
        }

        let normal = path::normalize_escapes(request.uri().path());
        let found = self.table.find(&normal);
        if !self.mounts.is_empty()
            && let Some(mount) = self.mounts.find(&normal)
            && !found
                .as_ref()
                .is_some_and(|f| route_beats_mount(&f.endpoint.pattern, &mount.prefix))
        {
            return self.serve_mount(mount, request, mode);
        }
        if let Some(found) = found {
            let params = found.path_params();
            return self.serve(found.endpoint, params, request, mode);
        }
        match self.alternative(&normal) {
            Some(Alternative::Serve(endpoint, params)) => {
                self.serve(endpoint, params, request, mode)
            }
            Some(Alternative::Redirect(path)) => {
                Outcome::Done(RouterFuture::ready(redirect(&request, &path)))
            }
            None => Outcome::Miss(request),
        }
    }

    /// For a path no route matches as sent: the route it matches with its
    /// slashes merged or its trailing slash toggled, as the policies say.
    fn alternative(&self, normal: &str) -> Option<Alternative<'_, B>> {
        let merged = if self.merge_slashes {
            path::merge_slashes(normal)
        } else {
            None
        };
        if let Some(merged) = &merged
            && (self.table.find(merged).is_some() || self.mounts.find(merged).is_some())
        {
            return Some(Alternative::Redirect(merged.clone()));
        }
        if self.slash_policy == SlashPolicy::Strict {
            return None;
        }
        let toggled = path::toggle_trailing_slash(merged.as_deref().unwrap_or(normal))?;
        let found = self.table.find(&toggled)?;
        if self.slash_policy == SlashPolicy::Ignore && merged.is_none() {
            Some(Alternative::Serve(found.endpoint, found.path_params()))
        } else {
            Some(Alternative::Redirect(toggled))
        }
    }

    fn serve(
        &self,
        endpoint: &Endpoint<B>,
        params: PathParams,
        mut request: Request<B>,
        mode: Mode,
    ) -> Outcome<B> {
        let Target::Methods(methods) = &endpoint.target else {
            return Outcome::Miss(request);
        };
        let future = match methods.select(request.method()) {
            Selected::Route(route, finish) => {
                self.add_extensions(&mut request, endpoint, params, mode);
                route.call_with(request, finish)
            }
            Selected::Options => {
                return Outcome::Done(RouterFuture::ready(options(&methods.methods())));
            }
            Selected::NotAllowed => {
                let allowed = methods.methods();
                let Some(fallback) = &self.method_not_allowed else {
                    let response = HttpError::method_not_allowed(allowed)
                        .to_response(request.headers())
                        .map(Body::from);
                    return Outcome::Done(RouterFuture::ready(response));
                };
                self.add_extensions(&mut request, endpoint, params, mode);
                fallback.call_with(request, Finish::Allow(allow_value(&allowed)))
            }
        };
        Outcome::Done(RouterFuture::route(future))
    }

    fn serve_mount(&self, mount: &Mount<B>, mut request: Request<B>, mode: Mode) -> Outcome<B> {
        let original = request.uri().clone();
        let Some(stripped) = strip_prefix(&original, &mount.prefix) else {
            return Outcome::Miss(request);
        };
        let extensions = request.extensions_mut();
        if mode == Mode::Root {
            self.add_url_builder(extensions);
        }
        let kept_original = extensions.get::<OriginalUri>().is_some();
        if !kept_original {
            extensions.insert(OriginalUri(original.clone()));
        }
        let outer_prefix = extensions.get::<MountPrefix>().cloned();
        let prefix = match &outer_prefix {
            Some(outer) => format!("{outer}{}", mount.prefix),
            None => mount.prefix.to_string(),
        };
        extensions.insert(MountPrefix::new(prefix));
        *request.uri_mut() = stripped;

        let router = match &mount.service {
            Mounted::Service(route) => {
                return Outcome::Done(RouterFuture::route(route.call_with(request, Finish::AsIs)));
            }
            Mounted::Router(router) => router,
        };
        match router.inner.handle(request, Mode::Nested) {
            Outcome::Miss(mut request) => {
                // The mounted router has no fallback: the request goes back
                // to this router as it came.
                *request.uri_mut() = original;
                let extensions = request.extensions_mut();
                if !kept_original {
                    extensions.remove::<OriginalUri>();
                }
                match outer_prefix {
                    Some(outer) => extensions.insert(outer),
                    None => extensions.remove::<MountPrefix>(),
                };
                Outcome::Miss(request)
            }
            done => done,
        }
    }

    /// Puts what the handler may need into the request's extensions.
    fn add_extensions(
        &self,
        request: &mut Request<B>,
        endpoint: &Endpoint<B>,
        params: PathParams,
        mode: Mode,
    ) {
        let extensions = request.extensions_mut();
        let source = endpoint.pattern.source();
        let matched = match extensions.get::<MountPrefix>() {
            Some(prefix) => MatchedRoute::new(format!("{prefix}{source}")),
            None => MatchedRoute::new(source.clone()),
        };
        if mode == Mode::Root {
            self.add_url_builder(extensions);
        }
        extensions.insert(matched);
        append_params(extensions, params);
    }

    /// Gives the request this router's URL builder: the shared one, or,
    /// under a mount or another router, one that adds the mount prefix and
    /// asks the outer builder for names it does not know. A router without
    /// named routes has no URL to build and leaves the request as it is.
    fn add_url_builder(&self, extensions: &mut Extensions) {
        if self.names.is_empty() {
            return;
        }
        let prefix = extensions.get::<MountPrefix>();
        let outer = extensions.get::<UrlBuilder>();
        if prefix.is_none() && outer.is_none() {
            extensions.insert(self.url_builder.clone());
            return;
        }
        let names = self.names.clone();
        let prefix = prefix.map_or_else(String::new, |p| p.as_str().to_owned());
        let outer = outer.cloned();
        let builder =
            UrlBuilder::new(
                move |name, params| match names.build(&prefix, name, params) {
                    Err(mine) if mine.is_unknown_route() => match &outer {
                        Some(outer) => outer.url_for(name, params).map_err(|theirs| {
                            if theirs.is_unknown_route() {
                                mine
                            } else {
                                theirs
                            }
                        }),
                        None => Err(mine),
                    },
                    built => built,
                },
            );
        extensions.insert(builder);
    }
}

/// What [`Router::at`] found: the route's pattern and its parameters,
/// borrowed from the path where they need no decoding.
#[derive(Debug)]
pub struct RouteMatch<'r, 'p> {
    route: &'r str,
    captures: Captures<'r, 'p>,
}

#[derive(Debug)]
enum Captures<'r, 'p> {
    Borrowed(&'r [Param], matchit::Params<'r, 'p>),
    Owned(PathParams),
}

impl<'r, 'p> RouteMatch<'r, 'p> {
    /// The pattern of the route, as registered.
    pub fn route(&self) -> &'r str {
        self.route
    }

    /// The parameters in pattern order, percent-decoded (copied only when
    /// they had escapes).
    pub fn params(&self) -> impl Iterator<Item = (&str, Cow<'_, str>)> {
        let (borrowed, owned) = match &self.captures {
            Captures::Borrowed(names, captured) => (
                Some(
                    names
                        .iter()
                        .zip(captured.iter())
                        .map(|(param, (_, raw))| (&*param.name, path::decode_param(raw))),
                ),
                None,
            ),
            Captures::Owned(params) => (
                None,
                Some(
                    params
                        .iter()
                        .map(|(name, value)| (name, Cow::Borrowed(value))),
                ),
            ),
        };
        borrowed
            .into_iter()
            .flatten()
            .chain(owned.into_iter().flatten())
    }

    /// The parameter `name`, percent-decoded.
    pub fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        self.params()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value)
    }

    /// The parameters as the [`PathParams`] a routed request carries.
    pub fn to_path_params(&self) -> PathParams {
        self.params()
            .map(|(name, value)| (name, value.into_owned()))
            .collect()
    }
}

/// Whether a route of `pattern` takes the very paths a mount at `prefix`
/// exists for: the prefix itself, or everything under it.
fn shadows_mount(pattern: &crate::pattern::Pattern, prefix: &str) -> bool {
    let source = pattern.static_prefix();
    let whole = pattern.params().is_empty() && (source == prefix || source == format!("{prefix}/"));
    let everything = pattern.params().len() == 1 && pattern.shape() == format!("{prefix}/{{*p0}}");
    whole || everything
}

/// A mount prefix as its author wrote it.
fn mount_label(prefix: &str) -> &str {
    if prefix.is_empty() { "/" } else { prefix }
}

enum Alternative<'t, B> {
    Serve(&'t Endpoint<B>, PathParams),
    Redirect(String),
}

/// Adds `params` after any already in the request (a host's).
fn append_params(extensions: &mut Extensions, params: PathParams) {
    match extensions.get_mut::<PathParams>() {
        Some(existing) => {
            for (name, value) in params.iter() {
                existing.push(name, value);
            }
        }
        None => {
            extensions.insert(params);
        }
    }
}

/// `uri` with `prefix` removed from its path (in matching form), the query
/// kept; `/` when nothing is left.
fn strip_prefix(uri: &Uri, prefix: &str) -> Option<Uri> {
    let normal = path::normalize_escapes(uri.path());
    let rest = normal.get(prefix.len()..)?;
    let rest = if rest.is_empty() { "/" } else { rest };
    let path_and_query = match uri.query() {
        Some(query) => PathAndQuery::try_from(format!("{rest}?{query}")),
        None => PathAndQuery::try_from(rest),
    }
    .ok()?;
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(path_and_query);
    Uri::from_parts(parts).ok()
}

/// `308 Permanent Redirect` to `path` (under the mount prefix), the query
/// kept.
fn redirect<B>(request: &Request<B>, path: &str) -> Response<Body> {
    let prefix = MountPrefix::from_request(request).map_or("", MountPrefix::as_str);
    let mut location = String::with_capacity(prefix.len() + path.len() + 16);
    location.push_str(prefix);
    location.push_str(path);
    if let Some(query) = request.uri().query() {
        location.push('?');
        location.push_str(query);
    }
    match HeaderValue::try_from(location) {
        Ok(location) => {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::PERMANENT_REDIRECT;
            response.headers_mut().insert(LOCATION, location);
            response
        }
        Err(_) => HttpError::bad_request("invalid path")
            .to_response(request.headers())
            .map(Body::from),
    }
}

/// The automatic answer to `OPTIONS`: `204 No Content` with `Allow`.
fn options(allowed: &[http::Method]) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    // No Content-Length: RFC 9110 §8.6 forbids it on a 204.
    response.headers_mut().insert(ALLOW, allow_value(allowed));
    response
}

impl<B: Send + 'static> Service<Request<B>> for Router<B> {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = RouterFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> RouterFuture {
        let head = request.method() == Method::HEAD;
        let future = match self.inner.handle(request, Mode::Root) {
            Outcome::Done(future) => future,
            Outcome::Miss(request) => RouterFuture::ready(
                HttpError::not_found()
                    .to_response(request.headers())
                    .map(Body::from),
            ),
        };
        if head { future.for_head() } else { future }
    }
}
