//! Errors hidden in responses: a handler that answers a 5xx attaches the
//! cause, so that a layer outside sees more than the status.

use std::sync::Arc;

use http::Response;

use crate::report::ErrorReport;

/// The report attached to a response (in its extensions).
#[derive(Clone, Debug)]
pub struct AttachedReport(pub Arc<ErrorReport>);

/// Attaching a cause to a response.
pub trait ResponseReportExt {
    /// Attaches `report` to this response.
    fn with_report(self, report: ErrorReport) -> Self;

    /// Attaches a report of `error` (its chain, the stack and spans here).
    fn with_error<E>(self, error: E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static;

    /// The report attached, if any.
    fn report(&self) -> Option<&ErrorReport>;
}

impl<B> ResponseReportExt for Response<B> {
    fn with_report(mut self, report: ErrorReport) -> Self {
        self.extensions_mut()
            .insert(AttachedReport(Arc::new(report)));
        self
    }

    fn with_error<E>(self, error: E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        self.with_report(ErrorReport::from_error(error))
    }

    fn report(&self) -> Option<&ErrorReport> {
        self.extensions()
            .get::<AttachedReport>()
            .map(|a| a.0.as_ref())
    }
}
