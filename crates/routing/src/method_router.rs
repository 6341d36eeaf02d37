//! [`MethodRouter`]: the services of one route, by request method
//! (RFC 9110 §9), with the answers a router gives for free: `HEAD` from
//! `GET`, `OPTIONS` with `Allow`, and `405` with `Allow`.

use std::fmt;

use http::{HeaderValue, Method};
use tower_layer::Layer;

use crate::route::{Finish, Route, RouteService};

/// The standard methods in the order `Allow` lists them.
const STANDARD: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
    Method::TRACE,
    Method::CONNECT,
];

fn standard_index(method: &Method) -> Option<usize> {
    STANDARD.iter().position(|m| m == method)
}

/// A route's services by method, built with [`get`], [`post`], [`on`],
/// [`any`] and the like, chained: `get(show).put(update).name("user")`.
///
/// Registering a method twice panics, naming it: that is a mistake in the
/// route table, found when the router is built.
pub struct MethodRouter<B> {
    standard: [Option<Route<B>>; 9],
    extension: Vec<(Method, Route<B>)>,
    any: Option<Route<B>>,
    pub(crate) name: Option<String>,
}

impl<B> Clone for MethodRouter<B> {
    fn clone(&self) -> Self {
        MethodRouter {
            standard: self.standard.clone(),
            extension: self.extension.clone(),
            any: self.any.clone(),
            name: self.name.clone(),
        }
    }
}

impl<B> fmt::Debug for MethodRouter<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MethodRouter")
            .field("methods", &self.methods())
            .field("any", &self.any.is_some())
            .field("name", &self.name)
            .finish()
    }
}

impl<B> Default for MethodRouter<B> {
    fn default() -> Self {
        MethodRouter {
            standard: Default::default(),
            extension: Vec::new(),
            any: None,
            name: None,
        }
    }
}

/// What a [`MethodRouter`] does with a request's method.
pub(crate) enum Selected<'a, B> {
    /// Call this route, finishing its response so.
    Route(&'a Route<B>, Finish),
    /// Answer `OPTIONS` with `Allow`.
    Options,
    /// Answer `405` with `Allow`.
    NotAllowed,
}

macro_rules! method_functions {
    ($($name:ident => $method:ident),* $(,)?) => {
        $(
            #[doc = concat!("A [`MethodRouter`] answering `", stringify!($method), "` with `service`.")]
            pub fn $name<B, S>(service: S) -> MethodRouter<B>
            where
                B: Send + 'static,
                S: RouteService<B>,
            {
                MethodRouter::default().$name(service)
            }
        )*

        impl<B: Send + 'static> MethodRouter<B> {
            $(
                #[doc = concat!("Also answers `", stringify!($method), "` with `service`.")]
                pub fn $name<S>(self, service: S) -> Self
                where
                    S: RouteService<B>,
                {
                    self.on([Method::$method], service)
                }
            )*
        }
    };
}

method_functions! {
    get => GET,
    head => HEAD,
    post => POST,
    put => PUT,
    patch => PATCH,
    delete => DELETE,
    options => OPTIONS,
    trace => TRACE,
}

/// A [`MethodRouter`] answering each of `methods` with `service`:
/// `on([Method::GET, Method::POST], form)`.
pub fn on<B, S, I>(methods: I, service: S) -> MethodRouter<B>
where
    B: Send + 'static,
    I: IntoIterator<Item = Method>,
    S: RouteService<B>,
{
    MethodRouter::default().on(methods, service)
}

/// A [`MethodRouter`] answering every method with `service` (it then also
/// sees `HEAD` and `OPTIONS`, and no `405` is ever answered).
pub fn any<B, S>(service: S) -> MethodRouter<B>
where
    B: Send + 'static,
    S: RouteService<B>,
{
    MethodRouter::default().any(service)
}

