//! Settings for [`Request`](super::Request) accessors.

use std::sync::Arc;

use tackle_http::TrustedHosts;

/// Settings the [`Request`](super::Request) accessors obey. Pass them to
/// `Request::with_config`, or have a layer insert them into the request's
/// extensions. Cloning is cheap.
///
/// | setting | default | effect |
/// |---|---|---|
/// | `trusted_hosts` | none (no check) | `host()` and the URL accessors refuse other hosts with `400 Bad Request` |
#[derive(Clone, Debug, Default)]
pub struct RequestConfig {
    trusted_hosts: Option<Arc<TrustedHosts>>,
}

impl RequestConfig {
    /// The defaults, for requests without a configuration.
    pub(crate) const DEFAULT: &RequestConfig = &RequestConfig {
        trusted_hosts: None,
    };

    /// The defaults: every valid host is accepted.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accept only hosts matching `trusted` (an empty list accepts none).
    pub fn with_trusted_hosts(mut self, trusted: TrustedHosts) -> Self {
        self.trusted_hosts = Some(Arc::new(trusted));
        self
    }

    /// The trusted hosts, when the host is checked.
    pub fn trusted_hosts(&self) -> Option<&TrustedHosts> {
        self.trusted_hosts.as_deref()
    }
}
