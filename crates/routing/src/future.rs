//! [`RouterFuture`]: the response future of a [`Router`](crate::Router).

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::Response;
use tackle_request::Body;

use crate::route::{Finish, RouteFuture, finish_response};

/// The future a [`Router`](crate::Router) returns: a response the router
/// made itself (404, 405, a redirect, `OPTIONS`), ready at once, or the
/// future of the route's service.
pub struct RouterFuture {
    kind: Kind,
}

enum Kind {
    Ready(Option<Response<Body>>),
    Route(RouteFuture),
}

impl RouterFuture {
    pub(crate) fn ready(response: Response<Body>) -> Self {
        RouterFuture {
            kind: Kind::Ready(Some(response)),
        }
    }

    /// For a `HEAD` request: a response the router made itself loses its
    /// body (keeping its length); a route's response is the route's
    /// business.
    pub(crate) fn for_head(self) -> Self {
        match self.kind {
            Kind::Ready(Some(response)) => {
                RouterFuture::ready(finish_response(response, &Finish::DropBody))
            }
            kind => RouterFuture { kind },
        }
    }

    pub(crate) fn route(future: RouteFuture) -> Self {
        RouterFuture {
            kind: Kind::Route(future),
        }
    }
}

impl fmt::Debug for RouterFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Ready(_) => f.write_str("RouterFuture::Ready"),
            Kind::Route(_) => f.write_str("RouterFuture::Route"),
        }
    }
}

impl Future for RouterFuture {
    type Output = Result<Response<Body>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Both variants are `Unpin` (the route future is boxed).
        match &mut self.kind {
            Kind::Ready(response) => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                None => panic!("RouterFuture polled after it completed"),
            },
            Kind::Route(future) => Pin::new(future).poll(cx),
        }
    }
}
