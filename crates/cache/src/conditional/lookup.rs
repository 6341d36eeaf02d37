use std::future::{Future, Ready, ready};

use http::Request;
use tackle_http::Validators;

/// How [`ConditionalLayer`](super::ConditionalLayer) finds the current
/// validators of the resource an unsafe request (PUT, PATCH, DELETE, POST)
/// targets, *before* the handler runs: `None` when the resource does not
/// exist.
///
/// Implemented for any `Fn(&Request<B>) -> impl Future<Output =
/// Option<Validators>>`; the future may not borrow the request, so take
/// from it what the lookup needs (an id from the path, say) first.
pub trait ValidatorLookup<B> {
    /// The lookup in progress.
    type Future: Future<Output = Option<Validators>>;

    /// Starts looking up the validators of the resource `request` targets.
    fn lookup(&self, request: &Request<B>) -> Self::Future;
}

impl<B, F, Fut> ValidatorLookup<B> for F
where
    F: Fn(&Request<B>) -> Fut,
    Fut: Future<Output = Option<Validators>>,
{
    type Future = Fut;

    fn lookup(&self, request: &Request<B>) -> Fut {
        self(request)
    }
}

/// The lookup of a layer without one: unsafe requests reach the handler
/// unchecked. Never called.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoLookup;

impl<B> ValidatorLookup<B> for NoLookup {
    type Future = Ready<Option<Validators>>;

    fn lookup(&self, _: &Request<B>) -> Self::Future {
        ready(None)
    }
}
