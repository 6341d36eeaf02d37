//! [`SlashPolicy`]: what a path that differs from a route only by its
//! trailing slash gets.

/// What a request for `/a/` gets when only `/a` is routed, or for `/a` when
/// only `/a/` is. A path that matches a route as sent is never affected.
///
/// | policy | `/a` routed, `GET /a/?x=1` |
/// |---|---|
/// | [`Redirect`](Self::Redirect) (default) | `308` to `/a?x=1` (mount prefix kept) |
/// | [`Ignore`](Self::Ignore) | served by `/a` |
/// | [`Strict`](Self::Strict) | `404` |
///
/// `308 Permanent Redirect` keeps the method and body, so a `POST` to the
/// wrong form is not turned into a `GET` as `301` would invite.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SlashPolicy {
    /// Only the exact form matches.
    Strict,
    /// The other form is redirected to the routed form with `308`, keeping
    /// the query string and any mount prefix.
    #[default]
    Redirect,
    /// Both forms are served by the route.
    Ignore,
}
