//! [`handler`]: an async function from a [`Request`] to a response, as a
//! `tower` [`Service`] that hyper, tower middleware and axum all accept.
//!
//! The function returns `Result<R, HttpError>` where `R` becomes an
//! `http::Response<Body>`, so `?` works on anything that converts into an
//! [`HttpError`]. An error is rendered as HTML, problem+JSON or text by the
//! request's `Accept` field (see [`HttpError::render`]), so the service
//! itself never fails: its error type is [`Infallible`].
//!
//! ```
//! use tackle_request::handler::handler;
//! use tackle_request::response::Response;
//! use tackle_request::{HttpError, Request};
//! use tower::ServiceExt;
//!
//! let hello = handler(|request: Request<()>| async move {
//!     let name = request.args().get("name").ok_or_else(|| HttpError::bad_request("no name"))?;
//!     Ok::<_, HttpError>(Response::text(format!("hello {name}")))
//! });
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let request = http::Request::builder().uri("/?name=ada").body(()).unwrap();
//! let response = hello.clone().oneshot(request).await.unwrap();
//! assert_eq!(response.status(), 200);
//!
//! let request = http::Request::builder().uri("/").header("accept", "application/json").body(()).unwrap();
//! let response = hello.oneshot(request).await.unwrap();
//! assert_eq!(response.status(), 400);
//! assert_eq!(response.headers()["content-type"], "application/json");
//! # });
//! ```
//!
//! With axum, a handler is a service like any other (axum's own body type
//! is the request body, and a [`Body`] response converts):
//!
//! ```text
//! let app = axum::Router::new().route_service(
//!     "/hello",
//!     handler(|request: Request<axum::body::Body>| async move {
//!         Ok::<_, HttpError>(Response::text("hello"))
//!     }),
//! );
//! ```
//!
//! A [`Request`] is `Send` but not `Sync` (its caches are plain cells), so
//! for a future that must be `Send` (axum, a multi-threaded runtime), take
//! what you need from it before an `.await` rather than hold a borrow of it
//! across one.
//!
//! With bare hyper, wrap it in `hyper_util::service::TowerToHyperService`
//! (feature `service` of `hyper-util`) and serve it on each connection.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::BytesMut;
use http::HeaderValue;
use http::header::ACCEPT;
use pin_project_lite::pin_project;
use tower_service::Service;

use crate::response::Body;
use crate::{HttpError, Request};

/// Makes a [`Handler`] service from `f`, an async function taking the
/// [`Request`] and returning `Result<R, HttpError>` where `R` converts into
/// an `http::Response<Body>`.
pub fn handler<F>(f: F) -> Handler<F> {
    Handler { f }
}

/// A `tower` service that wraps each `http::Request<B>` in a [`Request`],
/// calls the function, and renders an [`HttpError`] by the request's
/// `Accept`. It is always ready, and cloning it clones the function.
#[derive(Clone, Copy)]
pub struct Handler<F> {
    f: F,
}

impl<F> Handler<F> {
    /// The wrapped function.
    pub fn get_ref(&self) -> &F {
        &self.f
    }

    /// Unwraps the function.
    pub fn into_inner(self) -> F {
        self.f
    }
}

impl<F> fmt::Debug for Handler<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handler")
            .field("f", &std::any::type_name::<F>())
            .finish()
    }
}

impl<F, B, Fut, R> Service<http::Request<B>> for Handler<F>
where
    F: Fn(Request<B>) -> Fut,
    Fut: Future<Output = Result<R, HttpError>>,
    R: Into<http::Response<Body>>,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = HandlerFuture<Fut>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> HandlerFuture<Fut> {
        // The request moves into the function, so what the error page needs
        // from it is taken now.
        let accept = accept_of(request.headers());
        HandlerFuture {
            inner: (self.f)(Request::new(request)),
            accept,
        }
    }
}

/// The request's `Accept` lines as one value: the single line as it is
/// (a cheap clone), several joined with `, ` as RFC 9110 §5.3 allows.
fn accept_of(headers: &http::HeaderMap) -> Option<HeaderValue> {
    let mut lines = headers.get_all(ACCEPT).iter();
    let first = lines.next()?;
    let Some(second) = lines.next() else {
        return Some(first.clone());
    };
    let mut joined = BytesMut::from(first.as_bytes());
    for line in std::iter::once(second).chain(lines) {
        joined.extend_from_slice(b", ");
        joined.extend_from_slice(line.as_bytes());
    }
    // Joining valid field values with ", " gives a valid field value.
    HeaderValue::from_maybe_shared(joined.freeze()).ok()
}

pin_project! {
    /// The future of a [`Handler`] call: the function's future, then the
    /// response or the rendered error.
    pub struct HandlerFuture<Fut> {
        #[pin]
        inner: Fut,
        accept: Option<HeaderValue>,
    }
}

impl<Fut> fmt::Debug for HandlerFuture<Fut> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerFuture")
            .field("accept", &self.accept)
            .finish_non_exhaustive()
    }
}

