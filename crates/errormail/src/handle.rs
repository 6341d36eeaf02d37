//! [`ErrorMailHandle`]: what the application does with its mailer besides
//! serving requests.

use std::sync::Arc;
use std::time::Duration;

use tackle_report::ErrorReport;

use crate::layer::Shared;
use crate::mail;
use crate::worker::StatsSnapshot;

/// A handle on one [`ErrorMailLayer`](crate::ErrorMailLayer)'s mailer.
/// Cloning is cheap.
#[derive(Clone)]
pub struct ErrorMailHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for ErrorMailHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrorMailHandle").finish_non_exhaustive()
    }
}

impl ErrorMailHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        ErrorMailHandle { shared }
    }

    /// Waits until every queued mail was sent (or spooled), at most
    /// `deadline`: call it at shutdown. `false` when the deadline passed
    /// first.
    pub async fn flush(&self, deadline: Duration) -> bool {
        self.shared.outbox().flush(deadline).await
    }

    /// Counters: queued, sent, failed, dropped, spooled, retries, and
    /// whether the circuit breaker is open.
    pub fn stats(&self) -> StatsSnapshot {
        self.shared.outbox().stats()
    }

    /// Mails `report` from outside a request (a background job), through
    /// the same throttle.
    pub fn notify(&self, report: &ErrorReport) {
        self.shared.submit(report.clone());
    }

    /// Queues a test mail (not throttled), to check the setup; `false` when
    /// the queue was full.
    pub fn send_test_email(&self) -> bool {
        match mail::compose_test(&self.shared.mail) {
            Ok(composed) => self.shared.outbox().try_enqueue(composed),
            Err(error) => {
                tracing::error!("test mail not composed: {error}");
                false
            }
        }
    }
}
