//! The client's address: the connection's peer, and the route of proxies a
//! request claims to have passed (`X-Forwarded-For`, de facto standard, see
//! RFC 7239 §1).

use std::net::SocketAddr;

use tackle_http::header::header_str;
use tackle_http::proxy::{
    ForwardedNode, MAX_X_FORWARDED_FOR_ENTRIES, X_FORWARDED_FOR, XForwardedFor,
};

use super::Request;
use crate::extensions::ConnectionInfo;

impl<B> Request<B> {
    /// The address of the connection's peer (the client, or the nearest
    /// proxy): from [`ConnectionInfo`], else from a bare [`SocketAddr`]
    /// extension as some servers insert.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        let extensions = self.inner.extensions();
        ConnectionInfo::from_extensions(extensions)
            .and_then(ConnectionInfo::remote_addr)
            .or_else(|| extensions.get::<SocketAddr>().copied())
    }

    /// The `X-Forwarded-For` entries, client first, then the
    /// [`remote_addr`](Self::remote_addr): every hop the request claims.
    ///
    /// Only the last entry and the remote address were written by machines
    /// you control; the client writes the rest, so use
    /// [`tackle_http::proxy::XForwarded`] with a count of trusted proxies
    /// for decisions. Entries that are not addresses are skipped, and only
    /// the last [`MAX_X_FORWARDED_FOR_ENTRIES`] are kept. Parsed once.
    pub fn access_route(&self) -> &[ForwardedNode] {
        self.access_route.get_or_init(|| {
            let mut route = Vec::new();
            // Walk from the right, the end proxies write, so a client cannot
            // push them out with junk and the work stays bounded.
            'lines: for line in self.inner.headers().get_all(X_FORWARDED_FOR).iter().rev() {
                let text = header_str(line);
                for entry in text.rsplit(',') {
                    if route.len() >= MAX_X_FORWARDED_FOR_ENTRIES {
                        break 'lines;
                    }
                    let entry = entry.trim_matches([' ', '\t']);
                    if entry.is_empty() {
                        continue;
                    }
                    let node = entry
                        .parse::<XForwardedFor>()
                        .ok()
                        .and_then(|list| list.nodes().first().cloned());
                    route.extend(node);
                }
            }
            route.reverse();
            route.extend(self.remote_addr().map(ForwardedNode::from));
            route
        })
    }
}