impl<B: Send + 'static> MethodRouter<B> {
    /// An empty method router: every method is `405` until one is added.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also answers each of `methods` with `service`.
    ///
    /// # Panics
    ///
    /// When one of the methods already has a service.
    pub fn on<S, I>(mut self, methods: I, service: S) -> Self
    where
        I: IntoIterator<Item = Method>,
        S: RouteService<B>,
    {
        let route = Route::new(service);
        for method in methods {
            if let Err(method) = self.insert(method, route.clone()) {
                panic!("tackle-routing: {method} is routed twice on one route");
            }
        }
        self
    }

    /// Answers every method no other service of this route takes.
    ///
    /// # Panics
    ///
    /// When the route already has an `any` service.
    pub fn any<S>(mut self, service: S) -> Self
    where
        S: RouteService<B>,
    {
        assert!(
            self.any.is_none(),
            "tackle-routing: `any` is routed twice on one route"
        );
        self.any = Some(Route::new(service));
        self
    }

    /// Names the route for URL building ([`Router::url_for`](crate::Router::url_for)),
    /// e.g. `"user.show"`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Wraps each of this route's services in `layer` (authorization, a
    /// timeout for one route, ...). The router's own answers (`405`,
    /// automatic `OPTIONS`) do not go through it.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<Route<B>>,
        L::Service: RouteService<B>,
    {
        self.map_routes(&mut |route| route.layer(&layer));
        self
    }

    pub(crate) fn map_routes(&mut self, f: &mut dyn FnMut(Route<B>) -> Route<B>) {
        // A service shared by several methods (`on`) is layered once per
        // method: cheap, and it keeps each method's route independent.
        for slot in self.standard.iter_mut().chain([&mut self.any]) {
            if let Some(route) = slot.take() {
                *slot = Some(f(route));
            }
        }
        for (_, route) in &mut self.extension {
            *route = f(route.clone());
        }
    }

    /// Adds `route` for `method`, or gives the method back when it is taken.
    fn insert(&mut self, method: Method, route: Route<B>) -> Result<(), Method> {
        let slot = match standard_index(&method) {
            Some(i) => &mut self.standard[i],
            None => {
                if self.extension.iter().any(|(m, _)| *m == method) {
                    return Err(method);
                }
                self.extension.push((method, route));
                return Ok(());
            }
        };
        if slot.is_some() {
            return Err(method);
        }
        *slot = Some(route);
        Ok(())
    }

    /// Merges `other` into this router (two registrations of one pattern),
    /// or names the first method both have.
    pub(crate) fn merge(&mut self, other: MethodRouter<B>) -> Result<(), String> {
        for (i, route) in other.standard.into_iter().enumerate() {
            if let Some(route) = route {
                self.insert(STANDARD[i].clone(), route)
                    .map_err(|m| m.to_string())?;
            }
        }
        for (method, route) in other.extension {
            self.insert(method, route).map_err(|m| m.to_string())?;
        }
        if let Some(route) = other.any {
            if self.any.is_some() {
                return Err("`any`".to_owned());
            }
            self.any = Some(route);
        }
        match (&self.name, other.name) {
            (Some(a), Some(b)) if *a != b => Err(format!("the name ({a:?} and {b:?})")),
            (_, Some(b)) => {
                self.name = Some(b);
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

impl<B> MethodRouter<B> {
    /// The methods with a service, `HEAD` added when `GET` has one and
    /// `OPTIONS` always (the router answers it), in `Allow` order.
    pub(crate) fn methods(&self) -> Vec<Method> {
        let get = self.standard[0].is_some();
        let mut methods: Vec<Method> = STANDARD
            .iter()
            .zip(&self.standard)
            .filter(|(m, route)| {
                route.is_some() || (**m == Method::HEAD && get) || **m == Method::OPTIONS
            })
            .map(|(m, _)| m.clone())
            .collect();
        methods.extend(self.extension.iter().map(|(m, _)| m.clone()));
        methods
    }

    /// What to do with a request of `method`.
    pub(crate) fn select(&self, method: &Method) -> Selected<'_, B> {
        let exact = match standard_index(method) {
            Some(i) => self.standard[i].as_ref(),
            None => self
                .extension
                .iter()
                .find(|(m, _)| m == method)
                .map(|(_, route)| route),
        };
        if let Some(route) = exact {
            return Selected::Route(route, Finish::AsIs);
        }
        if let Some(route) = &self.any {
            return Selected::Route(route, Finish::AsIs);
        }
        match (method, &self.standard[0]) {
            (&Method::HEAD, Some(get)) => Selected::Route(get, Finish::DropBody),
            (&Method::OPTIONS, _) => Selected::Options,
            _ => Selected::NotAllowed,
        }
    }
}

/// `methods` as an `Allow` value: `GET, HEAD, OPTIONS`.
pub(crate) fn allow_value(methods: &[Method]) -> HeaderValue {
    let text = methods
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    // Method names are tokens, so this is always a valid value.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{Request, Response};
    use std::convert::Infallible;
    use tackle_request::Body;
    use tower_service::Service;

    fn ok() -> impl Service<
        Request<()>,
        Response = Response<Body>,
        Error = Infallible,
        Future = std::future::Ready<Result<Response<Body>, Infallible>>,
    > + Clone
    + Send
    + Sync
    + 'static {
        tower::service_fn(|_: Request<()>| std::future::ready(Ok(Response::new(Body::empty()))))
    }

    fn kind(router: &MethodRouter<()>, method: Method) -> &'static str {
        match router.select(&method) {
            Selected::Route(_, Finish::AsIs) => "route",
            Selected::Route(_, Finish::DropBody) => "route without body",
            Selected::Route(_, Finish::Allow(_)) => "route with allow",
            Selected::Options => "options",
            Selected::NotAllowed => "405",
        }
    }

    #[test]
    fn methods_select_and_allow() {
        let router = get(ok())
            .post(ok())
            .on([Method::from_bytes(b"PURGE").unwrap()], ok());
        let cases: &[(Method, &str)] = &[
            (Method::GET, "route"),
            (Method::HEAD, "route without body"),
            (Method::POST, "route"),
            (Method::OPTIONS, "options"),
            (Method::PUT, "405"),
            (Method::DELETE, "405"),
            (Method::from_bytes(b"PURGE").unwrap(), "route"),
            (Method::from_bytes(b"BREW").unwrap(), "405"),
        ];
        for (method, expected) in cases {
            assert_eq!(kind(&router, method.clone()), *expected, "{method}");
        }
        assert_eq!(
            allow_value(&router.methods()),
            "GET, HEAD, POST, OPTIONS, PURGE"
        );

        let explicit = head(ok()).options(ok());
        assert_eq!(kind(&explicit, Method::HEAD), "route");
        assert_eq!(kind(&explicit, Method::OPTIONS), "route");
        assert_eq!(kind(&explicit, Method::GET), "405");
        assert_eq!(allow_value(&explicit.methods()), "HEAD, OPTIONS");

        let everything = any(ok());
        for method in [Method::GET, Method::HEAD, Method::OPTIONS, Method::DELETE] {
            assert_eq!(kind(&everything, method.clone()), "route", "{method}");
        }
    }

    #[test]
    #[should_panic(expected = "GET is routed twice on one route")]
    fn a_method_twice_panics() {
        let _ = get(ok()).get(ok());
    }

    #[test]
    fn merge_names_the_shared_method() {
        let mut a = get(ok()).name("a");
        assert_eq!(a.merge(post(ok())), Ok(()));
        assert_eq!(a.name.as_deref(), Some("a"));
        assert_eq!(a.merge(get(ok())), Err("GET".to_owned()));
        let mut b = put(ok()).name("b");
        assert_eq!(
            b.merge(delete(ok()).name("c")),
            Err("the name (\"b\" and \"c\")".to_owned())
        );
    }
}
