//! The bounded ring of recent reports, keyed by [`ReportId`].

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use tackle_report::{ErrorReport, ReportId};

/// The newest `capacity` reports; the oldest is evicted first.
#[derive(Debug)]
pub(crate) struct Ring {
    capacity: usize,
    reports: Mutex<VecDeque<Arc<ErrorReport>>>,
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
    pub(crate) fn push(&self, report: Arc<ErrorReport>) {
        let mut reports = self.reports.lock().unwrap_or_else(PoisonError::into_inner);
        while reports.len() >= self.capacity {
            reports.pop_front();
        }
        reports.push_back(report);
    }

    /// The report with `id`, while it is kept.
    pub(crate) fn get(&self, id: &ReportId) -> Option<Arc<ErrorReport>> {
        let reports = self.reports.lock().unwrap_or_else(PoisonError::into_inner);
        reports.iter().rev().find(|r| r.id == *id).cloned()
    }

    /// Every report kept, newest first.
    pub(crate) fn newest_first(&self) -> Vec<Arc<ErrorReport>> {
        let reports = self.reports.lock().unwrap_or_else(PoisonError::into_inner);
        reports.iter().rev().cloned().collect()
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
            ring.push(Arc::clone(report));
        }
        assert_eq!(ring.len(), 3);
        assert!(ring.get(&reports[0].id).is_none());
        assert!(ring.get(&reports[1].id).is_none());
        assert_eq!(ring.get(&reports[4].id).unwrap().message, "r4");
        let order: Vec<_> = ring
            .newest_first()
            .iter()
            .map(|r| r.message.clone())
            .collect();
        assert_eq!(order, ["r4", "r3", "r2"]);
        assert_eq!(Ring::new(0).capacity, 1);
    }
}
