//! [`Route`]: any tower service behind one type, so that a router can hold
//! services of different types and call them through a shared reference.

use std::convert::Infallible;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_LENGTH};
use http::{HeaderValue, Request, Response};
use http_body::Body as _;
use pin_project_lite::pin_project;
use tackle_request::{Body, BoxError, HttpError};
use tower_layer::Layer;
use tower_service::Service;

/// A route's service with its type erased: it takes `http::Request<B>` and
/// answers `http::Response<Body>`, never failing (a service error becomes a
/// `500` response carrying a [`ServiceError`]).
///
/// Cloning is cheap (a reference count). [`Router::route_layer`](crate::Router::route_layer)
/// and [`MethodRouter::layer`](crate::MethodRouter::layer) wrap routes in
/// layers, which is why it is a public service type.
pub struct Route<B>(Arc<dyn ErasedService<B>>);

impl<B> Clone for Route<B> {
    fn clone(&self) -> Self {
        Route(self.0.clone())
    }
}

impl<B> fmt::Debug for Route<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Route(..)")
    }
}

/// What the router does to a route's response.
#[derive(Clone, Debug)]
pub(crate) enum Finish {
    /// Nothing.
    AsIs,
    /// A `HEAD` answered by the `GET` service: keep the headers, stating
    /// the length the body would have had, and drop the body.
    DropBody,
    /// The 405 fallback: make sure the response says which methods are
    /// allowed.
    Allow(HeaderValue),
}

pub(crate) trait ErasedService<B>: Send + Sync {
    fn call(&self, request: Request<B>, finish: Finish) -> RouteFuture;
}

/// The future of a [`Route`]: one box, the only allocation the router adds
/// to a request it routes to a service.
pub struct RouteFuture(Pin<Box<dyn Future<Output = Response<Body>> + Send>>);

impl fmt::Debug for RouteFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RouteFuture(..)")
    }
}

impl Future for RouteFuture {
    type Output = Result<Response<Body>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx).map(Ok)
    }
}

/// The error a route's service failed with, kept in the extensions of the
/// `500 Internal Server Error` response the router answers instead, so that
/// an outer layer (logging, error mail) can see it. The response body does
/// not show it.
#[derive(Clone, Debug)]
pub struct ServiceError(Arc<BoxError>);

impl ServiceError {
    /// The service's error.
    pub fn error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &**self.0
    }
}

struct Erase<S>(S);

impl<S, B, ResBody> ErasedService<B> for Erase<S>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Send + 'static,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    fn call(&self, request: Request<B>, finish: Finish) -> RouteFuture {
        let mut service = self.0.clone();
        // Most services are always ready: asking once without a waker
        // saves carrying the request and the readiness wait in the future.
        // A service that is not ready is asked again, with a waker, below.
        match service.poll_ready(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(Ok(())) => RouteFuture(Box::pin(Respond {
                inner: service.call(request),
                finish,
            })),
            Poll::Ready(Err(error)) => {
                RouteFuture(Box::pin(std::future::ready(service_error(error.into()))))
            }
            Poll::Pending => RouteFuture(Box::pin(async move {
                if let Err(error) = poll_fn(|cx| service.poll_ready(cx)).await {
                    return service_error(error.into());
                }
                Respond {
                    inner: service.call(request),
                    finish,
                }
                .await
            })),
        }
    }
}

pin_project! {
    /// A service's response future, its response finished as the router
    /// asks and its error turned into a `500`.
    struct Respond<F> {
        #[pin]
        inner: F,
        finish: Finish,
    }
}

impl<F, ResBody, E> Future for Respond<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
    E: Into<BoxError>,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Output = Response<Body>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response<Body>> {
        let this = self.project();
        Poll::Ready(match std::task::ready!(this.inner.poll(cx)) {
            Ok(response) => finish_response(response.map(Body::new), this.finish),
            Err(error) => service_error(error.into()),
        })
    }
}

pub(crate) fn finish_response(mut response: Response<Body>, finish: &Finish) -> Response<Body> {
    match finish {
        Finish::AsIs => {}
        Finish::DropBody => {
            let length = response.body().size_hint().exact();
            if let Some(length) = length
                && !response.headers().contains_key(CONTENT_LENGTH)
            {
                response
                    .headers_mut()
                    .insert(CONTENT_LENGTH, HeaderValue::from(length));
            }
            *response.body_mut() = Body::empty();
        }
        Finish::Allow(allow) => {
            if !response.headers().contains_key(ALLOW) {
                response.headers_mut().insert(ALLOW, allow.clone());
            }
        }
    }
    response
}

fn service_error(error: BoxError) -> Response<Body> {
    let mut response = HttpError::internal_server_error()
        .render(None)
        .map(Body::from);
    response
        .extensions_mut()
        .insert(ServiceError(Arc::new(error)));
    response
}

/// A tower service a router can route to: it takes `http::Request<B>`,
/// answers `http::Response` with a body of `Bytes` frames, can be cloned
/// and shared across threads, and fails with an error that converts into a
/// [`BoxError`] (which the router turns into a `500`). Every such service
/// is one; the trait only names the bounds once.
pub trait RouteService<B>: Sized + 'static {
    /// The service with its type erased.
    fn into_route(self) -> Route<B>;
}

impl<B, S, ResBody> RouteService<B> for S
where
    B: Send + 'static,
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    fn into_route(self) -> Route<B> {
        Route(Arc::new(Erase(self)))
    }
}

impl<B: Send + 'static> Route<B> {
    /// Erases `service`.
    pub fn new<S: RouteService<B>>(service: S) -> Self {
        service.into_route()
    }

    /// This route wrapped in `layer`.
    pub(crate) fn layer<L>(self, layer: &L) -> Route<B>
    where
        L: Layer<Route<B>>,
        L::Service: RouteService<B>,
    {
        layer.layer(self).into_route()
    }

    pub(crate) fn call_with(&self, request: Request<B>, finish: Finish) -> RouteFuture {
        self.0.call(request, finish)
    }
}

impl<B: Send + 'static> Service<Request<B>> for Route<B> {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = RouteFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> RouteFuture {
        self.0.call(request, Finish::AsIs)
    }
}
