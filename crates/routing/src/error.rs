//! [`RouteError`]: a mistake in the route table, found while it is built.

use std::error::Error;
use std::fmt;

/// A route table that cannot work: an invalid pattern, an unknown
/// converter, two routes that would match the same paths (both are named),
/// a method or a route name given twice.
///
/// [`Router::try_route`](crate::Router::try_route) and the other `try_`
/// methods return it; [`Router::route`](crate::Router::route) and the like
/// panic with its message, as a route table is fixed when the program
/// starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteError {
    message: String,
}

impl RouteError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        RouteError {
            message: message.into(),
        }
    }
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for RouteError {}
