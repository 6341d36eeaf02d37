//! The bounded ring of recent reports, keyed by [`ReportId`], each with
//! the request it can replay.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::{HeaderMap, Method, Uri, Version};
use tackle_report::{ErrorReport, ReportId};

use crate::body::Completeness;

/// One kept report.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) report: Arc<ErrorReport>,
    /// The request as received, unscrubbed (the page scrubs what it shows).
    pub(crate) request: Option<Captured>,
    /// The report this one came from, when it is a replay's.
    pub(crate) replay_of: Option<ReportId>,
}

/// A request kept for replay: its head and up to 64 KiB of its body.
#[derive(Clone, Debug)]
pub(crate) struct Captured {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) completeness: Completeness,
    /// The client's address, given to the replay as its `ConnectionInfo`.
    pub(crate) peer: Option<std::net::SocketAddr>,
}

/// The newest `capacity` reports; the oldest is evicted first.
#[derive(Debug)]
pub(crate) struct Ring {
    capacity: usize,
    reports: Mutex<VecDeque<Arc<Entry>>>,
}

impl Ring {
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Ring {
            capacity,
            reports: Mutex::new(VecDeque::with_capacity(capacity)),
        }
    }

    /// Stores `report`, evicting the oldest past the capacity.
    pub(crate) fn push(&self, report: Arc<Entry>) {
        let mut reports = self.reports.lock().unwrap_or_else(PoisonError::into_inner);
        while reports.len() >= self.capacity {
            reports.pop_front();
        }
        reports.push_back(report);
    }

    /// The report with `id`, while it is kept.
    pub(crate) fn get(&self, id: &ReportId) -> Option<Arc<Entry>> {
        let reports = self.reports.lock().unwrap_or_else(PoisonError::into_inner);
        reports.iter().rev().find(|r| r.report.id == *id).cloned()
    }

    /// Every report kept, newest first.
    pub(crate) fn newest_first(&self) -> Vec<Arc<ErrorReport>> {
        let reports = self.reports.lock().unwrap_or_else(PoisonError::into_inner);
        reports
            .iter()
            .rev()
            .map(|e| Arc::clone(&e.report))
            .collect()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.reports
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tackle_report::ReportKind;

    #[test]
    fn bounded_oldest_evicted() {
        let ring = Ring::new(3);
        let reports: Vec<Arc<ErrorReport>> = (0..5)
            .map(|i| Arc::new(ErrorReport::new(ReportKind::Panic, format!("r{i}"))))
            .collect();
        for report in &reports {
            ring.push(Arc::new(Entry {
                report: Arc::clone(report),
                request: None,
                replay_of: None,
            }));
        }
        assert_eq!(ring.len(), 3);
        assert!(ring.get(&reports[0].id).is_none());
        assert!(ring.get(&reports[1].id).is_none());
        assert_eq!(ring.get(&reports[4].id).unwrap().report.message, "r4");
        let order: Vec<_> = ring
            .newest_first()
            .iter()
            .map(|r| r.message.clone())
            .collect();
        assert_eq!(order, ["r4", "r3", "r2"]);
        assert_eq!(Ring::new(0).capacity, 1);
    }
}
