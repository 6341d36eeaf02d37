//! What proxies tell a server about the original request: the standard
//! `Forwarded` header (RFC 7239) and the de-facto `X-Forwarded-*` headers.
//!
//! Any client can send these headers, so they mean something only in the
//! positions written by proxies the server trusts. Each proxy appends one
//! entry, so a server behind `n` proxies trusts the `n` right-most entries
//! and no more: [`Forwarded::trusted_element`] and [`XForwarded`] take that
//! `n`, as Werkzeug's `ProxyFix` does (`x_for=1` trusts one proxy). A client
//! may prepend anything; it cannot change what a trusted position says.
//!
//! ```
//! use tackle_http::proxy::Forwarded;
//!
//! // The client forged the first element; one trusted proxy appended the second.
//! let header: Forwarded = r#"for=203.0.113.66, for="[2001:db8:cafe::17]:4711";proto=https"#.parse()?;
//! let element = header.trusted_element(1).unwrap();
//! assert_eq!(element.for_node().and_then(|n| n.ip()), Some("2001:db8:cafe::17".parse().unwrap()));
//! assert_eq!(element.proto(), Some("https"));
//! # Ok::<(), tackle_http::ParseError>(())
//! ```

mod forwarded;
mod node;
mod x_forwarded;

pub use forwarded::{
    Forwarded, ForwardedElement, MAX_FORWARDED_ELEMENTS, MAX_FORWARDED_PARAMETERS,
};
pub use node::{ForwardedNode, NodeName, NodePort, ObfuscatedId};
pub use x_forwarded::{
    MAX_X_FORWARDED_FOR_ENTRIES, X_FORWARDED_FOR, X_FORWARDED_HOST, X_FORWARDED_PORT,
    X_FORWARDED_PREFIX, X_FORWARDED_PROTO, XForwarded, XForwardedFor, trusted_list_value,
};
