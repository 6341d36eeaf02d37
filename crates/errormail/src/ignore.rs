//! What is not mailed: statuses, paths, crawlers, and anything a predicate
//! says.

use std::sync::Arc;

use http::StatusCode;
use tackle_report::ErrorReport;

/// A test on a report: `true` to leave it unmailed.
pub type IgnorePredicate = Arc<dyn Fn(&ErrorReport) -> bool + Send + Sync>;

/// The rules; see [`ErrorMailLayer`](crate::ErrorMailLayer) for the builder.
#[derive(Clone, Default)]
pub(crate) struct IgnoreRules {
    pub(crate) statuses: Vec<StatusCode>,
    /// Path patterns: exact, or a prefix ending in `*` (`/health*`).
    pub(crate) paths: Vec<String>,
    pub(crate) crawlers: bool,
    pub(crate) predicates: Vec<IgnorePredicate>,
}

/// User agents of crawlers and monitors, matched case-insensitively as
/// substrings.
const CRAWLERS: &[&str] = &[
    "bot",
    "crawler",
    "spider",
    "slurp",
    "facebookexternalhit",
    "bingpreview",
    "curl/",
    "wget/",
    "python-requests",
    "go-http-client",
    "uptimerobot",
    "pingdom",
    "statuscake",
];

impl IgnoreRules {
    /// Whether a failure with this status, path and user agent goes
    /// unmailed (before any report is built).
    pub(crate) fn ignores_request(
        &self,
        status: StatusCode,
        path: &str,
        user_agent: Option<&str>,
    ) -> bool {
        if self.statuses.contains(&status) {
            return true;
        }
        if self
            .paths
            .iter()
            .any(|pattern| match pattern.strip_suffix('*') {
                Some(prefix) => path.starts_with(prefix),
                None => path == pattern,
            })
        {
            return true;
        }
        self.crawlers
            && user_agent.is_some_and(|agent| {
                let agent = agent.to_ascii_lowercase();
                CRAWLERS.iter().any(|crawler| agent.contains(crawler))
            })
    }

    /// Whether a predicate leaves `report` unmailed.
    pub(crate) fn ignores_report(&self, report: &ErrorReport) -> bool {
        self.predicates.iter().any(|predicate| predicate(report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let rules = IgnoreRules {
            statuses: vec![StatusCode::SERVICE_UNAVAILABLE],
            paths: vec!["/health*".into(), "/ping".into()],
            crawlers: true,
            predicates: Vec::new(),
        };
        let e500 = StatusCode::INTERNAL_SERVER_ERROR;
        assert!(rules.ignores_request(StatusCode::SERVICE_UNAVAILABLE, "/x", None));
        assert!(rules.ignores_request(e500, "/healthz", None));
        assert!(rules.ignores_request(e500, "/ping", None));
        assert!(!rules.ignores_request(e500, "/ping/2", None));
        assert!(rules.ignores_request(e500, "/x", Some("Mozilla/5.0 (compatible; Googlebot/2.1)")));
        assert!(!rules.ignores_request(
            e500,
            "/x",
            Some("Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0")
        ));
    }
}