impl<Fut, R> Future for HandlerFuture<Fut>
where
    Fut: Future<Output = Result<R, HttpError>>,
    R: Into<http::Response<Body>>,
{
    type Output = Result<http::Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = match std::task::ready!(this.inner.poll(cx)) {
            Ok(response) => response.into(),
            Err(error) => error.render(this.accept.as_ref()).map(Body::from),
        };
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use bytes::Bytes;
    use http::StatusCode;
    use http::header::CONTENT_TYPE;
    use http_body_util::{BodyExt, Empty, Full};
    use tower::{ServiceBuilder, ServiceExt};

    use super::*;
    use crate::response::Response;

    async fn greet<B>(request: Request<B>) -> Result<http::Response<Body>, HttpError> {
        match request.args().get("name") {
            Some(name) => Ok(Response::text(format!("hello {name}"))),
            None => Err(HttpError::bad_request("no name given")),
        }
    }

    async fn body_text(response: http::Response<Body>) -> String {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn errors_are_rendered_by_accept() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "text/html; charset=utf-8"),
            (&["text/html"], "text/html; charset=utf-8"),
            (&["application/json"], "application/json"),
            (&["application/problem+json"], "application/problem+json"),
            (&["text/plain"], "text/plain; charset=utf-8"),
            (&["image/png"], "text/plain; charset=utf-8"),
            // Two lines are one list: the JSON line wins over the image one.
            (&["image/png", "application/json"], "application/json"),
            (
                &["image/png;q=0.1", "text/html"],
                "text/html; charset=utf-8",
            ),
        ];
        for &(accept, content_type) in cases {
            let mut request = http::Request::builder().uri("/");
            for line in accept {
                request = request.header(ACCEPT, *line);
            }
            let response = handler(greet)
                .oneshot(request.body(()).unwrap())
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{accept:?}");
            assert_eq!(response.headers()[CONTENT_TYPE], content_type, "{accept:?}");
            assert!(
                body_text(response).await.contains("no name given"),
                "{accept:?}"
            );
        }
    }

    #[tokio::test]
    async fn ok_responses_pass_through() {
        let request = http::Request::builder()
            .uri("/?name=ada")
            .header(ACCEPT, "application/json")
            .body(())
            .unwrap();
        let response = handler(greet).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body_text(response).await, "hello ada");
    }

    #[tokio::test]
    async fn an_error_as_the_ok_value_is_a_response_too() {
        // `R` is anything that converts, an `HttpError` included.
        let service = handler(|_: Request<()>| async { Ok(HttpError::not_found()) });
        let response = service.oneshot(http::Request::new(())).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn works_under_tower_layers_and_with_any_body() {
        let service = ServiceBuilder::new()
            .map_request(|mut request: http::Request<Full<Bytes>>| {
                *request.uri_mut() = "/?name=layer".parse().unwrap();
                request
            })
            .map_response(|mut response: http::Response<Body>| {
                response
                    .headers_mut()
                    .insert("x-layer", HeaderValue::from_static("yes"));
                response
            })
            .service(handler(|mut request: Request<Full<Bytes>>| async move {
                let body = request.body_mut().collect().await.unwrap().to_bytes();
                let name = request
                    .args()
                    .get("name")
                    .map_or("?", String::as_str)
                    .to_owned();
                Ok::<_, HttpError>(Response::text(format!(
                    "{name}: {}",
                    String::from_utf8_lossy(&body)
                )))
            }));
        let request = http::Request::new(Full::new(Bytes::from_static(b"payload")));
        let response = service.oneshot(request).await.unwrap();
        assert_eq!(response.headers()["x-layer"], "yes");
        assert_eq!(body_text(response).await, "layer: payload");
    }

    #[test]
    fn handler_is_clone_and_debug() {
        let service = handler(greet::<()>);
        let copy = service;
        assert!(format!("{copy:?}").starts_with("Handler"));
        let _ = service.into_inner();
    }

    #[tokio::test]
    async fn serves_over_a_real_socket_with_hyper() {
        use hyper::server::conn::http1;
        use hyper_util::client::legacy::Client;
        use hyper_util::rt::{TokioExecutor, TokioIo};

        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let service = handler(greet::<hyper::body::Incoming>);
        let server = tokio::spawn(async move {
            // Two requests, each on its own connection or on one kept alive.
            while let Ok((stream, _)) = listener.accept().await {
                let service = service;
                tokio::spawn(async move {
                    // `hyper_util::service::TowerToHyperService::new(service)`
                    // does the same, with hyper-util's `service` feature.
                    let hyper_service =
                        hyper::service::service_fn(move |request| service.oneshot(request));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), hyper_service)
                        .await;
                });
            }
        });

        let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
        let ok = client
            .get(format!("http://{addr}/?name=socket").parse().unwrap())
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        let text = ok.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(text, "hello socket");

        let request = http::Request::builder()
            .uri(format!("http://{addr}/"))
            .header(ACCEPT, "text/plain")
            .body(Empty::new())
            .unwrap();
        let error = client.request(request).await.unwrap();
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error.headers()[CONTENT_TYPE], "text/plain; charset=utf-8");
        let text = error.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(text, "400 Bad Request: no name given\n");
        server.abort();
    }
}
